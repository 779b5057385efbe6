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

    static let malformed: [(String, String)] = [
        ("not json", "Syntax errors in policy."),
        (#"["Statement"]"#, "Syntax errors in policy."),
        (#"{"Version":"2012-10-17"}"#, "Syntax errors in policy."),
        (#"{"Version":"2013-01-01","Statement":[]}"#, "The policy failed legacy parsing"),
        (#"{"Version":"2012-10-17","Statement":[{"Action":"s3:*","Resource":"*"}]}"#, "Missing required field Effect"),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}"#, "Invalid effect: allow"),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}"#, "Policy statement must contain actions."),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}"#, "Policy statement must contain resources."),
        (
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}"#,
            "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
        ),
        (
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}]}"#,
            "Resource bucket must be in ARN format or \"*\"."
        ),
        (
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*"}]}"#,
            "Syntax errors in policy."
        ),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}"#, "Syntax errors in policy."),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[1],"Resource":"*"}]}"#, "Syntax errors in policy."),
        (#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Extra":1}]}"#, "Syntax errors in policy."),
        (
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringMaybe":{"k":"v"}}}]}"#,
            "Invalid Condition type : StringMaybe."
        ),
        (
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NullIfExists":{"k":"true"}}}]}"#,
            "Invalid Condition type : NullIfExists."
        ),
        (
            #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"k":{"x":1}}}}]}"#,
            "Syntax errors in policy."
        ),
        (
            #"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
            "Statement IDs (SID) in a single policy must be unique"
        ),
    ]

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
