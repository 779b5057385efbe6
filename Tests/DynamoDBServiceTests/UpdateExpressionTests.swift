import Foundation
import Testing

@testable import DynamoDBService

/// One row of the update-expression table.
struct UpdateCase: Sendable, CustomTestStringConvertible {
    let expression: String
    var names: [String: String] = [:]
    var values: String = "{}"
    var start: String = updateBase
    /// Expected item after the update (wire JSON) or error message.
    let expected: Result

    enum Result: Sendable {
        case item(String)
        case fails(String)
    }

    var testDescription: String { expression }
}

let updateBase = """
    {"pk":{"S":"p1"},"n":{"N":"10"},"s":{"S":"hello"},"m":{"M":{"x":{"N":"1"},"deep2":{"M":{"z":{"N":"3"}}}}},
     "l":{"L":[{"S":"a"},{"N":"2"},{"S":"c"}]},"ss":{"SS":["a","b"]},"ns":{"NS":["1","2"]}}
    """

private func replacing(_ changes: String, removing: [String] = []) -> UpdateCase.Result {
    var result = item(updateBase)
    for (key, value) in item(changes) { result[key] = value }
    for key in removing { result[key] = nil }
    return .item(String(decoding: AttributeValue.encodeItem(result), as: UTF8.self))
}

private func invalidUpdate(_ detail: String) -> UpdateCase.Result {
    .fails("Invalid UpdateExpression: \(detail)")
}

private let one = #"{":one":{"N":"1"}}"#

let updateCases: [UpdateCase] = [
    // SET
    UpdateCase(expression: "SET a = :v", values: #"{":v":{"S":"new"}}"#, expected: replacing(#"{"a":{"S":"new"}}"#)),
    UpdateCase(expression: "SET n = n + :one", values: one, expected: replacing(#"{"n":{"N":"11"}}"#)),
    UpdateCase(expression: "SET n = n - :one", values: one, expected: replacing(#"{"n":{"N":"9"}}"#)),
    UpdateCase(expression: "SET x = :one + :one", values: one, expected: replacing(#"{"x":{"N":"2"}}"#)),
    UpdateCase(expression: "SET n = :half - n", values: #"{":half":{"N":"0.5"}}"#, expected: replacing(#"{"n":{"N":"-9.5"}}"#)),
    UpdateCase(
        expression: "SET n = n + :s",
        values: #"{":s":{"S":"x"}}"#,
        expected: invalidUpdate("Incorrect operand type for operator or function; operator or function: +, operand type: S")
    ),
    UpdateCase(expression: "SET s = s + :one", values: one, expected: .fails("An operand in the update expression has an incorrect data type")),
    UpdateCase(
        expression: "SET x = absent + :one",
        values: one,
        expected: .fails("The provided expression refers to an attribute that does not exist in the item")
    ),
    UpdateCase(expression: "SET x = if_not_exists(absent, :one)", values: one, expected: replacing(#"{"x":{"N":"1"}}"#)),
    UpdateCase(expression: "SET n = if_not_exists(n, :one)", values: one, expected: replacing("{}")),
    UpdateCase(
        expression: "SET c = if_not_exists(c, :zero) + :one",
        values: #"{":zero":{"N":"0"},":one":{"N":"1"}}"#,
        expected: replacing(#"{"c":{"N":"1"}}"#)
    ),
    UpdateCase(
        expression: "SET l = list_append(l, :more)",
        values: #"{":more":{"L":[{"S":"d"}]}}"#,
        expected: replacing(#"{"l":{"L":[{"S":"a"},{"N":"2"},{"S":"c"},{"S":"d"}]}}"#)
    ),
    UpdateCase(
        expression: "SET l = list_append(:more, l)",
        values: #"{":more":{"L":[{"S":"z"}]}}"#,
        expected: replacing(#"{"l":{"L":[{"S":"z"},{"S":"a"},{"N":"2"},{"S":"c"}]}}"#)
    ),
    UpdateCase(
        expression: "SET nl = list_append(if_not_exists(nl, :empty), :more)",
        values: #"{":empty":{"L":[]},":more":{"L":[{"N":"7"}]}}"#,
        expected: replacing(#"{"nl":{"L":[{"N":"7"}]}}"#)
    ),
    UpdateCase(
        expression: "SET l = list_append(l, :s)",
        values: #"{":s":{"S":"x"}}"#,
        expected: invalidUpdate("Incorrect operand type for operator or function; operator or function: list_append, operand type: S")
    ),
    UpdateCase(
        expression: "SET s = list_append(s, :more)",
        values: #"{":more":{"L":[]}}"#,
        expected: .fails("An operand in the update expression has an incorrect data type")
    ),
    UpdateCase(
        expression: "SET m.x = :v",
        values: #"{":v":{"S":"X"}}"#,
        expected: replacing(#"{"m":{"M":{"x":{"S":"X"},"deep2":{"M":{"z":{"N":"3"}}}}}}"#)
    ),
    UpdateCase(
        expression: "SET m.deep2.w = :v",
        values: #"{":v":{"BOOL":false}}"#,
        expected: replacing(#"{"m":{"M":{"x":{"N":"1"},"deep2":{"M":{"z":{"N":"3"},"w":{"BOOL":false}}}}}}"#)
    ),
    UpdateCase(
        expression: "SET nomap.x = :v",
        values: one.replacingOccurrences(of: ":one", with: ":v"),
        expected: .fails("The document path provided in the update expression is invalid for update")
    ),
    UpdateCase(
        expression: "SET s.x = :v",
        values: one.replacingOccurrences(of: ":one", with: ":v"),
        expected: .fails("The document path provided in the update expression is invalid for update")
    ),
    UpdateCase(
        expression: "SET m.x[0] = :v",
        values: one.replacingOccurrences(of: ":one", with: ":v"),
        expected: .fails("The document path provided in the update expression is invalid for update")
    ),
    UpdateCase(
        expression: "SET l[0] = :v",
        values: #"{":v":{"S":"A"}}"#,
        expected: replacing(#"{"l":{"L":[{"S":"A"},{"N":"2"},{"S":"c"}]}}"#)
    ),
    UpdateCase(
        expression: "SET l[10] = :v",
        values: #"{":v":{"S":"end"}}"#,
        expected: replacing(#"{"l":{"L":[{"S":"a"},{"N":"2"},{"S":"c"},{"S":"end"}]}}"#)
    ),
    UpdateCase(
        expression: "SET a = b, b = a",
        start: #"{"a":{"S":"A"},"b":{"S":"B"}}"#,
        expected: .item(#"{"a":{"S":"B"},"b":{"S":"A"}}"#)
    ),
    UpdateCase(expression: "SET #st = :v", names: ["#st": "status"], values: #"{":v":{"S":"on"}}"#, expected: replacing(#"{"status":{"S":"on"}}"#)),
    UpdateCase(
        expression: "SET n = n + :big",
        values: #"{":big":{"N":"1E+125"}}"#,
        start: #"{"n":{"N":"9.9999999999999999999999999999999999999E+125"}}"#,
        expected: .fails("Number overflow. Attempting to store a number with magnitude larger than supported range")
    ),
    // REMOVE
    UpdateCase(expression: "REMOVE s", expected: replacing("{}", removing: ["s"])),
    UpdateCase(expression: "REMOVE absent", expected: replacing("{}")),
    UpdateCase(expression: "REMOVE l[0], l[2]", expected: replacing(#"{"l":{"L":[{"N":"2"}]}}"#)),
    UpdateCase(expression: "REMOVE l[2], l[0]", expected: replacing(#"{"l":{"L":[{"N":"2"}]}}"#)),
    UpdateCase(expression: "REMOVE m.deep2.z", expected: replacing(#"{"m":{"M":{"x":{"N":"1"},"deep2":{"M":{}}}}}"#)),
    UpdateCase(expression: "REMOVE l[7]", expected: replacing("{}")),
    UpdateCase(expression: "REMOVE s, n", expected: replacing("{}", removing: ["s", "n"])),
    // ADD
    UpdateCase(expression: "ADD n :one", values: one, expected: replacing(#"{"n":{"N":"11"}}"#)),
    UpdateCase(expression: "ADD newn :one", values: one, expected: replacing(#"{"newn":{"N":"1"}}"#)),
    UpdateCase(
        expression: "ADD m.hits :one",
        values: one,
        expected: replacing(#"{"m":{"M":{"x":{"N":"1"},"hits":{"N":"1"},"deep2":{"M":{"z":{"N":"3"}}}}}}"#)
    ),
    UpdateCase(expression: "ADD ss :more", values: #"{":more":{"SS":["b","c"]}}"#, expected: replacing(#"{"ss":{"SS":["a","b","c"]}}"#)),
    UpdateCase(expression: "ADD ns :more", values: #"{":more":{"NS":["2.0","3"]}}"#, expected: replacing(#"{"ns":{"NS":["1","2","3"]}}"#)),
    UpdateCase(expression: "ADD newss :more", values: #"{":more":{"SS":["x"]}}"#, expected: replacing(#"{"newss":{"SS":["x"]}}"#)),
    UpdateCase(expression: "ADD s :one", values: one, expected: .fails("An operand in the update expression has an incorrect data type")),
    UpdateCase(
        expression: "ADD ss :nums",
        values: #"{":nums":{"NS":["1"]}}"#,
        expected: .fails("An operand in the update expression has an incorrect data type")
    ),
    UpdateCase(
        expression: "ADD n :s",
        values: #"{":s":{"S":"x"}}"#,
        expected: invalidUpdate(
            "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"
        )
    ),
    UpdateCase(
        expression: "ADD n :m",
        values: #"{":m":{"M":{}}}"#,
        expected: invalidUpdate("Incorrect operand type for operator or function; operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND")
    ),
    // DELETE
    UpdateCase(expression: "DELETE ss :del", values: #"{":del":{"SS":["a"]}}"#, expected: replacing(#"{"ss":{"SS":["b"]}}"#)),
    UpdateCase(expression: "DELETE ss :del", values: #"{":del":{"SS":["a","b"]}}"#, expected: replacing("{}", removing: ["ss"])),
    UpdateCase(expression: "DELETE ns :del", values: #"{":del":{"NS":["1.00"]}}"#, expected: replacing(#"{"ns":{"NS":["2"]}}"#)),
    UpdateCase(expression: "DELETE absent :del", values: #"{":del":{"SS":["a"]}}"#, expected: replacing("{}")),
    UpdateCase(
        expression: "DELETE n :one",
        values: one,
        expected: invalidUpdate(
            "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"
        )
    ),
    UpdateCase(
        expression: "DELETE ns :del",
        values: #"{":del":{"SS":["a"]}}"#,
        expected: .fails("An operand in the update expression has an incorrect data type")
    ),
    // Several clauses
    UpdateCase(
        expression: "set a = :v remove s add n :one delete ss :del",
        values: #"{":v":{"S":"A"},":one":{"N":"1"},":del":{"SS":["a"]}}"#,
        expected: replacing(#"{"a":{"S":"A"},"n":{"N":"11"},"ss":{"SS":["b"]}}"#, removing: ["s"])
    ),
    UpdateCase(
        expression: "REMOVE s SET a = :v",
        values: #"{":v":{"S":"A"}}"#,
        expected: replacing(#"{"a":{"S":"A"}}"#, removing: ["s"])
    ),
    // Errors
    UpdateCase(
        expression: "SET a = :v SET b = :v",
        values: #"{":v":{"S":"A"}}"#,
        expected: invalidUpdate("The \"SET\" section can only be used once in an update expression;")
    ),
    UpdateCase(
        expression: "SET a = :v, a = :w",
        values: #"{":v":{"S":"A"},":w":{"S":"B"}}"#,
        expected: invalidUpdate("Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]")
    ),
    UpdateCase(
        expression: "SET m.x = :v REMOVE m",
        values: #"{":v":{"S":"A"}}"#,
        expected: invalidUpdate(
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [m, x], path two: [m]"
        )
    ),
    UpdateCase(
        expression: "SET l[0] = :v REMOVE l.x",
        values: #"{":v":{"S":"A"}}"#,
        expected: invalidUpdate(
            "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [l, [0]], path two: [l, x]"
        )
    ),
    UpdateCase(
        expression: "SET status = :v",
        values: #"{":v":{"S":"A"}}"#,
        expected: invalidUpdate("Attribute name is a reserved keyword; reserved keyword: status")
    ),
    UpdateCase(
        expression: "SET a = :v + :w + :x",
        values: #"{":v":{"N":"1"},":w":{"N":"1"},":x":{"N":"1"}}"#,
        expected: invalidUpdate(#"Syntax error; token: "+", near: ":w + :x""#)
    ),
    UpdateCase(expression: "SET a :v", values: #"{":v":{"S":"A"}}"#, expected: invalidUpdate(#"Syntax error; token: ":v", near: "a :v""#)),
    UpdateCase(expression: "REMOVE", expected: invalidUpdate(#"Syntax error; token: "<EOF>", near: "REMOVE""#)),
    UpdateCase(
        expression: "UPDATE a = :v",
        values: #"{":v":{"S":"A"}}"#,
        expected: invalidUpdate(#"Syntax error; token: "UPDATE", near: "UPDATE a""#)
    ),
    UpdateCase(expression: "SET a = :v b = :v", values: #"{":v":{"S":"A"}}"#, expected: invalidUpdate(#"Syntax error; token: "b", near: ":v b =""#)),
    UpdateCase(expression: "ADD n n", expected: invalidUpdate(#"Syntax error; token: "n", near: "n n""#)),
    UpdateCase(expression: "", expected: invalidUpdate("The expression can not be empty;")),
    UpdateCase(
        expression: "SET a = attribute_exists(b)",
        expected: invalidUpdate("Invalid function name; function: attribute_exists")
    ),
    UpdateCase(
        expression: "SET a = if_not_exists(:v, :w)",
        values: #"{":v":{"S":"A"},":w":{"S":"B"}}"#,
        expected: invalidUpdate("Operator or function requires a document path; operator or function: if_not_exists")
    ),
    UpdateCase(
        expression: "SET a = list_append(:v)",
        values: #"{":v":{"L":[]}}"#,
        expected: invalidUpdate("Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1")
    ),
    UpdateCase(expression: "SET a = foo(b)", expected: invalidUpdate("Invalid function name; function: foo")),
    UpdateCase(expression: "SET a = (:v)", values: #"{":v":{"S":"A"}}"#, expected: replacing(#"{"a":{"S":"A"}}"#)),
    UpdateCase(expression: "SET n = (n + :one)", values: one, expected: replacing(#"{"n":{"N":"11"}}"#)),
    UpdateCase(expression: "SET _x = :one", values: one, expected: replacing(#"{"_x":{"N":"1"}}"#)),
    UpdateCase(
        expression: "SET a = foo(b) SET status = :v",
        values: #"{":v":{"S":"A"}}"#,
        expected: invalidUpdate("Attribute name is a reserved keyword; reserved keyword: status")
    ),
    UpdateCase(
        expression: "SET a = :v SET b = foo(c)",
        values: #"{":v":{"S":"A"}}"#,
        expected: invalidUpdate("Invalid function name; function: foo")
    ),
    UpdateCase(
        expression: "SET a = :nope SET #b = :v",
        values: #"{":v":{"S":"A"}}"#,
        expected: invalidUpdate("The \"SET\" section can only be used once in an update expression;")
    ),
    UpdateCase(
        expression: "SET a = :nope, #b = :v",
        values: #"{":v":{"S":"A"}}"#,
        expected: invalidUpdate("An expression attribute name used in the document path is not defined; attribute name: #b")
    ),
    UpdateCase(
        expression: "SET l[0] = :v, l.x = :v, a = :v, a.b = :v",
        values: #"{":v":{"S":"A"}}"#,
        expected: invalidUpdate(
            "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"
        )
    ),
    UpdateCase(
        expression: "ADD n :s SET a = list_append(:s, :s)",
        values: #"{":s":{"S":"x"}}"#,
        expected: invalidUpdate(
            "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"
        )
    ),
    UpdateCase(
        expression: "SET a = list_append(if_not_exists(:v, :v), :v)",
        values: #"{":v":{"L":[]}}"#,
        expected: invalidUpdate("Operator or function requires a document path; operator or function: if_not_exists")
    ),
    UpdateCase(
        expression: "SET a = :nope",
        expected: invalidUpdate("An expression attribute value used in expression is not defined; attribute value: :nope")
    ),
    UpdateCase(
        expression: "SET #nope = :v",
        values: #"{":v":{"S":"A"}}"#,
        expected: invalidUpdate("An expression attribute name used in the document path is not defined; attribute name: #nope")
    ),
]

@Suite("Update expressions")
struct UpdateExpressionTests {
    @Test("table", arguments: updateCases)
    func table(_ row: UpdateCase) {
        let values = item(row.values)
        let start = item(row.start)
        let outcome: Result<Item, DynamoDBError> = Result { () throws(DynamoDBError) in
            try UpdateExpression.parse(row.expression, names: row.names, values: values).apply(to: start)
        }
        switch (row.expected, outcome) {
        case (.item(let json), .success(let updated)):
            #expect(updated == item(json))
        case (.fails(let message), .failure(let error)):
            #expect(error.message == message)
            #expect(error.code == .validationException)
        case (.item, .failure(let error)):
            Issue.record("unexpected error \(error.message)")
        case (.fails(let message), .success(let updated)):
            Issue.record("expected \(message), got \(updated)")
        }
    }

    @Test func reportsChangedTopLevelAttributes() throws {
        let update = try UpdateExpression.parse(
            "SET m.x = :v, a = :v REMOVE s ADD n :one",
            values: [":v": .s("x"), ":one": .n(DynamoNumber(1))]
        )
        let result = try update.applyTracking(to: item(updateBase))
        #expect(result.changedAttributes == ["m", "a", "s", "n"])
        #expect(update.targetedTopLevelAttributes == ["m", "a", "s", "n"])
        #expect(result.item["a"] == .s("x"))
        #expect(result.item["s"] == nil)
    }

    @Test func updateOnMissingItemStartsFromKeys() throws {
        let update = try UpdateExpression.parse("SET c = if_not_exists(c, :zero) + :one", values: [":zero": .n(.zero), ":one": .n(DynamoNumber(1))])
        let created = try update.apply(to: ["pk": .s("new")])
        #expect(created == ["pk": .s("new"), "c": .n(DynamoNumber(1))])
    }

    @Test func addKeepsThirtyEightDigitPrecisionAndRejectsMore() throws {
        let start: Item = ["n": .n(number("12345678901234567890123456789012345678"))]
        let add = try UpdateExpression.parse("ADD n :v", values: [":v": .n(number("1"))])
        #expect(try add.apply(to: start)["n"] == .n(number("12345678901234567890123456789012345679")))
        let tooPrecise = try UpdateExpression.parse("ADD n :v", values: [":v": .n(number("0.1"))])
        let message = errorMessage { () throws(DynamoDBError) in try tooPrecise.apply(to: start) }
        #expect(message == "Attempting to store more than 38 significant digits in a Number")
    }

    @Test func operatorLimitCountsArithmeticAndFunctions() throws {
        let values: [String: AttributeValue] = [":v": .n(DynamoNumber(1))]
        let sets = (0..<150).map { "a\($0) = :v + :v" }.joined(separator: ", ")
        #expect(try UpdateExpression.parse("SET " + sets, values: values).actions.count == 150)
        let atLimit = (0..<150).map { "a\($0)=if_not_exists(b,:v)+:v" }.joined(separator: ",")
        #expect(try UpdateExpression.parse("SET " + atLimit, values: values).actions.count == 150)
        let overLimit = (0..<301).map { "x\($0)=:v+:v" }.joined(separator: ",")
        #expect(
            errorMessage { () throws(DynamoDBError) in try UpdateExpression.parse("SET " + overLimit, values: values) }
                == "Invalid UpdateExpression: The expression contains too many operators; operator count: 301"
        )
    }

    @Test func rowCount() {
        #expect(updateCases.count >= 40)
    }
}
