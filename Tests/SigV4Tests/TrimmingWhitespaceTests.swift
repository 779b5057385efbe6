import Foundation
import SigV4
import Testing

@Suite struct TrimmingWhitespaceTests {
    @Test(arguments: [
        "", " ", "\t", "  \t ", "abc", " abc", "abc ", "\t a b \t", "a\u{00A0}", "\u{2003}x\u{3000}", "\u{00A0}",
        " é ", "\n x \n", "x\r", " 😀 ", "AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=00 ",
    ])
    func matchesFoundation(text: String) {
        #expect(SigV4Encoding.trimmingWhitespace(text) == text.trimmingCharacters(in: .whitespaces))
        let sub = Substring(text)
        #expect(SigV4Encoding.trimmingWhitespace(sub) == sub.trimmingCharacters(in: .whitespaces))
    }
}
