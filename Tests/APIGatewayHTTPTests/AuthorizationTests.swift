import APIGatewayHTTP
import CloudFormation
import EmulatorApp
import Foundation
import Testing

/// Plans a template (written to a temporary folder) as `start` would.
func planStack(_ yaml: String) throws -> Stack {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("apigw-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let url = folder.appendingPathComponent("template.yaml")
    try yaml.write(to: url, atomically: true, encoding: .utf8)
    var options = EmulatorOptions()
    options.templatePath = url.path
    options.stackName = "sam-app"
    return try StackPlan(options: options).stack
}

@Suite struct AuthorizerPolicyTests {
    private let arn = "arn:aws:execute-api:us-east-1:000000000000:abc123defg/prod/GET/pets/7"

    private func policy(_ statements: [[String: Any]]) -> [String: Any] {
        ["Version": "2012-10-17", "Statement": statements]
    }

    @Test func methodArnHasStageMethodAndPathWithoutLeadingSlash() {
        let built = AuthorizerPolicy.methodArn(
            region: "us-east-1",
            accountId: "000000000000",
            apiId: "abc123defg",
            stage: "prod",
            method: "GET",
            path: "/pets/7"
        )
        #expect(built == arn)
        #expect(
            AuthorizerPolicy.methodArn(region: "eu-west-1", accountId: "1", apiId: "a", stage: "s", method: "POST", path: "/")
                == "arn:aws:execute-api:eu-west-1:1:a/s/POST/"
        )
    }

    @Test func allowDenyAndImplicitDeny() throws {
        let allow = policy([["Effect": "Allow", "Action": "execute-api:Invoke", "Resource": arn]])
        #expect(try AuthorizerPolicy.evaluate(allow, methodArn: arn) == .allow)
        let denyWins = policy([
            ["Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"],
            ["Effect": "Deny", "Action": ["execute-api:Invoke"], "Resource": [arn]],
        ])
        #expect(try AuthorizerPolicy.evaluate(denyWins, methodArn: arn) == .explicitDeny)
        let elsewhere = policy([["Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:abc123defg/prod/POST/*"]])
        #expect(try AuthorizerPolicy.evaluate(elsewhere, methodArn: arn) == .implicitDeny)
        let otherAction = policy([["Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"]])
        #expect(try AuthorizerPolicy.evaluate(otherAction, methodArn: arn) == .implicitDeny)
    }

    @Test func wildcardsInActionsAndResources() throws {
        for resource in [
            "arn:aws:execute-api:us-east-1:000000000000:abc123defg/*/GET/*", "arn:aws:execute-api:*", "*",
            "arn:aws:execute-api:us-east-1:000000000000:abc123defg/prod/GET/pets/?",
        ] {
            let document = policy([["Effect": "Allow", "Action": "execute-api:*", "Resource": resource]])
            #expect(try AuthorizerPolicy.evaluate(document, methodArn: arn) == .allow, "\(resource)")
        }
        let single =
            ["Effect": "Allow", "Action": "EXECUTE-API:invoke", "Resource": "arn:aws:execute-api:us-east-1:000000000000:abc123defg/prod/GET/pets/??"]
            as [String: Any]
        #expect(try AuthorizerPolicy.evaluate(["Statement": single], methodArn: arn) == .implicitDeny)
        let notResource = policy([["Effect": "Deny", "Action": "execute-api:Invoke", "NotResource": "*/POST/*"]])
        #expect(try AuthorizerPolicy.evaluate(notResource, methodArn: arn) == .explicitDeny)
    }

    @Test func malformedPoliciesThrow() {
        #expect(throws: AuthorizerPolicy.Malformed.self) { try AuthorizerPolicy.evaluate(nil, methodArn: arn) }
        #expect(throws: AuthorizerPolicy.Malformed.self) { try AuthorizerPolicy.evaluate(["Version": "2012-10-17"], methodArn: arn) }
        #expect(throws: AuthorizerPolicy.Malformed.self) {
            try AuthorizerPolicy.evaluate(policy([["Effect": "Maybe", "Action": "*", "Resource": "*"]]), methodArn: arn)
        }
        #expect(throws: AuthorizerPolicy.Malformed.self) {
            try AuthorizerPolicy.evaluate(policy([["Effect": "Allow", "Action": 7, "Resource": "*"]]), methodArn: arn)
        }
    }

    @Test func wildcardMatchingIsLinearOnHostilePatterns() {
        let text = String(repeating: "a", count: 5000)
        let pattern = String(repeating: "*a", count: 200) + "b"
        #expect(!AuthorizerPolicy.matches(pattern, text, caseInsensitive: false))
        #expect(AuthorizerPolicy.matches("a*a*a", text, caseInsensitive: false))
    }
}

@Suite struct RestAuthorizationSpecTests {
    private let template = """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          AuthFn: {Type: AWS::Serverless::Function, Properties: {CodeUri: src/, Handler: app.auth, Runtime: python3.12}}
          Api:
            Type: AWS::Serverless::Api
            Properties:
              StageName: prod
              Cors: "'*'"
              Auth:
                DefaultAuthorizer: Tok
                UsagePlan: {CreateUsagePlan: PER_API, Quota: {Limit: 5, Period: WEEK}, Throttle: {RateLimit: 1}}
                Authorizers:
                  Tok: {FunctionArn: !GetAtt AuthFn.Arn, Identity: {Header: X-Auth, ValidationExpression: "ok.*", ReauthorizeEvery: 60}}
                  Req: {FunctionPayloadType: REQUEST, FunctionArn: !GetAtt AuthFn.Arn, Identity: {Headers: [X-A], QueryStrings: [q], ReauthorizeEvery: 0}}
                  Pool: {UserPoolArn: arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_x}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: src/
              Handler: app.handler
              Runtime: python3.12
              Events:
                A: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /a, Method: get}}
                B: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /b, Method: get, Auth: {Authorizer: Req, ApiKeyRequired: true}}}
                C: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /c, Method: get, Auth: {Authorizer: NONE}}}
                D: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /d, Method: get, Auth: {Authorizer: AWS_IAM}}}
                E: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /e, Method: get, Auth: {Authorizer: Pool}}}
        """

    @Test func samAuthBecomesAuthorizersAndMethodAuthorization() throws {
        let stack = try planStack(template)
        // `validate` lists what is not acted on: the usage plan's Throttle (Cognito authorizers are emulated).
        #expect(stack.unsupported.map(\.property) == ["Properties.Throttle"])
        let api = try #require(try stack.restApis.first { $0.logicalId == "Api" })
        let byName = Dictionary(uniqueKeysWithValues: api.authorizers.map { ($0.name, $0) })
        let token = try #require(byName["Tok"])
        #expect(token.kind == .token)
        #expect(token.identitySources == ["method.request.header.X-Auth"])
        #expect(token.validationExpression == "ok.*")
        #expect(token.resultTtlSeconds == 60)
        #expect(token.functionArn?.contains(":lambda:") == true)
        #expect(token.functionArn?.contains("AuthFn") == true)
        let request = try #require(byName["Req"])
        #expect(request.kind == .request)
        #expect(request.identitySources == ["method.request.header.X-A", "method.request.querystring.q"])
        #expect(request.resultTtlSeconds == 0)
        let pool = try #require(byName["Pool"])
        #expect(pool.kind == .cognitoUserPools)
        #expect(pool.providerARNs == ["arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_x"])
        func method(_ path: String, _ verb: String = "GET") throws -> RestApiSpec.Method {
            try #require(api.methods.first { $0.resourcePath == path && $0.httpMethod == verb })
        }
        #expect(try method("/a").authorization == .custom(authorizerId: token.authorizerId))
        #expect(try method("/a").apiKeyRequired == false)
        #expect(try method("/b").authorization == .custom(authorizerId: request.authorizerId))
        #expect(try method("/b").apiKeyRequired)
        #expect(try method("/c").authorization == MethodAuthorization.none)
        #expect(try method("/d").authorization == .awsIAM)
        #expect(try method("/e").authorization == .cognito(authorizerId: pool.authorizerId, scopes: []))
        // SAM adds the default authorizer to its CORS preflights (AddDefaultAuthorizerToCorsPreflight, default true).
        #expect(try method("/c", "OPTIONS").authorization == .custom(authorizerId: token.authorizerId))
    }

    @Test func perApiUsagePlanGrantsTheGeneratedKeyOnTheStage() throws {
        let stack = try planStack(template)
        let api = try #require(try stack.restApis.first { $0.logicalId == "Api" })
        let grant = try #require(api.apiKeys.first)
        #expect(api.apiKeys.count == 1)
        #expect(grant.stage == "prod")
        #expect(grant.enabled)
        #expect(grant.generated)
        #expect(grant.value.count == 40)
        #expect(grant.quota == ApiKeyGrant.Quota(limit: 5, period: "WEEK"))
        #expect(stack.resource("ApiApiKey")?.physicalId == grant.keyId)
        let validation = RestApiProvider().notActedOn(in: stack).map { "\($0.logicalId).\($0.property)" }
        #expect(validation == ["ApiUsagePlan.Properties.Throttle"])
    }

    @Test func undefinedAuthorizersAreRefusedAsSAMRefusesThem() {
        let undefinedEvent = template.replacingOccurrences(of: "Auth: {Authorizer: NONE}", with: "Auth: {Authorizer: Nope}")
        #expect(throws: TemplateError.self) { try planStack(undefinedEvent) }
        let undefinedDefault = template.replacingOccurrences(of: "DefaultAuthorizer: Tok", with: "DefaultAuthorizer: Nope")
        #expect(throws: TemplateError.self) { try planStack(undefinedDefault) }
    }

    @Test func quotaPeriodsFollowTheVirtualClockInUTC() {
        let monday = Date(timeIntervalSince1970: 1_764_547_200)  // 2025-12-01T00:00:00Z, a Monday
        let sunday = monday.addingTimeInterval(-1)
        #expect(ApiKeyGrant.periodIndex("DAY", now: monday) == ApiKeyGrant.periodIndex("DAY", now: sunday) + 1)
        #expect(ApiKeyGrant.periodIndex("WEEK", now: monday) == ApiKeyGrant.periodIndex("WEEK", now: sunday) + 1)
        #expect(ApiKeyGrant.periodIndex("WEEK", now: monday) == ApiKeyGrant.periodIndex("WEEK", now: monday.addingTimeInterval(6 * 86_400 + 86_399)))
        #expect(ApiKeyGrant.periodIndex("MONTH", now: monday) == ApiKeyGrant.periodIndex("MONTH", now: sunday) + 1)
    }
}
