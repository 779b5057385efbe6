import CloudFormation
import EmulatorCore
import Foundation
import IAM
import Identity
import Logging
import SigV4
import Testing

/// Who signs a request in a ``AuthorizerCase``.
enum CallerKind: Sendable, CustomStringConvertible {
    /// The long-term `test` key pair.
    case testKey
    /// A well-formed key the emulator does not know (accepted unverified).
    case unknownKey
    /// No signature.
    case anonymous
    /// Credentials issued for a template role (by logical id), with session context keys.
    case role(String, session: String, context: [String: [String]] = [:])

    var description: String {
        switch self {
        case .testKey: "test key"
        case .unknownKey: "unknown key"
        case .anonymous: "anonymous"
        case .role(let name, let session, _): "role \(name)/\(session)"
        }
    }
}

/// What the authorizer should answer.
enum AuthorizerExpectation: Sendable, Equatable {
    case allowed
    /// Denied with exactly this message (`ACCOUNT` stands for the account id).
    case denied(String)
}

/// One row: caller, action, resources and context, and the expected answer.
struct AuthorizerCase: Sendable, CustomStringConvertible {
    var name: String
    var caller: CallerKind
    var action: String
    var resources: [String]
    var context: [String: [String]] = [:]
    var expected: AuthorizerExpectation

    var description: String { name }
}

/// A template with every way a role gets policies: inline `Policies`, AWS managed `ManagedPolicyArns`, a customer
/// `AWS::IAM::ManagedPolicy`, an `AWS::IAM::Policy` naming the role, and a role the SAM transform generates.
let authorizerTemplate = """
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Bucket:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: audio
      Sessions:
        Type: AWS::DynamoDB::Table
        Properties:
          TableName: Sessions
          AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
          KeySchema: [{AttributeName: id, KeyType: HASH}]
          BillingMode: PAY_PER_REQUEST
      Pool:
        Type: AWS::Cognito::IdentityPool
        Properties:
          AllowUnauthenticatedIdentities: true
      UnauthRole:
        Type: AWS::IAM::Role
        Properties:
          RoleName: UnauthRole
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {Federated: cognito-identity.amazonaws.com}
                Action: sts:AssumeRoleWithWebIdentity
                Condition:
                  StringEquals: {"cognito-identity.amazonaws.com:aud": !Ref Pool}
                  "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": unauthenticated}
          Policies:
            - PolicyName: Unauth
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Action: s3:PutObject
                    Resource: !Sub "${Bucket.Arn}/queries/*"
                  - Effect: Allow
                    Action: [dynamodb:PutItem, dynamodb:GetItem]
                    Resource: !GetAtt Sessions.Arn
                  - Sid: OwnPrefix
                    Effect: Allow
                    Action: s3:GetObject
                    Resource: !Sub "${Bucket.Arn}/private/${!cognito-identity.amazonaws.com:sub}/*"
                  - Sid: NotAfter2030
                    Effect: Deny
                    Action: "*"
                    Resource: "*"
                    Condition:
                      DateGreaterThan: {"aws:CurrentTime": "2030-01-01T00:00:00Z"}
      AppRole:
        Type: AWS::IAM::Role
        Properties:
          RoleName: AppRole
          AssumeRolePolicyDocument:
            Version: "2012-10-17"
            Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
          ManagedPolicyArns:
            - arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess
            - !Ref CustomerPolicy
            - arn:aws:iam::aws:policy/NotInTheCatalog
      CustomerPolicy:
        Type: AWS::IAM::ManagedPolicy
        Properties:
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: dynamodb:Query
                Resource: !Sub "${Sessions.Arn}/index/*"
      ExtraPolicy:
        Type: AWS::IAM::Policy
        Properties:
          PolicyName: Extra
          Roles: [!Ref AppRole]
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: lambda:InvokeFunction
                Resource: "*"
              - Effect: Deny
                Action: s3:GetObject
                Resource: !Sub "${Bucket.Arn}/secret/*"
              - Effect: Allow
                Action: dynamodb:GetItem
                Resource: !GetAtt Sessions.Arn
                Condition:
                  IpAddress: {"aws:SourceIp": 127.0.0.0/8}
                  Bool: {"aws:SecureTransport": "false"}
      Worker:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          Handler: app.handler
          InlineCode: "def handler(e, c): return e"
          Policies:
            - DynamoDBReadPolicy: {TableName: !Ref Sessions}
    """

let testAccount = "000000000000"
let cognitoContext: [String: [String]] = [
    "cognito-identity.amazonaws.com:sub": ["us-east-1:11111111-2222-3333-4444-555555555555"],
    "cognito-identity.amazonaws.com:aud": ["us-east-1:pool"],
    "cognito-identity.amazonaws.com:amr": ["unauthenticated"],
]
let unauth = CallerKind.role("UnauthRole", session: "CognitoIdentityCredentials", context: cognitoContext)
let app = CallerKind.role("AppRole", session: "app")
let sessionsArn = "arn:aws:dynamodb:us-east-1:\(testAccount):table/Sessions"
let unauthArn = "arn:aws:sts::\(testAccount):assumed-role/UnauthRole/CognitoIdentityCredentials"
let appArn = "arn:aws:sts::\(testAccount):assumed-role/AppRole/app"

func implicitDenial(_ principal: String, _ action: String, _ resource: String, quoted: Bool = false) -> AuthorizerExpectation {
    let shown = quoted ? "\"\(resource)\"" : resource
    return .denied(
        "User: \(principal) is not authorized to perform: \(action) on resource: \(shown) because no identity-based policy allows the \(action) action"
    )
}

func explicitDenial(_ principal: String, _ action: String, _ resource: String, quoted: Bool = false) -> AuthorizerExpectation {
    let shown = quoted ? "\"\(resource)\"" : resource
    return .denied(
        "User: \(principal) is not authorized to perform: \(action) on resource: \(shown) with an explicit deny in an identity-based policy"
    )
}

let authorizerCases: [AuthorizerCase] = [
    // Administrators and anonymous callers.
    AuthorizerCase(
        name: "test key may do anything",
        caller: .testKey,
        action: "s3:DeleteBucket",
        resources: ["arn:aws:s3:::audio"],
        expected: .allowed
    ),
    AuthorizerCase(name: "test key, action without resource", caller: .testKey, action: "dynamodb:ListTables", resources: [], expected: .allowed),
    AuthorizerCase(name: "unknown key is administrator", caller: .unknownKey, action: "lambda:DeleteFunction", resources: ["*"], expected: .allowed),
    AuthorizerCase(
        name: "anonymous has no identity policies",
        caller: .anonymous,
        action: "s3:GetObject",
        resources: ["arn:aws:s3:::audio/x"],
        expected: .denied("Access Denied")
    ),
    // Cognito unauthenticated role: inline policy.
    AuthorizerCase(
        name: "cognito PutObject under queries/",
        caller: unauth,
        action: "s3:PutObject",
        resources: ["arn:aws:s3:::audio/queries/q1.wav"],
        expected: .allowed
    ),
    AuthorizerCase(
        name: "cognito PutObject under lectures/ is denied (S3 quotes the resource)",
        caller: unauth,
        action: "s3:PutObject",
        resources: ["arn:aws:s3:::audio/lectures/x"],
        expected: implicitDenial(unauthArn, "s3:PutObject", "arn:aws:s3:::audio/lectures/x", quoted: true)
    ),
    AuthorizerCase(name: "cognito GetItem on sessions", caller: unauth, action: "dynamodb:GetItem", resources: [sessionsArn], expected: .allowed),
    AuthorizerCase(name: "cognito PutItem on sessions", caller: unauth, action: "dynamodb:PutItem", resources: [sessionsArn], expected: .allowed),
    AuthorizerCase(
        name: "cognito PutItem on another table",
        caller: unauth,
        action: "dynamodb:PutItem",
        resources: ["arn:aws:dynamodb:us-east-1:\(testAccount):table/Other"],
        expected: implicitDenial(unauthArn, "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:\(testAccount):table/Other")
    ),
    AuthorizerCase(
        name: "cognito DeleteItem on sessions",
        caller: unauth,
        action: "dynamodb:DeleteItem",
        resources: [sessionsArn],
        expected: implicitDenial(unauthArn, "dynamodb:DeleteItem", sessionsArn)
    ),
    AuthorizerCase(
        name: "cognito sub policy variable: own prefix",
        caller: unauth,
        action: "s3:GetObject",
        resources: ["arn:aws:s3:::audio/private/us-east-1:11111111-2222-3333-4444-555555555555/a.wav"],
        expected: .allowed
    ),
    AuthorizerCase(
        name: "cognito sub policy variable: someone else's prefix",
        caller: unauth,
        action: "s3:GetObject",
        resources: ["arn:aws:s3:::audio/private/us-east-1:other/a.wav"],
        expected: implicitDenial(unauthArn, "s3:GetObject", "arn:aws:s3:::audio/private/us-east-1:other/a.wav", quoted: true)
    ),
    AuthorizerCase(
        name: "cognito multi-resource: one denied names it",
        caller: unauth,
        action: "s3:PutObject",
        resources: ["arn:aws:s3:::audio/queries/a", "arn:aws:s3:::audio/responses/b"],
        expected: implicitDenial(unauthArn, "s3:PutObject", "arn:aws:s3:::audio/responses/b", quoted: true)
    ),
    AuthorizerCase(
        name: "cognito cannot invoke lambda",
        caller: unauth,
        action: "lambda:InvokeFunction",
        resources: ["arn:aws:lambda:us-east-1:\(testAccount):function:f"],
        expected: implicitDenial(unauthArn, "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:\(testAccount):function:f")
    ),
    // AppRole: AWS managed, customer managed, AWS::IAM::Policy, unknown managed ARN.
    AuthorizerCase(
        name: "AWS managed S3 read-only allows GetObject",
        caller: app,
        action: "s3:GetObject",
        resources: ["arn:aws:s3:::audio/x"],
        expected: .allowed
    ),
    AuthorizerCase(
        name: "AWS managed S3 read-only refuses PutObject",
        caller: app,
        action: "s3:PutObject",
        resources: ["arn:aws:s3:::audio/x"],
        expected: implicitDenial(appArn, "s3:PutObject", "arn:aws:s3:::audio/x", quoted: true)
    ),
    AuthorizerCase(
        name: "explicit deny in AWS::IAM::Policy beats managed allow",
        caller: app,
        action: "s3:GetObject",
        resources: ["arn:aws:s3:::audio/secret/k"],
        expected: explicitDenial(appArn, "s3:GetObject", "arn:aws:s3:::audio/secret/k", quoted: true)
    ),
    AuthorizerCase(
        name: "customer managed policy allows index Query",
        caller: app,
        action: "dynamodb:Query",
        resources: ["\(sessionsArn)/index/byUser"],
        expected: .allowed
    ),
    AuthorizerCase(
        name: "customer managed policy does not cover the table",
        caller: app,
        action: "dynamodb:Query",
        resources: [sessionsArn],
        expected: implicitDenial(appArn, "dynamodb:Query", sessionsArn)
    ),
    AuthorizerCase(
        name: "AWS::IAM::Policy attached to the role",
        caller: app,
        action: "lambda:InvokeFunction",
        resources: ["arn:aws:lambda:us-east-1:\(testAccount):function:f"],
        expected: .allowed
    ),
    AuthorizerCase(
        name: "global keys: SourceIp 127.0.0.1 and SecureTransport false",
        caller: app,
        action: "dynamodb:GetItem",
        resources: [sessionsArn],
        expected: .allowed
    ),
    AuthorizerCase(
        name: "service context key reaches conditions",
        caller: .role("UnauthRole", session: "s", context: cognitoContext),
        action: "dynamodb:GetItem",
        resources: [sessionsArn],
        context: ["dynamodb:LeadingKeys": ["a", "b"]],
        expected: .allowed
    ),
    // SAM-generated role.
    AuthorizerCase(
        name: "SAM DynamoDBReadPolicy allows GetItem",
        caller: .role("WorkerRole", session: "Worker"),
        action: "dynamodb:GetItem",
        resources: [sessionsArn],
        expected: .allowed
    ),
    AuthorizerCase(
        name: "SAM DynamoDBReadPolicy refuses PutItem",
        caller: .role("WorkerRole", session: "Worker"),
        action: "dynamodb:PutItem",
        resources: [sessionsArn],
        expected: .denied(
            "User: arn:aws:sts::\(testAccount):assumed-role/WORKER_ROLE/Worker is not authorized to perform: dynamodb:PutItem on resource: "
                + "\(sessionsArn) because no identity-based policy allows the dynamodb:PutItem action"
        )
    ),
    AuthorizerCase(
        name: "SAM basic execution role allows logs",
        caller: .role("WorkerRole", session: "Worker"),
        action: "logs:PutLogEvents",
        resources: ["arn:aws:logs:us-east-1:\(testAccount):log-group:/aws/lambda/w:*"],
        expected: .allowed
    ),
    // A role the template does not declare has no policies.
    AuthorizerCase(
        name: "undeclared role has no policies",
        caller: .role("Ghost", session: "g"),
        action: "s3:GetObject",
        resources: ["arn:aws:s3:::audio/x"],
        expected: implicitDenial("arn:aws:sts::\(testAccount):assumed-role/Ghost/g", "s3:GetObject", "arn:aws:s3:::audio/x", quoted: true)
    ),
]

@Suite("Policy authorizer")
struct PolicyAuthorizerTests {
    struct Setup {
        let stack: Stack
        let sessions: RoleSessions
        let clock: VirtualClock
    }

    static func setup() throws -> Setup {
        let template = try TemplateLoader.parse(authorizerTemplate, fileName: "template.yaml", baseDirectory: "/tmp")
        let stack = try template.resolve(StackConfiguration(stackName: "authz", accountId: testAccount))
        let store = CredentialStore()
        let clock = VirtualClock(realNow: { Date(timeIntervalSince1970: 1_800_000_000) })  // pinned: 2027-01-15
        let sessions = RoleSessions(store: store, catalog: try RoleCatalog(stack: stack), clock: clock, accountId: testAccount)
        return Setup(stack: stack, sessions: sessions, clock: clock)
    }

    static func roleArn(_ logicalId: String, in stack: Stack) -> String {
        stack.resource(logicalId)?.attributes["Arn"] ?? "arn:aws:iam::\(testAccount):role/\(logicalId)"
    }

    static func caller(_ kind: CallerKind, setup: Setup) -> Caller {
        switch kind {
        case .anonymous:
            return .anonymous
        case .testKey, .unknownKey:
            let key: String
            if case .testKey = kind { key = "test" } else { key = "AKIAUNKNOWNKEY000000" }
            var caller = Caller.anonymous
            caller.accessKeyId = key
            caller.principalArn = "arn:aws:iam::\(testAccount):root"
            caller.signatureVerified = key == "test"
            caller.signing = .sigV4Header
            return caller
        case .role(let logicalId, let session, let context):
            let credentials = setup.sessions.issue(roleArn: roleArn(logicalId, in: setup.stack), sessionName: session, sessionContext: context)
            var caller = Caller.anonymous
            caller.accessKeyId = credentials.accessKeyId
            caller.sessionToken = credentials.sessionToken
            caller.principalArn = credentials.principal
            caller.signatureVerified = true
            caller.signing = .sigV4Header
            return caller
        }
    }

    @Test("decides", arguments: authorizerCases)
    func decides(_ testCase: AuthorizerCase) throws {
        let setup = try Self.setup()
        let authorizer = PolicyAuthorizer(mode: .enforce, sessions: setup.sessions, logger: Logger(label: "test"))
        let caller = Self.caller(testCase.caller, setup: setup)
        let outcome = authorizer.evaluate(caller: caller, action: testCase.action, resources: testCase.resources, context: testCase.context)
        var expected = testCase.expected
        if case .denied(let message) = expected, message.contains("WORKER_ROLE") {
            let name = setup.stack.resource("WorkerRole")?.physicalId ?? "WorkerRole"
            expected = .denied(message.replacingOccurrences(of: "WORKER_ROLE", with: name))
        }
        switch expected {
        case .allowed: #expect(outcome.decision == .allowed, "\(testCase.name): \(outcome)")
        case .denied(let message): #expect(outcome.decision == .denied(message: message), "\(testCase.name)")
        }
    }

    @Test("audit mode allows but reports what AWS would deny")
    func auditMode() throws {
        let setup = try Self.setup()
        let authorizer = PolicyAuthorizer(mode: .audit, sessions: setup.sessions, logger: Logger(label: "test"))
        let caller = Self.caller(unauth, setup: setup)
        let outcome = authorizer.evaluate(caller: caller, action: "s3:PutObject", resources: ["arn:aws:s3:::audio/lectures/x"], context: [:])
        #expect(outcome.decision == .allowed)
        #expect(outcome.evaluation == .implicitDeny)
        #expect(outcome.wouldDenyMessage?.hasPrefix("User: \(unauthArn) is not authorized to perform: s3:PutObject") == true)
    }

    @Test("denials are kept in the decision log with the deciding statement, allowed requests are not, oldest dropped")
    func decisionLog() async throws {
        let setup = try Self.setup()
        let authorizer = PolicyAuthorizer(
            mode: .enforce,
            sessions: setup.sessions,
            logger: Logger(label: "test"),
            decisions: DecisionLog(capacity: 2)
        )
        let caller = Self.caller(unauth, setup: setup)
        for key in ["a", "b", "c"] {
            _ = await authorizer.authorize(caller: caller, action: "s3:PutObject", resources: ["arn:aws:s3:::audio/lectures/\(key)"], context: [:])
        }
        _ = await authorizer.authorize(
            caller: Self.caller(.testKey, setup: setup),
            action: "s3:PutObject",
            resources: ["arn:aws:s3:::audio/x"],
            context: [:]
        )
        let entries = authorizer.decisions.all
        #expect(entries.map(\.resources) == [["arn:aws:s3:::audio/lectures/b"], ["arn:aws:s3:::audio/lectures/c"]])
        #expect(entries.allSatisfy { $0.principal == unauthArn && $0.action == "s3:PutObject" && !$0.auditOnly })
        #expect(entries.first?.statement == "implicit deny (no statement allows it)")
        #expect(entries.first?.message.hasPrefix("User: \(unauthArn) is not authorized to perform: s3:PutObject") == true)
        #expect(entries.first?.time == setup.clock.now)
    }

    @Test("a verified session purged after authentication does not fall back to administrator rights")
    func purgedSessionIsDenied() throws {
        let setup = try Self.setup()
        let authorizer = PolicyAuthorizer(mode: .enforce, sessions: setup.sessions, logger: Logger(label: "test"))
        let caller = Self.caller(unauth, setup: setup)
        setup.sessions.store.purgeExpired(now: setup.clock.now.addingTimeInterval(7200))
        let outcome = authorizer.evaluate(caller: caller, action: "s3:GetObject", resources: ["arn:aws:s3:::audio/x"], context: [:])
        #expect(outcome.decision == .denied(message: PolicyAuthorizer.expiredSessionDenial))
    }

    @Test("off mode skips evaluation")
    func offMode() throws {
        let setup = try Self.setup()
        let authorizer = PolicyAuthorizer(mode: .off, sessions: setup.sessions, logger: Logger(label: "test"))
        let outcome = authorizer.evaluate(caller: .anonymous, action: "s3:PutObject", resources: ["arn:aws:s3:::audio/x"], context: [:])
        #expect(outcome == .init(decision: .allowed, evaluation: nil, principalArn: nil, wouldDenyMessage: nil))
    }

    @Test("aws:CurrentTime follows the virtual clock")
    func currentTimeIsVirtual() async throws {
        let setup = try Self.setup()
        let authorizer = PolicyAuthorizer(mode: .enforce, sessions: setup.sessions, logger: Logger(label: "test"))
        let caller = Self.caller(unauth, setup: setup)
        let resource = "arn:aws:s3:::audio/queries/x"
        #expect(await authorizer.authorize(caller: caller, action: "s3:PutObject", resources: [resource], context: [:]) == .allowed)
        setup.clock.set(to: Date(timeIntervalSince1970: 1_900_000_000))  // 2030-03-17: the NotAfter2030 Deny applies
        let outcome = authorizer.evaluate(caller: caller, action: "s3:PutObject", resources: [resource], context: [:])
        guard case .explicitDeny(let match) = outcome.evaluation else {
            Issue.record("expected an explicit deny, got \(String(describing: outcome.evaluation))")
            return
        }
        #expect(match.sid == "NotAfter2030")
        #expect(match.policyName == "Unauth")
    }

    @Test("role sessions: principal, role id, expiry on the virtual clock, catalog warnings")
    func sessions() throws {
        let setup = try Self.setup()
        let arn = Self.roleArn("AppRole", in: setup.stack)
        let credentials = setup.sessions.issue(roleArn: arn, sessionName: "fn", duration: 900)
        #expect(credentials.principal == "arn:aws:sts::\(testAccount):assumed-role/AppRole/fn")
        #expect(credentials.accessKeyId.hasPrefix("ASIA"))
        #expect(credentials.expiration == setup.clock.now.addingTimeInterval(900))
        #expect(setup.sessions.store.temporary(for: credentials.accessKeyId)?.roleArn == arn)
        let roleId = setup.stack.resource("AppRole")?.attributes["RoleId"] ?? ""
        #expect(roleId.hasPrefix("AROA"))
        #expect(setup.sessions.assumedRoleId(roleArn: arn, sessionName: "fn") == "\(roleId):fn")
        #expect(setup.sessions.catalog.warnings.contains { $0.contains("NotInTheCatalog") })
        #expect(setup.sessions.catalog.role(named: "AppRole")?.policies.count == 3)
    }

    @Test("trust policy: Cognito conditions on aud and amr")
    func trustPolicy() throws {
        let setup = try Self.setup()
        guard let role = setup.sessions.catalog.role(named: "UnauthRole") else {
            Issue.record("UnauthRole missing")
            return
        }
        let poolId = setup.stack.resource("Pool")?.physicalId ?? ""
        let good = ["cognito-identity.amazonaws.com:aud": [poolId], "cognito-identity.amazonaws.com:amr": ["unauthenticated"]]
        let federated = "cognito-identity.amazonaws.com"
        #expect(setup.sessions.trustPolicyAllows(role: role, principal: federated, action: "sts:AssumeRoleWithWebIdentity", context: good))
        var otherPool = good
        otherPool["cognito-identity.amazonaws.com:aud"] = ["us-east-1:other"]
        #expect(!setup.sessions.trustPolicyAllows(role: role, principal: federated, action: "sts:AssumeRoleWithWebIdentity", context: otherPool))
        #expect(!setup.sessions.trustPolicyAllows(role: role, principal: federated, action: "sts:AssumeRole", context: good))
        #expect(
            !setup.sessions.trustPolicyAllows(role: role, principal: "accounts.google.com", action: "sts:AssumeRoleWithWebIdentity", context: good)
        )
    }

    @Test("web identity tokens: claims round-trip, tampering and expiry are refused")
    func webIdentityTokens() throws {
        let tokens = WebIdentityTokens()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let token = tokens.sign(
            identityId: "us-east-1:abc",
            poolId: "us-east-1:pool",
            poolArn: "arn:aws:cognito-identity:us-east-1:0:identitypool/p",
            amr: ["unauthenticated"],
            now: now
        )
        let claims = try tokens.verify(token, now: now.addingTimeInterval(599))
        #expect(claims.subject == "us-east-1:abc")
        #expect(claims.audience == "us-east-1:pool")
        #expect(claims.amr == ["unauthenticated"])
        #expect(claims.issuer == "https://cognito-identity.amazonaws.com")
        #expect(claims.expiresAt == now.addingTimeInterval(600))
        #expect(throws: WebIdentityTokens.Failure.expired(expiresAt: now.addingTimeInterval(600))) {
            try tokens.verify(token, now: now.addingTimeInterval(600))
        }
        let parts = token.split(separator: ".").map(String.init)
        let forged = parts[0] + "." + parts[1].dropLast() + "A." + parts[2]
        #expect(throws: WebIdentityTokens.Failure.invalid) { try tokens.verify(forged, now: now) }
        #expect(throws: WebIdentityTokens.Failure.invalid) { try WebIdentityTokens().verify(token, now: now) }
        #expect(throws: WebIdentityTokens.Failure.invalid) { try tokens.verify("not.a.jwt", now: now) }
    }
}
