import Foundation
import Testing

@testable import DynamoDBService

/// One row of the condition-expression table.
struct ConditionCase: Sendable, CustomTestStringConvertible {
    let expression: String
    var names: [String: String] = [:]
    var values: String = "{}"
    /// When true the condition is evaluated against a non-existent item.
    var missingItem = false
    var kind: ExpressionKind = .condition
    let outcome: Outcome

    var testDescription: String { "\(expression) \(outcome)" }
}

private let baseItem = item(
    """
    {"pk":{"S":"p1"},"n":{"N":"10"},"s":{"S":"hello"},"b":{"B":"AQID"},"flag":{"BOOL":true},"nil":{"NULL":true},
     "m":{"M":{"x":{"N":"1"},"y":{"S":"why"},"deep2":{"M":{"z":{"N":"3"}}}}},
     "l":{"L":[{"S":"a"},{"N":"2"},{"M":{"k":{"S":"v"}}}]},
     "ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]},"bs":{"BS":["AQ=="]},"status":{"S":"active"}}
    """
)

private func invalid(_ detail: String, _ kind: ExpressionKind = .condition) -> Outcome {
    .fails("Invalid \(kind.rawValue): \(detail)")
}

private let n10 = #"{":v":{"N":"10"}}"#

let conditionCases: [ConditionCase] = [
    // Comparators
    ConditionCase(expression: "n = :v", values: n10, outcome: .holds(true)),
    ConditionCase(expression: "n = :v", values: #"{":v":{"N":"10.00"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "n <> :v", values: #"{":v":{"N":"11"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "n <> :v", values: n10, outcome: .holds(false)),
    ConditionCase(expression: "n < :v", values: #"{":v":{"N":"11"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "n <= :v", values: n10, outcome: .holds(true)),
    ConditionCase(expression: "n > :v", values: #"{":v":{"N":"9.5"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "n >= :v", values: #"{":v":{"N":"10.01"}}"#, outcome: .holds(false)),
    ConditionCase(expression: "n > :v", values: #"{":v":{"N":"-100"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "n < :v", values: #"{":v":{"S":"11"}}"#, outcome: .holds(false)),
    ConditionCase(expression: "n = :v", values: #"{":v":{"S":"10"}}"#, outcome: .holds(false)),
    ConditionCase(expression: "n <> :v", values: #"{":v":{"S":"10"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "s = :v", values: #"{":v":{"S":"hello"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "s < :v", values: #"{":v":{"S":"help"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "s > :v", values: #"{":v":{"S":"Hello"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "b = :v", values: #"{":v":{"B":"AQID"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "b < :v", values: #"{":v":{"B":"AQIE"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "absent = :v", values: n10, outcome: .holds(false)),
    ConditionCase(expression: "absent <> :v", values: n10, outcome: .holds(true)),
    ConditionCase(expression: "absent < :v", values: n10, outcome: .holds(false)),
    ConditionCase(expression: "flag = :v", values: #"{":v":{"BOOL":true}}"#, outcome: .holds(true)),
    ConditionCase(expression: "flag < :v", values: #"{":v":{"BOOL":true}}"#, outcome: .holds(false)),
    ConditionCase(expression: "nil = :v", values: #"{":v":{"NULL":true}}"#, outcome: .holds(true)),
    ConditionCase(expression: "m.x = :v", values: #"{":v":{"N":"1"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "m.deep2.z = :v", values: #"{":v":{"N":"3"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "l[1] = :v", values: #"{":v":{"N":"2"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "l[2].k = :v", values: #"{":v":{"S":"v"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "l[5] = :v", values: #"{":v":{"N":"2"}}"#, outcome: .holds(false)),
    ConditionCase(expression: "ss = :v", values: #"{":v":{"SS":["b","a"]}}"#, outcome: .holds(true)),
    ConditionCase(expression: "l[2] = :v", values: #"{":v":{"M":{"k":{"S":"v"}}}}"#, outcome: .holds(true)),
    ConditionCase(expression: "#st = :v", names: ["#st": "status"], values: #"{":v":{"S":"active"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "#m.#x = :v", names: ["#m": "m", "#x": "x"], values: #"{":v":{"N":"1"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "#a = :v", names: ["#a": "a.b"], values: #"{":v":{"N":"1"}}"#, outcome: .holds(false)),
    ConditionCase(expression: ":v = n", values: n10, outcome: .holds(true)),
    ConditionCase(expression: ":v < n", values: #"{":v":{"N":"2"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "n=:v", values: n10, outcome: .holds(true)),
    // BETWEEN
    ConditionCase(expression: "n BETWEEN :lo AND :hi", values: #"{":lo":{"N":"5"},":hi":{"N":"15"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "n BETWEEN :lo AND :hi", values: #"{":lo":{"N":"10"},":hi":{"N":"10"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "n BETWEEN :lo AND :hi", values: #"{":lo":{"N":"11"},":hi":{"N":"20"}}"#, outcome: .holds(false)),
    ConditionCase(expression: "s between :lo and :hi", values: #"{":lo":{"S":"a"},":hi":{"S":"i"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "n BETWEEN :lo AND :hi", values: #"{":lo":{"S":"a"},":hi":{"S":"z"}}"#, outcome: .holds(false)),
    ConditionCase(expression: "absent BETWEEN :lo AND :hi", values: #"{":lo":{"N":"1"},":hi":{"N":"2"}}"#, outcome: .holds(false)),
    ConditionCase(
        expression: "n BETWEEN :lo AND :hi",
        values: #"{":lo":{"N":"20"},":hi":{"N":"10"}}"#,
        outcome: invalid(
            "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                + "lower bound operand: AttributeValue: {N:20}, upper bound operand: AttributeValue: {N:10}"
        )
    ),
    // IN
    ConditionCase(expression: "s IN (:a, :b)", values: #"{":a":{"S":"x"},":b":{"S":"hello"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "n IN (:a)", values: #"{":a":{"N":"10"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "n in (:a,:b)", values: #"{":a":{"N":"1"},":b":{"N":"2"}}"#, outcome: .holds(false)),
    ConditionCase(expression: "absent IN (:a)", values: #"{":a":{"N":"1"}}"#, outcome: .holds(false)),
    // AND / OR / NOT, precedence and parentheses
    ConditionCase(
        expression: "n = :ten OR n = :one AND s = :x",
        values: #"{":ten":{"N":"10"},":one":{"N":"1"},":x":{"S":"nope"}}"#,
        outcome: .holds(true)
    ),
    ConditionCase(
        expression: "(n = :ten OR n = :one) AND s = :x",
        values: #"{":ten":{"N":"10"},":one":{"N":"1"},":x":{"S":"nope"}}"#,
        outcome: .holds(false)
    ),
    ConditionCase(expression: "NOT n = :one", values: #"{":one":{"N":"1"}}"#, outcome: .holds(true)),
    ConditionCase(
        expression: "NOT n = :ten AND s = :hello",
        values: #"{":ten":{"N":"10"},":hello":{"S":"hello"}}"#,
        outcome: .holds(false)
    ),
    ConditionCase(expression: "NOT (n = :ten AND s = :x)", values: #"{":ten":{"N":"10"},":x":{"S":"nope"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "n = :one OR NOT s = :x", values: #"{":one":{"N":"1"},":x":{"S":"nope"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "n = :ten and s = :hello", values: #"{":ten":{"N":"10"},":hello":{"S":"hello"}}"#, outcome: .holds(true)),
    ConditionCase(
        expression: "n = :ten AND (s = :x OR (flag = :t AND NOT n = :one))",
        values: #"{":ten":{"N":"10"},":x":{"S":"nope"},":t":{"BOOL":true},":one":{"N":"1"}}"#,
        outcome: .holds(true)
    ),
    ConditionCase(expression: "((n = :v))", values: n10, outcome: invalid("The expression has redundant parentheses;")),
    ConditionCase(expression: "(n = :v) AND (s = :s)", values: #"{":v":{"N":"10"},":s":{"S":"hello"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "((n = :v) AND (s = :s))", values: #"{":v":{"N":"10"},":s":{"S":"hello"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "(n) = :v", values: n10, outcome: .holds(true)),
    ConditionCase(expression: "n = (:v)", values: n10, outcome: .holds(true)),
    ConditionCase(expression: "(attribute_exists(n))", outcome: .holds(true)),
    ConditionCase(expression: "NOT NOT n = :v", values: n10, outcome: .holds(true)),
    ConditionCase(
        expression: "n = :one OR s = :x OR flag = :t",
        values: #"{":one":{"N":"1"},":x":{"S":"nope"},":t":{"BOOL":true}}"#,
        outcome: .holds(true)
    ),
    ConditionCase(
        expression: "n BETWEEN :a AND :b AND s = :x",
        values: #"{":a":{"N":"1"},":b":{"N":"20"},":x":{"S":"hello"}}"#,
        outcome: .holds(true)
    ),
    // Functions
    ConditionCase(expression: "attribute_exists(n)", outcome: .holds(true)),
    ConditionCase(expression: "attribute_exists(absent)", outcome: .holds(false)),
    ConditionCase(expression: "attribute_not_exists(absent)", outcome: .holds(true)),
    ConditionCase(expression: "attribute_not_exists(pk)", missingItem: true, outcome: .holds(true)),
    ConditionCase(expression: "attribute_exists(pk)", missingItem: true, outcome: .holds(false)),
    ConditionCase(expression: "attribute_exists(m.deep2.z)", outcome: .holds(true)),
    ConditionCase(expression: "attribute_exists(l[2].k)", outcome: .holds(true)),
    ConditionCase(expression: "attribute_exists(#s)", names: ["#s": "status"], outcome: .holds(true)),
    ConditionCase(expression: "attribute_type(n, :t)", values: #"{":t":{"S":"N"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "attribute_type(ss, :t)", values: #"{":t":{"S":"SS"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "attribute_type(n, :t)", values: #"{":t":{"S":"S"}}"#, outcome: .holds(false)),
    ConditionCase(expression: "attribute_type(m, :t)", values: #"{":t":{"S":"M"}}"#, outcome: .holds(true)),
    ConditionCase(
        expression: "attribute_type(n, :t)",
        values: #"{":t":{"S":"STRING"}}"#,
        outcome: invalid("Invalid attribute type name found; type: STRING, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}")
    ),
    ConditionCase(
        expression: "attribute_type(n, :t)",
        values: #"{":t":{"N":"1"}}"#,
        outcome: invalid("Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N")
    ),
    ConditionCase(expression: "begins_with(s, :p)", values: #"{":p":{"S":"he"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "begins_with(s, :p)", values: #"{":p":{"S":"lo"}}"#, outcome: .holds(false)),
    ConditionCase(expression: "begins_with(n, :p)", values: #"{":p":{"S":"1"}}"#, outcome: .holds(false)),
    ConditionCase(expression: "begins_with(b, :p)", values: #"{":p":{"B":"AQ=="}}"#, outcome: .holds(true)),
    ConditionCase(
        expression: "begins_with(s, :p)",
        values: #"{":p":{"N":"1"}}"#,
        outcome: invalid("Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
    ),
    ConditionCase(expression: "contains(s, :p)", values: #"{":p":{"S":"ell"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "contains(ss, :p)", values: #"{":p":{"S":"a"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "contains(ss, :p)", values: #"{":p":{"S":"c"}}"#, outcome: .holds(false)),
    ConditionCase(expression: "contains(ns, :p)", values: #"{":p":{"N":"2.0"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "contains(l, :p)", values: #"{":p":{"S":"a"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "contains(l, :p)", values: #"{":p":{"N":"2"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "contains(n, :p)", values: #"{":p":{"N":"1"}}"#, outcome: .holds(false)),
    ConditionCase(expression: "contains(bs, :p)", values: #"{":p":{"B":"AQ=="}}"#, outcome: .holds(true)),
    ConditionCase(expression: "NOT contains(s, :p)", values: #"{":p":{"S":"xyz"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "size(s) = :v", values: #"{":v":{"N":"5"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "size(ss) = :v", values: #"{":v":{"N":"2"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "size(l) > :v", values: #"{":v":{"N":"2"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "size(m) = :v", values: #"{":v":{"N":"3"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "size(b) = :v", values: #"{":v":{"N":"3"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "size(n) = :v", values: #"{":v":{"N":"2"}}"#, outcome: .holds(false)),
    ConditionCase(expression: "size(absent) = :v", values: #"{":v":{"N":"0"}}"#, outcome: .holds(false)),
    ConditionCase(expression: "size(s) BETWEEN :a AND :b", values: #"{":a":{"N":"1"},":b":{"N":"10"}}"#, outcome: .holds(true)),
    ConditionCase(expression: ":v < size(l)", values: #"{":v":{"N":"1"}}"#, outcome: .holds(true)),
    ConditionCase(expression: "size(n)", outcome: invalid("The function is not allowed to be used this way in an expression; function: size")),
    ConditionCase(
        expression: "attribute_exists(n) = :v",
        values: #"{":v":{"BOOL":true}}"#,
        outcome: invalid("The function is not allowed to be used this way in an expression; function: attribute_exists")
    ),
    ConditionCase(
        expression: "attribute_exists(:v)",
        values: n10,
        outcome: invalid("Operator or function requires a document path; operator or function: attribute_exists")
    ),
    ConditionCase(expression: "foo(n)", outcome: invalid("Invalid function name; function: foo")),
    ConditionCase(expression: "ATTRIBUTE_EXISTS(n)", outcome: invalid("Invalid function name; function: ATTRIBUTE_EXISTS")),
    ConditionCase(
        expression: "begins_with(s)",
        outcome: invalid("Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1")
    ),
    ConditionCase(
        expression: "list_append(l, :v) = :v",
        values: #"{":v":{"L":[]}}"#,
        outcome: invalid("Invalid function name; function: list_append")
    ),
    // Reserved words, undefined names and values
    ConditionCase(
        expression: "status = :v",
        values: n10,
        outcome: invalid("Attribute name is a reserved keyword; reserved keyword: status")
    ),
    ConditionCase(expression: "m.name = :v", values: n10, outcome: invalid("Attribute name is a reserved keyword; reserved keyword: name")),
    ConditionCase(expression: "Status = :v", values: n10, outcome: invalid("Attribute name is a reserved keyword; reserved keyword: Status")),
    ConditionCase(
        expression: "status = :v",
        values: n10,
        kind: .filter,
        outcome: invalid("Attribute name is a reserved keyword; reserved keyword: status", .filter)
    ),
    ConditionCase(
        expression: "#nope = :v",
        values: n10,
        outcome: invalid("An expression attribute name used in the document path is not defined; attribute name: #nope")
    ),
    ConditionCase(
        expression: "n = :nope",
        outcome: invalid("An expression attribute value used in expression is not defined; attribute value: :nope")
    ),
    ConditionCase(expression: "status = :nope", outcome: invalid("Attribute name is a reserved keyword; reserved keyword: status")),
    ConditionCase(
        expression: "#nope = :nope",
        outcome: invalid("An expression attribute name used in the document path is not defined; attribute name: #nope")
    ),
    // Error precedence and DynamoDB's extra checks
    ConditionCase(
        expression: "n = n",
        outcome: invalid(
            "The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [n]"
        )
    ),
    ConditionCase(
        expression: "begins_with(#a, s)",
        names: ["#a": "s"],
        outcome: invalid(
            "The first operand must be distinct from the remaining operands for this operator or function; operator: begins_with, first operand: [s]"
        )
    ),
    ConditionCase(
        expression: "n BETWEEN :lo AND :hi",
        values: #"{":lo":{"N":"1"},":hi":{"S":"z"}}"#,
        outcome: invalid(
            "The BETWEEN operator requires same data type for lower and upper bounds; "
                + "lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:z}"
        )
    ),
    ConditionCase(expression: "size(:v) = :n", values: #"{":v":{"S":"abc"},":n":{"N":"3"}}"#, outcome: .holds(true)),
    ConditionCase(
        expression: "size(:v) = :v",
        values: #"{":v":{"N":"3"}}"#,
        outcome: invalid("Incorrect operand type for operator or function; operator or function: size, operand type: N")
    ),
    ConditionCase(
        expression: "begins_with(size(s), :p)",
        values: #"{":p":{"S":"5"}}"#,
        outcome: invalid("Incorrect operand type for operator or function; operator or function: begins_with, operand type: N")
    ),
    ConditionCase(
        expression: "attribute_type(n, s)",
        outcome: invalid(
            "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}"
        )
    ),
    ConditionCase(
        expression: "status = :v AND foo(a)",
        values: n10,
        outcome: invalid("Invalid function name; function: foo")
    ),
    ConditionCase(
        expression: "status = :v AND contains(attribute_exists(a), :v)",
        values: n10,
        outcome: invalid("The function is not allowed to be used this way in an expression; function: attribute_exists")
    ),
    ConditionCase(
        expression: "n = :nope AND status = :v",
        values: n10,
        outcome: invalid("Attribute name is a reserved keyword; reserved keyword: status")
    ),
    ConditionCase(
        expression: "n = :nope AND #a = :v",
        values: n10,
        outcome: invalid("An expression attribute value used in expression is not defined; attribute value: :nope")
    ),
    ConditionCase(
        expression: "begins_with(s) AND n = :nope",
        outcome: invalid("Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1")
    ),
    ConditionCase(
        expression: "foo(a) = = :v",
        values: n10,
        outcome: invalid(#"Syntax error; token: "=", near: "= = :v""#)
    ),
    // Syntax errors
    ConditionCase(expression: "n = ", outcome: invalid(#"Syntax error; token: "<EOF>", near: "= ""#)),
    ConditionCase(expression: "n = :v :w", values: n10, outcome: invalid(#"Syntax error; token: ":w", near: ":v :w""#)),
    ConditionCase(expression: "n == :v", values: n10, outcome: invalid(#"Syntax error; token: "=", near: "== :v""#)),
    ConditionCase(expression: "n = :v AND", values: n10, outcome: invalid(#"Syntax error; token: "<EOF>", near: "AND""#)),
    ConditionCase(expression: "", outcome: invalid("The expression can not be empty;")),
    ConditionCase(expression: "   ", outcome: invalid(#"Syntax error; token: "<EOF>", near: "   ""#)),
    ConditionCase(expression: "_n = :v", values: n10, outcome: invalid(#"Syntax error; token: "_n", near: "_n =""#)),
    ConditionCase(expression: "and = :v", values: n10, outcome: invalid(#"Syntax error; token: "and", near: "and =""#)),
    ConditionCase(expression: "n BETWEEN :a", values: n10, outcome: invalid(#"Syntax error; token: "<EOF>", near: ":a""#)),
    ConditionCase(expression: "n IN :a", values: n10, outcome: invalid(#"Syntax error; token: ":a", near: "IN :a""#)),
    ConditionCase(expression: "a.[1] = :v", values: n10, outcome: invalid(#"Syntax error; token: "[", near: ".[1""#)),
    ConditionCase(expression: "a ! b", outcome: invalid(#"Syntax error; token: "!", near: "a ! b""#)),
    ConditionCase(expression: "n = :v)", values: n10, outcome: invalid(#"Syntax error; token: ")", near: ":v)""#)),
    ConditionCase(expression: "(n = :v", values: n10, outcome: invalid(#"Syntax error; token: "<EOF>", near: ":v""#)),
    ConditionCase(expression: "n", outcome: invalid(#"Syntax error; token: "<EOF>", near: "n""#)),
    ConditionCase(expression: "n = :v + :v", values: n10, outcome: invalid(#"Syntax error; token: "+", near: ":v + :v""#)),
]

@Suite("Condition and filter expressions")
struct ConditionExpressionTests {
    @Test("table", arguments: conditionCases)
    func table(_ row: ConditionCase) throws {
        let values = item(row.values)
        let target: Item? = row.missingItem ? nil : baseItem
        switch row.outcome {
        case .holds(let expected):
            let expression = try ConditionExpression.parse(row.expression, names: row.names, values: values, kind: row.kind)
            #expect(expression.evaluate(on: target) == expected)
            #expect(expression.usage.values == Set(values.keys))
            #expect(expression.usage.names == Set(row.names.keys))
        case .fails(let message):
            let error = errorMessage { () throws(DynamoDBError) in
                try ConditionExpression.parse(row.expression, names: row.names, values: values, kind: row.kind)
            }
            #expect(error == message)
        }
    }

    @Test func rowCountIsLarge() {
        #expect(conditionCases.count >= 80)
    }

    @Test func inListAcceptsOneHundredOperandsButNotMore() throws {
        var values: [String: AttributeValue] = [:]
        for index in 0..<101 { values[":v\(index)"] = .n(DynamoNumber(index)) }
        let hundred = (0..<100).map { ":v\($0)" }.joined(separator: ", ")
        let parsed = try ConditionExpression.parse("n IN (\(hundred))", values: values)
        #expect(parsed.evaluate(on: baseItem))
        let tooMany = (0..<101).map { ":v\($0)" }.joined(separator: ", ")
        let message = errorMessage { () throws(DynamoDBError) in try ConditionExpression.parse("n IN (\(tooMany))", values: values) }
        #expect(message == "Invalid ConditionExpression: The IN operator is provided with too many operands; number of operands: 101")
    }

    @Test func expressionLimits() throws {
        let long = "attribute_exists(" + String(repeating: "a", count: 4080) + ")"
        #expect(long.utf8.count == 4098)
        #expect(
            errorMessage { () throws(DynamoDBError) in try ConditionExpression.parse(long, kind: .filter) }
                == "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 4098"
        )
        let atLimit = "attribute_exists(" + String(repeating: "a", count: 4078) + ")"
        #expect(try ConditionExpression.parse(atLimit).evaluate(on: ["a": .null]) == false)

        let values: [String: AttributeValue] = [":v": .n(DynamoNumber(1))]
        let conditions = Array(repeating: "n <> :v", count: 151).joined(separator: " AND ")
        #expect(
            errorMessage { () throws(DynamoDBError) in try ConditionExpression.parse(conditions, values: values, kind: .filter) }
                == "Invalid FilterExpression: The expression contains too many operators; operator count: 301"
        )
        let fine = Array(repeating: "n <> :v", count: 150).joined(separator: " AND ")
        #expect(try ConditionExpression.parse(fine, values: values).evaluate(on: ["n": .n(DynamoNumber(2))]))

        let deep = String(repeating: "(", count: 1000) + "n = :v" + String(repeating: ")", count: 1000)
        #expect(
            errorMessage { () throws(DynamoDBError) in try ConditionExpression.parse(deep, values: values) }
                == "Invalid ConditionExpression: The expression has redundant parentheses;"
        )
        let nested = (0..<200).reduce("n = :v") { partial, _ in "(n = :v AND \(partial))" }
        #expect(
            errorMessage { () throws(DynamoDBError) in try ConditionExpression.parse(nested, values: values) }
                == "Invalid ConditionExpression: The expression contains too many operators; operator count: 401"
        )
        let nestedFine = (0..<100).reduce("n = :v") { partial, _ in "(n = :v AND \(partial))" }
        #expect(try ConditionExpression.parse(nestedFine, values: values).evaluate(on: ["n": .n(DynamoNumber(1))]))
    }

    @Test func containsWorksOnBytes() throws {
        let condition = try ConditionExpression.parse("contains(s, :p)", values: [":p": .s("é")])
        #expect(condition.evaluate(on: ["s": .s("café")]))
        #expect(!condition.evaluate(on: ["s": .s("cafe")]))
    }

    @Test func everyReservedWordIsRejectedUnaliased() {
        #expect(ReservedWords.all.count == 573)
        for word in ["ABORT", "zone", "Data", "comment", "timestamp", "ttl", "user", "value"] {
            let message = errorMessage { () throws(DynamoDBError) in
                try ConditionExpression.parse("attribute_exists(\(word))")
            }
            #expect(message == "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: \(word)")
        }
    }

    @Test func errorsAreValidationExceptions() {
        do {
            _ = try ConditionExpression.parse("status = :v")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .validationException)
            #expect(error.httpStatus == 400)
        }
    }
}
