import CloudFormation
import EmulatorCore
import Foundation
import IAM
import Identity
import Logging
import SigV4
import Synchronization
import Testing

/// A Cognito guest role with the standard "own partition only" policy, as AWS's fine-grained access control
/// documentation writes it.
let leadingKeysTemplate = """
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Notes:
        Type: AWS::DynamoDB::Table
        Properties:
          TableName: Notes
          AttributeDefinitions: [{AttributeName: userId, AttributeType: S}]
          KeySchema: [{AttributeName: userId, KeyType: HASH}]
          BillingMode: PAY_PER_REQUEST
      GuestRole:
        Type: AWS::IAM::Role
        Properties:
          RoleName: GuestRole
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement: [{Effect: Allow, Principal: {Federated: cognito-identity.amazonaws.com}, Action: sts:AssumeRoleWithWebIdentity}]
          Policies:
            - PolicyName: OwnPartition
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action: [dynamodb:GetItem, dynamodb:BatchGetItem, dynamodb:Query, dynamodb:PutItem, dynamodb:BatchWriteItem]
                    Resource: !GetAtt Notes.Arn
                    Condition:
                      "ForAllValues:StringEquals":
                        "dynamodb:LeadingKeys": ["${cognito-identity.amazonaws.com:sub}"]
    """

/// The service error a test `require` throws.
struct TestAccessDenied: Error, Equatable {
    var message: String
}

@Suite("Condition keys: dynamodb:LeadingKeys with ForAllValues")
struct LeadingKeysConditionTests {
    static let sub = "us-east-1:11111111-2222-3333-4444-555555555555"
    static let other = "us-east-1:99999999-8888-7777-6666-555555555555"
    static let table = "arn:aws:dynamodb:us-east-1:\(testAccount):table/Notes"

    struct Setup {
        var authorizer: PolicyAuthorizer
        var guest: Caller
        var administrator: Caller
    }

    static func setup(mode: IAMMode = .enforce) throws -> Setup {
        let template = try TemplateLoader.parse(leadingKeysTemplate, fileName: "template.yaml", baseDirectory: "/tmp")
        let stack = try template.resolve(StackConfiguration(stackName: "keys", accountId: testAccount))
        let clock = VirtualClock(realNow: { Date(timeIntervalSince1970: 1_800_000_000) })
        let sessions = RoleSessions(store: CredentialStore(), catalog: try RoleCatalog(stack: stack), clock: clock, accountId: testAccount)
        let roleArn = stack.resource("GuestRole")?.attributes["Arn"] ?? "arn:aws:iam::\(testAccount):role/GuestRole"
        let credentials = sessions.issue(
            roleArn: roleArn,
            sessionName: "CognitoIdentityCredentials",
            sessionContext: ["cognito-identity.amazonaws.com:sub": [sub]]
        )
        var guest = Caller.anonymous
        guest.accessKeyId = credentials.accessKeyId
        guest.sessionToken = credentials.sessionToken
        guest.principalArn = credentials.principal
        guest.signatureVerified = true
        guest.signing = .sigV4Header
        var administrator = Caller.anonymous
        administrator.accessKeyId = "test"
        administrator.principalArn = "arn:aws:iam::\(testAccount):root"
        administrator.signatureVerified = true
        administrator.signing = .sigV4Header
        let authorizer = PolicyAuthorizer(mode: mode, sessions: sessions, logger: Logger(label: "test"))
        return Setup(authorizer: authorizer, guest: guest, administrator: administrator)
    }

    static func denial(_ action: String) -> String {
        "User: arn:aws:sts::\(testAccount):assumed-role/GuestRole/CognitoIdentityCredentials is not authorized to perform: "
            + "dynamodb:\(action) on resource: \(table) because no identity-based policy allows the dynamodb:\(action) action"
    }

    @Test(
        "every leading key must be the caller's own",
        arguments: [
            ("one key, own", [sub], true),
            ("two keys, both own (a batch of own items)", [sub, sub], true),
            ("two keys, one another identity's", [sub, other], false),
            ("two keys, the other first", [other, sub], false),
            ("one key, another identity's", [other], false),
            ("a key that only starts with the sub", [sub + "x"], false),
        ]
    )
    func multiValuedLeadingKeys(_ name: String, _ keys: [String], _ allowed: Bool) throws {
        let setup = try Self.setup()
        let outcome = setup.authorizer.evaluate(
            caller: setup.guest,
            action: "dynamodb:BatchGetItem",
            resources: [Self.table],
            context: ["dynamodb:LeadingKeys": keys]
        )
        let expected: AuthorizationDecision = allowed ? .allowed : .denied(message: Self.denial("BatchGetItem"))
        #expect(outcome.decision == expected, "\(name)")
    }

    @Test("an operation that supplies no leading keys passes ForAllValues (why AWS's example grants no Scan)")
    func absentLeadingKeys() throws {
        let setup = try Self.setup()
        let absent = setup.authorizer.evaluate(caller: setup.guest, action: "dynamodb:Query", resources: [Self.table], context: [:])
        #expect(absent.decision == .allowed)
        let empty = setup.authorizer.evaluate(
            caller: setup.guest,
            action: "dynamodb:Query",
            resources: [Self.table],
            context: ["dynamodb:LeadingKeys": []]
        )
        #expect(empty.decision == .allowed)
    }

    @Test("require throws the service's error with AWS's message, and passes allowed requests")
    func requireThrowsServiceError() async throws {
        let setup = try Self.setup()
        try await setup.authorizer.require(
            setup.guest,
            action: "dynamodb:GetItem",
            resources: [Self.table],
            context: ["dynamodb:LeadingKeys": [Self.sub]],
            denied: { TestAccessDenied(message: $0) }
        )
        await #expect(throws: TestAccessDenied(message: Self.denial("GetItem"))) {
            try await setup.authorizer.require(
                setup.guest,
                action: "dynamodb:GetItem",
                resources: [Self.table],
                context: ["dynamodb:LeadingKeys": [Self.other]],
                denied: { TestAccessDenied(message: $0) }
            )
        }
    }

    @Test("condition keys are worked out only for callers whose decisions can use them")
    func conditionKeysComputedOnlyWhenUsed() async throws {
        let setup = try Self.setup()
        #expect(setup.authorizer.usesConditionKeys(for: setup.guest))
        #expect(!setup.authorizer.usesConditionKeys(for: setup.administrator))
        #expect(!setup.authorizer.usesConditionKeys(for: .anonymous))
        #expect(try !Self.setup(mode: .off).authorizer.usesConditionKeys(for: setup.guest))
        #expect(!AllowAllAuthorizer().usesConditionKeys(for: setup.guest))

        let computed = Mutex(0)
        func keys() -> [String: [String]] {
            computed.withLock { $0 += 1 }
            return ["dynamodb:LeadingKeys": [Self.sub]]
        }
        try await setup.authorizer.require(
            setup.administrator,
            action: "dynamodb:GetItem",
            resources: [Self.table],
            context: keys(),
            denied: { TestAccessDenied(message: $0) }
        )
        #expect(computed.withLock { $0 } == 0)
        try await setup.authorizer.require(
            setup.guest,
            action: "dynamodb:GetItem",
            resources: [Self.table],
            context: keys(),
            denied: { TestAccessDenied(message: $0) }
        )
        #expect(computed.withLock { $0 } == 1)
    }
}
