import Foundation

/// Generates the request identifiers AWS services put in responses.
package enum RequestID {
    private static let upperAlphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    /// A UUID-shaped request id, as Lambda, STS, CloudFormation and Cognito send (`x-amzn-RequestId`).
    package static func uuid() -> String { UUID().uuidString.lowercased() }

    /// A 52-character uppercase id, as DynamoDB sends.
    package static func dynamoDB() -> String { random(count: 52, from: upperAlphanumerics) }

    /// A 16-character uppercase hexadecimal id, as S3 sends in `x-amz-request-id`.
    package static func s3() -> String { random(count: 16, from: Array("0123456789ABCDEF")) }

    /// A base64 host id, as S3 sends in `x-amz-id-2`.
    package static func s3HostID() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<48).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
    }

    private static func random(count: Int, from alphabet: [Character]) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
