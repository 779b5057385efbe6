import DynamoDBService
import Foundation

/// Fuzzing of DynamoDB wire JSON and expressions.
enum DynamoDBFuzzing {
    /// The item expressions are evaluated against when the input names none.
    private static let defaultItem: Item = [
        "pk": .s("user#1"), "sk": .n((try? DynamoNumber(parsing: "42")) ?? DynamoNumber(0)), "name": .s("Ada"),
        "tags": .ss(["a", "b"]), "scores": .ns([DynamoNumber(1), DynamoNumber(-7)]), "blob": .b(Data([0, 1, 2])),
        "list": .l([.s("x"), .n(DynamoNumber(3)), .m(["deep": .l([.null, .bool(true)])])]),
        "map": .m(["a": .m(["b": .n(DynamoNumber(9))]), "empty": .l([])]),
    ]

    private static let schema = KeySchema(partitionKey: .init(name: "pk", type: .s), sortKey: .init(name: "sk", type: .n))

    /// Decodes the input as an item and as a single value, then encodes, sizes and key-encodes what decoded.
    static func runJSON(_ bytes: [UInt8]) {
        let data = Data(bytes)
        if let item = try? AttributeValue.decodeItem(json: data) { exercise(item) }
        if let value = try? AttributeValue.decode(json: data) { exercise(["v": value]) }
    }

    private static func exercise(_ item: Item) {
        let encoded = AttributeValue.encodeItem(item)
        FuzzInput.consume(try? AttributeValue.decodeItem(json: encoded))
        FuzzInput.consume(ItemSize.of(item))
        for value in item.values {
            FuzzInput.consume(KeyEncoding.sortable(value))
            FuzzInput.consume(KeyEncoding.identityHex(partition: value, sort: item["sk"]))
            if case .n(let number) = value {
                FuzzInput.consume(try? number.adding(number))
                FuzzInput.consume(try? number.subtracting(DynamoNumber(1)))
            }
        }
    }

    /// Line 1 is the expression; `#name=value` lines are `ExpressionAttributeNames`, `:name={json}` lines are
    /// `ExpressionAttributeValues` and a `{...}` line replaces the item. The expression is parsed as every kind and
    /// evaluated or applied.
    static func runExpression(_ bytes: [UInt8]) {
        let lines = FuzzInput.lines(bytes)
        guard let text = lines.first else { return }
        var names: [String: String] = [:]
        var values: [String: AttributeValue] = [:]
        var item = defaultItem
        for line in lines.dropFirst().prefix(64) {
            if line.hasPrefix("{") {
                if let decoded = try? AttributeValue.decodeItem(json: Data(line.utf8)) { item = decoded }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals])
            let rest = String(line[line.index(after: equals)...])
            if key.hasPrefix("#") {
                names[key] = rest
            } else if key.hasPrefix(":"), let value = try? AttributeValue.decode(json: Data(rest.utf8)) {
                values[key] = value
            }
        }
        for kind in [ExpressionKind.condition, .filter] {
            if let condition = try? ConditionExpression.parse(text, names: names, values: values, kind: kind) {
                FuzzInput.consume(condition.evaluate(on: item))
                FuzzInput.consume(condition.evaluate(on: nil))
            }
        }
        if let key = try? KeyCondition.parse(text, names: names, values: values, schema: schema) {
            FuzzInput.consume(key.matches(item))
        }
        if let update = try? UpdateExpression.parse(text, names: names, values: values) {
            FuzzInput.consume(try? update.apply(to: item))
            FuzzInput.consume(try? update.apply(to: [:]))
        }
        if let projection = try? ProjectionExpression.parse(text, names: names) {
            FuzzInput.consume(projection.project(item))
        }
        FuzzInput.consume(try? ExpressionAttributes.validate(names: names, values: values))
    }
}
