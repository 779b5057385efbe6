import Foundation
import Testing

@testable import LambdaService

@Suite("Resource-based policy checks")
struct ResourcePolicyTests {
    let function = "arn:aws:lambda:us-east-1:000000000000:function:f"
    let restArn = "arn:aws:execute-api:us-east-1:000000000000:abc123defg/prod/GET/items/{id}"

    func statement(
        _ id: String,
        principal: String = "apigateway.amazonaws.com",
        sourceArn: String? = nil,
        sourceAccount: String? = nil
    ) throws -> String {
        try ResourcePolicy.statement(
            id: id,
            action: "lambda:InvokeFunction",
            principal: principal,
            resource: function,
            sourceArn: sourceArn,
            sourceAccount: sourceAccount,
            principalOrgId: nil,
            functionUrlAuthType: nil
        )
    }

    func allows(
        _ statements: [String],
        principal: String = "apigateway.amazonaws.com",
        sourceArn: String?,
        account: String? = "000000000000"
    )
        -> Bool
    {
        ResourcePolicy.allowsInvoke(statements, functionArn: function, principal: principal, sourceArn: sourceArn, sourceAccount: account)
    }

    @Test(
        "API Gateway: the SourceArn pattern decides (ArnLike, * and the resource path as defined)",
        arguments: [
            ("arn:aws:execute-api:us-east-1:000000000000:abc123defg/*/GET/items/*", true),
            ("arn:aws:execute-api:us-east-1:000000000000:abc123defg/*/GET/items/{id}", true),
            ("arn:aws:execute-api:us-east-1:000000000000:abc123defg/*", true),
            ("arn:aws:execute-api:us-east-1:000000000000:abc123defg/*/POST/items/*", false),
            ("arn:aws:execute-api:us-east-1:000000000000:otherapi12/*", false),
            ("arn:aws:execute-api:us-east-1:000000000000:abc123defg/authorizers/*", false),
        ]
    )
    func sourceArn(pattern: String, allowed: Bool) throws {
        #expect(allows([try statement("s", sourceArn: pattern)], sourceArn: restArn) == allowed)
    }

    @Test("the principal must be the service (or *); an account principal does not let a service invoke")
    func principals() throws {
        #expect(allows([try statement("s")], sourceArn: restArn))
        #expect(!allows([try statement("s", principal: "s3.amazonaws.com")], sourceArn: restArn))
        #expect(allows([try statement("s", principal: "*")], sourceArn: restArn))
        #expect(!allows([try statement("s", principal: "000000000000")], sourceArn: restArn))
        #expect(!allows([], sourceArn: restArn))
    }

    @Test("S3: SourceAccount and the bucket ARN")
    func s3() throws {
        let samStyle = try statement("sam", principal: "s3.amazonaws.com", sourceAccount: "000000000000")
        #expect(allows([samStyle], principal: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::any-bucket"))
        #expect(!allows([samStyle], principal: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::any-bucket", account: "111111111111"))
        let bucket = try statement("bucket", principal: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::uploads")
        #expect(allows([bucket], principal: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::uploads"))
        #expect(!allows([bucket], principal: "s3.amazonaws.com", sourceArn: "arn:aws:s3:::other"))
    }

    @Test("a version's or alias's statement names its qualified ARN: it does not cover the function, nor the function's the alias")
    func qualifiedResources() throws {
        let source = "arn:aws:s3:::bucket"
        let unqualified = try statement("s", principal: "s3.amazonaws.com", sourceArn: source)
        let alias = try ResourcePolicy.statement(
            id: "s",
            action: "lambda:InvokeFunction",
            principal: "s3.amazonaws.com",
            resource: function + ":live",
            sourceArn: source,
            sourceAccount: nil,
            principalOrgId: nil,
            functionUrlAuthType: nil
        )
        func allowed(_ statements: [String], _ arn: String) -> Bool {
            ResourcePolicy.allowsInvoke(statements, functionArn: arn, principal: "s3.amazonaws.com", sourceArn: source, sourceAccount: nil)
        }
        #expect(allowed([alias], function + ":live"))
        #expect(!allowed([alias], function))
        #expect(!allowed([unqualified], function + ":live"))
    }

    @Test("an alias stored before aliases had policies loads with none")
    func aliasWithoutPolicy() throws {
        let stored = #"{"name":"live","functionVersion":"1","description":"","additionalVersionWeights":{},"revisionId":"r"}"#
        let alias = try JSONDecoder().decode(FunctionAlias.self, from: Data(stored.utf8))
        #expect(alias.policyStatements == nil)
        #expect(alias.functionVersion == "1")
    }
}
