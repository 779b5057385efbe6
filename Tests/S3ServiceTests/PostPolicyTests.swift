import Foundation
import Testing

@testable import S3Service

/// `content-length-range` bounds in a presigned POST policy: any JSON number or numeric string, clamped.
@Suite struct PostPolicyTests {
    static func policy(_ minimum: String, _ maximum: String) -> String {
        Data(#"{"conditions":[["content-length-range",\#(minimum),\#(maximum)]]}"#.utf8).base64EncodedString()
    }

    @Test(
        "bounds beyond Int clamp instead of wrapping",
        arguments: [
            ("0", "1e30", 5_000, true),
            ("0", "18446744073709551616", 5_000, true),
            ("1e30", "1e31", 5_000, false),
            ("-1e300", "10", 5, true),
            (#""0""#, #""99999999999999999999999""#, 5_000, true),
            ("0", "100", 101, false),
            ("10", "100", 9, false),
        ]
    )
    func bounds(minimum: String, maximum: String, size: Int, accepted: Bool) {
        let outcome = Result { () throws(S3Error) in
            try PostPolicy.checkContentLength(policyBase64: Self.policy(minimum, maximum), fileSize: size)
        }
        switch outcome {
        case .success: #expect(accepted)
        case .failure: #expect(!accepted)
        }
    }

    @Test func lengthBoundParsesNumbersAndStrings() {
        #expect(PostPolicy.lengthBound(NSNumber(value: 42)) == 42)
        #expect(PostPolicy.lengthBound("42") == 42)
        #expect(PostPolicy.lengthBound(NSNumber(value: 1e30)) == Int.max)
        #expect(PostPolicy.lengthBound(NSNumber(value: -1e30)) == Int.min)
        #expect(PostPolicy.lengthBound("abc") == nil)
        #expect(PostPolicy.lengthBound([1]) == nil)
    }
}
