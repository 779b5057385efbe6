import CloudFormation
import EmulatorCore
import Foundation
import IAM
import IAMService
import Identity
import Logging
import SigV4
import Testing

private let account = "123456789012"

/// One policy document IAM refuses, with the error it answers.
struct RefusedDocument: Sendable, CustomStringConvertible {
    let label: String
    let document: String
    let kind: PolicyKind
    let error: IAMError

    var description: String { label }
}

private let allowS3 = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#
private let lambdaTrust =
    #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#

private let refusedDocuments: [RefusedDocument] = [
    RefusedDocument(label: "not JSON", document: "{not json", kind: .identity, error: .malformedPolicyDocument("Syntax errors in policy.")),
    RefusedDocument(
        label: "unknown top-level element",
        document: #"{"Version":"2012-10-17","Statement":[],"Extra":1}"#,
        kind: .identity,
        error: .malformedPolicyDocument("Syntax errors in policy.")
    ),
    RefusedDocument(
        label: "no resource",
        document: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}"#,
        kind: .identity,
        error: .malformedPolicyDocument("Policy statement must contain resources.")
    ),
    RefusedDocument(
        label: "principal in an identity policy",
        document: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}"#,
        kind: .identity,
        error: .malformedPolicyDocument("Policy document should not specify a principal.")
    ),
    RefusedDocument(
        label: "trust policy without principal",
        document: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}"#,
        kind: .trust,
        error: .malformedPolicyDocument("Missing required field Principal")
    ),
    RefusedDocument(
        label: "action without vendor",
        document: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}"#,
        kind: .identity,
        error: .malformedPolicyDocument("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
    ),
    RefusedDocument(
        label: "duplicate Sid",
        document: #"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},"#
            + #"{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
        kind: .identity,
        error: .malformedPolicyDocument("Statement IDs (SID) in a single policy must be unique.")
    ),
    RefusedDocument(
        label: "trust policy over 2048 characters",
        document: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":""#
            + String(repeating: "a", count: 2100) + #""},"Action":"sts:AssumeRole"}]}"#,
        kind: .trust,
        error: .limitExceeded("Cannot exceed quota for ACLSizePerRole: 2048")
    ),
]

@Suite("IAM policy document validation")
struct IAMPolicyValidationTests {
    @Test("refuses with IAM's error", arguments: refusedDocuments)
    func refuses(_ refused: RefusedDocument) {
        #expect(throws: refused.error) { try IAMService.validateDocument(refused.document, kind: refused.kind) }
    }

    @Test("accepts well-formed identity and trust policies")
    func accepts() throws {
        try IAMService.validateDocument(allowS3, kind: .identity)
        try IAMService.validateDocument(lambdaTrust, kind: .trust)
    }

    @Test("sizes are counted without white space")
    func sizes() {
        #expect(IAMService.policySize("{ \"a\" :\n 1 }") == 7)
    }

    @Test("error codes and statuses are IAM's")
    func statuses() {
        #expect(IAMError.noSuchRole("R").code == "NoSuchEntity")
        #expect(IAMError.noSuchRole("R").httpStatus == 404)
        #expect(IAMError.noSuchRole("R").message == "The role with name R cannot be found.")
        #expect(IAMError.roleExists("R").httpStatus == 409)
        #expect(IAMError.tooManyVersions.code == "LimitExceeded")
        #expect(IAMError.tooManyVersions.httpStatus == 409)
        #expect(IAMError.mustDetachPolicies.code == "DeleteConflict")
        #expect(IAMError.malformedPolicyDocument("x").httpStatus == 400)
    }
}

@Suite("IAM directory")
struct IAMDirectoryTests {
    static func role(_ name: String, policies: [NamedPolicyText] = [], fromTemplate: Bool = false) -> IAMRoleRecord {
        IAMRoleRecord(
            name: name,
            path: "/",
            roleId: IAMIdentifiers.identifier(prefix: "AROA", seed: name),
            arn: "arn:aws:iam::\(account):role/\(name)",
            createDate: Date(timeIntervalSince1970: 1_800_000_000),
            assumeRolePolicyDocument: lambdaTrust,
            inlinePolicies: policies,
            fromTemplate: fromTemplate
        )
    }

    static func caller(accessKeyId: String, token: String? = nil, principal: String?) -> Caller {
        var caller = Caller.anonymous
        caller.accessKeyId = accessKeyId
        caller.sessionToken = token
        caller.principalArn = principal
        caller.signatureVerified = true
        caller.signing = .sigV4Header
        return caller
    }

    @Test("a failed change leaves the state as it was")
    func failedChangeIsAtomic() {
        var state = IAMState()
        state.roles["Worker"] = Self.role("Worker")
        let directory = IAMDirectory(state: state)
        #expect(throws: IAMError.roleExists("Worker")) {
            try directory.mutate { (state: inout IAMState) throws(IAMError) in
                state.roles["Other"] = Self.role("Other")
                throw IAMError.roleExists("Worker")
            }
        }
        #expect(directory.state.roles.keys.sorted() == ["Worker"])
        #expect(directory.catalog.role(named: "Other") == nil)
    }

    @Test("PutRolePolicy changes what the role's existing sessions may do on the next request")
    func roleChangesApplyToNextRequest() throws {
        var state = IAMState()
        state.roles["Worker"] = Self.role("Worker")
        let directory = IAMDirectory(state: state)
        let clock = VirtualClock(realNow: { Date(timeIntervalSince1970: 1_800_000_000) })
        let sessions = RoleSessions(store: CredentialStore(), directory: directory, clock: clock, accountId: account)
        let authorizer = PolicyAuthorizer(mode: .enforce, sessions: sessions, logger: Logger(label: "test"))
        let credentials = sessions.issue(roleArn: "arn:aws:iam::\(account):role/Worker", sessionName: "s1")
        let caller = Self.caller(accessKeyId: credentials.accessKeyId, token: credentials.sessionToken, principal: credentials.principal)
        let object = "arn:aws:s3:::bucket/key"
        let before = authorizer.evaluate(caller: caller, action: "s3:GetObject", resources: [object], context: [:])
        #expect(
            before.decision
                == .denied(
                    message: "User: arn:aws:sts::\(account):assumed-role/Worker/s1 is not authorized to perform: s3:GetObject on resource: "
                        + "\"\(object)\" because no identity-based policy allows the s3:GetObject action"
                )
        )
        try directory.mutate { (state: inout IAMState) throws(IAMError) in
            state.roles["Worker"]?.inlinePolicies = [NamedPolicyText(name: "Read", document: allowS3)]
        }
        #expect(authorizer.evaluate(caller: caller, action: "s3:GetObject", resources: [object], context: [:]).decision == .allowed)
        #expect(authorizer.evaluate(caller: caller, action: "s3:PutObject", resources: [object], context: [:]).decision != .allowed)
    }

    @Test("an IAM user's key is evaluated against the user's policies, and refused once inactive or deleted")
    func userKeys() throws {
        var state = IAMState()
        let userArn = "arn:aws:iam::\(account):user/ci"
        state.users["ci"] = IAMUserRecord(
            name: "ci",
            path: "/",
            userId: "AIDAEXAMPLEEXAMPLE123",
            arn: userArn,
            createDate: Date(timeIntervalSince1970: 1_800_000_000),
            inlinePolicies: [NamedPolicyText(name: "Read", document: allowS3)]
        )
        state.accessKeys["AKIAEXAMPLEEXAMPLE12"] = IAMAccessKeyRecord(
            accessKeyId: "AKIAEXAMPLEEXAMPLE12",
            secretAccessKey: "secret",
            userName: "ci",
            status: "Active",
            createDate: Date(timeIntervalSince1970: 1_800_000_000)
        )
        let directory = IAMDirectory(state: state)
        let clock = VirtualClock(realNow: { Date(timeIntervalSince1970: 1_800_000_000) })
        let sessions = RoleSessions(store: CredentialStore(), directory: directory, clock: clock, accountId: account)
        let authorizer = PolicyAuthorizer(mode: .enforce, sessions: sessions, logger: Logger(label: "test"))
        let caller = Self.caller(accessKeyId: "AKIAEXAMPLEEXAMPLE12", principal: userArn)
        #expect(authorizer.evaluate(caller: caller, action: "s3:GetObject", resources: ["arn:aws:s3:::b/k"], context: [:]).decision == .allowed)
        #expect(
            authorizer.evaluate(
                caller: caller,
                action: "dynamodb:GetItem",
                resources: ["arn:aws:dynamodb:us-east-1:\(account):table/T"],
                context: [:]
            )
            .decision
                == .denied(
                    message: "User: \(userArn) is not authorized to perform: dynamodb:GetItem on resource: "
                        + "arn:aws:dynamodb:us-east-1:\(account):table/T because no identity-based policy allows the dynamodb:GetItem action"
                )
        )
        // The test key pair stays the administrator.
        let admin = Self.caller(accessKeyId: "test", principal: "arn:aws:iam::\(account):root")
        #expect(authorizer.evaluate(caller: admin, action: "dynamodb:GetItem", resources: ["*"], context: [:]).decision == .allowed)
        try directory.mutate { (state: inout IAMState) throws(IAMError) in state.accessKeys["AKIAEXAMPLEEXAMPLE12"]?.status = "Inactive" }
        #expect(
            authorizer.evaluate(caller: caller, action: "s3:GetObject", resources: ["arn:aws:s3:::b/k"], context: [:]).decision
                == .denied(message: PolicyAuthorizer.refusedKeyDenial)
        )
        try directory.mutate { (state: inout IAMState) throws(IAMError) in
            state.accessKeys["AKIAEXAMPLEEXAMPLE12"] = nil
            state.deletedAccessKeys.append("AKIAEXAMPLEEXAMPLE12")
        }
        var unverified = caller
        unverified.signatureVerified = false
        #expect(
            authorizer.evaluate(caller: unverified, action: "s3:GetObject", resources: ["arn:aws:s3:::b/k"], context: [:]).decision
                == .denied(message: PolicyAuthorizer.refusedKeyDenial)
        )
    }

    @Test("session policies cap a role session: the intersection decides, and the denial names the session policy")
    func sessionPolicies() throws {
        var state = IAMState()
        state.roles["Worker"] = Self.role(
            "Worker",
            policies: [
                NamedPolicyText(name: "All", document: #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)
            ]
        )
        let directory = IAMDirectory(state: state)
        let clock = VirtualClock(realNow: { Date(timeIntervalSince1970: 1_800_000_000) })
        let sessions = RoleSessions(store: CredentialStore(), directory: directory, clock: clock, accountId: account)
        let authorizer = PolicyAuthorizer(mode: .enforce, sessions: sessions, logger: Logger(label: "test"))
        let credentials = sessions.issue(
            roleArn: "arn:aws:iam::\(account):role/Worker",
            sessionName: "capped",
            sessionContext: [RoleSessions.sessionPolicyKey: [allowS3]]
        )
        let caller = Self.caller(accessKeyId: credentials.accessKeyId, token: credentials.sessionToken, principal: credentials.principal)
        let object = "arn:aws:s3:::bucket/key"
        #expect(authorizer.evaluate(caller: caller, action: "s3:GetObject", resources: [object], context: [:]).decision == .allowed)
        #expect(
            authorizer.evaluate(caller: caller, action: "s3:PutObject", resources: [object], context: [:]).decision
                == .denied(
                    message: "User: arn:aws:sts::\(account):assumed-role/Worker/capped is not authorized to perform: s3:PutObject on resource: "
                        + "\"\(object)\" because no session policy allows the s3:PutObject action"
                )
        )
    }

    @Test("the template is authoritative for its roles; API-created roles are kept")
    func templateApplies() throws {
        let template = try TemplateLoader.parse(
            """
            Resources:
              Worker:
                Type: AWS::IAM::Role
                Properties:
                  RoleName: Worker
                  AssumeRolePolicyDocument:
                    Version: "2012-10-17"
                    Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
            """,
            fileName: "template.yaml",
            baseDirectory: "/tmp"
        )
        let stack = try template.resolve(
            StackConfiguration(stackName: "iam", accountId: account),
            catalog: ResourceCatalog(providers: [IAMResourceProvider()])
        )
        var state = IAMState()
        state.roles["Gone"] = Self.role("Gone", fromTemplate: true)
        state.roles["FromApi"] = Self.role("FromApi")
        try state.applyTemplate(stack, now: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(state.roles.keys.sorted() == ["FromApi", "Worker"])
        #expect(state.roles["Worker"]?.fromTemplate == true)
        #expect(state.roles["Worker"]?.arn == "arn:aws:iam::\(account):role/Worker")
    }
}
