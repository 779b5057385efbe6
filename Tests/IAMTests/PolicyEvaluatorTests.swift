import Foundation
import IAM
import Testing

@Suite("Policy evaluator")
struct PolicyEvaluatorTests {
    static let allCases = structuralCases + conditionCases + variableCases + synapScribeCases

    @Test("the table has at least 60 cases")
    func tableSize() {
        #expect(Self.allCases.count >= 60)
    }

    @Test("evaluates", arguments: allCases)
    func evaluates(_ testCase: EvalCase) throws {
        let documents = try testCase.policies.enumerated().map { index, json in
            try PolicyDocument(jsonString: json, name: "policy-\(index)")
        }
        let request = AuthorizationRequest(
            principalArn: testCase.principal,
            action: testCase.action,
            resources: testCase.resources,
            context: testCase.context
        )
        let decision = PolicyEvaluator.evaluate(request: request, policies: documents)
        let outcome: Expected
        switch decision {
        case .allow: outcome = .allow
        case .explicitDeny: outcome = .explicitDeny
        case .implicitDeny: outcome = .implicitDeny
        }
        #expect(outcome == testCase.expected, "\(testCase.name): got \(decision)")
    }

    @Test("decisions name the deciding policy and statement")
    func decisionDetail() throws {
        let allowing = try PolicyDocument(jsonString: policy(allow("s3:*", "*")), name: "inline/Allow")
        let denying = try PolicyDocument(
            jsonString: policy(
                allow("s3:GetObject", "*") + #",{"Sid":"NoLectures","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::b/lectures/*"}"#
            ),
            name: "inline/Deny"
        )
        let request = AuthorizationRequest(principalArn: unauthSession, action: "s3:PutObject", resource: "arn:aws:s3:::b/lectures/x")
        let decision = PolicyEvaluator.evaluate(request: request, policies: [allowing, denying])
        let expected = MatchedStatement(
            policyIndex: 1,
            policyName: "inline/Deny",
            statementIndex: 1,
            sid: "NoLectures",
            resource: "arn:aws:s3:::b/lectures/x"
        )
        #expect(decision == .explicitDeny(expected))
        #expect(expected.description == "policy inline/Deny statement #1 (Sid NoLectures) on arn:aws:s3:::b/lectures/x")
        let allowed = PolicyEvaluator.evaluate(
            request: AuthorizationRequest(principalArn: unauthSession, action: "s3:PutObject", resource: "arn:aws:s3:::b/queries/x"),
            policies: [allowing, denying]
        )
        #expect(
            allowed
                == .allow(
                    MatchedStatement(policyIndex: 0, policyName: "inline/Allow", statementIndex: 0, sid: nil, resource: "arn:aws:s3:::b/queries/x")
                )
        )
        #expect(allowed.isAllowed)
    }

    @Test("per-resource decisions")
    func perResource() throws {
        let document = try PolicyDocument(jsonString: policy(allow("s3:GetObject", "arn:aws:s3:::a/*")))
        let request = AuthorizationRequest(principalArn: unauthSession, action: "s3:GetObject", resources: ["arn:aws:s3:::a/1", "arn:aws:s3:::b/1"])
        let results = PolicyEvaluator.evaluateEach(request: request, policies: [document])
        #expect(results.map(\.resource) == ["arn:aws:s3:::a/1", "arn:aws:s3:::b/1"])
        #expect(results.map(\.decision.isAllowed) == [true, false])
    }

    @Test("aws:PrincipalArn is filled from the request, as the role ARN for a role session")
    func principalArnKey() throws {
        let document = try PolicyDocument(
            jsonString: policy(
                allow("s3:*", "*", condition: #"{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::123456789012:role/CognitoUnauthRole"}}"#)
            )
        )
        let request = AuthorizationRequest(principalArn: unauthSession, action: "s3:PutObject", resource: "arn:aws:s3:::b/k")
        #expect(PolicyEvaluator.evaluate(request: request, policies: [document]).isAllowed)
        let other = AuthorizationRequest(principalArn: lambdaSession, action: "s3:PutObject", resource: "arn:aws:s3:::b/k")
        #expect(PolicyEvaluator.evaluate(request: other, policies: [document]) == .implicitDeny)
    }

    @Test("global context keys")
    func globalContext() throws {
        let now = Date(timeIntervalSince1970: 1_767_225_600)
        let context = AuthorizationRequest.globalContext(
            principalArn: lambdaSession,
            sourceIp: "127.0.0.1",
            secureTransport: false,
            now: now,
            userid: "AROAEXAMPLE:WebSocketHandler"
        )
        #expect(context["aws:CurrentTime"] == .single("2026-01-01T00:00:00Z"))
        #expect(context["aws:EpochTime"] == .single("1767225600"))
        #expect(context["aws:SecureTransport"] == .single("false"))
        #expect(context["aws:PrincipalAccount"] == .single("123456789012"))
        #expect(context["aws:PrincipalArn"] == .single("arn:aws:iam::123456789012:role/LambdaExecutionRole"))
        #expect(context["aws:SourceIp"] == .single("127.0.0.1"))
        #expect(context["aws:username"] == nil)
        let document = try PolicyDocument(
            jsonString: policy(deny("s3:*", "*", condition: #"{"Bool":{"aws:SecureTransport":"false"}}"#) + "," + allow("s3:*", "*"))
        )
        let request = AuthorizationRequest(principalArn: lambdaSession, action: "s3:GetObject", resource: "arn:aws:s3:::b/k", context: context)
        guard case .explicitDeny(let match) = PolicyEvaluator.evaluate(request: request, policies: [document]) else {
            Issue.record("expected an explicit deny")
            return
        }
        #expect(match.statementIndex == 0)
    }
}

@Suite("Resource-based and trust policies")
struct PrincipalTests {
    @Test("account root principal matches a role session of that account")
    func accountRoot() throws {
        let document = try PolicyDocument(
            jsonString:
                #"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"lambda:InvokeFunction","Resource":"*"}}"#,
            kind: .resource
        )
        let ours = AuthorizationRequest(
            principalArn: lambdaSession,
            action: "lambda:InvokeFunction",
            resource: "arn:aws:lambda:us-east-1:123456789012:function:f"
        )
        let theirs = AuthorizationRequest(
            principalArn: "arn:aws:sts::999999999999:assumed-role/R/s",
            action: "lambda:InvokeFunction",
            resource: "arn:aws:lambda:us-east-1:123456789012:function:f"
        )
        #expect(PolicyEvaluator.evaluate(request: ours, policies: [document]).isAllowed)
        #expect(PolicyEvaluator.evaluate(request: theirs, policies: [document]) == .implicitDeny)
    }

    @Test("role ARN principal matches its sessions")
    func roleSession() throws {
        let document = try PolicyDocument(
            jsonString:
                #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:role/LambdaExecutionRole"]},"Action":"s3:GetObject","Resource":"*"}]}"#,
            kind: .resource
        )
        let request = AuthorizationRequest(principalArn: lambdaSession, action: "s3:GetObject", resource: "arn:aws:s3:::b/k")
        #expect(PolicyEvaluator.evaluate(request: request, policies: [document]).isAllowed)
    }

    @Test("trust policy with a service principal and no Resource")
    func trustPolicy() throws {
        let document = try PolicyDocument(
            jsonString:
                #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            kind: .trust
        )
        let lambda = AuthorizationRequest(principalArn: "lambda.amazonaws.com", action: "sts:AssumeRole", resources: [])
        let other = AuthorizationRequest(principalArn: "ec2.amazonaws.com", action: "sts:AssumeRole", resources: [])
        #expect(PolicyEvaluator.evaluate(request: lambda, policies: [document]).isAllowed)
        #expect(PolicyEvaluator.evaluate(request: other, policies: [document]) == .implicitDeny)
    }

    @Test("Cognito trust policy with aud and amr conditions")
    func cognitoTrust() throws {
        let document = try PolicyDocument(
            jsonString: """
                {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"cognito-identity.amazonaws.com"},
                "Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"cognito-identity.amazonaws.com:aud":"us-east-1:pool"},
                "ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"unauthenticated"}}}]}
                """,
            kind: .trust
        )
        func request(aud: String, amr: [String]) -> AuthorizationRequest {
            AuthorizationRequest(
                principalArn: "cognito-identity.amazonaws.com",
                action: "sts:AssumeRoleWithWebIdentity",
                resources: [],
                context: ["cognito-identity.amazonaws.com:aud": .single(aud), "cognito-identity.amazonaws.com:amr": .multiple(amr)]
            )
        }
        #expect(PolicyEvaluator.evaluate(request: request(aud: "us-east-1:pool", amr: ["unauthenticated"]), policies: [document]).isAllowed)
        #expect(PolicyEvaluator.evaluate(request: request(aud: "us-east-1:other", amr: ["unauthenticated"]), policies: [document]) == .implicitDeny)
        #expect(
            PolicyEvaluator.evaluate(request: request(aud: "us-east-1:pool", amr: ["authenticated", "cognito-idp"]), policies: [document])
                == .implicitDeny
        )
    }
}
