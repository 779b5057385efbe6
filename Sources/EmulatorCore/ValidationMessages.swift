/// The request-validation texts AWS's JSON and query front ends share word for word (IAM, STS, Cognito, CloudWatch
/// Logs...): one constraint violation, or a required member left out.
package enum ValidationMessages {
    /// `1 validation error detected: Value null at 'FIELD' failed to satisfy constraint: Member must not be null`.
    /// - Parameter field: The member name as the service spells it.
    /// - Returns: The message.
    package static func mustNotBeNull(_ field: String) -> String {
        "1 validation error detected: Value null at '\(field)' failed to satisfy constraint: Member must not be null"
    }

    /// `1 validation error detected: Value 'VALUE' at 'FIELD' failed to satisfy constraint: CONSTRAINT`.
    /// - Parameters:
    ///   - field: The member name as the service spells it.
    ///   - value: The value sent.
    ///   - constraint: The constraint text.
    /// - Returns: The message.
    package static func constraint(_ field: String, value: String, _ constraint: String) -> String {
        "1 validation error detected: Value '\(value)' at '\(field)' failed to satisfy constraint: \(constraint)"
    }
}
