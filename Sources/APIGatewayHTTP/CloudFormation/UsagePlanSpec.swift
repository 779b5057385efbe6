import CloudFormation

/// One API key a REST API stage accepts: an `AWS::ApiGateway::ApiKey` that an `AWS::ApiGateway::UsagePlanKey` puts
/// in an `AWS::ApiGateway::UsagePlan` whose `ApiStages` name the stage.
package struct ApiKeyGrant: Sendable, Equatable {
    /// A usage plan's `Quota`.
    package struct Quota: Sendable, Equatable {
        /// `Limit`: requests per period.
        package var limit: Int
        /// `Period`: `DAY`, `WEEK` or `MONTH`.
        package var period: String

        /// Creates a quota.
        /// - Parameters:
        ///   - limit: Requests per period.
        ///   - period: `DAY`, `WEEK` or `MONTH`.
        package init(limit: Int, period: String) {
            self.limit = limit
            self.period = period
        }
    }

    /// The key id (`Ref` of the `ApiKey`).
    package var keyId: String
    /// The key value (`Value`, or the one generated for it).
    package var value: String
    /// `Enabled`.
    package var enabled: Bool
    /// Whether the value was generated (the key has no `Value`).
    package var generated: Bool
    /// The usage plan id.
    package var planId: String
    /// The stage the plan covers.
    package var stage: String
    /// The plan's quota, if any.
    package var quota: Quota?
}

extension RestApiSpec {
    /// The API keys of the usage plans naming this API: one grant per key, plan and stage.
    /// - Parameters:
    ///   - apiId: The API id.
    ///   - stack: The stack.
    /// - Returns: The grants.
    /// - Throws: ``TemplateError`` when a property has the wrong shape.
    static func apiKeyGrants(apiId: String, in stack: Stack) throws(TemplateError) -> [ApiKeyGrant] {
        var keys: [String: (value: String, enabled: Bool, generated: Bool)] = [:]
        for key in stack.resources(ofType: RestApiProvider.apiKeyType) {
            let reader = SpecReader(key)
            let explicit = try reader["Value"].string()
            keys[key.physicalId] = (explicit ?? ApiKeyGrant.generatedValue(key.physicalId), try reader["Enabled"].bool() ?? false, explicit == nil)
        }
        var planKeys: [String: [String]] = [:]
        for planKey in stack.resources(ofType: RestApiProvider.usagePlanKeyType) {
            let reader = SpecReader(planKey)
            planKeys[try reader["UsagePlanId"].requiredString(), default: []].append(try reader["KeyId"].requiredString())
        }
        var grants: [ApiKeyGrant] = []
        for plan in stack.resources(ofType: RestApiProvider.usagePlanType) {
            let reader = SpecReader(plan)
            var quota: ApiKeyGrant.Quota?
            if let limit = try reader["Quota"]["Limit"].int() {
                quota = ApiKeyGrant.Quota(limit: max(0, limit), period: (try reader["Quota"]["Period"].string() ?? "DAY").uppercased())
            }
            for stage in try reader["ApiStages"].list() ?? [] where try stage["ApiId"].string() == apiId {
                guard let stageName = try stage["Stage"].string() else { continue }
                for keyId in planKeys[plan.physicalId] ?? [] {
                    guard let key = keys[keyId] else { continue }
                    grants.append(
                        ApiKeyGrant(
                            keyId: keyId,
                            value: key.value,
                            enabled: key.enabled,
                            generated: key.generated,
                            planId: plan.physicalId,
                            stage: stageName,
                            quota: quota
                        )
                    )
                }
            }
        }
        return grants
    }
}

extension ApiKeyGrant {
    /// The value API Gateway would generate for a key without `Value`: 40 alphanumerics, stable per key id.
    /// - Parameter keyId: The key id.
    /// - Returns: The value.
    package static func generatedValue(_ keyId: String) -> String {
        PhysicalNames.randomString(
            seed: PhysicalNames.seed(keyId, "api-key-value"),
            count: 40,
            alphabet: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        )
    }
}
