import EmulatorCore
import Foundation

/// The template's functions, and how the API and in-process callers find one by name, physical name, logical id,
/// ARN or partial ARN, with an optional qualifier.
struct FunctionCatalog: Sendable {
    /// A located function and the qualifier in effect (`$LATEST` or none).
    struct Located: Sendable {
        /// The function.
        var function: LambdaFunction
        /// The qualifier given (by parameter or embedded in the name), if any.
        var qualifier: String?
    }

    /// Every function, in template order.
    let functions: [LambdaFunction]
    private let environment: LiveEnvironment

    /// Creates the catalog.
    /// - Parameters:
    ///   - functions: The functions.
    ///   - environment: Region and account (of the ARNs in ResourceNotFound messages).
    init(functions: [LambdaFunction], environment: LiveEnvironment) {
        self.functions = functions
        self.environment = environment
    }

    /// Finds a function with an optional qualifier; only `$LATEST` (or none) exists here.
    /// - Parameters:
    ///   - identifier: A name, physical name, logical id, ARN or partial ARN, optionally `:QUALIFIER`.
    ///   - qualifier: The `Qualifier` parameter, which wins over an embedded one.
    /// - Returns: The function and the qualifier in effect.
    /// - Throws: ``LambdaError/resourceNotFound(arn:)`` with the ARN AWS names.
    func locate(_ identifier: String, qualifier: String?) throws(LambdaError) -> Located {
        guard let found = resolve(identifier) else {
            throw .resourceNotFound(arn: unqualifiedArn(for: identifier, qualifier: qualifier))
        }
        let effective = qualifier ?? found.qualifier
        if let effective, effective != "$LATEST" {
            throw .resourceNotFound(arn: "\(found.function.arn):\(effective)")
        }
        return Located(function: found.function, qualifier: effective)
    }

    /// Finds a function, splitting off an embedded qualifier (`NAME:QUALIFIER`, `ARN:QUALIFIER`,
    /// `ACCOUNT:function:NAME:QUALIFIER`) when the whole identifier names none.
    /// - Parameter identifier: The identifier.
    /// - Returns: The function and the embedded qualifier, or `nil`.
    func resolve(_ identifier: String) -> Located? {
        if let function = functions.first(where: { $0.matches(identifier) }) { return Located(function: function, qualifier: nil) }
        guard let colon = identifier.lastIndex(of: ":") else { return nil }
        let base = String(identifier[..<colon])
        let qualifier = String(identifier[identifier.index(after: colon)...])
        guard let function = functions.first(where: { $0.matches(base) }) else { return nil }
        return Located(function: function, qualifier: qualifier)
    }

    /// The ARN AWS reports for a function that does not exist.
    /// - Parameters:
    ///   - identifier: The identifier asked for.
    ///   - qualifier: The qualifier asked for.
    /// - Returns: `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`.
    func unqualifiedArn(for identifier: String, qualifier: String? = nil) -> String {
        let current = environment.current
        let name: String
        if let range = identifier.range(of: ":function:") {
            name = String(identifier[range.upperBound...])
        } else {
            name = identifier
        }
        let suffix = qualifier.map { ":\($0)" } ?? ""
        return "arn:aws:lambda:\(current.region):\(current.accountId):function:\(name)\(suffix)"
    }
}
