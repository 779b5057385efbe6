import Foundation
import Testing

@testable import DynamoDBService

/// One row of the PartiQL parse table: a statement and the statement it parses into, or DynamoDB's message.
struct PartiQLParseCase: Sendable, CustomTestStringConvertible {
    let statement: String
    let expected: Expected

    enum Expected: Sendable {
        case parses(PartiQLStatement, parameters: Int)
        case fails(String)
    }

    var testDescription: String { statement }
}

private func path(_ elements: PathElement...) -> DocumentPath { DocumentPath(elements) }
private func attribute(_ name: String) -> PartiQLValue { .path(DocumentPath(attribute: name)) }
private func string(_ text: String) -> PartiQLValue { .literal(.s(text)) }
private let notWellFormed = "Statement wasn't well formed, can't be processed: "
private let leftover = notWellFormed + "Unexpected token after expression"

let partiQLParseCases: [PartiQLParseCase] = [
    // SELECT
    PartiQLParseCase(
        statement: #"SELECT * FROM "t""#,
        expected: .parses(.select(table: "t", index: nil, projection: nil, condition: nil, descending: false), parameters: 0)
    ),
    PartiQLParseCase(
        statement: #"select a, "b".c, d[2] from t where pk = ?"#,
        expected: .parses(
            .select(
                table: "t",
                index: nil,
                projection: [DocumentPath(attribute: "a"), path(.name("b"), .name("c")), path(.name("d"), .index(2))],
                condition: .comparison(attribute("pk"), .equal, .parameter(0)),
                descending: false
            ),
            parameters: 1
        )
    ),
    PartiQLParseCase(
        statement: #"SELECT * FROM "t"."byOwner" WHERE owner = 'x' AND n BETWEEN 1 AND 5 ORDER BY n DESC"#,
        expected: .parses(
            .select(
                table: "t",
                index: "byOwner",
                projection: nil,
                condition: .and(
                    .comparison(attribute("owner"), .equal, string("x")),
                    .between(attribute("n"), .literal(.n(number("1"))), .literal(.n(number("5"))))
                ),
                descending: true
            ),
            parameters: 0
        )
    ),
    PartiQLParseCase(
        statement: #"SELECT * FROM t WHERE NOT a IN (1, ?) OR b IS NOT MISSING AND begins_with(c, 'x')"#,
        expected: .parses(
            .select(
                table: "t",
                index: nil,
                projection: nil,
                condition: .or(
                    .not(.inList(attribute("a"), [.literal(.n(number("1"))), .parameter(0)])),
                    .and(.isMissing(attribute("b"), negated: true), .function("begins_with", [attribute("c"), string("x")]))
                ),
                descending: false
            ),
            parameters: 1
        )
    ),
    PartiQLParseCase(
        statement: "-- comment\nSELECT * FROM t /* block */ WHERE a <> -.5e1",
        expected: .parses(
            .select(
                table: "t",
                index: nil,
                projection: nil,
                condition: .comparison(attribute("a"), .notEqual, .literal(.n(number("-5")))),
                descending: false
            ),
            parameters: 0
        )
    ),
    // INSERT
    PartiQLParseCase(
        statement: #"INSERT INTO "t" VALUE {'pk': ?, 'l': [1, 'two'], 's': <<'a', 'b'>>, 'm': {'ok': true, 'no': null}}"#,
        expected: .parses(
            .insert(
                table: "t",
                item: .map([
                    PartiQLMapEntry(key: "pk", value: .parameter(0)),
                    PartiQLMapEntry(key: "l", value: .list([.literal(.n(number("1"))), string("two")])),
                    PartiQLMapEntry(key: "s", value: .bag([string("a"), string("b")])),
                    PartiQLMapEntry(
                        key: "m",
                        value: .map([PartiQLMapEntry(key: "ok", value: .literal(.bool(true))), PartiQLMapEntry(key: "no", value: .literal(.null))])
                    ),
                ])
            ),
            parameters: 1
        )
    ),
    // UPDATE and DELETE
    PartiQLParseCase(
        statement: #"UPDATE "t" SET a = ?, b = b + 1 REMOVE c SET d.e[0] = 'x' WHERE pk = 'k' RETURNING ALL NEW *"#,
        expected: .parses(
            .update(
                table: "t",
                actions: [
                    .set(DocumentPath(attribute: "a"), .parameter(0)),
                    .set(DocumentPath(attribute: "b"), .arithmetic(attribute("b"), plus: true, .literal(.n(number("1"))))),
                    .remove(DocumentPath(attribute: "c")),
                    .set(path(.name("d"), .name("e"), .index(0)), string("x")),
                ],
                condition: .comparison(attribute("pk"), .equal, string("k")),
                returning: .allNew
            ),
            parameters: 1
        )
    ),
    PartiQLParseCase(
        statement: #"DELETE FROM "t" WHERE pk = ? AND sk = 2 RETURNING ALL OLD *"#,
        expected: .parses(
            .delete(
                table: "t",
                condition: .and(.comparison(attribute("pk"), .equal, .parameter(0)), .comparison(attribute("sk"), .equal, .literal(.n(number("2"))))),
                returning: .allOld
            ),
            parameters: 1
        )
    ),
    // DynamoDB's refusals
    PartiQLParseCase(statement: #"DROP TABLE "t""#, expected: .fails(notWellFormed + "Expected data manipulation")),
    PartiQLParseCase(statement: #"SELECT * FROM "t" WHERE pk = 1 foo"#, expected: .fails(leftover)),
    PartiQLParseCase(statement: #"SELECT * FROM "t" WHERE pk = 1 e5"#, expected: .fails(leftover)),
    PartiQLParseCase(statement: #"SELECT * FROM "t" WHERE pk = 1)"#, expected: .fails(leftover)),
    PartiQLParseCase(statement: #"INSERT INTO "t" VALUE {'pk': 1} foo"#, expected: .fails(leftover)),
    PartiQLParseCase(statement: #"INSERT INTO "t" t VALUE {'pk': 'x'}"#, expected: .fails(leftover)),
    PartiQLParseCase(statement: #"DELETE FROM "t" WHERE pk = 1 ORDER BY pk"#, expected: .fails(leftover)),
    PartiQLParseCase(statement: #"SELECT * FROM "t" ORDER BY pk WHERE pk = 1"#, expected: .fails(leftover)),
    PartiQLParseCase(statement: #"SELECT * FROM "t" t WHERE pk = 'x'"#, expected: .fails("Aliasing is not supported")),
    PartiQLParseCase(statement: #"SELECT * FROM "t" AS t WHERE pk = 'x'"#, expected: .fails("Aliasing is not supported")),
    PartiQLParseCase(statement: #"UPDATE "t" t SET a = 3 WHERE pk = 'x'"#, expected: .fails("Aliasing is not supported")),
    PartiQLParseCase(statement: #"DELETE FROM "t" t WHERE pk = 'x'"#, expected: .fails("Aliasing is not supported")),
    PartiQLParseCase(statement: #"SELECT * FROM "t" WHERE pk = 1 # note"#, expected: .fails(notWellFormed)),
    PartiQLParseCase(statement: #"SELECT * FROM "t" WHERE pk = 1 /* note"#, expected: .fails(notWellFormed)),
    PartiQLParseCase(statement: #"SELECT * FROM "t" WHERE pk = 1e2147483648"#, expected: .fails(notWellFormed)),
    PartiQLParseCase(
        statement: #"SELECT * FROM "t" WHERE pk = 1e126"#,
        expected: .fails("Number overflow. Attempting to store a number with magnitude larger than supported range under root")
    ),
    PartiQLParseCase(
        statement: #"UPDATE "t" SET a = 1e-131 WHERE pk = 1"#,
        expected: .fails("Number underflow. Attempting to store a number with magnitude smaller than supported range under root")
    ),
    PartiQLParseCase(
        statement: #"INSERT INTO "t" VALUE {'pk': 1, 'm': {'x': 1e126}}"#,
        expected: .fails("Number overflow. Attempting to store a number with magnitude larger than supported range under root.x")
    ),
    PartiQLParseCase(
        statement: #"INSERT INTO "t" VALUE {'pk': 1, 'l': [1, 1e126]}"#,
        expected: .fails("Number overflow. Attempting to store a number with magnitude larger than supported range under root[1]")
    ),
    PartiQLParseCase(
        statement: #"SELECT * FROM "t" WHERE pk = 123456789012345678901234567890123456789"#,
        expected: .fails("Attempting to store more than 38 significant digits in a Number under root")
    ),
    PartiQLParseCase(
        statement: #"SELECT attribute_exists(ss) FROM "t" WHERE pk = 'x'"#,
        expected: .fails("Unexpected path component at 1:8:16")
    ),
    PartiQLParseCase(statement: #"SELECT * FROM "t" WHERE pk = 'x' AND EXISTS(ss)"#, expected: .fails("Unrecognized function: exists at 1:38:6")),
]

@Suite("PartiQL parser")
struct PartiQLParserTests {
    @Test(arguments: partiQLParseCases)
    func parses(_ row: PartiQLParseCase) {
        switch row.expected {
        case .parses(let statement, let parameters):
            do {
                let parsed = try PartiQLParser.parse(row.statement)
                #expect(parsed.statement == statement)
                #expect(parsed.parameterCount == parameters)
            } catch {
                Issue.record("unexpected error: \(error.message)")
            }
        case .fails(let message):
            #expect(errorMessage { () throws(DynamoDBError) in try PartiQLParser.parse(row.statement) } == message)
        }
    }

    @Test func deepNestingIsRefusedNotRecursedInto() {
        let nested = "SELECT * FROM t WHERE " + String(repeating: "(", count: 3000) + "a = 1" + String(repeating: ")", count: 3000)
        #expect(errorMessage { () throws(DynamoDBError) in try PartiQLParser.parse(nested) } == notWellFormed)
        let lists = "INSERT INTO t VALUE {'pk': " + String(repeating: "[", count: 3000) + String(repeating: "]", count: 3000) + "}"
        #expect(errorMessage { () throws(DynamoDBError) in try PartiQLParser.parse(lists) } == notWellFormed)
        let nots = "SELECT * FROM t WHERE " + String(repeating: "NOT ", count: 3000) + "a = 1"
        #expect(errorMessage { () throws(DynamoDBError) in try PartiQLParser.parse(nots) } == notWellFormed)
    }

    @Test func tokenPositionsCountCharactersFromOne() {
        let tokens = PartiQLLexer.tokenize("SELECT *\n  FROM \"t\"")
        #expect(tokens.map(\.position) == ["1:1:6", "1:8:1", "2:3:4", "2:8:3", "2:11:0"])
        #expect(tokens[3].kind == .quotedIdentifier && tokens[3].text == "t")
    }
}

/// One row of the binding table: a statement, its parameters, an item, and whether the WHERE clause holds on it
/// (or DynamoDB's message).
struct PartiQLConditionCase: Sendable, CustomTestStringConvertible {
    let whereClause: String
    var parameters: [AttributeValue] = []
    let expected: Outcome

    var testDescription: String { whereClause }
}

private let conditionItem = item(
    #"{"pk":{"S":"k"},"n":{"N":"7"},"s":{"S":"hello"},"ss":{"SS":["a","b"]},"m":{"M":{"l":{"L":[{"N":"1"},{"S":"x"}]}}}}"#
)

let partiQLConditionCases: [PartiQLConditionCase] = [
    PartiQLConditionCase(whereClause: "pk = 'k'", expected: .holds(true)),
    PartiQLConditionCase(whereClause: "pk = ?", parameters: [.s("k")], expected: .holds(true)),
    PartiQLConditionCase(whereClause: "n > 5 AND n <= 7", expected: .holds(true)),
    PartiQLConditionCase(whereClause: "n < 5 OR NOT s = 'hello'", expected: .holds(false)),
    PartiQLConditionCase(whereClause: "n BETWEEN ? AND 10", parameters: [.n(number("7"))], expected: .holds(true)),
    PartiQLConditionCase(whereClause: "n IN [1, 2, 7]", expected: .holds(true)),
    PartiQLConditionCase(whereClause: "begins_with(s, 'he') AND contains(ss, 'b')", expected: .holds(true)),
    PartiQLConditionCase(whereClause: "m.l[1] = 'x' AND m.l[0] = 1", expected: .holds(true)),
    PartiQLConditionCase(whereClause: "missing IS MISSING AND s IS NOT MISSING", expected: .holds(true)),
    PartiQLConditionCase(whereClause: "attribute_exists(n) AND attribute_not_exists(nope)", expected: .holds(true)),
    PartiQLConditionCase(whereClause: "size(s) = 5", expected: .holds(true)),
    PartiQLConditionCase(whereClause: "ss = <<'b', 'a'>>", expected: .holds(true)),
    PartiQLConditionCase(
        whereClause: "attribute_exists('ss')",
        expected: .fails("Operator or function requires a document path; operator or function: attribute_exists")
    ),
    PartiQLConditionCase(
        whereClause: "attribute_exists(?)",
        parameters: [.s("ss")],
        expected: .fails("Operator or function requires a document path; operator or function: attribute_exists")
    ),
    PartiQLConditionCase(
        whereClause: "attribute_exists()",
        expected: .fails("Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 0")
    ),
    PartiQLConditionCase(
        whereClause: "attribute_exists(ss, ns)",
        expected: .fails("Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2")
    ),
    PartiQLConditionCase(whereClause: "set_add(ss, <<'x'>>) = ss", expected: .fails("Unrecognized function: set_add at 1:25:7")),
]

/// One row of the update table: the SET/REMOVE clauses of an UPDATE and the item they make (or DynamoDB's message).
struct PartiQLUpdateCase: Sendable, CustomTestStringConvertible {
    let clauses: String
    var parameters: [AttributeValue] = []
    let expected: UpdateCase.Result

    var testDescription: String { clauses }
}

private let updateItem = #"{"pk":{"S":"k"},"n":{"N":"7"},"s":{"S":"str"},"ss":{"SS":["a","b","c"]},"l":{"L":[{"N":"1"}]}}"#

private func updated(_ changes: String, removing: [String] = []) -> UpdateCase.Result {
    var result = item(updateItem)
    for (key, value) in item(changes) { result[key] = value }
    for key in removing { result[key] = nil }
    return .item(String(decoding: AttributeValue.encodeItem(result), as: UTF8.self))
}

private func at(_ statement: String, _ token: String, length: Int? = nil, from: String? = nil) -> String {
    let start = from.flatMap { statement.range(of: $0)?.lowerBound } ?? statement.startIndex
    guard let range = statement.range(of: token, range: start..<statement.endIndex) else { return "?" }
    return "1:\(statement.distance(from: statement.startIndex, to: range.lowerBound) + 1):\(length ?? token.count)"
}

private let setAddStatement = #"UPDATE "t" SET t = set_add(ss, <<'x'>>) WHERE pk = 'k'"#
private let setAddString = #"UPDATE "t" SET ss = set_add(ss, 'x') WHERE pk = 'k'"#
private let setAddOne = #"UPDATE "t" SET ss = set_add(ss) WHERE pk = 'k'"#

let partiQLUpdateCases: [PartiQLUpdateCase] = [
    PartiQLUpdateCase(clauses: "SET a = ?", parameters: [.s("new")], expected: updated(#"{"a":{"S":"new"}}"#)),
    PartiQLUpdateCase(clauses: "SET n = n + 1, x = 2 - n", expected: updated(#"{"n":{"N":"8"},"x":{"N":"-5"}}"#)),
    PartiQLUpdateCase(clauses: "REMOVE s, l[0]", expected: updated(#"{"l":{"L":[]}}"#, removing: ["s"])),
    PartiQLUpdateCase(clauses: "SET l = list_append(l, [2, 'x'])", expected: updated(#"{"l":{"L":[{"N":"1"},{"N":"2"},{"S":"x"}]}}"#)),
    PartiQLUpdateCase(clauses: "SET c = if_not_exists(c, 0) + 1", expected: updated(#"{"c":{"N":"1"}}"#)),
    PartiQLUpdateCase(clauses: "SET ss = set_add(ss, <<'0', 'a'>>)", expected: updated(#"{"ss":{"SS":["a","b","c","0"]}}"#)),
    PartiQLUpdateCase(clauses: "SET ss = SET_DELETE(ss, <<'a', 'b', 'c'>>)", expected: updated("{}", removing: ["ss"])),
    PartiQLUpdateCase(clauses: "SET nss = set_add(nss, ?)", parameters: [.ns([number("1")])], expected: updated(#"{"nss":{"NS":["1"]}}"#)),
    PartiQLUpdateCase(clauses: "SET ss = set_add(ss, <<1>>)", expected: .fails("An operand in the update expression has an incorrect data type")),
    PartiQLUpdateCase(clauses: "SET s = set_add(s, <<'x'>>)", expected: .fails("An operand in the update expression has an incorrect data type")),
    PartiQLUpdateCase(
        clauses: "SET ss = set_add(ss, <<'x', 'x'>>)",
        expected: .fails("One or more parameter values were invalid: Input collection [x, x] contains duplicates.")
    ),
    PartiQLUpdateCase(clauses: "SET ss = set_add(ss, <<>>)", expected: .fails("Empty bags are not supported")),
    PartiQLUpdateCase(
        clauses: "SET t = set_add(ss, <<'x'>>)",
        expected: .fails("The first argument to SET_ADD must equal the assignment value at \(at(setAddStatement, "set_add"))")
    ),
    PartiQLUpdateCase(
        clauses: "SET ss = set_add(ss, 'x')",
        expected: .fails("The second argument to SET_ADD must be a value with type SET at \(at(setAddString, "ss", from: "set_add("))")
    ),
    PartiQLUpdateCase(
        clauses: "SET ss = set_add(ss)",
        expected: .fails("SET_ADD must have exactly two arguments at \(at(setAddOne, "set_add"))")
    ),
]

@Suite("PartiQL binding into the expression model")
struct PartiQLBinderTests {
    private func bound(_ statement: String, _ parameters: [AttributeValue]) throws(DynamoDBError) -> (PartiQLStatement, PartiQLBinder) {
        let parsed = try PartiQLParser.parse(statement)
        return (parsed.statement, PartiQLBinder(parameters: parameters))
    }

    @Test(arguments: partiQLConditionCases)
    func conditions(_ row: PartiQLConditionCase) {
        let statement = #"SELECT * FROM "t" WHERE "# + row.whereClause
        let result: Result<Bool, DynamoDBError> = Result { () throws(DynamoDBError) in
            let (parsed, binder) = try bound(statement, row.parameters)
            guard case .select(_, _, _, let condition?, _) = parsed else { return false }
            return try binder.condition(condition).evaluate(on: conditionItem)
        }
        switch (row.expected, result) {
        case (.holds(let expected), .success(let holds)): #expect(holds == expected)
        case (.fails(let message), .failure(let error)): #expect(error.message == message)
        default: Issue.record("\(row.expected) but got \(result)")
        }
    }

    @Test(arguments: partiQLUpdateCases)
    func updates(_ row: PartiQLUpdateCase) {
        let statement = #"UPDATE "t" "# + row.clauses + " WHERE pk = 'k'"
        let result: Result<Item, DynamoDBError> = Result { () throws(DynamoDBError) in
            let (parsed, binder) = try bound(statement, row.parameters)
            guard case .update(_, let actions, _, _) = parsed else { return [:] }
            return try binder.update(actions).apply(to: item(updateItem))
        }
        switch (row.expected, result) {
        case (.item(let json), .success(let updated)): #expect(updated == item(json))
        case (.fails(let message), .failure(let error)): #expect(error.message == message)
        default: Issue.record("\(row.expected) but got \(result)")
        }
    }

    @Test func splitsTheKeyFromTheRestOfTheWhereClause() throws {
        let schema = KeySchema(partitionKey: .init(name: "pk", type: .s), sortKey: .init(name: "sk", type: .n))
        let (parsed, binder) = try bound(#"DELETE FROM "t" WHERE n > 1 AND sk = 2 AND pk = ?"#, [.s("k")])
        guard case .delete(_, let condition?, _) = parsed else {
            Issue.record("not a DELETE")
            return
        }
        let split = PartiQLBinder.splitKey(try binder.condition(condition), schema: schema)
        #expect(split?.key == ["pk": .s("k"), "sk": .n(number("2"))])
        #expect(split?.rest == .comparison(.path(DocumentPath(attribute: "n")), .greater, .value(.n(number("1")))))
        let keyOnly = try binder.condition(.comparison(.path(DocumentPath(attribute: "pk")), .equal, .parameter(0)))
        #expect(PartiQLBinder.splitKey(keyOnly, schema: schema) == nil)
    }

    @Test func aWhereClauseOnThePartitionKeyRunsAsAQuery() throws {
        let schema = KeySchema(partitionKey: .init(name: "pk", type: .s), sortKey: .init(name: "sk", type: .n))
        let (parsed, binder) = try bound(#"SELECT * FROM "t" WHERE sk >= 3 AND pk = 'k' AND x = 1"#, [])
        guard case .select(_, _, _, let condition?, _) = parsed else {
            Issue.record("not a SELECT")
            return
        }
        let key = DynamoDBService.keyCondition(try binder.condition(condition), schema: schema)
        #expect(key?.partitionKeyValue == .s("k"))
        #expect(key?.sortCondition == .greaterThanOrEqual(.n(number("3"))))
        let scan = try binder.condition(.comparison(.path(DocumentPath(attribute: "x")), .equal, .literal(.s("k"))))
        #expect(DynamoDBService.keyCondition(scan, schema: schema) == nil)
    }

    @Test(arguments: [
        (#"SELECT * FROM "t" WHERE pk = ? AND sk > 1"#, [AttributeValue.s("alice")], ["alice"]),
        (#"SELECT * FROM "t" WHERE sk = 1"#, [], []),
        (#"INSERT INTO "t" VALUE {'pk': ?, 'sk': 1}"#, [.s("bob")], ["bob"]),
        (#"UPDATE "t" SET a = 1 WHERE pk = 'carol' AND sk = 2"#, [], ["carol"]),
        (#"DELETE FROM "t" WHERE 'dave' = pk AND sk = 2"#, [], ["dave"]),
        (#"EXISTS(SELECT * FROM "t" WHERE pk = ? AND sk = 2 AND a = 1)"#, [.n(number("7"))], ["7"]),
    ])
    func partiQLSuppliesLeadingKeys(_ statement: String, _ parameters: [AttributeValue], _ expected: [String]) throws {
        let schema = KeySchema(partitionKey: .init(name: "pk", type: .s), sortKey: .init(name: "sk", type: .n))
        let parsed = try PartiQLParser.parse(statement).statement
        let keys = DynamoDBService.partiQLConditionKeys(parsed, parameters: parameters, schema: schema)
        #expect(keys.context["dynamodb:LeadingKeys"] == (expected.isEmpty ? nil : expected))
    }
}
