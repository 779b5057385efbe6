import Foundation
import IAM

let account = "123456789012"
let audioBucket = "synapscribe-audio-123456789012"
let sessionsTable = "arn:aws:dynamodb:us-east-1:123456789012:table/SynapScribe-Sessions"
let webSocketApi = "a1b2c3d4e5"
let unauthSession = "arn:aws:sts::123456789012:assumed-role/CognitoUnauthRole/CognitoIdentityCredentials"
let lambdaSession = "arn:aws:sts::123456789012:assumed-role/LambdaExecutionRole/WebSocketHandler"

/// The template's `SynapScribeUnauthAccess` inline policy with intrinsics resolved.
let unauthPolicy = """
    {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::\(audioBucket)/queries/*"},
      {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:GetItem"], "Resource": "\(sessionsTable)"}]}
    """

/// The template's `WebSocketManageConnections` inline policy with intrinsics resolved.
let manageConnectionsPolicy = """
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["execute-api:ManageConnections"],
      "Resource": "arn:aws:execute-api:us-east-1:\(account):\(webSocketApi)/*"}]}
    """

/// The template's `AudioBucketReadWrite` inline policy with intrinsics resolved.
let audioReadWritePolicy = """
    {"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::\(audioBucket)/*"},
      {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": "arn:aws:s3:::\(audioBucket)"}]}
    """

/// The SynapScribe roles from template.yaml.
let synapScribeCases: [EvalCase] = [
    EvalCase(
        name: "unauth role may upload a query",
        policies: [unauthPolicy],
        action: "s3:PutObject",
        resources: ["arn:aws:s3:::\(audioBucket)/queries/q-1.wav"],
        principal: unauthSession,
        expected: .allow
    ),
    EvalCase(
        name: "unauth role may not upload a lecture",
        policies: [unauthPolicy],
        action: "s3:PutObject",
        resources: ["arn:aws:s3:::\(audioBucket)/lectures/x"],
        principal: unauthSession,
        expected: .implicitDeny
    ),
    EvalCase(
        name: "unauth role may not read queries",
        policies: [unauthPolicy],
        action: "s3:GetObject",
        resources: ["arn:aws:s3:::\(audioBucket)/queries/q-1.wav"],
        principal: unauthSession,
        expected: .implicitDeny
    ),
    EvalCase(
        name: "unauth role may put a session item",
        policies: [unauthPolicy],
        action: "dynamodb:PutItem",
        resources: [sessionsTable],
        principal: unauthSession,
        expected: .allow
    ),
    EvalCase(
        name: "unauth role may not scan sessions",
        policies: [unauthPolicy],
        action: "dynamodb:Scan",
        resources: [sessionsTable],
        principal: unauthSession,
        expected: .implicitDeny
    ),
    EvalCase(
        name: "Lambda role may post to its API's connections",
        policies: [manageConnectionsPolicy],
        action: "execute-api:ManageConnections",
        resources: ["arn:aws:execute-api:us-east-1:\(account):\(webSocketApi)/prod/POST/@connections/Jx1abcDEFgh="],
        principal: lambdaSession,
        expected: .allow
    ),
    EvalCase(
        name: "Lambda role may not manage another API's connections",
        policies: [manageConnectionsPolicy],
        action: "execute-api:ManageConnections",
        resources: ["arn:aws:execute-api:us-east-1:\(account):zzzzzzzzzz/prod/POST/@connections/Jx1abcDEFgh="],
        principal: lambdaSession,
        expected: .implicitDeny
    ),
    EvalCase(
        name: "Lambda role may read lectures",
        policies: [audioReadWritePolicy, manageConnectionsPolicy],
        action: "s3:GetObject",
        resources: ["arn:aws:s3:::\(audioBucket)/lectures/l-1.mp3"],
        principal: lambdaSession,
        expected: .allow
    ),
    EvalCase(
        name: "Lambda role may not delete lectures",
        policies: [audioReadWritePolicy, manageConnectionsPolicy],
        action: "s3:DeleteObject",
        resources: ["arn:aws:s3:::\(audioBucket)/lectures/l-1.mp3"],
        principal: lambdaSession,
        expected: .implicitDeny
    ),
]
