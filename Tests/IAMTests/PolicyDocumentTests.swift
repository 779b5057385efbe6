import Foundation
import IAM
import Testing

@Suite("Policy document parsing")
struct PolicyDocumentTests {
    @Test("Statement object, string Action and Resource")
    func singleStatementObject() throws {
        let document = try PolicyDocument(
            jsonString: #"{"Version":"2012-10-17","Id":"p1","Statement":{"Sid":"One","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#
        )
        #expect(document.version == .v2012_10_17)
        #expect(document.id == "p1")
        #expect(
            document.statements == [PolicyStatement(sid: "One", effect: .allow, actions: .matching(["s3:GetObject"]), resources: .matching(["*"]))]
        )
    }

    @Test("arrays, NotAction and NotResource")
    func arrays() throws {
        let document = try PolicyDocument(
            jsonString:
                #"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotAction":["iam:*","sts:*"],"NotResource":["arn:aws:s3:::a","arn:aws:s3:::b"]}]}"#
        )
        let statement = try #require(document.statements.first)
        #expect(statement.effect == .deny)
        #expect(statement.actions == .notMatching(["iam:*", "sts:*"]))
        #expect(statement.resources == .notMatching(["arn:aws:s3:::a", "arn:aws:s3:::b"]))
    }

    @Test("condition values as strings, numbers, booleans and arrays")
    func conditionValues() throws {
        let document = try PolicyDocument(
            jsonString: """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{
                  "NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true},
                  "ForAnyValue:StringLikeIfExists":{"aws:TagKeys":["a*",2.5]}}}]}
                """
        )
        let clauses = try #require(document.statements.first?.conditions)
        let byKey = Dictionary(uniqueKeysWithValues: clauses.map { ($0.key, $0) })
        #expect(byKey["s3:max-keys"]?.values == ["10"])
        #expect(byKey["aws:SecureTransport"]?.values == ["true"])
        let tags = try #require(byKey["aws:TagKeys"])
        #expect(tags.values == ["a*", "2.5"])
        #expect(tags.operation == .stringLike)
        #expect(tags.qualifier == .forAnyValue)
        #expect(tags.ifExists)
        #expect(tags.operatorName == "ForAnyValue:StringLikeIfExists")
    }

    @Test("Foundation object input, including bridged booleans and numbers")
    func foundationObject() throws {
        let object: [String: Any] = [
            "Version": "2012-10-17",
            "Statement": [
                [
                    "Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": "*",
                    "Condition": ["NumericEquals": ["dynamodb:ReturnValues": 1], "Bool": ["aws:SecureTransport": true]],
                ] as [String: Any]
            ],
        ]
        let document = try PolicyDocument(object: object, name: "inline")
        #expect(document.name == "inline")
        let values = document.statements.first?.conditions.map(\.values)
        #expect(values?.sorted { $0[0] < $1[0] } == [["1"], ["true"]])
        let serialized = try JSONSerialization.jsonObject(with: Data(#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#.utf8))
        let fromSerialization = try PolicyDocument(object: serialized)
        #expect(fromSerialization.version == .v2008_10_17)
    }

    @Test("Version 2008-10-17 and missing Version")
    func versions() throws {
        let old = try PolicyDocument(jsonString: #"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
        #expect(old.version == .v2008_10_17)
        #expect(!old.version.supportsPolicyVariables)
        let none = try PolicyDocument(jsonString: #"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
        #expect(none.version == .v2008_10_17)
    }

    @Test("resource and trust policy kinds")
    func kinds() throws {
        let principalJSON = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#
        let resourcePolicy = try PolicyDocument(jsonString: principalJSON, kind: .resource)
        #expect(resourcePolicy.statements.first?.principal == .principal(PrincipalSet(isWildcard: true)))
        #expect(throws: PolicyDocumentError("Policy document should not specify a principal.")) {
            try PolicyDocument(jsonString: principalJSON)
        }
        #expect(throws: PolicyDocumentError("Missing required field Principal")) {
            try PolicyDocument(jsonString: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#, kind: .trust)
        }
    }

    /// Wraps one statement's members in a 2012-10-17 document.
    static func doc(_ members: String) -> String {
        #"{"Version":"2012-10-17","Statement":[{"# + members + "}]}"
    }

    static let malformed: [(String, String)] = [
        ("not json", "Syntax errors in policy."),
        (#"["Statement"]"#, "Syntax errors in policy."),
        (#"{"Version":"2012-10-17"}"#, "Syntax errors in policy."),
        (#"{"Version":"2012-10-17","Statement":[]}"#, "Syntax errors in policy."),
        (#"{"Version":"2013-01-01","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#, "Syntax errors in policy."),
        (#"{"Version":"2012-10-17","Statement":[],"Extra":1}"#, "Syntax errors in policy."),
        (doc(#""Action":"s3:*","Resource":"*""#), "Syntax errors in policy."),
        (doc(#""Effect":"Permit","Action":"s3:*","Resource":"*""#), "Syntax errors in policy."),
        (doc(#""Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*""#), "Syntax errors in policy."),
        (doc(#""Effect":"Allow","Action":[1],"Resource":"*""#), "Syntax errors in policy."),
        (doc(#""Effect":"Allow","Action":"s3:*","Resource":"*","Extra":1"#), "Syntax errors in policy."),
        (doc(#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"k":{"x":1}}}"#), "Syntax errors in policy."),
        (doc(#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringMaybe":{"k":"v"}}"#), "Invalid Condition type : StringMaybe."),
        (
            doc(#""Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NullIfExists":{"k":"true"}}"#),
            "Invalid Condition type : NullIfExists."
        ),
        (
            #"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
            "Statement IDs (SID) in a single policy must be unique."
        ),
        (doc(#""Effect":"Allow","Resource":"*""#), "Policy statement must contain actions."),
        (doc(#""Effect":"Allow","Action":[],"Resource":"*""#), "Policy statement must contain actions."),
        (doc(#""Effect":"Allow","Action":"s3:*""#), "Policy statement must contain resources."),
        (doc(#""Effect":"Allow","Action":"s3:*","Resource":[]"#), "Policy statement must contain resources."),
        (doc(#""Effect":"Allow","Action":"s3:*","Resource":"bucket""#), "Resource bucket must be in ARN format or \"*\"."),
        (doc(#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws""#), "Resource vendor must be fully qualified and cannot contain regexes."),
        (
            doc(#""Effect":"Allow","Action":"s3:*","Resource":"arn:foo:s3:::b""#),
            "Partition \"foo\" is not valid for resource \"arn:foo:s3:*:*:b\"."
        ),
        (
            doc(#""Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:us-east-1::b""#),
            "Resource arn:aws:s3:us-east-1::b can not contain region information."
        ),
        (
            doc(#""Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam:us-east-1:123456789012:user/x""#),
            "IAM resource arn:aws:iam:us-east-1:123456789012:user/x cannot contain region information."
        ),
        (
            doc(#""Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::123456789012:thing/x""#),
            "IAM resource path must either be \"*\" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, "
                + "server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/."
        ),
        (
            doc(#""Effect":"Allow","Action":"GetObject","Resource":"*""#),
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
        ),
        (doc(#""Effect":"Allow","Action":"s3:Get:Object","Resource":"*""#), "Actions/Condition can contain only one colon."),
        (doc(#""Effect":"Allow","Action":"s 3:GetObject","Resource":"*""#), "Vendor s 3 is not valid"),
    ]

    @Test("Effect is accepted in any letter case")
    func effectCase() throws {
        let document = try PolicyDocument(jsonString: Self.doc(#""Effect":"deny","Action":"s3:*","Resource":"arn:aws:iam::123456789012:root""#))
        #expect(document.statements.first?.effect == .deny)
    }

    @Test("malformed documents", arguments: malformed)
    func malformedDocuments(_ json: String, _ message: String) {
        #expect(throws: PolicyDocumentError(message)) {
            try PolicyDocument(jsonString: json)
        }
        #expect(PolicyDocumentError(message).code == "MalformedPolicyDocument")
    }

    @Test("condition operator names")
    func operatorNames() throws {
        let parsed = try #require(ConditionClause.parseOperator("ForAllValues:ArnNotLikeIfExists"))
        #expect(parsed.0 == .arnNotLike)
        #expect(parsed.1 == .forAllValues)
        #expect(parsed.2)
        #expect(ConditionClause.parseOperator("Null")?.0 == .null)
        #expect(ConditionClause.parseOperator("NullIfExists") == nil)
        #expect(ConditionClause.parseOperator("StringFoo") == nil)
    }
}
