/// IAM's ARN pattern matching for services that validate or evaluate resource-based policies themselves (an S3
/// bucket policy's resources must cover the bucket).
package enum ARNPattern {
    /// Whether an ARN pattern (`*` and `?` wildcards per component, as in policies) matches an ARN.
    /// - Parameters:
    ///   - pattern: The pattern, for example `arn:aws:s3:::bucket*`.
    ///   - arn: The ARN.
    /// - Returns: Whether it matches.
    package static func matches(pattern: String, arn: String) -> Bool {
        PatternMatcher.arnMatches(pattern: pattern, arn: arn, variables: nil)
    }
}
