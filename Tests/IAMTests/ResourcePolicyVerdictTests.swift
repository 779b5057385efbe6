import Foundation
import IAM
import Identity
import Logging
import Testing

/// Identity-based policies combined with a resource-based policy's verdict, as AWS evaluates same-account requests:
/// an explicit deny anywhere wins, else an allow from either side allows.
@Suite("Resource policy verdicts")
struct ResourcePolicyVerdictTests {
    static let denyMessage =
        "User: X is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::audio/x\" with an explicit deny in a resource-based policy"

    struct Row: Sendable, CustomStringConvertible {
        var name: String
        var caller: CallerKind
        var action: String
        var resource: String
        var verdict: ResourcePolicyVerdict
        var expected: AuthorizerExpectation
        var description: String { name }
    }

    static let rows: [Row] = [
        // AppRole: AmazonS3ReadOnlyAccess allows s3:GetObject; its ExtraPolicy denies audio/secret/*.
        Row(
            name: "identity allow, no resource statement",
            caller: app,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::audio/x",
            verdict: .none,
            expected: .allowed
        ),
        Row(
            name: "identity allow, resource allow",
            caller: app,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::audio/x",
            verdict: .allow,
            expected: .allowed
        ),
        Row(
            name: "identity allow, resource deny",
            caller: app,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::audio/x",
            verdict: .explicitDeny(message: denyMessage),
            expected: .denied(denyMessage)
        ),
        Row(
            name: "identity implicit deny, resource allow",
            caller: app,
            action: "s3:PutObject",
            resource: "arn:aws:s3:::audio/x",
            verdict: .allow,
            expected: .allowed
        ),
        Row(
            name: "identity implicit deny, no resource statement",
            caller: app,
            action: "s3:PutObject",
            resource: "arn:aws:s3:::audio/x",
            verdict: .none,
            expected: implicitDenial(appArn, "s3:PutObject", "arn:aws:s3:::audio/x", quoted: true)
        ),
        Row(
            name: "identity explicit deny, resource allow",
            caller: app,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::audio/secret/x",
            verdict: .allow,
            expected: explicitDenial(appArn, "s3:GetObject", "arn:aws:s3:::audio/secret/x", quoted: true)
        ),
        Row(
            name: "administrator, resource allow",
            caller: .testKey,
            action: "s3:PutObject",
            resource: "arn:aws:s3:::audio/x",
            verdict: .allow,
            expected: .allowed
        ),
        Row(
            name: "administrator, resource deny",
            caller: .testKey,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::audio/x",
            verdict: .explicitDeny(message: denyMessage),
            expected: .denied(denyMessage)
        ),
        Row(
            name: "anonymous, resource allow",
            caller: .anonymous,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::audio/x",
            verdict: .allow,
            expected: .allowed
        ),
        Row(
            name: "anonymous, no resource statement",
            caller: .anonymous,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::audio/x",
            verdict: .none,
            expected: .denied("Access Denied")
        ),
    ]

    @Test("combines", arguments: rows)
    func combines(_ row: Row) throws {
        let setup = try PolicyAuthorizerTests.setup()
        let authorizer = PolicyAuthorizer(mode: .enforce, sessions: setup.sessions, logger: Logger(label: "test"))
        let caller = PolicyAuthorizerTests.caller(row.caller, setup: setup)
        let outcome = authorizer.evaluate(caller: caller, action: row.action, resources: [row.resource], context: [:], resourceVerdict: row.verdict)
        switch row.expected {
        case .allowed: #expect(outcome.decision == .allowed, "\(row.name): \(outcome)")
        case .denied(let message): #expect(outcome.decision == .denied(message: message), "\(row.name)")
        }
    }

    @Test("mode off skips the resource policy too; audit mode lets its deny through")
    func modes() async throws {
        let setup = try PolicyAuthorizerTests.setup()
        let caller = PolicyAuthorizerTests.caller(.testKey, setup: setup)
        for (mode, decision) in [(IAMMode.off, AuthorizationDecision.allowed), (.audit, .allowed), (.enforce, .denied(message: Self.denyMessage))] {
            let authorizer = PolicyAuthorizer(mode: mode, sessions: setup.sessions, logger: Logger(label: "test"))
            let answer = await authorizer.authorize(
                caller: caller,
                action: "s3:GetObject",
                resources: ["arn:aws:s3:::audio/x"],
                context: [:],
                resourceVerdict: .explicitDeny(message: Self.denyMessage)
            )
            #expect(answer == decision, "\(mode)")
        }
    }
}
