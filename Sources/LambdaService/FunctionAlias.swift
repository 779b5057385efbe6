import Foundation

/// A function alias: a name for a published version (or `$LATEST`), with optional weighted routing to one more
/// version (`RoutingConfig.AdditionalVersionWeights`).
package struct FunctionAlias: Sendable, Equatable, Codable {
    /// The alias name.
    package var name: String
    /// The version it points to.
    package var functionVersion: String
    /// The description.
    package var description: String
    /// Additional versions and the share of invocations each gets (0 to 1).
    package var additionalVersionWeights: [String: Double]
    /// The revision id.
    package var revisionId: String
    /// The alias's own resource-based policy (AddPermission with `Qualifier`), as JSON statement texts; optional so
    /// that aliases stored before it existed still load.
    package var policyStatements: [String]? = nil

    /// The `AliasConfiguration` shape.
    /// - Parameter functionArn: The function's unqualified ARN.
    /// - Returns: A JSON object.
    package func configuration(functionArn: String) -> [String: Any] {
        var object: [String: Any] = [
            "AliasArn": "\(functionArn):\(name)", "Name": name, "FunctionVersion": functionVersion, "Description": description,
            "RevisionId": revisionId,
        ]
        if !additionalVersionWeights.isEmpty { object["RoutingConfig"] = ["AdditionalVersionWeights": additionalVersionWeights] }
        return object
    }

    /// The version an invocation runs: an additional version with its weight's probability, else ``functionVersion``.
    /// - Parameter draw: A number in `0..<1` (random for invocations; fixed in tests).
    /// - Returns: The version.
    package func version(draw: Double) -> String {
        var threshold = 0.0
        for (version, weight) in additionalVersionWeights.sorted(by: { $0.key < $1.key }) {
            threshold += weight
            if draw < threshold { return version }
        }
        return functionVersion
    }
}
