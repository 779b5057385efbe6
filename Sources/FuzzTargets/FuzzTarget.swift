import Foundation

/// The parsers that face request bytes and template text, as fuzz targets.
///
/// Each target takes arbitrary bytes, feeds them to one family of parsers and renders whatever comes back (values
/// and AWS errors alike). A target never checks answers: its only job is to reach the code, so that a trap (integer
/// overflow, out-of-range index, force unwrap), a hang or unbounded memory shows up as a crash of the fuzzer.
///
/// The same entry points serve the libFuzzer executable in `Fuzz/` (built with `-sanitize=fuzzer`, run by
/// `scripts/fuzz`) and the `FuzzRegressionTests` of the normal `swift test`, which replay the committed corpus and
/// regression inputs and a short seeded mutation run.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// SigV4 and SigV2 verification of a whole request head: `Authorization` header, presigned query, dates, expiry.
    case sigv4
    /// The HTTP, ISO 8601 basic/extended date parsers and formatters, durations and the virtual clock.
    case dates
    /// The `aws-chunked` body decoder (unsigned, signed and trailer modes).
    case awsChunked = "aws-chunked"
    /// DynamoDB wire JSON: attribute value and item decoding, encoding, sizes and key encodings.
    case dynamodbJSON = "dynamodb-json"
    /// DynamoDB condition, filter, key condition, update and projection expressions, parsed and evaluated.
    case dynamodbExpression = "dynamodb-expression"
    /// S3 XML bodies: the XML tree, bucket configurations, CompleteMultipartUpload and DeleteObjects.
    case s3XML = "s3-xml"
    /// S3 request headers and query values: `Range`, `If-*` dates, listing counts, part numbers, `x-amz-tagging`.
    case s3Headers = "s3-headers"
    /// CloudFormation/SAM templates: loading, resolving and reading every resource spec.
    case template

    /// Runs the target once.
    /// - Parameter bytes: Any bytes.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .sigv4: SigV4Fuzzing.run(bytes)
        case .dates: DateFuzzing.run(bytes)
        case .awsChunked: SigV4Fuzzing.runChunked(bytes)
        case .dynamodbJSON: DynamoDBFuzzing.runJSON(bytes)
        case .dynamodbExpression: DynamoDBFuzzing.runExpression(bytes)
        case .s3XML: S3Fuzzing.runXML(bytes)
        case .s3Headers: S3Fuzzing.runHeaders(bytes)
        case .template: TemplateFuzzing.run(bytes)
        }
    }
}

/// Helpers shared by the targets.
enum FuzzInput {
    /// The input as text (invalid UTF-8 repaired, as the HTTP layer does).
    static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// The input split into lines (`\n`, a trailing `\r` dropped).
    static func lines(_ bytes: [UInt8]) -> [String] {
        text(bytes).split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
    }

    /// Keeps a value alive so the optimiser cannot drop the work that produced it.
    @inline(never)
    static func consume<T>(_ value: T) {
        withExtendedLifetime(value) {}
    }
}
