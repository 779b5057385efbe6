import Foundation

/// An operation input that can be read from the common shapes of request JSON without `JSONDecoder`.
///
/// The fast path only accepts what it is sure about and answers nil for everything else: a member it does not
/// know (new or legacy parameters), `null`, escapes in strings, numbers other than plain integers, binary and set
/// attribute values, duplicate names, anything invalid. The caller then decodes with `JSONDecoder`, so every
/// error, message and unusual shape stays exactly as before; a value the fast path returns equals what
/// `JSONDecoder` returns for the same bytes (`FastInputTests` compares them). `JSONDecoder`'s generic machinery
/// was about 8 % of a GetItem's or PutItem's CPU.
protocol FastDecodableInput {
    /// Reads the input, or nil when the slow path must decide.
    /// - Parameter json: The request body.
    /// - Returns: The input, or nil.
    static func fastDecode(_ json: Data) -> Self?
}

extension GetItemInput: FastDecodableInput {
    static func fastDecode(_ json: Data) -> GetItemInput? {
        var input = GetItemInput()
        let read = FastJSON.readObject(json) { name, reader in
            switch name {
            case "TableName": input.TableName = reader.string()
            case "Key": input.Key = reader.item()
            case "ConsistentRead": input.ConsistentRead = reader.bool()
            case "ProjectionExpression": input.ProjectionExpression = reader.string()
            case "ExpressionAttributeNames": input.ExpressionAttributeNames = reader.stringMap()
            case "ReturnConsumedCapacity": input.ReturnConsumedCapacity = reader.string()
            default: return false
            }
            return true
        }
        return read ? input : nil
    }
}

extension PutItemInput: FastDecodableInput {
    static func fastDecode(_ json: Data) -> PutItemInput? {
        var input = PutItemInput()
        let read = FastJSON.readObject(json) { name, reader in
            switch name {
            case "TableName": input.TableName = reader.string()
            case "Item": input.Item = reader.item()
            case "ConditionExpression": input.ConditionExpression = reader.string()
            case "ExpressionAttributeNames": input.ExpressionAttributeNames = reader.stringMap()
            case "ExpressionAttributeValues": input.ExpressionAttributeValues = reader.item()
            case "ReturnValues": input.ReturnValues = reader.string()
            case "ReturnConsumedCapacity": input.ReturnConsumedCapacity = reader.string()
            case "ReturnItemCollectionMetrics": input.ReturnItemCollectionMetrics = reader.string()
            case "ReturnValuesOnConditionCheckFailure": input.ReturnValuesOnConditionCheckFailure = reader.string()
            default: return false
            }
            return true
        }
        return read ? input : nil
    }
}

extension QueryInput: FastDecodableInput {
    static func fastDecode(_ json: Data) -> QueryInput? {
        var input = QueryInput()
        let read = FastJSON.readObject(json) { name, reader in
            switch name {
            case "TableName": input.TableName = reader.string()
            case "IndexName": input.IndexName = reader.string()
            case "KeyConditionExpression": input.KeyConditionExpression = reader.string()
            case "FilterExpression": input.FilterExpression = reader.string()
            case "ProjectionExpression": input.ProjectionExpression = reader.string()
            case "ExpressionAttributeNames": input.ExpressionAttributeNames = reader.stringMap()
            case "ExpressionAttributeValues": input.ExpressionAttributeValues = reader.item()
            case "Select": input.Select = reader.string()
            case "Limit": input.Limit = reader.int()
            case "ConsistentRead": input.ConsistentRead = reader.bool()
            case "ScanIndexForward": input.ScanIndexForward = reader.bool()
            case "ExclusiveStartKey": input.ExclusiveStartKey = reader.item()
            case "ReturnConsumedCapacity": input.ReturnConsumedCapacity = reader.string()
            default: return false
            }
            return true
        }
        return read ? input : nil
    }
}

/// A strict reader of the JSON subset the fast inputs accept; every method answers nil (and marks the reader
/// failed) on anything outside it.
struct FastJSON {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    /// Set once anything was outside the subset; the whole input then goes to `JSONDecoder`.
    private(set) var failed = false

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Reads a top-level object, handing each member to `member` (which reads its value and returns false for a
    /// member it does not know).
    /// - Parameters:
    ///   - json: The document.
    ///   - member: Reads one member's value.
    /// - Returns: Whether the whole document was read.
    static func readObject(_ json: Data, _ member: (String, inout FastJSON) -> Bool) -> Bool {
        json.withUnsafeBytes { raw in
            var reader = FastJSON(raw)
            var seen: Set<String> = []
            let complete = reader.members { name, reader in
                guard seen.insert(name).inserted else { return false }
                return member(name, &reader)
            }
            reader.skipWhitespace()
            return complete && !reader.failed && reader.index == raw.count
        }
    }

    /// A string value.
    /// - Returns: The string, or nil.
    mutating func string() -> String? {
        skipWhitespace()
        guard peek() == UInt8(ascii: "\"") else { return fail() }
        index += 1
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text ?? fail()
            }
            // Escapes and control characters: JSONDecoder decides.
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return fail() }
            index += 1
        }
        return fail()
    }

    /// `true` or `false`.
    /// - Returns: The flag, or nil.
    mutating func bool() -> Bool? {
        skipWhitespace()
        if literal("true") { return true }
        if literal("false") { return false }
        return fail()
    }

    /// A non-negative integer written with digits only.
    /// - Returns: The value, or nil.
    mutating func int() -> Int? {
        skipWhitespace()
        let start = index
        var value = 0
        while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let times = value.multipliedReportingOverflow(by: 10)
            let plus = times.partialValue.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !times.overflow, !plus.overflow else { return fail() }
            value = plus.partialValue
            index += 1
        }
        let digits = index - start
        guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return fail() }
        // A fraction or exponent follows: JSONDecoder decides.
        if let next = peek(), next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            return fail()
        }
        return value
    }

    /// An object of strings.
    /// - Returns: The map, or nil.
    mutating func stringMap() -> [String: String]? {
        var map: [String: String] = [:]
        let complete = members { name, reader in
            guard map[name] == nil, let value = reader.string() else { return false }
            map[name] = value
            return true
        }
        return complete ? map : fail()
    }

    /// An object of attribute values (an item, a key or `ExpressionAttributeValues`).
    /// - Returns: The item, or nil.
    mutating func item() -> Item? {
        var item: Item = [:]
        let complete = members { name, reader in
            guard item[name] == nil, let value = reader.attributeValue() else { return false }
            item[name] = value
            return true
        }
        return complete ? item : fail()
    }

    /// `{"S": ...}`, `{"N": ...}` (a valid number), `{"BOOL": ...}`, `{"NULL": true}`, `{"M": ...}` or `{"L": ...}`.
    /// - Returns: The value, or nil (binary and set types included: JSONDecoder validates them).
    mutating func attributeValue() -> AttributeValue? {
        var value: AttributeValue?
        let complete = members { type, reader in
            guard value == nil else { return false }
            switch type {
            case "S": value = reader.string().map { .s($0) }
            case "N": value = reader.string().flatMap { try? DynamoNumber(parsing: $0) }.map { .n($0) }
            case "BOOL": value = reader.bool().map { .bool($0) }
            case "NULL": value = reader.bool() == true ? .null : nil
            case "M": value = reader.item().map { .m($0) }
            case "L": value = reader.list().map { .l($0) }
            default: return false
            }
            return value != nil
        }
        guard complete, let value else { return fail() }
        return value
    }

    private mutating func list() -> [AttributeValue]? {
        skipWhitespace()
        guard peek() == UInt8(ascii: "[") else { return fail() }
        index += 1
        var values: [AttributeValue] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return values
        }
        while true {
            guard let value = attributeValue() else { return fail() }
            values.append(value)
            skipWhitespace()
            guard let byte = peek() else { return fail() }
            index += 1
            if byte == UInt8(ascii: "]") { return values }
            guard byte == UInt8(ascii: ",") else { return fail() }
        }
    }

    /// Reads `{ "name": value, ... }`, calling `member` with the reader positioned at each value.
    private mutating func members(_ member: (String, inout FastJSON) -> Bool) -> Bool {
        skipWhitespace()
        guard peek() == UInt8(ascii: "{") else { return fail() ?? false }
        index += 1
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return true
        }
        while true {
            guard let name = string() else { return false }
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { return fail() ?? false }
            index += 1
            guard member(name, &self), !failed else { return fail() ?? false }
            skipWhitespace()
            guard let byte = peek() else { return fail() ?? false }
            index += 1
            if byte == UInt8(ascii: "}") { return true }
            guard byte == UInt8(ascii: ",") else { return fail() ?? false }
            skipWhitespace()
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        index += count
        return true
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private mutating func fail<T>() -> T? {
        failed = true
        return nil
    }
}
