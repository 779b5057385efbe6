import Foundation

/// Parses human durations such as `7d`, `90m`, `1h30m`, `3600s`, `2w` or a plain number of seconds.
package enum DurationText {
    /// Seconds for each unit letter.
    private static let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]

    /// Parses a duration.
    /// - Parameter text: The text, for example `1h30m`; a leading `-` makes it negative.
    /// - Returns: The number of seconds, or `nil` when the text is not a duration.
    package static func seconds(_ text: String) -> TimeInterval? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var sign = 1.0
        if rest.first == "-" {
            sign = -1
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty else { return nil }
        if let plain = Double(rest), plain.isFinite { return sign * plain }
        var total = 0.0
        var number = ""
        for character in rest {
            if character.isNumber || character == "." {
                number.append(character)
            } else if let unit = units[Character(character.lowercased())], let value = Double(number) {
                total += value * unit
                number = ""
            } else {
                return nil
            }
        }
        guard number.isEmpty else { return nil }
        return sign * total
    }
}
