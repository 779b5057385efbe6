import Foundation
import Testing

@testable import DynamoDBService

/// One row of the legacy-condition table: a single-attribute condition on `a`, the item it is evaluated on, and
/// the outcome.
struct LegacyConditionCase: Sendable, CustomTestStringConvertible {
    let op: String
    let values: [String]
    var on: String = legacyItem
    let outcome: Outcome

    var testDescription: String { "\(op) \(values.joined(separator: ",")) \(outcome)" }
}

let legacyItem = #"{"pk":{"S":"k"},"a":{"S":"hello"}}"#
private let numberItem = #"{"pk":{"S":"k"},"a":{"N":"5"}}"#
private let setItem = #"{"pk":{"S":"k"},"a":{"SS":["x","y"]}}"#
private let listItem = #"{"pk":{"S":"k"},"a":{"L":[{"S":"x"},{"N":"1"}]}}"#
private let missingItem = #"{"pk":{"S":"k"}}"#
private let prefix = "One or more parameter values were invalid: "

let legacyConditionCases: [LegacyConditionCase] = [
    // Each operator, true and false.
    LegacyConditionCase(op: "EQ", values: [#"{"S":"hello"}"#], outcome: .holds(true)),
    LegacyConditionCase(op: "EQ", values: [#"{"S":"other"}"#], outcome: .holds(false)),
    LegacyConditionCase(op: "EQ", values: [#"{"N":"5"}"#], on: legacyItem, outcome: .holds(false)),
    LegacyConditionCase(op: "EQ", values: [#"{"SS":["y","x"]}"#], on: setItem, outcome: .holds(true)),
    LegacyConditionCase(op: "NE", values: [#"{"S":"other"}"#], outcome: .holds(true)),
    LegacyConditionCase(op: "NE", values: [#"{"S":"hello"}"#], outcome: .holds(false)),
    LegacyConditionCase(op: "NE", values: [#"{"S":"hello"}"#], on: missingItem, outcome: .holds(true)),
    LegacyConditionCase(op: "LE", values: [#"{"N":"5"}"#], on: numberItem, outcome: .holds(true)),
    LegacyConditionCase(op: "LE", values: [#"{"N":"4"}"#], on: numberItem, outcome: .holds(false)),
    LegacyConditionCase(op: "LT", values: [#"{"N":"6"}"#], on: numberItem, outcome: .holds(true)),
    LegacyConditionCase(op: "LT", values: [#"{"N":"5"}"#], on: numberItem, outcome: .holds(false)),
    LegacyConditionCase(op: "GE", values: [#"{"N":"5"}"#], on: numberItem, outcome: .holds(true)),
    LegacyConditionCase(op: "GE", values: [#"{"N":"6"}"#], on: numberItem, outcome: .holds(false)),
    LegacyConditionCase(op: "GT", values: [#"{"N":"4"}"#], on: numberItem, outcome: .holds(true)),
    LegacyConditionCase(op: "GT", values: [#"{"S":"a"}"#], on: numberItem, outcome: .holds(false)),
    LegacyConditionCase(op: "NOT_NULL", values: [], outcome: .holds(true)),
    LegacyConditionCase(op: "NOT_NULL", values: [], on: missingItem, outcome: .holds(false)),
    LegacyConditionCase(op: "NULL", values: [], on: missingItem, outcome: .holds(true)),
    LegacyConditionCase(op: "NULL", values: [], outcome: .holds(false)),
    LegacyConditionCase(op: "CONTAINS", values: [#"{"S":"ell"}"#], outcome: .holds(true)),
    LegacyConditionCase(op: "CONTAINS", values: [#"{"S":"y"}"#], on: setItem, outcome: .holds(true)),
    LegacyConditionCase(op: "CONTAINS", values: [#"{"N":"1"}"#], on: listItem, outcome: .holds(true)),
    LegacyConditionCase(op: "CONTAINS", values: [#"{"S":"z"}"#], on: setItem, outcome: .holds(false)),
    LegacyConditionCase(op: "NOT_CONTAINS", values: [#"{"S":"z"}"#], on: setItem, outcome: .holds(true)),
    LegacyConditionCase(op: "NOT_CONTAINS", values: [#"{"S":"ell"}"#], outcome: .holds(false)),
    LegacyConditionCase(op: "BEGINS_WITH", values: [#"{"S":"he"}"#], outcome: .holds(true)),
    LegacyConditionCase(op: "BEGINS_WITH", values: [#"{"S":"lo"}"#], outcome: .holds(false)),
    LegacyConditionCase(op: "IN", values: [#"{"S":"x"}"#, #"{"S":"hello"}"#], outcome: .holds(true)),
    LegacyConditionCase(op: "IN", values: [#"{"S":"x"}"#, #"{"S":"y"}"#], outcome: .holds(false)),
    LegacyConditionCase(op: "BETWEEN", values: [#"{"N":"1"}"#, #"{"N":"5"}"#], on: numberItem, outcome: .holds(true)),
    LegacyConditionCase(op: "BETWEEN", values: [#"{"N":"6"}"#, #"{"N":"9"}"#], on: numberItem, outcome: .holds(false)),
    // Argument counts.
    LegacyConditionCase(op: "EQ", values: [], outcome: .fails(prefix + "Invalid number of argument(s) for the EQ ComparisonOperator")),
    LegacyConditionCase(
        op: "NE",
        values: [#"{"S":"a"}"#, #"{"S":"b"}"#],
        outcome: .fails(prefix + "Invalid number of argument(s) for the NE ComparisonOperator")
    ),
    LegacyConditionCase(
        op: "NULL",
        values: [#"{"S":"a"}"#],
        outcome: .fails(prefix + "Invalid number of argument(s) for the NULL ComparisonOperator")
    ),
    LegacyConditionCase(
        op: "NOT_NULL",
        values: [#"{"S":"a"}"#],
        outcome: .fails(prefix + "Invalid number of argument(s) for the NOT_NULL ComparisonOperator")
    ),
    LegacyConditionCase(op: "IN", values: [], outcome: .fails(prefix + "Invalid number of argument(s) for the IN ComparisonOperator")),
    LegacyConditionCase(
        op: "BETWEEN",
        values: [#"{"S":"a"}"#],
        outcome: .fails(prefix + "Invalid number of argument(s) for the BETWEEN ComparisonOperator")
    ),
    // Types.
    LegacyConditionCase(
        op: "LT",
        values: [#"{"BOOL":true}"#],
        outcome: .fails(prefix + "ComparisonOperator LT is not valid for BOOL AttributeValue type")
    ),
    LegacyConditionCase(
        op: "GE",
        values: [#"{"SS":["a"]}"#],
        outcome: .fails(prefix + "ComparisonOperator GE is not valid for SS AttributeValue type")
    ),
    LegacyConditionCase(op: "IN", values: [#"{"L":[]}"#], outcome: .fails(prefix + "ComparisonOperator IN is not valid for L AttributeValue type")),
    LegacyConditionCase(
        op: "CONTAINS",
        values: [#"{"NS":["1"]}"#],
        outcome: .fails(prefix + "ComparisonOperator CONTAINS is not valid for NS AttributeValue type")
    ),
    LegacyConditionCase(
        op: "NOT_CONTAINS",
        values: [#"{"M":{}}"#],
        outcome: .fails(prefix + "ComparisonOperator NOT_CONTAINS is not valid for M AttributeValue type")
    ),
    LegacyConditionCase(
        op: "BEGINS_WITH",
        values: [#"{"N":"1"}"#],
        outcome: .fails(prefix + "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type")
    ),
    LegacyConditionCase(
        op: "BETWEEN",
        values: [#"{"NULL":true}"#, #"{"NULL":true}"#],
        outcome: .fails(prefix + "ComparisonOperator BETWEEN is not valid for NULL AttributeValue type")
    ),
    LegacyConditionCase(
        op: "IN",
        values: [#"{"S":"b"}"#, #"{"N":"1"}"#],
        outcome: .fails(prefix + "AttributeValues inside AttributeValueList must be of same type")
    ),
    LegacyConditionCase(
        op: "BETWEEN",
        values: [#"{"S":"b"}"#, #"{"S":"a"}"#],
        outcome: .fails("The BETWEEN condition was provided a range where the lower bound is greater than the upper bound")
    ),
    LegacyConditionCase(
        op: "SOMETIMES",
        values: [],
        outcome: .fails(
            "1 validation error detected: Value 'SOMETIMES' at 'scanFilter.a.member.comparisonOperator' failed to satisfy constraint: "
                + "Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"
        )
    ),
]

@Suite("Legacy conditions (QueryFilter/ScanFilter/Expected)")
struct LegacyConditionTests {
    @Test("each ComparisonOperator, its argument counts and types", arguments: legacyConditionCases)
    func operators(_ row: LegacyConditionCase) {
        let condition = LegacyCondition(row.op, row.values.map(value))
        switch row.outcome {
        case .holds(let expected):
            do {
                let filter = try LegacyParameters.filter(["a": condition], source: .scanFilter, conditionalOperator: nil)
                #expect(filter?.evaluate(on: item(row.on)) == expected)
            } catch {
                Issue.record("unexpected error \(error)")
            }
        case .fails(let message):
            #expect(
                errorMessage { () throws(DynamoDBError) in
                    try LegacyParameters.filter(["a": condition], source: .scanFilter, conditionalOperator: nil)
                } == message
            )
        }
    }

    @Test("ConditionalOperator joins with AND by default and OR when asked")
    func conditionalOperator() throws {
        let conditions = ["a": LegacyCondition("EQ", [value(#"{"S":"hello"}"#)]), "b": LegacyCondition("NOT_NULL")]
        let target = item(legacyItem)
        #expect(try LegacyParameters.filter(conditions, source: .queryFilter, conditionalOperator: nil)?.evaluate(on: target) == false)
        #expect(try LegacyParameters.filter(conditions, source: .queryFilter, conditionalOperator: "AND")?.evaluate(on: target) == false)
        #expect(try LegacyParameters.filter(conditions, source: .queryFilter, conditionalOperator: "OR")?.evaluate(on: target) == true)
        #expect(
            errorMessage { () throws(DynamoDBError) in try LegacyParameters.filter(conditions, source: .queryFilter, conditionalOperator: "AN") }
                == "1 validation error detected: Value 'AN' at 'conditionalOperator' failed to satisfy constraint: "
                + "Member must satisfy enum value set: [OR, AND]"
        )
        #expect(
            errorMessage { () throws(DynamoDBError) in
                try LegacyParameters.filter(["a": LegacyCondition()], source: .queryFilter, conditionalOperator: nil)
            }
                == "1 validation error detected: Value null at 'queryFilter.a.member.comparisonOperator' failed to satisfy constraint: "
                + "Member must not be null"
        )
    }

    @Test("Expected: Value/Exists forms and AWS's texts for each misuse")
    func expected() throws {
        let hello = value(#"{"S":"hello"}"#)
        let present = item(legacyItem)
        let absent = item(missingItem)
        #expect(try LegacyParameters.expected(["a": LegacyCondition(value: hello)], conditionalOperator: nil)?.evaluate(on: present) == true)
        #expect(
            try LegacyParameters.expected(["a": LegacyCondition(value: hello, exists: true)], conditionalOperator: nil)?.evaluate(on: absent)
                == false
        )
        #expect(try LegacyParameters.expected(["a": LegacyCondition(exists: false)], conditionalOperator: nil)?.evaluate(on: absent) == true)
        #expect(try LegacyParameters.expected(["a": LegacyCondition(exists: false)], conditionalOperator: nil)?.evaluate(on: present) == false)
        #expect(try LegacyParameters.expected(["a": LegacyCondition("EQ", value: hello)], conditionalOperator: nil)?.evaluate(on: present) == true)
        #expect(try LegacyParameters.expected([:], conditionalOperator: nil) == nil)
        let rows: [(LegacyCondition, String)] = [
            (LegacyCondition(), prefix + "Value must be provided when Exists is null for Attribute: a"),
            (LegacyCondition(exists: true), prefix + "Value must be provided when Exists is true for Attribute: a"),
            (LegacyCondition(value: hello, exists: false), prefix + "Value cannot be used when Exists is false for Attribute: a"),
            (LegacyCondition(nil, [hello], value: hello), prefix + "Value and AttributeValueList cannot be used together for Attribute: a"),
            (LegacyCondition("EQ", [hello], exists: true), prefix + "Exists and ComparisonOperator cannot be used together for Attribute: a"),
            (LegacyCondition(nil, [hello]), prefix + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"),
            (LegacyCondition("EQ"), prefix + "Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"),
            (LegacyCondition("BETWEEN", value: hello), prefix + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
        ]
        for (condition, message) in rows {
            #expect(errorMessage { () throws(DynamoDBError) in try LegacyParameters.expected(["a": condition], conditionalOperator: nil) } == message)
        }
    }
}

@Suite("Legacy KeyConditions")
struct LegacyKeyConditionTests {
    static let schema = KeySchema(partitionKey: .init(name: "pk", type: .s), sortKey: .init(name: "sk", type: .n))

    @Test("translates to the key condition model")
    func translates() throws {
        let condition = try LegacyParameters.keyConditions(
            [
                "pk": LegacyCondition("EQ", [value(#"{"S":"p"}"#)]),
                "sk": LegacyCondition("BETWEEN", [value(#"{"N":"1"}"#), value(#"{"N":"3"}"#)]),
            ],
            schema: Self.schema
        )
        #expect(condition.partitionKeyValue == value(#"{"S":"p"}"#))
        #expect(condition.matches(item(#"{"pk":{"S":"p"},"sk":{"N":"2"}}"#)))
        #expect(!condition.matches(item(#"{"pk":{"S":"p"},"sk":{"N":"4"}}"#)))
    }

    @Test("AWS's texts for key condition misuse")
    func errors() {
        let p = LegacyCondition("EQ", [value(#"{"S":"p"}"#)])
        let rows: [([String: LegacyCondition], String)] = [
            ([:], "Conditions can be of length 1 or 2 only"),
            (["pk": p, "sk": LegacyCondition("NULL"), "x": LegacyCondition("NULL")], "Conditions can be of length 1 or 2 only"),
            (["sk": LegacyCondition("EQ", [value(#"{"N":"1"}"#)])], "Query condition missed key schema element: pk"),
            (["pk": p, "x": LegacyCondition("EQ", [value(#"{"N":"1"}"#)])], "Query condition missed key schema element: sk"),
            (["pk": LegacyCondition("BEGINS_WITH", [value(#"{"S":"p"}"#)])], "Query key condition not supported"),
            (["pk": p, "sk": LegacyCondition("NE", [value(#"{"N":"1"}"#)])], "Query key condition not supported"),
            (["pk": LegacyCondition("EQ", [value(#"{"N":"1"}"#)])], prefix + "Condition parameter type does not match schema type"),
            (["pk": p, "sk": LegacyCondition("GT", [value(#"{"S":"1"}"#)])], prefix + "Condition parameter type does not match schema type"),
            (["pk": LegacyCondition("EQ")], prefix + "Invalid number of argument(s) for the EQ ComparisonOperator"),
        ]
        for (conditions, message) in rows {
            #expect(errorMessage { () throws(DynamoDBError) in try LegacyParameters.keyConditions(conditions, schema: Self.schema) } == message)
        }
    }
}

/// One row of the AttributeUpdates table.
struct LegacyUpdateCase: Sendable, CustomTestStringConvertible {
    let name: String
    let updates: [String: LegacyAttributeUpdate]
    var start: String = #"{"pk":{"S":"k"},"n":{"N":"1"},"ss":{"SS":["a","b"]},"l":{"L":[{"S":"x"}]},"s":{"S":"t"}}"#
    let expected: UpdateCase.Result

    var testDescription: String { name }
}

let legacyUpdateCases: [LegacyUpdateCase] = [
    LegacyUpdateCase(
        name: "PUT (default action)",
        updates: ["a": LegacyAttributeUpdate(nil, value(#"{"S":"v"}"#))],
        expected: .item(#"{"a":{"S":"v"}}"#)
    ),
    LegacyUpdateCase(
        name: "ADD to a number",
        updates: ["n": LegacyAttributeUpdate("ADD", value(#"{"N":"2"}"#))],
        expected: .item(#"{"n":{"N":"3"}}"#)
    ),
    LegacyUpdateCase(
        name: "ADD to a missing attribute",
        updates: ["m": LegacyAttributeUpdate("ADD", value(#"{"N":"-2"}"#))],
        expected: .item(#"{"m":{"N":"-2"}}"#)
    ),
    LegacyUpdateCase(
        name: "ADD to a set",
        updates: ["ss": LegacyAttributeUpdate("ADD", value(#"{"SS":["b","c"]}"#))],
        expected: .item(#"{"ss":{"SS":["a","b","c"]}}"#)
    ),
    LegacyUpdateCase(
        name: "ADD appends to a list",
        updates: ["l": LegacyAttributeUpdate("ADD", value(#"{"L":[{"N":"1"}]}"#))],
        expected: .item(#"{"l":{"L":[{"S":"x"},{"N":"1"}]}}"#)
    ),
    LegacyUpdateCase(name: "DELETE without a value", updates: ["s": LegacyAttributeUpdate("DELETE")], expected: .item(#"{"s":null}"#)),
    LegacyUpdateCase(
        name: "DELETE set elements",
        updates: ["ss": LegacyAttributeUpdate("DELETE", value(#"{"SS":["a","z"]}"#))],
        expected: .item(#"{"ss":{"SS":["b"]}}"#)
    ),
    LegacyUpdateCase(
        name: "DELETE the last elements removes the attribute",
        updates: ["ss": LegacyAttributeUpdate("DELETE", value(#"{"SS":["a","b"]}"#))],
        expected: .item(#"{"ss":null}"#)
    ),
    LegacyUpdateCase(
        name: "ADD a number to a string",
        updates: ["s": LegacyAttributeUpdate("ADD", value(#"{"N":"1"}"#))],
        expected: .fails("Type mismatch for attribute to update")
    ),
    LegacyUpdateCase(
        name: "DELETE NS from SS",
        updates: ["ss": LegacyAttributeUpdate("DELETE", value(#"{"NS":["1"]}"#))],
        expected: .fails("Type mismatch for attribute to update")
    ),
    LegacyUpdateCase(
        name: "PUT without a value",
        updates: ["a": LegacyAttributeUpdate("PUT")],
        expected: .fails(prefix + "Only DELETE action is allowed when no attribute value is specified")
    ),
    LegacyUpdateCase(
        name: "ADD without a value",
        updates: ["a": LegacyAttributeUpdate("ADD")],
        expected: .fails(prefix + "Only DELETE action is allowed when no attribute value is specified")
    ),
    LegacyUpdateCase(
        name: "ADD a string",
        updates: ["a": LegacyAttributeUpdate("ADD", value(#"{"S":"1"}"#))],
        expected: .fails(prefix + "ADD action is not supported for the type S")
    ),
    LegacyUpdateCase(
        name: "ADD a map",
        updates: ["a": LegacyAttributeUpdate("ADD", value(#"{"M":{}}"#))],
        expected: .fails(prefix + "ADD action is not supported for the type M")
    ),
    LegacyUpdateCase(
        name: "DELETE a number",
        updates: ["a": LegacyAttributeUpdate("DELETE", value(#"{"N":"1"}"#))],
        expected: .fails(prefix + "DELETE action with value is not supported for the type N")
    ),
    LegacyUpdateCase(
        name: "unknown action",
        updates: ["a": LegacyAttributeUpdate("REPLACE", value(#"{"N":"1"}"#))],
        expected: .fails(
            "1 validation error detected: Value 'REPLACE' at 'attributeUpdates.a.member.action' failed to satisfy constraint: "
                + "Member must satisfy enum value set: [ADD, PUT, DELETE]"
        )
    ),
]

@Suite("Legacy AttributeUpdates")
struct LegacyAttributeUpdatesTests {
    @Test("PUT/ADD/DELETE with set, number and list rules", arguments: legacyUpdateCases)
    func apply(_ row: LegacyUpdateCase) {
        let start = item(row.start)
        let outcome: Result<Item, DynamoDBError> = Result { () throws(DynamoDBError) -> Item in
            try LegacyParameters.attributeUpdates(row.updates).apply(to: start)
        }
        switch (row.expected, outcome) {
        case (.item(let changes), .success(let result)):
            var expected = start
            for (key, change) in item(changes.replacingOccurrences(of: "null", with: #"{"NULL":true}"#)) {
                expected[key] = change == .null ? nil : change
            }
            #expect(result == expected)
        case (.fails(let message), .failure(let error)):
            #expect(error.message == message)
        default:
            Issue.record("unexpected outcome \(outcome)")
        }
    }

    @Test("AttributesToGet: empty and duplicate lists")
    func attributesToGet() throws {
        #expect(try LegacyParameters.attributesToGet(["a", "b"]).paths == [DocumentPath(attribute: "a"), DocumentPath(attribute: "b")])
        #expect(
            errorMessage { () throws(DynamoDBError) in try LegacyParameters.attributesToGet([]) }
                == "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1"
        )
        #expect(
            errorMessage { () throws(DynamoDBError) in try LegacyParameters.attributesToGet(["a", "a"]) } == prefix
                + "Duplicate value in attribute name: a"
        )
    }

    @Test("mixing legacy and expression parameters, and attribute maps without expressions")
    func mixing() {
        #expect(
            errorMessage { () throws(DynamoDBError) in
                try LegacyParameters.checkMixing(
                    legacy: [("AttributeUpdates", true), ("Expected", true)],
                    expressions: [("UpdateExpression", true), ("ConditionExpression", true)],
                    hasNames: false,
                    hasValues: false
                )
            }
                == "Can not use both expression and non-expression parameters in the same request: "
                + "Non-expression parameters: {AttributeUpdates, Expected} Expression parameters: {UpdateExpression, ConditionExpression}"
        )
        #expect(
            errorMessage { () throws(DynamoDBError) in
                try LegacyParameters.checkMixing(
                    legacy: [("Expected", true)],
                    expressions: [("ConditionExpression", false)],
                    hasNames: true,
                    hasValues: true
                )
            } == "ExpressionAttributeNames can only be specified when using expressions"
        )
        #expect(
            errorMessage { () throws(DynamoDBError) in
                try LegacyParameters.checkMixing(
                    legacy: [],
                    expressions: [("ProjectionExpression", true), ("FilterExpression", false), ("KeyConditionExpression", false)],
                    hasNames: false,
                    hasValues: true
                )
            } == "ExpressionAttributeValues can only be specified when using expressions: FilterExpression and KeyConditionExpression are null"
        )
        #expect(
            errorMessage { () throws(DynamoDBError) in
                try LegacyParameters.checkMixing(legacy: [], expressions: [("ConditionExpression", false)], hasNames: false, hasValues: true)
            } == "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"
        )
    }
}
