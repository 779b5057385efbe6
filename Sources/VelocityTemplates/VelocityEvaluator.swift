import Foundation

/// Runs a parsed template: variables, loops, built-ins and the work limits.
struct VelocityEvaluator {
    /// API Gateway's quota on `#foreach` iterations.
    static let maximumIterations = 1000
    /// The largest output (API Gateway's 10 MB payload limit).
    static let maximumOutput = 10 * 1024 * 1024
    /// Evaluation steps before a template is stopped.
    static let maximumSteps = 2_000_000

    /// How rendering a block ended.
    enum Flow {
        case normal
        case breakLoop
        case stop
    }

    private struct LoopState {
        var index: Int
        var count: Int
    }

    let context: VelocityContext
    private var variables: [String: VelocityValue] = [:]
    private var loops: [LoopState] = []
    private var steps = 0
    private var parsedBody: VelocityValue??

    init(context: VelocityContext) {
        self.context = context
    }

    // MARK: Nodes

    mutating func render(_ nodes: [VelocityNode], into output: inout String) throws(VelocityError) -> Flow {
        for node in nodes {
            try step()
            switch node {
            case .text(let text):
                output += text
            case .reference(let reference, let quiet, let source):
                if let value = try evaluate(reference), value != .null {
                    try Self.checkSize(value)
                    output += value.rendered
                } else if !quiet {
                    output += source
                }
            case .set(let target, let expression):
                let value = try evaluate(expression)
                try Self.checkSize(value)
                assign(value ?? .null, to: target)
                if let root = variables[target.root] { try Self.checkSize(root) }
            case .conditional(let branches, let otherwise):
                var chosen: [VelocityNode]? = nil
                for (condition, body) in branches {
                    if try evaluate(condition)?.isTruthy ?? false {
                        chosen = body
                        break
                    }
                }
                let flow = try render(chosen ?? otherwise, into: &output)
                if flow != .normal { return flow }
            case .foreach(let name, let collection, let body):
                let items = Self.iterable(try evaluate(collection))
                guard items.count <= Self.maximumIterations else {
                    throw .limitExceeded("#foreach over \(items.count) items (at most \(Self.maximumIterations))")
                }
                let saved = variables[name]
                loops.append(LoopState(index: 0, count: items.count))
                defer { loops.removeLast() }
                var stopped = false
                for (position, item) in items.enumerated() {
                    loops[loops.count - 1].index = position
                    variables[name] = item
                    variables["velocityCount"] = .int(position + 1)
                    let flow = try render(body, into: &output)
                    if flow == .breakLoop { break }
                    if flow == .stop {
                        stopped = true
                        break
                    }
                }
                variables[name] = saved
                if stopped { return .stop }
            case .breakLoop:
                return .breakLoop
            case .stop:
                return .stop
            }
            guard output.utf8.count <= Self.maximumOutput else { throw .limitExceeded("output larger than 10 MB") }
        }
        return .normal
    }

    private mutating func step() throws(VelocityError) {
        steps += 1
        if steps > Self.maximumSteps { throw .limitExceeded("too many evaluation steps") }
    }

    /// The most elements a list or map value may hold, nested ones included (`[$l, $l]` doubles a value each time).
    static let maximumElements = 100_000

    private static func withinSize(_ value: VelocityValue, budget: inout Int) -> Bool {
        budget -= 1
        guard budget >= 0 else { return false }
        switch value {
        case .list(let items):
            for item in items where !withinSize(item, budget: &budget) { return false }
        case .map(let map):
            for entry in map.entries where !withinSize(entry.value, budget: &budget) { return false }
        case .string(let text):
            return text.utf8.count <= maximumOutput
        default:
            break
        }
        return true
    }

    /// Refuses values past the size limits (``maximumElements``, strings past 10 MB).
    static func checkSize(_ value: VelocityValue?) throws(VelocityError) {
        guard let value else { return }
        var budget = maximumElements
        guard withinSize(value, budget: &budget) else { throw .limitExceeded("a value larger than \(maximumElements) elements or 10 MB") }
    }

    private static func iterable(_ value: VelocityValue?) -> [VelocityValue] {
        switch value {
        case .list(let items): return items
        case .map(let map): return map.entries.map(\.value)
        case nil, .null: return []
        case .some(let other): return [other]
        }
    }

    // MARK: Assignment

    private mutating func assign(_ value: VelocityValue, to target: VelocityReference) {
        var names: [String] = []
        for step in target.steps {
            guard case .property(let name) = step else { return }
            names.append(name)
        }
        if names.isEmpty {
            variables[target.root] = value
        } else if let current = variables[target.root] {
            variables[target.root] = Self.setting(value, at: names[...], in: current)
        }
    }

    private static func setting(_ value: VelocityValue, at path: ArraySlice<String>, in container: VelocityValue) -> VelocityValue {
        guard let first = path.first, case .map(var map) = container else { return container }
        if path.count == 1 {
            map[first] = value
        } else if let inner = map[first] {
            map[first] = setting(value, at: path.dropFirst(), in: inner)
        }
        return .map(map)
    }

    // MARK: References

    private mutating func evaluate(_ reference: VelocityReference) throws(VelocityError) -> VelocityValue? {
        var current: VelocityValue?
        switch reference.root {
        case "input": current = .builtin(.input)
        case "util": current = .builtin(.util)
        case "context": current = .map(context.context)
        case "stageVariables": current = .map(context.stageVariables)
        case "foreach": current = loops.isEmpty ? nil : .builtin(.foreach)
        default: current = variables[reference.root]
        }
        // A mutating call (`$map.put(k, v)`, `$list.add(x)`) on a variable or a property path of one.
        if let last = reference.steps.last, case .method(let name, let argumentExpressions) = last,
            ["put", "add", "remove", "putAll", "addAll"].contains(name),
            reference.root != "input", reference.root != "util", reference.root != "context", reference.root != "stageVariables"
        {
            var path: [String] = []
            for step in reference.steps.dropLast() {
                guard case .property(let property) = step else { return nil }
                path.append(property)
            }
            var arguments: [VelocityValue] = []
            for expression in argumentExpressions { arguments.append(try evaluate(expression) ?? .null) }
            guard let root = variables[reference.root] else { return nil }
            var target = root
            for name in path {
                guard case .map(let map) = target, let inner = map[name] else { return nil }
                target = inner
            }
            let (updated, result) = Self.mutate(target, method: name, arguments: arguments)
            guard let updated else { return nil }
            try Self.checkSize(updated)
            variables[reference.root] = path.isEmpty ? updated : Self.setting(updated, at: path[...], in: root)
            return result
        }
        for step in reference.steps {
            try self.step()
            guard let value = current else { return nil }
            switch step {
            case .property(let name):
                current = try property(name, of: value)
            case .method(let name, let argumentExpressions):
                var arguments: [VelocityValue] = []
                for expression in argumentExpressions { arguments.append(try evaluate(expression) ?? .null) }
                current = try call(name, on: value, arguments: arguments)
            case .index(let expression):
                let key = try evaluate(expression) ?? .null
                current = Self.element(of: value, at: key)
            }
            if case .string(let text) = current, text.utf8.count > Self.maximumOutput { throw .limitExceeded("a string larger than 10 MB") }
        }
        return current
    }

    private static func mutate(_ target: VelocityValue, method: String, arguments: [VelocityValue]) -> (VelocityValue?, VelocityValue?) {
        switch (target, method, arguments.count) {
        case (.map(var map), "put", 2):
            let key = arguments[0].rendered
            let previous = map[key]
            map[key] = arguments[1]
            return (.map(map), previous)
        case (.map(var map), "putAll", 1):
            if case .map(let other) = arguments[0] { for entry in other.entries { map[entry.key] = entry.value } }
            return (.map(map), nil)
        case (.map(var map), "remove", 1):
            let key = arguments[0].rendered
            let previous = map[key]
            map[key] = nil
            return (.map(map), previous)
        case (.list(var items), "add", 1):
            guard items.count < maximumIterations * 10 else { return (nil, nil) }
            items.append(arguments[0])
            return (.list(items), .bool(true))
        case (.list(var items), "addAll", 1):
            if case .list(let other) = arguments[0], items.count + other.count <= maximumIterations * 10 { items += other }
            return (.list(items), .bool(true))
        default:
            return (nil, nil)
        }
    }

    private static func element(of value: VelocityValue, at key: VelocityValue) -> VelocityValue? {
        switch (value, key) {
        case (.list(let items), .int(let position)):
            return items.indices.contains(position) ? items[position] : nil
        case (.map(let map), _):
            return map[key.rendered]
        default:
            return nil
        }
    }

    private mutating func property(_ name: String, of value: VelocityValue) throws(VelocityError) -> VelocityValue? {
        switch value {
        case .map(let map):
            return map[name]
        case .builtin(.input):
            return name == "body" ? .string(context.body) : nil
        case .builtin(.foreach):
            guard let loop = loops.last else { return nil }
            switch name {
            case "hasNext": return .bool(loop.index + 1 < loop.count)
            case "index": return .int(loop.index)
            case "count": return .int(loop.index + 1)
            case "first": return .bool(loop.index == 0)
            case "last": return .bool(loop.index + 1 == loop.count)
            default: return nil
            }
        case .list, .string:
            // Java bean getters: `$list.size`/`$text.empty` are not properties; `$x.class` is not offered.
            return nil
        default:
            return nil
        }
    }

    // MARK: Methods

    private mutating func call(_ name: String, on value: VelocityValue, arguments: [VelocityValue]) throws(VelocityError) -> VelocityValue? {
        switch value {
        case .builtin(.input): return try inputMethod(name, arguments)
        case .builtin(.util): return utilMethod(name, arguments)
        case .builtin(.foreach): return try property(name.hasPrefix("has") || name.hasPrefix("is") ? Self.beanName(name) : name, of: value)
        case .string(let text): return try Self.stringMethod(name, text, arguments)
        case .list(let items): return Self.listMethod(name, items, arguments)
        case .map(let map): return Self.mapMethod(name, map, arguments)
        case .int, .double, .bool: return Self.scalarMethod(name, value, arguments)
        case .null: return nil
        }
    }

    private static func beanName(_ name: String) -> String {
        if name == "hasNext" { return "hasNext" }
        if name.hasPrefix("is") { return String(name.dropFirst(2)).lowercased() }
        return name
    }

    private mutating func body() throws(VelocityError) -> VelocityValue {
        if let parsedBody {
            guard let value = parsedBody else { throw .bodyNotJSON }
            return value
        }
        let trimmed = context.body.trimmingWhitespace
        // An empty body is the empty object to JSONPath, as API Gateway treats it.
        let value: VelocityValue? = trimmed.isEmpty ? .map(VelocityMap()) : VelocityJSON.parse(trimmed)
        parsedBody = .some(value)
        guard let value else { throw .bodyNotJSON }
        return value
    }

    private mutating func inputMethod(_ name: String, _ arguments: [VelocityValue]) throws(VelocityError) -> VelocityValue? {
        switch (name, arguments.count) {
        case ("json", 1):
            guard case .string(let path) = arguments[0] else { return nil }
            return try VelocityJSON.select(path, in: try body()).map { .string($0.json) } ?? .string("")
        case ("path", 1):
            guard case .string(let path) = arguments[0] else { return nil }
            return try VelocityJSON.select(path, in: try body())
        case ("params", 0):
            func group(_ pairs: [(name: String, value: String)]) -> VelocityValue {
                .map(VelocityMap(pairs.map { (key: $0.name, value: VelocityValue.string($0.value)) }))
            }
            return .map(
                VelocityMap([
                    (key: "path", value: group(context.pathParameters)), (key: "querystring", value: group(context.queryParameters)),
                    (key: "header", value: group(context.headers)),
                ])
            )
        case ("params", 1):
            let key = arguments[0].rendered
            if let found = context.pathParameters.first(where: { $0.name == key }) { return .string(found.value) }
            if let found = context.queryParameters.first(where: { $0.name == key }) { return .string(found.value) }
            if let found = context.headers.first(where: { $0.name.lowercased() == key.lowercased() }) { return .string(found.value) }
            return .string("")
        case ("getBody", 0), ("body", 0):
            return .string(context.body)
        default:
            return nil
        }
    }

    private func utilMethod(_ name: String, _ arguments: [VelocityValue]) -> VelocityValue? {
        guard arguments.count == 1 else { return nil }
        let text = arguments[0].rendered
        switch name {
        case "escapeJavaScript": return .string(VelocityUtil.escapeJavaScript(text))
        case "urlEncode": return .string(VelocityUtil.urlEncode(text))
        case "urlDecode": return .string(VelocityUtil.urlDecode(text))
        case "base64Encode": return .string(Data(text.utf8).base64EncodedString())
        case "base64Decode": return Data(base64Encoded: text).map { .string(String(decoding: $0, as: UTF8.self)) } ?? .string("")
        case "parseJson": return VelocityJSON.parse(text)
        default: return nil
        }
    }

    private static func integer(_ value: VelocityValue?) -> Int? {
        switch value {
        case .int(let number): return number
        case .double(let number) where number.rounded() == number && abs(number) < 1e15: return Int(number)
        case .string(let text): return Int(text)
        default: return nil
        }
    }

    private static func stringMethod(_ name: String, _ text: String, _ arguments: [VelocityValue]) throws(VelocityError) -> VelocityValue? {
        let strings = arguments.map(\.rendered)
        switch (name, arguments.count) {
        case ("length", 0): return .int(text.utf16.count)
        case ("toLowerCase", 0): return .string(text.lowercased())
        case ("toUpperCase", 0): return .string(text.uppercased())
        case ("trim", 0): return .string(text.trimmingWhitespace)
        case ("isEmpty", 0): return .bool(text.isEmpty)
        case ("toString", 0): return .string(text)
        case ("contains", 1): return .bool(text.contains(strings[0]))
        case ("startsWith", 1): return .bool(text.hasPrefix(strings[0]))
        case ("endsWith", 1): return .bool(text.hasSuffix(strings[0]))
        case ("equals", 1): return .bool(arguments[0] == .string(text))
        case ("equalsIgnoreCase", 1): return .bool(text.lowercased() == strings[0].lowercased())
        case ("indexOf", 1):
            guard let range = text.range(of: strings[0]) else { return .int(-1) }
            return .int(text.utf16.distance(from: text.startIndex, to: range.lowerBound))
        case ("replace", 2): return .string(text.replacingOccurrences(of: strings[0], with: strings[1]))
        case ("replaceAll", 2), ("replaceFirst", 2):
            guard let regex = try? NSRegularExpression(pattern: strings[0]) else { return nil }
            let range = NSRange(text.startIndex..., in: text)
            // Java's `$1` group references are NSRegularExpression's too.
            if name == "replaceFirst" {
                guard let match = regex.firstMatch(in: text, range: range), let swiftRange = Range(match.range, in: text) else {
                    return .string(text)
                }
                let replacement = regex.replacementString(for: match, in: text, offset: 0, template: strings[1])
                return .string(text.replacingCharacters(in: swiftRange, with: replacement))
            }
            return .string(regex.stringByReplacingMatches(in: text, range: range, withTemplate: strings[1]))
        case ("matches", 1):
            guard let regex = try? NSRegularExpression(pattern: "^(?:" + strings[0] + ")$") else { return nil }
            return .bool(regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil)
        case ("split", 1):
            guard let regex = try? NSRegularExpression(pattern: strings[0]) else { return nil }
            var parts: [VelocityValue] = []
            var start = text.startIndex
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range, in: text), !range.isEmpty else { continue }
                parts.append(.string(String(text[start..<range.lowerBound])))
                start = range.upperBound
            }
            parts.append(.string(String(text[start...])))
            while parts.count > 1, parts.last == .string("") { parts.removeLast() }
            return .list(parts)
        case ("substring", 1), ("substring", 2):
            let units = Array(text.utf16)
            guard let from = integer(arguments[0]) else { return nil }
            let to = arguments.count == 2 ? integer(arguments[1]) : units.count
            guard let to, from >= 0, to <= units.count, from <= to else { return nil }
            return .string(String(decoding: units[from..<to], as: UTF16.self))
        case ("charAt", 1):
            let units = Array(text.utf16)
            guard let at = integer(arguments[0]), units.indices.contains(at) else { return nil }
            return .string(String(decoding: [units[at]], as: UTF16.self))
        default:
            return nil
        }
    }

    private static func listMethod(_ name: String, _ items: [VelocityValue], _ arguments: [VelocityValue]) -> VelocityValue? {
        switch (name, arguments.count) {
        case ("size", 0): return .int(items.count)
        case ("isEmpty", 0): return .bool(items.isEmpty)
        case ("get", 1):
            guard let at = integer(arguments[0]), items.indices.contains(at) else { return nil }
            return items[at]
        case ("contains", 1): return .bool(items.contains(arguments[0]))
        case ("indexOf", 1): return .int(items.firstIndex(of: arguments[0]) ?? -1)
        case ("toString", 0): return .string(VelocityValue.list(items).rendered)
        default: return nil
        }
    }

    private static func mapMethod(_ name: String, _ map: VelocityMap, _ arguments: [VelocityValue]) -> VelocityValue? {
        switch (name, arguments.count) {
        case ("size", 0): return .int(map.entries.count)
        case ("isEmpty", 0): return .bool(map.entries.isEmpty)
        case ("get", 1): return map[arguments[0].rendered]
        case ("containsKey", 1): return .bool(map[arguments[0].rendered] != nil)
        case ("keySet", 0): return .list(map.keys.map(VelocityValue.string))
        case ("values", 0): return .list(map.entries.map(\.value))
        case ("entrySet", 0):
            return .list(map.entries.map { .map(VelocityMap([(key: "key", value: .string($0.key)), (key: "value", value: $0.value)])) })
        case ("toString", 0): return .string(VelocityValue.map(map).rendered)
        default: return nil
        }
    }

    private static func scalarMethod(_ name: String, _ value: VelocityValue, _ arguments: [VelocityValue]) -> VelocityValue? {
        switch (name, arguments.count) {
        case ("toString", 0): return .string(value.rendered)
        case ("equals", 1): return .bool(compare(value, arguments[0]) == .orderedSame)
        case ("intValue", 0), ("longValue", 0):
            if case .double(let number) = value, number.isFinite, abs(number) < 9e18 { return .int(Int(number)) }
            return value
        case ("doubleValue", 0):
            if case .int(let number) = value { return .double(Double(number)) }
            return value
        default: return nil
        }
    }

    // MARK: Expressions

    private mutating func evaluate(_ expression: VelocityExpression) throws(VelocityError) -> VelocityValue? {
        try step()
        switch expression {
        case .literal(let value):
            return value
        case .interpolated(let nodes):
            var text = ""
            _ = try render(nodes, into: &text)
            return .string(text)
        case .reference(let reference):
            return try evaluate(reference)
        case .list(let items):
            var values: [VelocityValue] = []
            for item in items { values.append(try evaluate(item) ?? .null) }
            try Self.checkSize(.list(values))
            return .list(values)
        case .range(let from, let to):
            guard let low = Self.integer(try evaluate(from)), let high = Self.integer(try evaluate(to)) else { return nil }
            let (distance, overflow) = high.subtractingReportingOverflow(low)
            guard !overflow, distance.magnitude < UInt(Self.maximumIterations * 10) else {
                throw .limitExceeded("range [\(low)..\(high)] too large")
            }
            return .list(low <= high ? (low...high).map(VelocityValue.int) : (high...low).reversed().map(VelocityValue.int))
        case .map(let entries):
            var map = VelocityMap()
            for (key, value) in entries {
                let keyValue = try evaluate(key) ?? .null
                try Self.checkSize(keyValue)
                map[keyValue.rendered] = try evaluate(value) ?? .null
            }
            try Self.checkSize(.map(map))
            return .map(map)
        case .unary(let op, let operand):
            let value = try evaluate(operand)
            if op == "!" { return .bool(!(value?.isTruthy ?? false)) }
            switch value {
            case .int(let number):
                let (negated, overflow) = Int(0).subtractingReportingOverflow(number)
                if overflow { throw .arithmeticOverflow }
                return .int(negated)
            case .double(let number): return .double(-number)
            default: return nil
            }
        case .binary(let op, let left, let right):
            if op == "&&" {
                guard try evaluate(left)?.isTruthy ?? false else { return .bool(false) }
                return .bool(try evaluate(right)?.isTruthy ?? false)
            }
            if op == "||" {
                if try evaluate(left)?.isTruthy ?? false { return .bool(true) }
                return .bool(try evaluate(right)?.isTruthy ?? false)
            }
            let lhs = try evaluate(left) ?? .null
            let rhs = try evaluate(right) ?? .null
            return try Self.binary(op, lhs, rhs)
        }
    }

    private static func binary(_ op: String, _ lhs: VelocityValue, _ rhs: VelocityValue) throws(VelocityError) -> VelocityValue? {
        switch op {
        case "==": return .bool(compare(lhs, rhs) == .orderedSame)
        case "!=": return .bool(compare(lhs, rhs) != .orderedSame)
        case "<", "<=", ">", ">=":
            guard let order = compare(lhs, rhs) else { return .bool(false) }
            switch op {
            case "<": return .bool(order == .orderedAscending)
            case "<=": return .bool(order != .orderedDescending)
            case ">": return .bool(order == .orderedDescending)
            default: return .bool(order != .orderedAscending)
            }
        case "+":
            if case .string = lhs {} else if case .string = rhs {} else { return try arithmetic(op, lhs, rhs) }
            try checkSize(lhs)
            try checkSize(rhs)
            let joined = lhs.rendered + rhs.rendered
            guard joined.utf8.count <= maximumOutput else { throw .limitExceeded("a string larger than 10 MB") }
            return .string(joined)
        default:
            return try arithmetic(op, lhs, rhs)
        }
    }

    private static func arithmetic(_ op: String, _ lhs: VelocityValue, _ rhs: VelocityValue) throws(VelocityError) -> VelocityValue? {
        if case .int(let a) = lhs, case .int(let b) = rhs {
            let result: (partialValue: Int, overflow: Bool)
            switch op {
            case "+": result = a.addingReportingOverflow(b)
            case "-": result = a.subtractingReportingOverflow(b)
            case "*": result = a.multipliedReportingOverflow(by: b)
            case "/":
                guard b != 0 else { return nil }
                result = a.dividedReportingOverflow(by: b)
            case "%":
                guard b != 0 else { return nil }
                result = a.remainderReportingOverflow(dividingBy: b)
            default: return nil
            }
            if result.overflow { throw .arithmeticOverflow }
            return .int(result.partialValue)
        }
        guard let a = number(lhs), let b = number(rhs) else { return nil }
        switch op {
        case "+": return .double(a + b)
        case "-": return .double(a - b)
        case "*": return .double(a * b)
        case "/": return b == 0 ? nil : .double(a / b)
        case "%": return b == 0 ? nil : .double(a.truncatingRemainder(dividingBy: b))
        default: return nil
        }
    }

    private static func number(_ value: VelocityValue) -> Double? {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        default: return nil
        }
    }

    /// Velocity's comparison: numbers by value, strings by text, other mixes by their text; `nil` when unordered.
    private static func compare(_ lhs: VelocityValue, _ rhs: VelocityValue) -> ComparisonResult? {
        if let a = number(lhs), let b = number(rhs) {
            return a < b ? .orderedAscending : (a > b ? .orderedDescending : .orderedSame)
        }
        switch (lhs, rhs) {
        case (.null, .null): return .orderedSame
        case (.null, _), (_, .null): return nil
        case (.string(let a), .string(let b)): return a < b ? .orderedAscending : (a > b ? .orderedDescending : .orderedSame)
        default:
            if lhs == rhs { return .orderedSame }
            let a = lhs.rendered
            let b = rhs.rendered
            return a == b ? .orderedSame : nil
        }
    }
}
