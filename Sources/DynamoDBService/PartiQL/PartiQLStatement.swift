import Foundation

/// A value in a PartiQL statement, before its parameters are bound.
indirect enum PartiQLValue: Sendable, Hashable {
    /// A document path such as `a.b[0]`.
    case path(DocumentPath)
    /// A literal (`'text'`, `12.5`, `true`, `null`).
    case literal(AttributeValue)
    /// The `index`th `?` of the statement (from 0).
    case parameter(Int)
    /// A `{'key': value, ...}` tuple.
    case map([PartiQLMapEntry])
    /// A `[value, ...]` list.
    case list([PartiQLValue])
    /// A `<<value, ...>>` bag (a set in DynamoDB).
    case bag([PartiQLValue])
    /// A function call (`size(a)`, `list_append(a, ?)`, `set_add(s, <<1>>)`).
    case function(PartiQLFunctionCall)
    /// `left + right` or `left - right`.
    case arithmetic(PartiQLValue, plus: Bool, PartiQLValue)
}

/// A function call in a value position.
struct PartiQLFunctionCall: Sendable, Hashable {
    /// The lower-case name.
    var name: String
    /// The arguments.
    var arguments: [PartiQLValue]
    /// The name's token (DynamoDB's messages give its position).
    var token: PartiQLToken
    /// The first token of each argument.
    var argumentTokens: [PartiQLToken]
}

/// One member of a `{...}` tuple literal.
struct PartiQLMapEntry: Sendable, Hashable {
    /// The key (a string literal).
    var key: String
    /// The value.
    var value: PartiQLValue
}

extension PartiQLToken: Hashable {
    /// Hashes the token's text and position.
    /// - Parameter hasher: The hasher.
    func hash(into hasher: inout Hasher) {
        hasher.combine(text)
        hasher.combine(line)
        hasher.combine(column)
    }
}

/// A WHERE condition of a PartiQL statement, before its parameters are bound.
indirect enum PartiQLCondition: Sendable, Hashable {
    /// `a <op> b`.
    case comparison(PartiQLValue, Comparator, PartiQLValue)
    /// `a BETWEEN low AND high`.
    case between(PartiQLValue, PartiQLValue, PartiQLValue)
    /// `a IN (b, c)` or `a IN [b, c]`.
    case inList(PartiQLValue, [PartiQLValue])
    /// Conjunction.
    case and(PartiQLCondition, PartiQLCondition)
    /// Disjunction.
    case or(PartiQLCondition, PartiQLCondition)
    /// Negation.
    case not(PartiQLCondition)
    /// A condition function (`begins_with`, `contains`, `attribute_exists`, `attribute_not_exists`,
    /// `attribute_type`), its lower-case name and arguments.
    case function(String, [PartiQLValue])
    /// `a IS MISSING` (or, negated, `a IS NOT MISSING`).
    case isMissing(PartiQLValue, negated: Bool)
}

/// The `RETURNING` clause of an UPDATE or DELETE.
enum PartiQLReturning: String, Sendable, Hashable {
    /// `RETURNING ALL OLD *`.
    case allOld = "ALL OLD"
    /// `RETURNING MODIFIED OLD *`.
    case modifiedOld = "MODIFIED OLD"
    /// `RETURNING ALL NEW *`.
    case allNew = "ALL NEW"
    /// `RETURNING MODIFIED NEW *`.
    case modifiedNew = "MODIFIED NEW"
}

/// One SET or REMOVE of a PartiQL UPDATE.
enum PartiQLUpdateAction: Sendable, Hashable {
    /// `SET path = value`.
    case set(DocumentPath, PartiQLValue)
    /// `REMOVE path`.
    case remove(DocumentPath)
}

/// A parsed PartiQL statement.
enum PartiQLStatement: Sendable, Hashable {
    /// `SELECT projection FROM "table"["index"] [WHERE condition] [ORDER BY path [ASC|DESC]]`.
    case select(table: String, index: String?, projection: [DocumentPath]?, condition: PartiQLCondition?, descending: Bool)
    /// `INSERT INTO "table" VALUE {...}`.
    case insert(table: String, item: PartiQLValue)
    /// `UPDATE "table" SET ... REMOVE ... WHERE condition [RETURNING ...]`.
    case update(table: String, actions: [PartiQLUpdateAction], condition: PartiQLCondition?, returning: PartiQLReturning?)
    /// `DELETE FROM "table" WHERE condition [RETURNING ALL OLD *]`.
    case delete(table: String, condition: PartiQLCondition?, returning: PartiQLReturning?)
    /// `EXISTS(SELECT * FROM "table" WHERE condition)`, a condition check in ExecuteTransaction.
    case exists(table: String, condition: PartiQLCondition?)

    /// The table the statement names.
    var table: String {
        switch self {
        case .select(let table, _, _, _, _), .insert(let table, _), .update(let table, _, _, _), .delete(let table, _, _),
            .exists(let table, _):
            table
        }
    }

    /// Whether the statement only reads.
    var isRead: Bool {
        if case .select = self { return true }
        return false
    }

    /// The IAM action DynamoDB authorizes the statement as.
    var iamAction: String {
        switch self {
        case .select, .exists: "PartiQLSelect"
        case .insert: "PartiQLInsert"
        case .update: "PartiQLUpdate"
        case .delete: "PartiQLDelete"
        }
    }
}
