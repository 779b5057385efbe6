import Foundation

@testable import DynamoDBService

/// Decodes a wire-JSON item (`{"a":{"S":"x"}}`); crashes the test on invalid fixtures.
func item(_ json: String) -> Item {
    try! AttributeValue.decodeItem(json: Data(json.utf8))
}

/// Decodes one wire-JSON value.
func value(_ json: String) -> AttributeValue {
    try! AttributeValue.decode(json: Data(json.utf8))
}

/// Parses a number that is known to be valid.
func number(_ text: String) -> DynamoNumber {
    try! DynamoNumber(parsing: text)
}

/// Expected outcome of a table-driven row.
enum Outcome: Sendable, CustomStringConvertible {
    case holds(Bool)
    case fails(String)

    var description: String {
        switch self {
        case .holds(let flag): "→ \(flag)"
        case .fails(let message): "→ error \(message)"
        }
    }
}

/// Runs `body`, returning its error message when it throws a `DynamoDBError`.
func errorMessage<T>(_ body: () throws(DynamoDBError) -> T) -> String? {
    do {
        _ = try body()
        return nil
    } catch {
        return error.message
    }
}
