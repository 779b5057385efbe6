import Foundation
import IAM

/// The expected outcome of one evaluator case.
enum Expected: String, Sendable {
    case allow
    case explicitDeny
    case implicitDeny
}

/// One row of the table-driven evaluator suite.
struct EvalCase: Sendable, CustomStringConvertible {
    var name: String
    var policies: [String]
    var action: String
    var resources: [String]
    var context: [String: ContextValue] = [:]
    var principal: String = "arn:aws:iam::123456789012:user/alice"
    var expected: Expected

    var description: String { name }
}

/// Wraps statements JSON in a 2012-10-17 document.
func policy(_ statements: String, version: String? = "2012-10-17") -> String {
    let versionMember = version.map { "\"Version\": \"\($0)\", " } ?? ""
    return "{\(versionMember)\"Statement\": [\(statements)]}"
}

/// An Allow statement for `action` on `resource` with an optional condition block.
func allow(_ action: String, _ resource: String, condition: String? = nil) -> String {
    statement("Allow", action, resource, condition: condition)
}

/// A Deny statement for `action` on `resource` with an optional condition block.
func deny(_ action: String, _ resource: String, condition: String? = nil) -> String {
    statement("Deny", action, resource, condition: condition)
}

func statement(_ effect: String, _ action: String, _ resource: String, condition: String?) -> String {
    let conditionMember = condition.map { ", \"Condition\": \($0)" } ?? ""
    return "{\"Effect\": \"\(effect)\", \"Action\": \"\(action)\", \"Resource\": \"\(resource)\"\(conditionMember)}"
}

let bucketKey = "arn:aws:s3:::bucket/home/alice/notes.txt"
let table = "arn:aws:dynamodb:us-east-1:123456789012:table/Notes"

/// Actions, wildcards, Resource, NotAction, NotResource, Deny precedence and multiple policies.
let structuralCases: [EvalCase] = [
    EvalCase(
        name: "exact action and resource",
        policies: [policy(allow("s3:GetObject", bucketKey))],
        action: "s3:GetObject",
        resources: [bucketKey],
        expected: .allow
    ),
    EvalCase(
        name: "action match is case-insensitive",
        policies: [policy(allow("S3:getobject", bucketKey))],
        action: "s3:GetObject",
        resources: [bucketKey],
        expected: .allow
    ),
    EvalCase(
        name: "action * suffix wildcard",
        policies: [policy(allow("s3:Put*", "*"))],
        action: "s3:PutObject",
        resources: [bucketKey],
        expected: .allow
    ),
    EvalCase(
        name: "action wildcard does not match other verbs",
        policies: [policy(allow("s3:Get*", "*"))],
        action: "s3:PutObject",
        resources: [bucketKey],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "action ? wildcard",
        policies: [policy(allow("s3:?etObject", "*"))],
        action: "s3:GetObject",
        resources: [bucketKey],
        expected: .allow
    ),
    EvalCase(name: "bare * action", policies: [policy(allow("*", "*"))], action: "dynamodb:PutItem", resources: [table], expected: .allow),
    EvalCase(
        name: "action array",
        policies: [policy(#"{"Effect":"Allow","Action":["s3:GetObject","dynamodb:Query"],"Resource":"*"}"#)],
        action: "dynamodb:Query",
        resources: [table],
        expected: .allow
    ),
    EvalCase(
        name: "other service not matched",
        policies: [policy(allow("dynamodb:*", "*"))],
        action: "s3:GetObject",
        resources: [bucketKey],
        expected: .implicitDeny
    ),
    EvalCase(name: "no policies is implicit deny", policies: [], action: "s3:GetObject", resources: [bucketKey], expected: .implicitDeny),
    EvalCase(
        name: "resource prefix wildcard",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/*"))],
        action: "s3:GetObject",
        resources: [bucketKey],
        expected: .allow
    ),
    EvalCase(
        name: "bucket ARN does not cover objects",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket"))],
        action: "s3:GetObject",
        resources: [bucketKey],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "resource match is case-sensitive",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::Bucket/*"))],
        action: "s3:GetObject",
        resources: [bucketKey],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "resource ? wildcard",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/home/alic?/notes.txt"))],
        action: "s3:GetObject",
        resources: [bucketKey],
        expected: .allow
    ),
    EvalCase(
        name: "region and account wildcards",
        policies: [policy(allow("dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/Notes"))],
        action: "dynamodb:GetItem",
        resources: [table],
        expected: .allow
    ),
    EvalCase(
        name: "table ARN does not cover its index",
        policies: [policy(allow("dynamodb:Query", table))],
        action: "dynamodb:Query",
        resources: [table + "/index/ByUser"],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "table* covers its index",
        policies: [policy(allow("dynamodb:Query", table + "*"))],
        action: "dynamodb:Query",
        resources: [table + "/index/ByUser"],
        expected: .allow
    ),
    EvalCase(
        name: "account segment wildcard does not span other segments",
        policies: [policy(allow("lambda:InvokeFunction", "arn:aws:lambda:*:123456789012:function:*"))],
        action: "lambda:InvokeFunction",
        resources: ["arn:aws:lambda:us-east-1:999999999999:function:f"],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "function ARN does not cover a qualified ARN",
        policies: [policy(allow("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:f"))],
        action: "lambda:InvokeFunction",
        resources: ["arn:aws:lambda:us-east-1:123456789012:function:f:1"],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "NotAction allows everything else",
        policies: [policy(#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#)],
        action: "s3:PutObject",
        resources: [bucketKey],
        expected: .allow
    ),
    EvalCase(
        name: "NotAction excludes listed actions",
        policies: [policy(#"{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}"#)],
        action: "iam:CreateUser",
        resources: ["arn:aws:iam::123456789012:user/bob"],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "Deny with NotAction denies unlisted actions",
        policies: [policy(allow("*", "*") + #",{"Effect":"Deny","NotAction":["s3:*"],"Resource":"*"}"#)],
        action: "dynamodb:PutItem",
        resources: [table],
        expected: .explicitDeny
    ),
    EvalCase(
        name: "NotResource allows other resources",
        policies: [policy(#"{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::bucket/secret/*"}"#)],
        action: "s3:GetObject",
        resources: [bucketKey],
        expected: .allow
    ),
    EvalCase(
        name: "NotResource excludes listed resources",
        policies: [policy(#"{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::bucket/secret/*"}"#)],
        action: "s3:GetObject",
        resources: ["arn:aws:s3:::bucket/secret/key"],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "Deny with NotResource",
        policies: [policy(allow("s3:*", "*") + #",{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::bucket/public/*"]}"#)],
        action: "s3:GetObject",
        resources: [bucketKey],
        expected: .explicitDeny
    ),
    EvalCase(
        name: "Deny wins within one policy",
        policies: [policy(allow("s3:*", "*") + "," + deny("s3:GetObject", bucketKey))],
        action: "s3:GetObject",
        resources: [bucketKey],
        expected: .explicitDeny
    ),
    EvalCase(
        name: "Deny in a later policy wins",
        policies: [policy(allow("s3:*", "*")), policy(deny("s3:*", "arn:aws:s3:::bucket/*"))],
        action: "s3:PutObject",
        resources: [bucketKey],
        expected: .explicitDeny
    ),
    EvalCase(
        name: "Deny of another action is irrelevant",
        policies: [policy(allow("s3:*", "*") + "," + deny("s3:DeleteObject", "*"))],
        action: "s3:PutObject",
        resources: [bucketKey],
        expected: .allow
    ),
    EvalCase(
        name: "Deny whose condition fails does not apply",
        policies: [policy(allow("s3:*", "*") + "," + deny("s3:*", "*", condition: #"{"Bool":{"aws:SecureTransport":"false"}}"#))],
        action: "s3:PutObject",
        resources: [bucketKey],
        context: ["aws:SecureTransport": true],
        expected: .allow
    ),
    EvalCase(
        name: "multi-resource request needs every resource allowed",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/home/*"))],
        action: "s3:GetObject",
        resources: [bucketKey, "arn:aws:s3:::other/key"],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "multi-resource request denied on one resource",
        policies: [policy(allow("s3:*", "*") + "," + deny("s3:*", "arn:aws:s3:::other/*"))],
        action: "s3:GetObject",
        resources: [bucketKey, "arn:aws:s3:::other/key"],
        expected: .explicitDeny
    ),
    EvalCase(
        name: "policies are unioned",
        policies: [policy(allow("s3:GetObject", "*")), policy(allow("dynamodb:Query", "*"))],
        action: "dynamodb:Query",
        resources: [table],
        expected: .allow
    ),
    EvalCase(
        name: "action without resources needs Resource *",
        policies: [policy(allow("s3:ListAllMyBuckets", "arn:aws:s3:::*"))],
        action: "s3:ListAllMyBuckets",
        resources: [],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "action without resources with Resource *",
        policies: [policy(allow("s3:ListAllMyBuckets", "*"))],
        action: "s3:ListAllMyBuckets",
        resources: [],
        expected: .allow
    ),
]

/// Helper: a case allowing `s3:GetObject` on the standard key under a condition block.
func conditional(_ name: String, _ condition: String, _ context: [String: ContextValue], _ expected: Expected) -> EvalCase {
    EvalCase(
        name: name,
        policies: [policy(allow("s3:GetObject", "*", condition: condition))],
        action: "s3:GetObject",
        resources: [bucketKey],
        context: context,
        expected: expected
    )
}

/// Every condition operator family, IfExists, Null and set qualifiers.
let conditionCases: [EvalCase] = [
    conditional("StringEquals matches", #"{"StringEquals":{"s3:prefix":"home/"}}"#, ["s3:prefix": "home/"], .allow),
    conditional("StringEquals is case-sensitive", #"{"StringEquals":{"s3:prefix":"home/"}}"#, ["s3:prefix": "HOME/"], .implicitDeny),
    conditional("StringEquals treats * literally", #"{"StringEquals":{"s3:prefix":"home/*"}}"#, ["s3:prefix": "home/x"], .implicitDeny),
    conditional("condition key names are case-insensitive", #"{"StringEquals":{"S3:Prefix":"home/"}}"#, ["s3:prefix": "home/"], .allow),
    conditional("StringEqualsIgnoreCase", #"{"StringEqualsIgnoreCase":{"s3:prefix":"home/"}}"#, ["s3:prefix": "HOME/"], .allow),
    conditional("StringNotEqualsIgnoreCase", #"{"StringNotEqualsIgnoreCase":{"s3:prefix":"home/"}}"#, ["s3:prefix": "HOME/"], .implicitDeny),
    conditional("StringEquals with missing key is false", #"{"StringEquals":{"s3:prefix":"home/"}}"#, [:], .implicitDeny),
    conditional("StringNotEquals with missing key is true", #"{"StringNotEquals":{"s3:prefix":"home/"}}"#, [:], .allow),
    conditional(
        "StringNotEquals excludes every listed value",
        #"{"StringNotEquals":{"s3:prefix":["a/","b/"]}}"#,
        ["s3:prefix": "b/"],
        .implicitDeny
    ),
    conditional("StringEquals values are ORed", #"{"StringEquals":{"s3:prefix":["a/","b/"]}}"#, ["s3:prefix": "b/"], .allow),
    conditional(
        "keys are ANDed",
        #"{"StringEquals":{"s3:prefix":"a/","s3:delimiter":"/"}}"#,
        ["s3:prefix": "a/", "s3:delimiter": "|"],
        .implicitDeny
    ),
    conditional(
        "operators are ANDed",
        #"{"StringEquals":{"s3:prefix":"a/"},"Bool":{"aws:SecureTransport":"true"}}"#,
        ["s3:prefix": "a/", "aws:SecureTransport": true],
        .allow
    ),
    conditional("StringLike with *", #"{"StringLike":{"s3:prefix":"home/*"}}"#, ["s3:prefix": "home/alice/"], .allow),
    conditional("StringLike with ?", #"{"StringLike":{"s3:prefix":"home/?"}}"#, ["s3:prefix": "home/ab"], .implicitDeny),
    conditional("StringNotLike", #"{"StringNotLike":{"s3:prefix":"private/*"}}"#, ["s3:prefix": "private/x"], .implicitDeny),
    conditional("StringEqualsIfExists with missing key", #"{"StringEqualsIfExists":{"s3:prefix":"home/"}}"#, [:], .allow),
    conditional(
        "StringEqualsIfExists with other value",
        #"{"StringEqualsIfExists":{"s3:prefix":"home/"}}"#,
        ["s3:prefix": "x/"],
        .implicitDeny
    ),
    conditional("NumericLessThan", #"{"NumericLessThan":{"s3:max-keys":"100"}}"#, ["s3:max-keys": 10], .allow),
    conditional("NumericGreaterThanEquals fails", #"{"NumericGreaterThanEquals":{"s3:max-keys":100}}"#, ["s3:max-keys": 99], .implicitDeny),
    conditional("NumericEquals compares numerically", #"{"NumericEquals":{"s3:max-keys":5}}"#, ["s3:max-keys": "5.0"], .allow),
    conditional("NumericNotEquals", #"{"NumericNotEquals":{"s3:max-keys":["5","6"]}}"#, ["s3:max-keys": 7], .allow),
    conditional("Numeric with non-numeric value", #"{"NumericLessThan":{"s3:max-keys":"10"}}"#, ["s3:max-keys": "many"], .implicitDeny),
    conditional("NumericLessThanEqualsIfExists missing", #"{"NumericLessThanEqualsIfExists":{"s3:max-keys":"10"}}"#, [:], .allow),
    conditional(
        "DateGreaterThan ISO 8601",
        #"{"DateGreaterThan":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}"#,
        ["aws:CurrentTime": "2026-06-01T12:00:00Z"],
        .allow
    ),
    conditional(
        "DateLessThan epoch policy value",
        #"{"DateLessThan":{"aws:EpochTime":1767225600}}"#,
        ["aws:EpochTime": 1_767_225_599],
        .allow
    ),
    conditional(
        "DateLessThan fails after the date",
        #"{"DateLessThan":{"aws:CurrentTime":"2026-01-01"}}"#,
        ["aws:CurrentTime": "2026-01-02T00:00:00Z"],
        .implicitDeny
    ),
    conditional(
        "DateEquals across formats",
        #"{"DateEquals":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}}"#,
        ["aws:CurrentTime": "1767225600"],
        .allow
    ),
    conditional("Bool true", #"{"Bool":{"aws:SecureTransport":"true"}}"#, ["aws:SecureTransport": true], .allow),
    conditional("Bool JSON literal", #"{"Bool":{"aws:SecureTransport":true}}"#, ["aws:SecureTransport": "TRUE"], .allow),
    conditional("Bool mismatch", #"{"Bool":{"aws:SecureTransport":"true"}}"#, ["aws:SecureTransport": false], .implicitDeny),
    conditional("BinaryEquals", #"{"BinaryEquals":{"custom:blob":"QmluYXJ5VmFsdWU="}}"#, ["custom:blob": "QmluYXJ5VmFsdWU="], .allow),
    conditional("BinaryEquals mismatch", #"{"BinaryEquals":{"custom:blob":"QmluYXJ5VmFsdWU="}}"#, ["custom:blob": "b3RoZXI="], .implicitDeny),
    conditional("IpAddress in CIDR", #"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#, ["aws:SourceIp": "203.0.113.77"], .allow),
    conditional(
        "IpAddress outside CIDR",
        #"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
        ["aws:SourceIp": "203.0.114.1"],
        .implicitDeny
    ),
    conditional("IpAddress single address", #"{"IpAddress":{"aws:SourceIp":"127.0.0.1"}}"#, ["aws:SourceIp": "127.0.0.1"], .allow),
    conditional("IpAddress IPv6 CIDR", #"{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}"#, ["aws:SourceIp": "2001:db8:1:2::7"], .allow),
    conditional(
        "IpAddress IPv4-mapped IPv6 client",
        #"{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}"#,
        ["aws:SourceIp": "::ffff:127.0.0.1"],
        .allow
    ),
    conditional("IpAddress IPv6 loopback is not IPv4", #"{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}"#, ["aws:SourceIp": "::1"], .implicitDeny),
    conditional("IpAddress IPv6 outside", #"{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}"#, ["aws:SourceIp": "2001:db9::1"], .implicitDeny),
    conditional(
        "IpAddress ranges are ORed",
        #"{"IpAddress":{"aws:SourceIp":["198.51.100.0/24","203.0.113.0/24"]}}"#,
        ["aws:SourceIp": "203.0.113.4"],
        .allow
    ),
    EvalCase(
        name: "NotIpAddress deny",
        policies: [
            policy(
                allow("s3:*", "*") + ","
                    + deny(
                        "s3:*",
                        "*",
                        condition:
                            #"{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}"#
                    )
            )
        ],
        action: "s3:GetObject",
        resources: [bucketKey],
        context: ["aws:SourceIp": "8.8.8.8"],
        expected: .explicitDeny
    ),
    conditional(
        "ArnLike with wildcards",
        #"{"ArnLike":{"aws:SourceArn":"arn:aws:lambda:*:123456789012:function:*"}}"#,
        ["aws:SourceArn": "arn:aws:lambda:us-east-1:123456789012:function:f"],
        .allow
    ),
    conditional(
        "ArnEquals exact",
        #"{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:topic"}}"#,
        ["aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:other"],
        .implicitDeny
    ),
    conditional("ArnNotLike with missing key is true", #"{"ArnNotLike":{"aws:SourceArn":"arn:aws:sns:*:*:*"}}"#, [:], .allow),
    conditional(
        "ArnNotEquals",
        #"{"ArnNotEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:topic"}}"#,
        ["aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic"],
        .implicitDeny
    ),
    conditional("Null true with missing key", #"{"Null":{"aws:TokenIssueTime":"true"}}"#, [:], .allow),
    conditional("Null false with missing key", #"{"Null":{"aws:TokenIssueTime":"false"}}"#, [:], .implicitDeny),
    conditional(
        "Null true with present key",
        #"{"Null":{"aws:TokenIssueTime":"true"}}"#,
        ["aws:TokenIssueTime": "2026-01-01T00:00:00Z"],
        .implicitDeny
    ),
    conditional(
        "Null false with present key",
        #"{"Null":{"aws:TokenIssueTime":false}}"#,
        ["aws:TokenIssueTime": "2026-01-01T00:00:00Z"],
        .allow
    ),
    conditional(
        "ForAnyValue one value matches",
        #"{"ForAnyValue:StringEquals":{"aws:TagKeys":["env","team"]}}"#,
        ["aws:TagKeys": ["cost", "team"]],
        .allow
    ),
    conditional(
        "ForAnyValue no value matches",
        #"{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}"#,
        ["aws:TagKeys": ["cost"]],
        .implicitDeny
    ),
    conditional("ForAnyValue missing key is false", #"{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}"#, [:], .implicitDeny),
    conditional(
        "ForAnyValue empty set is false",
        #"{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}"#,
        ["aws:TagKeys": []],
        .implicitDeny
    ),
    conditional(
        "ForAllValues subset",
        #"{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}"#,
        ["aws:TagKeys": ["team", "env"]],
        .allow
    ),
    conditional(
        "ForAllValues value outside the set",
        #"{"ForAllValues:StringEquals":{"aws:TagKeys":["env","team"]}}"#,
        ["aws:TagKeys": ["team", "cost"]],
        .implicitDeny
    ),
    conditional("ForAllValues missing key is true", #"{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}"#, [:], .allow),
    conditional("ForAllValues empty set is true", #"{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}"#, ["aws:TagKeys": []], .allow),
    conditional(
        "ForAllValues:StringNotLike",
        #"{"ForAllValues:StringNotLike":{"aws:TagKeys":["secret*"]}}"#,
        ["aws:TagKeys": ["env", "secretA"]],
        .implicitDeny
    ),
    conditional(
        "ForAnyValue:StringLike amr",
        #"{"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"unauthenticated"}}"#,
        ["cognito-identity.amazonaws.com:amr": ["unauthenticated"]],
        .allow
    ),
    conditional("ForAnyValue:StringEqualsIfExists missing", #"{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"env"}}"#, [:], .allow),
    conditional(
        "single-valued operator on multivalued key",
        #"{"StringEquals":{"aws:TagKeys":"env"}}"#,
        ["aws:TagKeys": ["cost", "env"]],
        .allow
    ),
]

let sub = "us-east-1:0f6c2b8e-1111-2222-3333-444455556666"

/// Policy variables, defaults, escapes and version 2008 literals.
let variableCases: [EvalCase] = [
    EvalCase(
        name: "aws:username in resource",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/home/${aws:username}/*"))],
        action: "s3:GetObject",
        resources: [bucketKey],
        context: ["aws:username": "alice"],
        expected: .allow
    ),
    EvalCase(
        name: "aws:username of another user",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/home/${aws:username}/*"))],
        action: "s3:GetObject",
        resources: [bucketKey],
        context: ["aws:username": "bob"],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "unresolved variable matches nothing",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/home/${aws:username}/*"))],
        action: "s3:GetObject",
        resources: [bucketKey],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "variable default value",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/home/${aws:username, 'alice'}/*"))],
        action: "s3:GetObject",
        resources: [bucketKey],
        expected: .allow
    ),
    EvalCase(
        name: "default value with an escaped quote",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:username, 'o''brien'}/*"))],
        action: "s3:GetObject",
        resources: ["arn:aws:s3:::bucket/o'brien/x"],
        expected: .allow
    ),
    EvalCase(
        name: "present key wins over the default",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/home/${aws:username, 'alice'}/*"))],
        action: "s3:GetObject",
        resources: [bucketKey],
        context: ["aws:username": "bob"],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "variable names are case-insensitive",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/home/${AWS:UserName}/*"))],
        action: "s3:GetObject",
        resources: [bucketKey],
        context: ["aws:username": "alice"],
        expected: .allow
    ),
    EvalCase(
        name: "Cognito sub prefix",
        policies: [policy(allow("s3:PutObject", "arn:aws:s3:::bucket/private/${cognito-identity.amazonaws.com:sub}/*"))],
        action: "s3:PutObject",
        resources: ["arn:aws:s3:::bucket/private/\(sub)/a.wav"],
        context: ["cognito-identity.amazonaws.com:sub": .single(sub)],
        expected: .allow
    ),
    EvalCase(
        name: "Cognito sub of another identity",
        policies: [policy(allow("s3:PutObject", "arn:aws:s3:::bucket/private/${cognito-identity.amazonaws.com:sub}/*"))],
        action: "s3:PutObject",
        resources: ["arn:aws:s3:::bucket/private/us-east-1:other/a.wav"],
        context: ["cognito-identity.amazonaws.com:sub": .single(sub)],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "${*} is a literal asterisk",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/${*}"))],
        action: "s3:GetObject",
        resources: ["arn:aws:s3:::bucket/anything"],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "${*} matches an asterisk key",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/${*}"))],
        action: "s3:GetObject",
        resources: ["arn:aws:s3:::bucket/*"],
        expected: .allow
    ),
    EvalCase(
        name: "${?} is a literal question mark",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/a${?}"))],
        action: "s3:GetObject",
        resources: ["arn:aws:s3:::bucket/ab"],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "${$} is a literal dollar",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/${$}{x}"))],
        action: "s3:GetObject",
        resources: ["arn:aws:s3:::bucket/${x}"],
        expected: .allow
    ),
    EvalCase(
        name: "Version 2008 keeps ${...} literal",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/home/${aws:username}/*"), version: "2008-10-17")],
        action: "s3:GetObject",
        resources: [bucketKey],
        context: ["aws:username": "alice"],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "Version 2008 matches the literal text",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/home/${aws:username}/*"), version: "2008-10-17")],
        action: "s3:GetObject",
        resources: ["arn:aws:s3:::bucket/home/${aws:username}/x"],
        context: ["aws:username": "alice"],
        expected: .allow
    ),
    EvalCase(
        name: "missing Version means no substitution",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/home/${aws:username}/*"), version: nil)],
        action: "s3:GetObject",
        resources: [bucketKey],
        context: ["aws:username": "alice"],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "variable in a condition value",
        policies: [policy(allow("s3:ListBucket", "arn:aws:s3:::bucket", condition: #"{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}"#))],
        action: "s3:ListBucket",
        resources: ["arn:aws:s3:::bucket"],
        context: ["aws:username": "alice", "s3:prefix": "home/alice/docs"],
        expected: .allow
    ),
    EvalCase(
        name: "multivalued key cannot be a variable",
        policies: [policy(allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:TagKeys}/*"))],
        action: "s3:GetObject",
        resources: ["arn:aws:s3:::bucket/env/x"],
        context: ["aws:TagKeys": ["env"]],
        expected: .implicitDeny
    ),
    EvalCase(
        name: "dynamodb:LeadingKeys limited to the Cognito sub",
        policies: [
            policy(
                allow(
                    "dynamodb:Query",
                    table,
                    condition:
                        #"{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${cognito-identity.amazonaws.com:sub}"]}}"#
                )
            )
        ],
        action: "dynamodb:Query",
        resources: [table],
        context: ["dynamodb:LeadingKeys": [sub], "cognito-identity.amazonaws.com:sub": .single(sub)],
        expected: .allow
    ),
    EvalCase(
        name: "dynamodb:LeadingKeys of another identity",
        policies: [
            policy(
                allow(
                    "dynamodb:Query",
                    table,
                    condition:
                        #"{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${cognito-identity.amazonaws.com:sub}"]}}"#
                )
            )
        ],
        action: "dynamodb:Query",
        resources: [table],
        context: ["dynamodb:LeadingKeys": ["someone-else"], "cognito-identity.amazonaws.com:sub": .single(sub)],
        expected: .implicitDeny
    ),
]
