import Foundation

/// Evaluates condition clauses against a request context, following IAM's rules for missing keys and set qualifiers.
enum ConditionEvaluator {
    /// Whether every clause holds (clauses of a `Condition` block are ANDed).
    static func allHold(_ clauses: [ConditionClause], context: ContextLookup, variables: ContextLookup?) -> Bool {
        clauses.allSatisfy { holds($0, context: context, variables: variables) }
    }

    /// Whether one clause holds.
    static func holds(_ clause: ConditionClause, context: ContextLookup, variables: ContextLookup?) -> Bool {
        let present = context.value(forKey: clause.key)
        if clause.operation == .null {
            let absent = present.map { $0.values.isEmpty } ?? true
            return clause.values.contains { value in
                switch value.lowercased() {
                case "true": absent
                case "false": !absent
                default: false
                }
            }
        }
        let requestValues = present?.values ?? []
        guard present != nil, !requestValues.isEmpty else {
            if clause.ifExists { return true }
            switch clause.qualifier {
            case .forAllValues: return true
            case .forAnyValue: return false
            case nil: return clause.operation.isNegated
            }
        }
        let policyVariables = clause.operation.supportsPolicyVariables ? variables : nil
        let perValue: (String) -> Bool = { requestValue in
            let matched = clause.values.contains { policyValue in
                compare(clause.operation, requestValue: requestValue, policyValue: policyValue, variables: policyVariables)
            }
            return clause.operation.isNegated ? !matched : matched
        }
        switch clause.qualifier {
        case .forAllValues:
            return requestValues.allSatisfy(perValue)
        case .forAnyValue:
            return requestValues.contains(where: perValue)
        case nil:
            // A single-valued operator against a multivalued key: positive operators need one match,
            // negated operators need no value to match.
            return clause.operation.isNegated ? requestValues.allSatisfy(perValue) : requestValues.contains(where: perValue)
        }
    }

    /// The positive comparison underlying an operator (negated operators compare with their positive form).
    private static func compare(_ operation: ConditionOperator, requestValue: String, policyValue: String, variables: ContextLookup?) -> Bool {
        switch operation {
        case .stringEquals, .stringNotEquals:
            return PatternMatcher.resolve(policyValue, variables: variables) == requestValue
        case .stringEqualsIgnoreCase, .stringNotEqualsIgnoreCase:
            guard let resolved = PatternMatcher.resolve(policyValue, variables: variables) else { return false }
            return resolved.lowercased() == requestValue.lowercased()
        case .stringLike, .stringNotLike:
            guard let tokens = PatternMatcher.compile(policyValue, wildcards: true, variables: variables) else { return false }
            return PatternMatcher.matches(tokens, Array(requestValue))
        case .numericEquals, .numericNotEquals, .numericLessThan, .numericLessThanEquals, .numericGreaterThan, .numericGreaterThanEquals:
            guard let lhs = Double(requestValue.trimmingCharacters(in: .whitespaces)),
                let rhs = Double(policyValue.trimmingCharacters(in: .whitespaces))
            else { return false }
            return ordered(operation, lhs, rhs)
        case .dateEquals, .dateNotEquals, .dateLessThan, .dateLessThanEquals, .dateGreaterThan, .dateGreaterThanEquals:
            guard let lhs = parseDate(requestValue), let rhs = parseDate(policyValue) else { return false }
            return ordered(operation, lhs.timeIntervalSince1970, rhs.timeIntervalSince1970)
        case .bool:
            guard let resolved = PatternMatcher.resolve(policyValue, variables: variables) else { return false }
            return resolved.lowercased() == requestValue.lowercased()
        case .binaryEquals:
            if let lhs = Data(base64Encoded: requestValue), let rhs = Data(base64Encoded: policyValue) { return lhs == rhs }
            return requestValue == policyValue
        case .ipAddress, .notIpAddress:
            guard let address = IPAddress(parsing: requestValue), let range = IPRange(parsing: policyValue) else { return false }
            return range.contains(address)
        case .arnEquals, .arnLike, .arnNotEquals, .arnNotLike:
            return PatternMatcher.arnMatches(pattern: policyValue, arn: requestValue, variables: variables)
        case .null:
            return false
        }
    }

    private static func ordered(_ operation: ConditionOperator, _ lhs: Double, _ rhs: Double) -> Bool {
        switch operation {
        case .numericLessThan, .dateLessThan: lhs < rhs
        case .numericLessThanEquals, .dateLessThanEquals: lhs <= rhs
        case .numericGreaterThan, .dateGreaterThan: lhs > rhs
        case .numericGreaterThanEquals, .dateGreaterThanEquals: lhs >= rhs
        default: lhs == rhs
        }
    }

    /// Parses an IAM date: epoch seconds, or ISO 8601 with or without time, fractional seconds and offset.
    static func parseDate(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed) { return Date(timeIntervalSince1970: seconds) }
        let styles: [Date.ISO8601FormatStyle] = [
            Date.ISO8601FormatStyle(),
            Date.ISO8601FormatStyle(includingFractionalSeconds: true),
            Date.ISO8601FormatStyle().year().month().day(),
        ]
        for style in styles {
            if let date = try? Date(trimmed, strategy: style) { return date }
        }
        return nil
    }
}

/// An IPv4 or IPv6 address as bytes.
struct IPAddress: Sendable, Hashable {
    /// 4 bytes for IPv4, 16 for IPv6.
    var bytes: [UInt8]

    init?(parsing text: String) {
        if text.contains(":") {
            guard let bytes = Self.parseIPv6(text) else { return nil }
            self.bytes = bytes
        } else {
            guard let bytes = Self.parseIPv4(text) else { return nil }
            self.bytes = bytes
        }
    }

    static func parseIPv4(_ text: some StringProtocol) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func parseIPv6(_ text: String) -> [UInt8]? {
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt8]? {
            if part.isEmpty { return [] }
            var bytes: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = parseIPv4(piece) else { return nil }
                    bytes.append(contentsOf: v4)
                    continue
                }
                guard !piece.isEmpty, piece.count <= 4, let value = UInt16(piece, radix: 16) else { return nil }
                bytes.append(UInt8(value >> 8))
                bytes.append(UInt8(value & 0xFF))
            }
            return bytes
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count < 16 else { return nil }
        return head + Array(repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

/// A CIDR range (`10.0.0.0/8`, `2001:db8::/32`) or a single address.
struct IPRange: Sendable, Hashable {
    var network: IPAddress
    var prefixLength: Int

    init?(parsing text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress(parsing: String(parts[0])) else { return nil }
        let maximum = address.bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...maximum).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = maximum
        }
        network = address
    }

    func contains(_ address: IPAddress) -> Bool {
        var bytes = address.bytes
        // An IPv4-mapped IPv6 address (::ffff:a.b.c.d), as dual-stack listeners report IPv4 clients, matches IPv4 ranges.
        if bytes.count == 16, network.bytes.count == 4, bytes.prefix(10).allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes.suffix(4))
        }
        guard bytes.count == network.bytes.count else { return false }
        var remaining = prefixLength
        for (lhs, rhs) in zip(bytes, network.bytes) {
            guard remaining > 0 else { return true }
            let bits = min(remaining, 8)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if lhs & mask != rhs & mask { return false }
            remaining -= bits
        }
        return true
    }
}
