import Foundation
import Testing

@testable import CloudFormation

/// `TemplateLoader.isNumber` against the regular expressions it replaced, matched by Foundation as before.
@Suite struct NumberScalarTests {
    private static let patterns = [
        #"^[-+]?(0|[1-9][0-9_]*)$"#,
        #"^[-+]?0x[0-9a-fA-F_]+$"#,
        #"^[-+]?([0-9][0-9_]*)?\.?[0-9_]*([eE][-+]?[0-9]+)?$"#,
        #"^[-+]?\.(inf|Inf|INF)$"#,
        #"^\.(nan|NaN|NAN)$"#,
    ]

    /// The replaced implementation, word for word.
    private static func oracle(_ text: String) -> Bool {
        guard text.contains(where: \.isNumber) || text.lowercased().contains("inf") || text.lowercased().contains("nan") else { return false }
        return patterns.contains { text.range(of: $0, options: .regularExpression) != nil }
    }

    @Test func everyShortStringOverTheInterestingBytesAgrees() {
        let alphabet = ["0", "1", "8", "_", ".", "e", "E", "+", "-", "x", "a", "F", "g", " ", "٣"]
        var texts = [""]
        var layer = [""]
        for _ in 1...3 {
            layer = layer.flatMap { prefix in alphabet.map { prefix + $0 } }
            texts += layer
        }
        var mismatches: [String] = []
        for text in texts where TemplateLoader.isNumber(text) != Self.oracle(text) {
            mismatches.append(text)
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20))")
    }

    @Test(arguments: [
        "0", "-0", "+12", "1_000", "0x1F", "-0xff_ff", "0x", "1.5", ".5", "5.", "1e10", "1.5E-3", "1e", "1e+", "e5", "_1",
        "_.5", "1_.5", "-.inf", "+.Inf", ".INF", "inf", ".nan", "-.nan", ".NaN", "NaN", "1.2.3", "12:30", "2001-12-14", "0o17",
        "0b101", "١٢", "1 2", "v1", "1.0.0-beta", "3e4f", "0123", "+", "-", ".", "..5",
    ])
    func knownCasesAgree(text: String) {
        #expect(TemplateLoader.isNumber(text) == Self.oracle(text), "\(text)")
    }
}
