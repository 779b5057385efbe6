import Foundation
import Testing

@testable import LambdaService

@Suite("Function validation and resource policies: AWS's constraints and texts")
struct FunctionValidationTests {
    @Test("function names: bare names and ARNs designate a name; other text is a ValidationException")
    func functionNames() throws {
        #expect(try FunctionValidation.functionName("my-fn_1") == "my-fn_1")
        #expect(try FunctionValidation.functionName("arn:aws:lambda:us-east-1:000000000000:function:my-fn") == "my-fn")
        #expect(try FunctionValidation.functionName("000000000000:function:my-fn") == "my-fn")
        #expect(throws: LambdaError.self) { try FunctionValidation.functionName("bad name") }
        #expect(throws: LambdaError.self) { try FunctionValidation.functionName("") }
        #expect(throws: LambdaError.self) { try FunctionValidation.functionName(String(repeating: "a", count: 65)) }
        do {
            _ = try FunctionValidation.functionName("a/b")
            Issue.record("accepted a/b")
        } catch {
            #expect(error.code == "ValidationException")
            #expect(error.message.hasPrefix("1 validation error detected: Value 'a/b' at 'functionName' failed to satisfy constraint: "))
        }
    }

    @Test("numbers: Timeout 1...900 and MemorySize 128...10240, with AWS's texts")
    func numbers() {
        #expect(throws: Never.self) { try FunctionValidation.timeout(900) }
        #expect(throws: LambdaError.validation(LambdaMessages.validation("901", at: "timeout", "Member must have value less than or equal to 900"))) {
            try FunctionValidation.timeout(901)
        }
        #expect(throws: LambdaError.validation(LambdaMessages.validation("0", at: "timeout", "Member must have value greater than or equal to 1"))) {
            try FunctionValidation.timeout(0)
        }
        #expect(throws: LambdaError.self) { try FunctionValidation.memorySize(127) }
        #expect(throws: LambdaError.self) { try FunctionValidation.memorySize(10_241) }
        #expect(throws: LambdaError.self) { try FunctionValidation.timeout(Int.min) }
    }

    @Test("runtimes, handlers, roles and environments")
    func members() {
        #expect(throws: Never.self) { try FunctionValidation.runtime("python3.12") }
        #expect(throws: Never.self) { try FunctionValidation.runtime("nodejs20.x") }
        #expect(throws: LambdaError.self) { try FunctionValidation.runtime("python9") }
        #expect(throws: LambdaError.self) { try FunctionValidation.runtime("python2.7") }
        #expect(throws: LambdaError.self) { try FunctionValidation.handler("has space") }
        #expect(throws: Never.self) { try FunctionValidation.roleArn("arn:aws:iam::000000000000:role/service-role/r") }
        #expect(throws: LambdaError.self) { try FunctionValidation.roleArn("arn:aws:iam::000:role/r") }
        #expect(throws: LambdaError.self) { try FunctionValidation.roleArn("role/r") }
        #expect(throws: LambdaError.invalidParameterValue(LambdaMessages.reservedEnvironment(["AWS_REGION"]))) {
            try FunctionValidation.environment(["AWS_REGION": "x", "OK": "y"])
        }
        #expect(throws: LambdaError.self) { try FunctionValidation.environment(["1BAD": "x"]) }
        #expect(throws: LambdaError.self) { try FunctionValidation.environment(["BIG": String(repeating: "x", count: 5000)]) }
    }

    @Test("zip archives are recognised by their signature")
    func zipArchives() {
        #expect(throws: Never.self) { try FunctionValidation.zipArchive(Data([0x50, 0x4B, 0x03, 0x04, 0])) }
        #expect(throws: LambdaError.invalidParameterValue(LambdaMessages.cannotUnzip)) {
            try FunctionValidation.zipArchive(Data("not a zip".utf8))
        }
        #expect(throws: LambdaError.self) { try FunctionValidation.zipArchive(Data()) }
    }

    @Test("AddPermission statements: principals, conditions and the policy document")
    func statements() throws {
        let statement = try ResourcePolicy.statement(
            id: "s1",
            action: "lambda:InvokeFunction",
            principal: "s3.amazonaws.com",
            resource: "arn:aws:lambda:us-east-1:000000000000:function:f",
            sourceArn: "arn:aws:s3:::b",
            sourceAccount: "000000000000",
            principalOrgId: nil,
            functionUrlAuthType: nil
        )
        let object = try #require(try JSONSerialization.jsonObject(with: Data(statement.utf8)) as? [String: Any])
        #expect((object["Principal"] as? [String: String]) == ["Service": "s3.amazonaws.com"])
        #expect((object["Condition"] as? [String: [String: String]])?["ArnLike"] == ["AWS:SourceArn": "arn:aws:s3:::b"])
        #expect(ResourcePolicy.statementId(of: statement) == "s1")
        let account = try ResourcePolicy.statement(
            id: "s2",
            action: "*",
            principal: "123456789012",
            resource: "r",
            sourceArn: nil,
            sourceAccount: nil,
            principalOrgId: nil,
            functionUrlAuthType: nil
        )
        #expect(account.contains(#""AWS":"arn:aws:iam::123456789012:root""#))
        #expect(throws: LambdaError.self) {
            try ResourcePolicy.statement(
                id: "s3",
                action: "s3:GetObject",
                principal: "*",
                resource: "r",
                sourceArn: nil,
                sourceAccount: nil,
                principalOrgId: nil,
                functionUrlAuthType: nil
            )
        }
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(ResourcePolicy.document([statement, account]).utf8)) as? [String: Any]
        )
        #expect(document["Version"] as? String == "2012-10-17")
        #expect((document["Statement"] as? [Any])?.count == 2)
    }
}
