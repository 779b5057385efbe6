import Foundation
import IAM
import Identity
import Testing

@Suite("AccessDenied messages")
struct AccessDeniedMessageTests {
    let session = "arn:aws:sts::123456789012:assumed-role/CognitoUnauthRole/CognitoIdentityCredentials"

    @Test("S3 implicit deny quotes the resource")
    func s3Implicit() {
        let text = AccessDeniedMessage.message(
            principalArn: session,
            action: "s3:PutObject",
            resource: "arn:aws:s3:::bucket/lectures/x",
            explicit: false
        )
        #expect(
            text == "User: arn:aws:sts::123456789012:assumed-role/CognitoUnauthRole/CognitoIdentityCredentials is not authorized to perform: "
                + "s3:PutObject on resource: \"arn:aws:s3:::bucket/lectures/x\" because no identity-based policy allows the s3:PutObject action"
        )
    }

    @Test("S3 explicit deny")
    func s3Explicit() {
        let text = AccessDeniedMessage.message(principalArn: session, action: "s3:GetObject", resource: "arn:aws:s3:::bucket/k", explicit: true)
        #expect(
            text == "User: \(session) is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::bucket/k\" "
                + "with an explicit deny in an identity-based policy"
        )
    }

    @Test("DynamoDB renders the resource bare")
    func dynamoDB() {
        let table = "arn:aws:dynamodb:us-east-1:123456789012:table/SynapScribe-Sessions"
        let text = AccessDeniedMessage.message(principalArn: session, action: "dynamodb:PutItem", resource: table, explicit: false)
        #expect(
            text == "User: \(session) is not authorized to perform: dynamodb:PutItem on resource: \(table) "
                + "because no identity-based policy allows the dynamodb:PutItem action"
        )
    }

    @Test("Lambda renders the resource bare")
    func lambda() {
        let function = "arn:aws:lambda:us-east-1:123456789012:function:f"
        let text = AccessDeniedMessage.message(principalArn: session, action: "lambda:InvokeFunction", resource: function, explicit: true)
        #expect(
            text == "User: \(session) is not authorized to perform: lambda:InvokeFunction on resource: \(function) "
                + "with an explicit deny in an identity-based policy"
        )
    }

    @Test("execute-api masks the account id and words denials like API Gateway")
    func executeAPI() {
        let resource = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3/prod/POST/@connections/abc="
        let implicit = AccessDeniedMessage.message(
            principalArn: session,
            action: "execute-api:ManageConnections",
            resource: resource,
            explicit: false
        )
        #expect(
            implicit == "User: \(session) is not authorized to perform: execute-api:ManageConnections on resource: "
                + "arn:aws:execute-api:us-east-1:********9012:a1b2c3/prod/POST/@connections/abc="
        )
        let explicit = AccessDeniedMessage.message(principalArn: session, action: "execute-api:Invoke", resource: resource, explicit: true)
        #expect(
            explicit == "User: \(session) is not authorized to perform: execute-api:Invoke on resource: "
                + "arn:aws:execute-api:us-east-1:********9012:a1b2c3/prod/POST/@connections/abc= with an explicit deny"
        )
    }

    @Test("style can be forced")
    func forcedStyle() {
        let text = AccessDeniedMessage.message(
            principalArn: session,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::b/k",
            explicit: false,
            style: .plain
        )
        #expect(text.contains("on resource: arn:aws:s3:::b/k because"))
    }

    @Test("message for per-resource decisions names the denied resource")
    func forResourceDecisions() throws {
        let document = try PolicyDocument(jsonString: policy(allow("s3:GetObject", "arn:aws:s3:::a/*")))
        let request = AuthorizationRequest(principalArn: session, action: "s3:GetObject", resources: ["arn:aws:s3:::a/1", "arn:aws:s3:::b/1"])
        let decisions = PolicyEvaluator.evaluateEach(request: request, policies: [document])
        #expect(
            AccessDeniedMessage.message(for: decisions, request: request)
                == "User: \(session) is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/1\" "
                + "because no identity-based policy allows the s3:GetObject action"
        )
        let allowed = AuthorizationRequest(principalArn: session, action: "s3:GetObject", resource: "arn:aws:s3:::a/1")
        #expect(AccessDeniedMessage.message(for: PolicyEvaluator.evaluateEach(request: allowed, policies: [document]), request: allowed) == nil)
    }

    @Test("message for a decision")
    func forDecision() throws {
        let document = try PolicyDocument(jsonString: policy(deny("s3:*", "arn:aws:s3:::b/lectures/*") + "," + allow("s3:*", "*")))
        let request = AuthorizationRequest(
            principalArn: session,
            action: "s3:PutObject",
            resources: ["arn:aws:s3:::b/q/1", "arn:aws:s3:::b/lectures/1"]
        )
        let decision = PolicyEvaluator.evaluate(request: request, policies: [document])
        #expect(
            AccessDeniedMessage.message(for: decision, request: request)
                == "User: \(session) is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::b/lectures/1\" "
                + "with an explicit deny in an identity-based policy"
        )
        let allowed = AuthorizationRequest(principalArn: session, action: "s3:PutObject", resource: "arn:aws:s3:::b/q/1")
        #expect(AccessDeniedMessage.message(for: PolicyEvaluator.evaluate(request: allowed, policies: [document]), request: allowed) == nil)
        let implicit = AuthorizationRequest(principalArn: session, action: "dynamodb:Scan", resource: "arn:aws:dynamodb:us-east-1:1:table/T")
        #expect(
            AccessDeniedMessage.message(for: .implicitDeny, request: implicit)
                == "User: \(session) is not authorized to perform: dynamodb:Scan on resource: arn:aws:dynamodb:us-east-1:1:table/T "
                + "because no identity-based policy allows the dynamodb:Scan action"
        )
    }
}

@Suite("ARN helpers")
struct ARNTests {
    @Test("builders")
    func builders() {
        #expect(ARN.s3Bucket("bucket").description == "arn:aws:s3:::bucket")
        #expect(ARN.s3Object(bucket: "bucket", key: "lectures/a b.mp3").description == "arn:aws:s3:::bucket/lectures/a b.mp3")
        #expect(
            ARN.dynamoDBTable(region: "us-east-1", account: "123456789012", table: "T").description
                == "arn:aws:dynamodb:us-east-1:123456789012:table/T"
        )
        #expect(
            ARN.dynamoDBIndex(region: "us-east-1", account: "123456789012", table: "T", index: "ByUser").description
                == "arn:aws:dynamodb:us-east-1:123456789012:table/T/index/ByUser"
        )
        #expect(
            ARN.lambdaFunction(region: "eu-west-1", account: "123456789012", name: "f").description
                == "arn:aws:lambda:eu-west-1:123456789012:function:f"
        )
        #expect(
            ARN.lambdaFunction(region: "eu-west-1", account: "123456789012", name: "f", qualifier: "live").description
                == "arn:aws:lambda:eu-west-1:123456789012:function:f:live"
        )
        #expect(
            ARN.executeAPIConnection(region: "us-east-1", account: "123456789012", apiId: "abc", stage: "prod", method: "POST", connectionId: "Jx=")
                .description == "arn:aws:execute-api:us-east-1:123456789012:abc/prod/POST/@connections/Jx="
        )
        #expect(
            ARN.executeAPI(region: "us-east-1", account: "123456789012", apiId: "abc", stage: "prod", method: "GET", path: "/items/1").description
                == "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/items/1"
        )
        #expect(ARN.assumedRole(account: "123456789012", role: "R", session: "s").description == "arn:aws:sts::123456789012:assumed-role/R/s")
        #expect(ARN.iamRole(account: "123456789012", name: "R", path: "/service/").description == "arn:aws:iam::123456789012:role/service/R")
        #expect(ARN.iamUser(account: "123456789012", name: "alice").description == "arn:aws:iam::123456789012:user/alice")
        #expect(ARN.accountRoot(account: "123456789012").description == "arn:aws:iam::123456789012:root")
        #expect(
            ARN.managedPolicy(name: "AWSLambdaBasicExecutionRole", path: "/service-role/").description
                == "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
        )
    }

    @Test("parsing and accessors")
    func parsing() throws {
        let object = try #require(ARN(parsing: "arn:aws:s3:::bucket/a/b:c"))
        #expect(object.s3Bucket == "bucket")
        #expect(object.s3Key == "a/b:c")
        #expect(ARN(parsing: "arn:aws:s3:::bucket")?.s3Key == nil)
        let index = try #require(ARN(parsing: "arn:aws:dynamodb:us-east-1:123456789012:table/T/index/I"))
        #expect(index.region == "us-east-1")
        #expect(index.account == "123456789012")
        #expect(index.dynamoDBTable == "T")
        #expect(index.dynamoDBIndex == "I")
        let function = try #require(ARN(parsing: "arn:aws:lambda:us-east-1:123456789012:function:f:3"))
        #expect(function.lambdaFunctionName == "f")
        #expect(function.lambdaQualifier == "3")
        let session = try #require(ARN(parsing: "arn:aws:sts::123456789012:assumed-role/R/s"))
        #expect(session.assumedRoleParts?.role == "R")
        #expect(session.assumedRoleParts?.session == "s")
        let api = try #require(ARN(parsing: "arn:aws:execute-api:us-east-1:123456789012:abc/prod/POST/@connections/x"))
        #expect(api.executeAPIParts?.apiId == "abc")
        #expect(api.executeAPIParts?.path == "@connections/x")
        #expect(ARN(parsing: "arn:aws:s3") == nil)
        #expect(ARN(parsing: "urn:aws:s3:::b") == nil)
    }
}

@Suite("Managed policy catalog")
struct ManagedPoliciesTests {
    @Test("every catalog entry parses", arguments: ManagedPolicies.entries)
    func parses(_ entry: ManagedPolicies.Entry) throws {
        let document = try PolicyDocument(jsonString: entry.json)
        #expect(!document.statements.isEmpty)
        #expect(ManagedPolicies.policy(arn: entry.arn)?.name == entry.arn)
    }

    @Test("service-role paths")
    func paths() {
        #expect(ManagedPolicies.policy(arn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole") != nil)
        #expect(ManagedPolicies.policy(arn: "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole") != nil)
        #expect(ManagedPolicies.policy(arn: "arn:aws:iam::aws:policy/service-role/AWSLambdaRole") != nil)
        #expect(ManagedPolicies.policy(arn: "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole") == nil)
        #expect(ManagedPolicies.policy(arn: "arn:aws:iam::aws:policy/AWSLambdaExecute") != nil)
        #expect(ManagedPolicies.policy(arn: "arn:aws:iam::aws:policy/NoSuchPolicy") == nil)
        #expect(ManagedPolicies.policy(arn: "arn:aws:iam::123456789012:policy/AdministratorAccess") == nil)
        #expect(ManagedPolicies.policy(named: "AmazonS3FullAccess")?.name == "arn:aws:iam::aws:policy/AmazonS3FullAccess")
    }

    static let grants: [(String, String, String, Bool)] = [
        ("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "logs:PutLogEvents", "arn:aws:logs:us-east-1:1:log-group:g", true),
        ("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", "s3:GetObject", "arn:aws:s3:::b/k", false),
        ("arn:aws:iam::aws:policy/AWSLambdaExecute", "s3:PutObject", "arn:aws:s3:::b/k", true),
        ("arn:aws:iam::aws:policy/AWSLambdaExecute", "s3:DeleteObject", "arn:aws:s3:::b/k", false),
        ("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "s3:GetObject", "arn:aws:s3:::b/k", true),
        ("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "s3:PutObject", "arn:aws:s3:::b/k", false),
        ("arn:aws:iam::aws:policy/AmazonS3FullAccess", "s3:DeleteBucket", "arn:aws:s3:::b", true),
        ("arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess", "dynamodb:DeleteTable", "arn:aws:dynamodb:us-east-1:1:table/T", true),
        ("arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess", "dynamodb:Query", "arn:aws:dynamodb:us-east-1:1:table/T", true),
        ("arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess", "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:1:table/T", false),
        (
            "arn:aws:iam::aws:policy/AmazonAPIGatewayInvokeFullAccess", "execute-api:ManageConnections",
            "arn:aws:execute-api:us-east-1:1:a/p/POST/@connections/c", true
        ),
        ("arn:aws:iam::aws:policy/service-role/AWSLambdaRole", "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:1:function:f", true),
        (
            "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole", "dynamodb:GetRecords",
            "arn:aws:dynamodb:us-east-1:1:table/T/stream/x", true
        ),
        ("arn:aws:iam::aws:policy/AdministratorAccess", "iam:CreateUser", "arn:aws:iam::1:user/u", true),
    ]

    @Test("managed policies grant what AWS grants", arguments: grants)
    func grantsAccess(_ arn: String, _ action: String, _ resource: String, _ allowed: Bool) throws {
        let document = try #require(ManagedPolicies.policy(arn: arn))
        let request = AuthorizationRequest(principalArn: "arn:aws:sts::1:assumed-role/R/s", action: action, resource: resource)
        #expect(PolicyEvaluator.evaluate(request: request, policies: [document]).isAllowed == allowed)
    }
}
