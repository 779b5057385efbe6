import Foundation
import Testing

@testable import DynamoDBService

struct ProjectionCase: Sendable, CustomTestStringConvertible {
    let expression: String
    var names: [String: String] = [:]
    /// Expected projected item (wire JSON) or error message.
    let expected: Outcome2

    enum Outcome2: Sendable {
        case item(String)
        case fails(String)
    }

    var testDescription: String { expression }
}

private let projectionSource = item(
    """
    {"s":{"S":"x"},"n":{"N":"1"},"status":{"S":"on"},
     "m":{"M":{"x":{"N":"1"},"y":{"S":"y"},"deep":{"M":{"z":{"BOOL":true}}}}},
     "l":{"L":[{"S":"a"},{"N":"2"},{"M":{"k":{"S":"v"},"j":{"S":"w"}}}]}}
    """
)

let projectionCases: [ProjectionCase] = [
    ProjectionCase(expression: "s, n", expected: .item(#"{"s":{"S":"x"},"n":{"N":"1"}}"#)),
    ProjectionCase(expression: "m.x", expected: .item(#"{"m":{"M":{"x":{"N":"1"}}}}"#)),
    ProjectionCase(expression: "m.deep.z, m.y", expected: .item(#"{"m":{"M":{"y":{"S":"y"},"deep":{"M":{"z":{"BOOL":true}}}}}}"#)),
    ProjectionCase(expression: "l[2].k, l[0]", expected: .item(#"{"l":{"L":[{"S":"a"},{"M":{"k":{"S":"v"}}}]}}"#)),
    ProjectionCase(expression: "l[9]", expected: .item("{}")),
    ProjectionCase(expression: "absent", expected: .item("{}")),
    ProjectionCase(expression: "m.absent", expected: .item("{}")),
    ProjectionCase(expression: "#st", names: ["#st": "status"], expected: .item(#"{"status":{"S":"on"}}"#)),
    ProjectionCase(
        expression: "status",
        expected: .fails("Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: status")
    ),
    ProjectionCase(
        expression: "s, s",
        expected: .fails(
            "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; "
                + "path one: [s], path two: [s]"
        )
    ),
    ProjectionCase(
        expression: "m, m.x",
        expected: .fails(
            "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; "
                + "path one: [m], path two: [m, x]"
        )
    ),
    ProjectionCase(expression: "s,", expected: .fails(#"Invalid ProjectionExpression: Syntax error; token: "<EOF>", near: ",""#)),
    ProjectionCase(expression: "size(s)", expected: .fails(#"Invalid ProjectionExpression: Syntax error; token: "(", near: "size(s""#)),
    ProjectionCase(
        expression: "#x",
        expected: .fails("Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #x")
    ),
]

struct KeyConditionCase: Sendable, CustomTestStringConvertible {
    let expression: String
    var names: [String: String] = [:]
    var values: String = #"{":p":{"S":"p1"},":n":{"N":"5"}}"#
    var schema = KeySchema(partitionKey: .init(name: "pk", type: .s), sortKey: .init(name: "sk", type: .n))
    /// Expected sort condition (nil = only partition key) or error message.
    let expected: Expected

    enum Expected: Sendable {
        case condition(SortKeyCondition?)
        case fails(String)
    }

    var testDescription: String { expression }
}

private let stringSortSchema = KeySchema(partitionKey: .init(name: "pk", type: .s), sortKey: .init(name: "sk", type: .s))
private let hashOnlySchema = KeySchema(partitionKey: .init(name: "pk", type: .s))
private let five = AttributeValue.n(DynamoNumber(5))

let keyConditionCases: [KeyConditionCase] = [
    KeyConditionCase(expression: "pk = :p", values: #"{":p":{"S":"p1"}}"#, expected: .condition(nil)),
    KeyConditionCase(expression: "pk = :p AND sk = :n", expected: .condition(.equal(five))),
    KeyConditionCase(expression: "pk = :p AND sk < :n", expected: .condition(.lessThan(five))),
    KeyConditionCase(expression: "pk = :p AND sk <= :n", expected: .condition(.lessThanOrEqual(five))),
    KeyConditionCase(expression: "pk = :p AND sk > :n", expected: .condition(.greaterThan(five))),
    KeyConditionCase(expression: "pk = :p and sk >= :n", expected: .condition(.greaterThanOrEqual(five))),
    KeyConditionCase(expression: "pk = :p AND :n < sk", expected: .condition(.greaterThan(five))),
    KeyConditionCase(
        expression: "sk BETWEEN :a AND :b AND pk = :p",
        values: #"{":p":{"S":"p1"},":a":{"N":"1"},":b":{"N":"9"}}"#,
        expected: .condition(.between(.n(DynamoNumber(1)), .n(DynamoNumber(9))))
    ),
    KeyConditionCase(
        expression: "pk = :p AND begins_with(sk, :s)",
        values: #"{":p":{"S":"p1"},":s":{"S":"ab"}}"#,
        schema: stringSortSchema,
        expected: .condition(.beginsWith(.s("ab")))
    ),
    KeyConditionCase(expression: "#p = :p AND #s >= :n", names: ["#p": "pk", "#s": "sk"], expected: .condition(.greaterThanOrEqual(five))),
    KeyConditionCase(expression: "(pk = :p) AND (sk > :n)", expected: .condition(.greaterThan(five))),
    KeyConditionCase(expression: "pk = :p OR sk = :n", expected: .fails("Invalid operator used in KeyConditionExpression: OR")),
    KeyConditionCase(
        expression: "NOT pk = :p",
        values: #"{":p":{"S":"p1"}}"#,
        expected: .fails("Invalid operator used in KeyConditionExpression: NOT")
    ),
    KeyConditionCase(expression: "pk = :p AND sk IN (:n)", expected: .fails("Invalid operator used in KeyConditionExpression: IN")),
    KeyConditionCase(expression: "pk = :p AND sk <> :n", expected: .fails("Invalid operator used in KeyConditionExpression: <>")),
    KeyConditionCase(
        expression: "pk = :p AND attribute_exists(sk)",
        values: #"{":p":{"S":"p1"}}"#,
        expected: .fails("Invalid operator used in KeyConditionExpression: attribute_exists")
    ),
    KeyConditionCase(
        expression: "pk = :p AND sk = :n AND extra = :n",
        expected: .fails("Conditions can be of length 1 or 2 only")
    ),
    KeyConditionCase(
        expression: "pk = :p AND pk = :p",
        values: #"{":p":{"S":"p1"}}"#,
        expected: .fails("KeyConditionExpressions must only contain one condition per key")
    ),
    KeyConditionCase(expression: "sk = :n", values: #"{":n":{"N":"5"}}"#, expected: .fails("Query condition missed key schema element: pk")),
    KeyConditionCase(expression: "pk < :p", values: #"{":p":{"S":"p1"}}"#, expected: .fails("Query key condition not supported")),
    KeyConditionCase(
        expression: "pk = :n",
        values: #"{":n":{"N":"5"}}"#,
        expected: .fails("One or more parameter values were invalid: Condition parameter type does not match schema type")
    ),
    KeyConditionCase(
        expression: "pk = :p AND sk = :s",
        values: #"{":p":{"S":"p1"},":s":{"S":"5"}}"#,
        expected: .fails("One or more parameter values were invalid: Condition parameter type does not match schema type")
    ),
    KeyConditionCase(expression: "pk = :p AND extra = :n", expected: .fails("Query condition missed key schema element: sk")),
    KeyConditionCase(expression: "pk = :p AND sk = :n", schema: hashOnlySchema, expected: .fails("Query key condition not supported")),
    KeyConditionCase(
        expression: "pk.x = :p",
        values: #"{":p":{"S":"p1"}}"#,
        expected: .fails("KeyConditionExpressions cannot have conditions on nested attributes")
    ),
    KeyConditionCase(
        expression: "pk = :p AND begins_with(sk, :n)",
        expected: .fails(
            "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"
        )
    ),
    KeyConditionCase(
        expression: "pk = :p AND sk BETWEEN :hi AND :lo",
        values: #"{":p":{"S":"p1"},":hi":{"N":"9"},":lo":{"N":"1"}}"#,
        expected: .fails(
            "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                + "lower bound operand: AttributeValue: {N:9}, upper bound operand: AttributeValue: {N:1}"
        )
    ),
    KeyConditionCase(
        expression: "key = :p",
        values: #"{":p":{"S":"p1"}}"#,
        expected: .fails("Invalid KeyConditionExpression: Attribute name is a reserved keyword; reserved keyword: key")
    ),
    KeyConditionCase(
        expression: "pk = :p AND foo(sk, :n)",
        expected: .fails("Invalid KeyConditionExpression: Invalid function name; function: foo")
    ),
    KeyConditionCase(
        expression: "pk = :p AND size(sk) > :n",
        expected: .fails("KeyConditionExpressions cannot contain nested operations")
    ),
    KeyConditionCase(
        expression: "pk = sk",
        values: "{}",
        expected: .fails("Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition")
    ),
    KeyConditionCase(expression: ":p = :n", expected: .fails("Invalid condition in KeyConditionExpression: No key attribute specified")),
    KeyConditionCase(
        expression: "pk = :p AND :n BETWEEN sk AND :n",
        expected: .fails("Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand")
    ),
    KeyConditionCase(
        expression: "pk = :p AND contains(sk, :n)",
        expected: .fails("Invalid operator used in KeyConditionExpression: contains")
    ),
    KeyConditionCase(
        expression: "pk = :n AND sk = :p",
        expected: .fails("One or more parameter values were invalid: Condition parameter type does not match schema type")
    ),
    KeyConditionCase(
        expression: "pk = :p AND begins_with(sk, :s)",
        values: #"{":p":{"S":"p1"},":s":{"S":"x"}}"#,
        expected: .fails("One or more parameter values were invalid: Condition parameter type does not match schema type")
    ),
    KeyConditionCase(
        expression: "pk = :p AND",
        values: #"{":p":{"S":"p1"}}"#,
        expected: .fails(#"Invalid KeyConditionExpression: Syntax error; token: "<EOF>", near: "AND""#)
    ),
]

@Suite("Projection expressions")
struct ProjectionExpressionTests {
    @Test("table", arguments: projectionCases)
    func table(_ row: ProjectionCase) {
        let outcome: Result<Item, DynamoDBError> = Result { () throws(DynamoDBError) in
            try ProjectionExpression.parse(row.expression, names: row.names).project(projectionSource)
        }
        switch (row.expected, outcome) {
        case (.item(let json), .success(let projected)): #expect(projected == item(json))
        case (.fails(let message), .failure(let error)): #expect(error.message == message)
        default: Issue.record("unexpected outcome \(outcome)")
        }
    }

    @Test func usageRecordsNames() throws {
        let projection = try ProjectionExpression.parse("#a.#b, c", names: ["#a": "m", "#b": "x"])
        #expect(projection.usage.names == ["#a", "#b"])
        #expect(projection.topLevelAttributes == ["m", "c"])
    }
}

@Suite("Key condition expressions")
struct KeyConditionTests {
    @Test("table", arguments: keyConditionCases)
    func table(_ row: KeyConditionCase) {
        let outcome: Result<KeyCondition, DynamoDBError> = Result { () throws(DynamoDBError) in
            try KeyCondition.parse(row.expression, names: row.names, values: item(row.values), schema: row.schema)
        }
        switch (row.expected, outcome) {
        case (.condition(let expected), .success(let condition)):
            #expect(condition.partitionKeyName == "pk")
            #expect(condition.partitionKeyValue == .s("p1"))
            #expect(condition.sortCondition == expected)
        case (.fails(let message), .failure(let error)):
            #expect(error.message == message)
        default:
            Issue.record("unexpected outcome \(outcome)")
        }
    }

    @Test func encodedRangeSelectsExactlyTheMatchingKeys() throws {
        let keys = ["-100", "-2.5", "-1", "0", "0.5", "1", "2", "2.25", "3", "10", "11", "1E+20"].map { AttributeValue.n(number($0)) }
        let conditions: [SortKeyCondition] = [
            .equal(.n(number("2"))), .lessThan(.n(number("1"))), .lessThanOrEqual(.n(number("1"))), .greaterThan(.n(number("2.25"))),
            .greaterThanOrEqual(.n(number("-1"))), .between(.n(number("-2.5")), .n(number("3"))),
        ]
        for condition in conditions {
            let range = condition.encodedRange
            for key in keys {
                let bytes = try #require(KeyEncoding.sortable(key))
                #expect(Self.inRange(bytes, range) == condition.matches(key), "\(condition) \(key)")
            }
        }
    }

    @Test func beginsWithRangeOnStrings() throws {
        let condition = SortKeyCondition.beginsWith(.s("ab"))
        for key in ["a", "ab", "abc", "abz\u{10FFFF}", "ac", "b", "aa", "ab\u{7F}"] {
            let bytes = try #require(KeyEncoding.sortable(.s(key)))
            #expect(Self.inRange(bytes, condition.encodedRange) == condition.matches(.s(key)), "\(key)")
        }
    }

    @Test func matchesItems() throws {
        let schema = KeySchema(partitionKey: .init(name: "pk", type: .s), sortKey: .init(name: "sk", type: .n))
        let condition = try KeyCondition.parse(
            "pk = :p AND sk BETWEEN :a AND :b",
            values: [":p": .s("x"), ":a": .n(number("1")), ":b": .n(number("5"))],
            schema: schema
        )
        #expect(condition.matches(["pk": .s("x"), "sk": .n(number("3"))]))
        #expect(!condition.matches(["pk": .s("x"), "sk": .n(number("6"))]))
        #expect(!condition.matches(["pk": .s("y"), "sk": .n(number("3"))]))
        #expect(condition.usage.values == [":p", ":a", ":b"])
    }

    private static func inRange(_ bytes: Data, _ range: SortKeyRange) -> Bool {
        if let lower = range.lower {
            let order = AttributeValue.compareBytes(Array(bytes), Array(lower.bytes))
            if order < 0 || (order == 0 && !lower.inclusive) { return false }
        }
        if let upper = range.upper {
            let order = AttributeValue.compareBytes(Array(bytes), Array(upper.bytes))
            if order > 0 || (order == 0 && !upper.inclusive) { return false }
        }
        return true
    }
}
