import Foundation

/// Every DynamoDB error text this module produces, in one place, worded as AWS words them.
package enum DynamoDBMessages {
    // MARK: Generic

    /// Message of `ConditionalCheckFailedException`.
    package static let conditionalRequestFailed = "The conditional request failed"
    /// Prefix AWS puts in front of most parameter validation failures.
    package static let invalidParameterPrefix = "One or more parameter values were invalid: "

    // MARK: Attribute values (wire JSON)

    /// `{}` was sent as an AttributeValue.
    package static let attributeValueEmpty = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
    /// More than one type member was set in one AttributeValue.
    package static let attributeValueMultipleTypes =
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
    /// `{"NULL": false}` was sent.
    package static let nullMustBeTrue = invalidParameterPrefix + "Null attribute value types must have the value of true"
    /// JSON number given where DynamoDB expects a string (`{"N": 5}`).
    package static let numberValueNotString = "NUMBER_VALUE cannot be converted to String"
    /// JSON string given where DynamoDB expects a boolean.
    package static let stringValueNotBoolean = "STRING_VALUE can not be converted to a Boolean"
    /// Text for an unexpected JSON shape.
    package static let unexpectedJSON = "Start of structure or map found where not expected."

    /// An empty set was sent.
    /// - Parameter setKind: `string`, `number` or `binary`.
    /// - Returns: The message (AWS's text has a double space before "may").
    package static func emptySet(_ setKind: String) -> String {
        invalidParameterPrefix + "An \(setKind) set  may not be empty"
    }

    /// A binary set was sent empty (DynamoDB words this one differently from the other sets).
    package static let emptyBinarySet = invalidParameterPrefix + "Binary sets should not be empty"

    /// A string set contains the same value twice.
    /// - Parameter elements: The set elements as sent.
    /// - Returns: The message.
    package static func duplicateStringSetValues(_ elements: [String]) -> String {
        invalidParameterPrefix + "Input collection [\(elements.joined(separator: ", "))] contains duplicates."
    }

    /// A number set contains the same number twice.
    package static let duplicateNumberSetValues = "Input collection contains duplicates"

    /// A binary set contains the same value twice.
    /// - Parameter elements: The base64 set elements as sent.
    /// - Returns: The message (AWS's text has no space before "of").
    package static func duplicateBinarySetValues(_ elements: [String]) -> String {
        invalidParameterPrefix + "Input collection [\(elements.joined(separator: ", "))]of type BS contains duplicates."
    }

    /// A `B`/`BS` member is not valid base64.
    /// - Parameter length: Length of the offending string.
    /// - Returns: The message.
    package static func invalidBase64(length: Int) -> String {
        if length % 4 != 0 { return "Base64 encoded length is expected a multiple of 4 bytes but found: \(length)" }
        return "Invalid Base64 character found"
    }

    /// Wraps a value error raised inside `ExpressionAttributeValues`.
    /// - Parameters:
    ///   - message: The message the value alone would produce.
    ///   - key: The placeholder, e.g. `:v`.
    /// - Returns: The message.
    package static func invalidExpressionAttributeValue(_ message: String, key: String) -> String {
        "ExpressionAttributeValues contains invalid value: \(message) for key \(key)"
    }

    // MARK: Numbers

    /// A number string is not numeric (an empty string gets the text without the colon).
    /// - Parameter text: The string sent.
    /// - Returns: The message.
    package static func notNumeric(_ text: String) -> String {
        text.isEmpty ? "The parameter cannot be converted to a numeric value" : "The parameter cannot be converted to a numeric value: \(text)"
    }

    /// A number is larger than 9.9999999999999999999999999999999999999E+125.
    package static let numberOverflow = "Number overflow. Attempting to store a number with magnitude larger than supported range"
    /// A non-zero number is smaller than 1E-130.
    package static let numberUnderflow = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
    /// A number has more than 38 significant digits.
    package static let numberPrecision = "Attempting to store more than 38 significant digits in a Number"

    // MARK: Item size

    /// An item exceeds 400 KB.
    package static let itemTooLarge = "Item size has exceeded the maximum allowed size"
    /// Maps and lists nested more than 32 levels deep.
    package static let nestingTooDeep = "Nesting Levels have exceeded supported limits"
    /// An UpdateItem would make the item exceed 400 KB.
    package static let itemToUpdateTooLarge = "Item size to update has exceeded the maximum allowed size"

    // MARK: Expression attribute names and values

    /// `ExpressionAttributeNames` contains a key that is not `#name`.
    /// - Parameter key: The key.
    /// - Returns: The message.
    package static func invalidNameKey(_ key: String) -> String {
        "ExpressionAttributeNames contains invalid key: Syntax error; key: \"\(key)\""
    }

    /// `ExpressionAttributeValues` contains a key that is not `:value`.
    /// - Parameter key: The key.
    /// - Returns: The message.
    package static func invalidValueKey(_ key: String) -> String {
        "ExpressionAttributeValues contains invalid key: Syntax error; key: \"\(key)\""
    }

    /// `ExpressionAttributeNames` was sent as `{}`.
    package static let namesMustNotBeEmpty = "ExpressionAttributeNames must not be empty"
    /// `ExpressionAttributeValues` was sent as `{}`.
    package static let valuesMustNotBeEmpty = "ExpressionAttributeValues must not be empty"

    /// Some `ExpressionAttributeNames` were not referenced by any expression.
    /// - Parameter keys: The unused keys.
    /// - Returns: The message.
    package static func unusedNames(_ keys: [String]) -> String {
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {\(keys.sorted().joined(separator: ", "))}"
    }

    /// Some `ExpressionAttributeValues` were not referenced by any expression.
    /// - Parameter keys: The unused keys.
    /// - Returns: The message.
    package static func unusedValues(_ keys: [String]) -> String {
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {\(keys.sorted().joined(separator: ", "))}"
    }

    // MARK: Expression errors (each is prefixed with "Invalid <Kind>: ")

    /// Full message for an error inside an expression.
    /// - Parameters:
    ///   - kind: Which expression failed.
    ///   - detail: The detail text after the prefix.
    /// - Returns: `Invalid <Kind>: <detail>`.
    package static func invalidExpression(_ kind: ExpressionKind, _ detail: String) -> String {
        "Invalid \(kind.rawValue): \(detail)"
    }

    /// The expression is empty or only whitespace.
    package static let emptyExpression = "The expression can not be empty;"

    /// A syntax error at a token.
    /// - Parameters:
    ///   - token: The offending token text (`<EOF>` at the end).
    ///   - near: The source text around the token.
    /// - Returns: The detail text.
    package static func syntaxError(token: String, near: String) -> String {
        "Syntax error; token: \"\(token)\", near: \"\(near)\""
    }

    /// An unaliased attribute name is a reserved word.
    /// - Parameter word: The word as written.
    /// - Returns: The detail text.
    package static func reservedKeyword(_ word: String) -> String {
        "Attribute name is a reserved keyword; reserved keyword: \(word)"
    }

    /// A `#name` placeholder is not in `ExpressionAttributeNames`.
    /// - Parameter name: The placeholder.
    /// - Returns: The detail text.
    package static func undefinedName(_ name: String) -> String {
        "An expression attribute name used in the document path is not defined; attribute name: \(name)"
    }

    /// A `:value` placeholder is not in `ExpressionAttributeValues`.
    /// - Parameter value: The placeholder.
    /// - Returns: The detail text.
    package static func undefinedValue(_ value: String) -> String {
        "An expression attribute value used in expression is not defined; attribute value: \(value)"
    }

    /// An unknown function name.
    /// - Parameter name: The function name.
    /// - Returns: The detail text.
    package static func invalidFunctionName(_ name: String) -> String {
        "Invalid function name; function: \(name)"
    }

    /// Wrong number of function arguments.
    /// - Parameters:
    ///   - function: The function or operator.
    ///   - count: The number of operands given.
    /// - Returns: The detail text.
    package static func incorrectOperandCount(_ function: String, _ count: Int) -> String {
        "Incorrect number of operands for operator or function; operator or function: \(function), number of operands: \(count)"
    }

    /// An operand has a type the operator or function does not accept.
    /// - Parameters:
    ///   - function: The function or operator.
    ///   - type: The DynamoDB type descriptor (`S`, `N`, ...).
    /// - Returns: The detail text.
    package static func incorrectOperandType(_ function: String, _ type: String) -> String {
        "Incorrect operand type for operator or function; operator or function: \(function), operand type: \(type)"
    }

    /// ADD or DELETE with a value of an unsupported type.
    /// - Parameters:
    ///   - action: `ADD` or `DELETE`.
    ///   - typeName: AWS's long type name (`STRING`, `MAP`, ...).
    /// - Returns: The detail text.
    package static func incorrectActionOperandType(_ action: String, _ typeName: String) -> String {
        "Incorrect operand type for operator or function; operator: \(action), operand type: \(typeName), typeSet: ALLOWED_FOR_\(action)_OPERAND"
    }

    /// A function argument must be a document path.
    /// - Parameter function: The function.
    /// - Returns: The detail text.
    package static func requiresDocumentPath(_ function: String) -> String {
        "Operator or function requires a document path; operator or function: \(function)"
    }

    /// A function used where its result type is not allowed (e.g. `size(a)` as a condition).
    /// - Parameter function: The function.
    /// - Returns: The detail text.
    package static func functionNotAllowedThisWay(_ function: String) -> String {
        "The function is not allowed to be used this way in an expression; function: \(function)"
    }

    /// `attribute_type` with an unknown type name.
    /// - Parameter type: The type name sent.
    /// - Returns: The detail text.
    package static func invalidAttributeTypeName(_ type: String) -> String {
        "Invalid attribute type name found; type: \(type), valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"
    }

    /// An expression longer than 4 KB (UTF-8 bytes of the raw text).
    /// - Parameter size: The expression size in bytes.
    /// - Returns: The detail text.
    package static func expressionTooLarge(_ size: Int) -> String {
        "Expression size has exceeded the maximum allowed size; expression size: \(size)"
    }

    /// An expression with more than 300 operators and functions.
    /// - Parameter count: The number of operators and functions.
    /// - Returns: The detail text.
    package static func tooManyOperators(_ count: Int) -> String {
        "The expression contains too many operators; operator count: \(count)"
    }

    /// `((…))` around one condition or operand.
    package static let redundantParentheses = "The expression has redundant parentheses;"

    /// The same document path used as both operands of a comparison or function.
    /// - Parameters:
    ///   - op: The operator or function.
    ///   - path: The rendered path, e.g. `[a, b]`.
    /// - Returns: The detail text.
    package static func operandsNotDistinct(_ op: String, _ path: String) -> String {
        "The first operand must be distinct from the remaining operands for this operator or function; operator: \(op), first operand: \(path)"
    }

    /// BETWEEN bounds of different types.
    /// - Parameters:
    ///   - lower: The lower bound.
    ///   - upper: The upper bound.
    /// - Returns: The detail text.
    package static func betweenSameType(_ lower: AttributeValue, _ upper: AttributeValue) -> String {
        "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: "
            + "AttributeValue: {\(lower.operandDescription)}, upper bound operand: AttributeValue: {\(upper.operandDescription)}"
    }

    /// BETWEEN bounds in the wrong order.
    /// - Parameters:
    ///   - lower: The lower bound.
    ///   - upper: The upper bound.
    /// - Returns: The detail text.
    package static func betweenBounds(_ lower: AttributeValue, _ upper: AttributeValue) -> String {
        "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: "
            + "AttributeValue: {\(lower.operandDescription)}, upper bound operand: AttributeValue: {\(upper.operandDescription)}"
    }

    /// IN with more than 100 operands.
    /// - Parameter count: The number of operands in the list.
    /// - Returns: The detail text.
    package static func tooManyInOperands(_ count: Int) -> String {
        "The IN operator is provided with too many operands; number of operands: \(count)"
    }

    /// An update-expression clause appears twice.
    /// - Parameter clause: `SET`, `REMOVE`, `ADD` or `DELETE`.
    /// - Returns: The detail text.
    package static func clauseRepeated(_ clause: String) -> String {
        "The \"\(clause)\" section can only be used once in an update expression;"
    }

    /// Two paths of one expression overlap (one is a prefix of the other).
    /// - Parameters:
    ///   - first: Rendered first path, e.g. `[a, b]`.
    ///   - second: Rendered second path.
    /// - Returns: The detail text.
    package static func pathsOverlap(_ first: String, _ second: String) -> String {
        "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: \(first), path two: \(second)"
    }

    /// Two paths of one expression use the same element as a list and as a map.
    /// - Parameters:
    ///   - first: Rendered first path.
    ///   - second: Rendered second path.
    /// - Returns: The detail text.
    package static func pathsConflict(_ first: String, _ second: String) -> String {
        "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: \(first), path two: \(second)"
    }

    // MARK: Update evaluation

    /// A SET target's parent does not exist or has the wrong type.
    package static let invalidDocumentPathForUpdate = "The document path provided in the update expression is invalid for update"
    /// A path used as a value does not exist in the item.
    package static let attributeDoesNotExist = "The provided expression refers to an attribute that does not exist in the item"
    /// An operand has the wrong type at evaluation time.
    package static let incorrectDataType = "An operand in the update expression has an incorrect data type"

    /// The update writes inside a key attribute.
    /// - Parameter name: The key attribute.
    /// - Returns: The message.
    package static func keyMustBeScalar(_ name: String) -> String {
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: \(name)"
    }

    /// PutItem without a key attribute.
    /// - Parameter name: The key attribute.
    /// - Returns: The message.
    package static func missingKey(_ name: String) -> String {
        invalidParameterPrefix + "Missing the key \(name) in the item"
    }

    /// PutItem with a key attribute of the wrong type.
    /// - Parameters:
    ///   - name: The key attribute.
    ///   - expected: The schema type.
    ///   - actual: The type sent.
    /// - Returns: The message.
    package static func keyTypeMismatch(_ name: String, expected: String, actual: String) -> String {
        invalidParameterPrefix + "Type mismatch for key \(name) expected: \(expected) actual: \(actual)"
    }

    /// A Key parameter that does not have exactly the schema's attributes and types.
    package static let keyDoesNotMatchSchema = "The provided key element does not match the schema"

    /// A key attribute with an empty string or binary value.
    /// - Parameters:
    ///   - name: The key attribute.
    ///   - binary: Whether the value is binary.
    /// - Returns: The message.
    package static func emptyKeyAttribute(_ name: String, binary: Bool) -> String {
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty "
            + (binary ? "binary" : "string") + " value. Key: \(name)"
    }

    /// A partition key longer than 2048 bytes (AWS's text lacks the space before 2048).
    package static let hashKeyTooLarge = invalidParameterPrefix + "Size of hashkey has exceeded the maximum size limit of2048 bytes"
    /// A sort key longer than 1024 bytes.
    package static let rangeKeyTooLarge = invalidParameterPrefix + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes"

    /// The update touches a key attribute.
    /// - Parameter name: The key attribute.
    /// - Returns: The message.
    package static func cannotUpdateKey(_ name: String) -> String {
        invalidParameterPrefix + "Cannot update attribute \(name). This attribute is part of the key"
    }

    // MARK: Key conditions

    /// A KeyConditionExpression uses an operator or function that is not allowed.
    /// - Parameter op: The operator or function.
    /// - Returns: The message.
    package static func invalidKeyConditionOperator(_ op: String) -> String {
        "Invalid operator used in KeyConditionExpression: \(op)"
    }

    /// `size()` inside a KeyConditionExpression.
    package static let keyConditionNestedOperations = "KeyConditionExpressions cannot contain nested operations"
    /// A key condition comparing two attributes.
    package static let keyConditionMultipleNames = "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"
    /// A key condition without any attribute.
    package static let keyConditionNoKey = "Invalid condition in KeyConditionExpression: No key attribute specified"

    /// BETWEEN or begins_with whose first operand is not the key attribute.
    /// - Parameter op: `BETWEEN` or `begins_with`.
    /// - Returns: The message.
    package static func keyConditionKeyFirst(_ op: String) -> String {
        "Invalid condition in KeyConditionExpression: \(op) operator must have the key attribute as its first operand"
    }

    /// More than two conditions in a KeyConditionExpression.
    package static let keyConditionLength = "Conditions can be of length 1 or 2 only"
    /// The same key appears twice in a KeyConditionExpression.
    package static let keyConditionOnePerKey = "KeyConditionExpressions must only contain one condition per key"
    /// A nested path in a KeyConditionExpression.
    package static let keyConditionNested = "KeyConditionExpressions cannot have conditions on nested attributes"
    /// A condition the key schema does not support (e.g. `<` on the partition key).
    package static let keyConditionNotSupported = "Query key condition not supported"
    /// A key value of the wrong type.
    package static let keyConditionTypeMismatch = invalidParameterPrefix + "Condition parameter type does not match schema type"

    /// A required key attribute is missing from the KeyConditionExpression.
    /// - Parameter name: The key attribute.
    /// - Returns: The message.
    package static func keyConditionMissedKey(_ name: String) -> String {
        "Query condition missed key schema element: \(name)"
    }
}

/// Which request parameter an expression came from; its raw value is the prefix AWS uses in messages.
package enum ExpressionKind: String, Sendable, Hashable {
    /// `ConditionExpression` of PutItem/UpdateItem/DeleteItem/ConditionCheck.
    case condition = "ConditionExpression"
    /// `FilterExpression` of Query/Scan.
    case filter = "FilterExpression"
    /// `KeyConditionExpression` of Query.
    case keyCondition = "KeyConditionExpression"
    /// `UpdateExpression` of UpdateItem.
    case update = "UpdateExpression"
    /// `ProjectionExpression` of GetItem/Query/Scan/BatchGetItem.
    case projection = "ProjectionExpression"
}

// MARK: - Service-level texts (tables, batches, transactions)

extension DynamoDBMessages {
    /// An item operation on a table that does not exist.
    static let resourceNotFound = "Requested resource not found"
    /// A write would make an item collection (tables with local secondary indexes) larger than 10 GB.
    static let itemCollectionSizeLimitExceeded = "Collection size exceeded."

    /// DescribeTable/DeleteTable on a table that does not exist.
    static func tableNotFound(_ name: String) -> String { "Requested resource not found: Table: \(name) not found" }

    /// CreateTable with a name in use.
    static func tableExists(_ name: String) -> String { "Table already exists: \(name)" }

    /// A required member is missing.
    static func memberNull(_ member: String) -> String {
        "1 validation error detected: Value null at '\(member)' failed to satisfy constraint: Member must not be null"
    }

    /// A table name of the wrong length or with invalid characters.
    static func tableNameInvalid(_ name: String, member: String = "tableName") -> String {
        if name.count < 3 {
            return "1 validation error detected: Value '\(name)' at '\(member)' failed to satisfy constraint: "
                + "Member must have length greater than or equal to 3"
        }
        if name.count > 255 {
            return "1 validation error detected: Value '\(name)' at '\(member)' failed to satisfy constraint: "
                + "Member must have length less than or equal to 255"
        }
        return "1 validation error detected: Value '\(name)' at '\(member)' failed to satisfy constraint: "
            + "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    }

    /// A value outside an enum.
    static func enumValue(_ value: String, member: String, allowed: [String]) -> String {
        "1 validation error detected: Value '\(value)' at '\(member)' failed to satisfy constraint: "
            + "Member must satisfy enum value set: [\(allowed.joined(separator: ", "))]"
    }

    /// A Limit below 1.
    static func limitTooSmall(_ value: Int) -> String {
        "1 validation error detected: Value '\(value)' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
    }

    /// Query/Scan on an index the table does not have.
    static func noSuchIndex(_ name: String) -> String { "The table does not have the specified index: \(name)" }

    /// Key attributes not defined.
    static func keysNotDefined(_ keys: [String], _ definitions: [String]) -> String {
        invalidParameterPrefix + "Some index key attributes are not defined in AttributeDefinitions. Keys: [\(keys.joined(separator: ", "))], "
            + "AttributeDefinitions: [\(definitions.joined(separator: ", "))]"
    }

    /// A key schema naming an attribute without a definition (a table without indexes, too few definitions).
    static let keyAttributeWithoutDefinition = "Invalid KeySchema: Some index key attribute have no definition"

    /// Attribute definitions no key of the table or its indexes uses (a table with indexes).
    static func attributeDefinitionsUnused(_ definitions: [String], _ used: [String]) -> String {
        invalidParameterPrefix + "Some AttributeDefinitions are not used. AttributeDefinitions: [\(definitions.joined(separator: ", "))], "
            + "keys used: [\(used.joined(separator: ", "))]"
    }

    /// More attribute definitions than keys use.
    static let attributeDefinitionsMismatch =
        invalidParameterPrefix + "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"

    /// Provisioned mode without throughput.
    static let provisionedNeedsThroughput =
        invalidParameterPrefix + "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"

    /// On-demand mode with throughput.
    static let onDemandNoThroughput =
        invalidParameterPrefix + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"

    /// A key schema without exactly one HASH key.
    static let invalidKeySchema = "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"

    /// Key schema too long.
    static let keySchemaTooLong =
        "1 validation error detected: Value at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2"

    /// Two indexes with one name.
    static func duplicateIndexName(_ name: String) -> String { invalidParameterPrefix + "Duplicate index name: \(name)" }

    /// An LSI must share the table's partition key.
    static let lsiNeedsRangeKey =
        invalidParameterPrefix + "Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"

    /// Type mismatch of an index key attribute on write.
    static func indexKeyTypeMismatch(_ name: String, expected: String, actual: String, index: String) -> String {
        invalidParameterPrefix + "Type mismatch for Index Key \(name) Expected: \(expected) Actual: \(actual) IndexName: \(index)"
    }

    /// Empty string as an index key value.
    static func emptyIndexKey(_ name: String, index: String) -> String {
        "One or more parameter values are not valid. A value specified for a secondary index key is not supported. "
            + "The AttributeValue for a key attribute cannot contain an empty string value. IndexName: \(index), IndexKey: \(name)"
    }

    /// An update that would leave an empty string or binary in a secondary index key.
    static let emptyIndexKeyByUpdate =
        "One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. "
        + "The AttributeValue for a key attribute cannot contain an empty string value."

    /// ReturnValues not allowed for this operation.
    static let returnValuesOnlyAllOld = "Return values set to invalid value"

    /// Legacy parameter used with an expression, or not supported.
    static func legacyParameter(_ legacy: String, _ expression: String) -> String {
        "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {\(legacy)} "
            + "Expression parameters: {\(expression)}"
    }

    /// `ExpressionAttributeNames` in a request without any expression.
    static let namesWithoutExpressions = "ExpressionAttributeNames can only be specified when using expressions"

    /// `ExpressionAttributeValues` in a request without any expression that takes values.
    static func valuesWithoutExpressions(_ expressions: [String]) -> String {
        "ExpressionAttributeValues can only be specified when using expressions: " + expressions.joined(separator: " and ")
            + (expressions.count > 1 ? " are null" : " is null")
    }

    /// An `Expected` element with both `Value` and `AttributeValueList`.
    static func legacyValueAndList(_ name: String) -> String {
        invalidParameterPrefix + "Value and AttributeValueList cannot be used together for Attribute: \(name)"
    }

    /// An `Expected` element with both `Exists` and `ComparisonOperator`.
    static func legacyExistsAndOperator(_ name: String) -> String {
        invalidParameterPrefix + "Exists and ComparisonOperator cannot be used together for Attribute: \(name)"
    }

    /// An `Expected` element with an operator that takes values but neither `Value` nor `AttributeValueList`.
    static func legacyOperatorNeedsValue(_ op: String, _ name: String) -> String {
        invalidParameterPrefix + "Value or AttributeValueList must be used with ComparisonOperator: \(op) for Attribute: \(name)"
    }

    /// An `Expected` element with `AttributeValueList` but no `ComparisonOperator`.
    static func legacyListNeedsOperator(_ name: String) -> String {
        invalidParameterPrefix + "AttributeValueList can only be used with a ComparisonOperator for Attribute: \(name)"
    }

    /// An `Expected` element without `Value` while `Exists` is true or absent (`exists` is `true` or `null`).
    static func legacyValueNeeded(exists: String, _ name: String) -> String {
        invalidParameterPrefix + "Value must be provided when Exists is \(exists) for Attribute: \(name)"
    }

    /// An `Expected` element with `Value` and `Exists: false`.
    static func legacyValueWithExistsFalse(_ name: String) -> String {
        invalidParameterPrefix + "Value cannot be used when Exists is false for Attribute: \(name)"
    }

    /// A legacy condition with the wrong number of values for its operator.
    static func legacyArgumentCount(_ op: String) -> String {
        invalidParameterPrefix + "Invalid number of argument(s) for the \(op) ComparisonOperator"
    }

    /// A legacy condition value of a type its operator does not take.
    static func legacyOperatorType(_ op: String, _ type: String) -> String {
        invalidParameterPrefix + "ComparisonOperator \(op) is not valid for \(type) AttributeValue type"
    }

    /// An `AttributeValueList` mixing types.
    static let legacyListSameType = invalidParameterPrefix + "AttributeValues inside AttributeValueList must be of same type"

    /// A legacy BETWEEN whose lower bound is above its upper bound.
    static let legacyBetweenBounds = "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"

    /// An `AttributeUpdates` element without `Value` whose action is not DELETE.
    static let legacyOnlyDeleteWithoutValue = invalidParameterPrefix + "Only DELETE action is allowed when no attribute value is specified"

    /// `AttributeUpdates` ADD with a value that is not a number, set or list.
    static func legacyAddType(_ type: String) -> String { invalidParameterPrefix + "ADD action is not supported for the type \(type)" }

    /// `AttributeUpdates` DELETE with a value that is not a set.
    static func legacyDeleteType(_ type: String) -> String {
        invalidParameterPrefix + "DELETE action with value is not supported for the type \(type)"
    }

    /// `AttributeUpdates` ADD/DELETE against an attribute of another type.
    static let legacyTypeMismatch = "Type mismatch for attribute to update"

    /// `AttributesToGet: []`.
    static let attributesToGetEmpty =
        "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1"

    /// `AttributesToGet` naming one attribute twice.
    static func attributesToGetDuplicate(_ name: String) -> String { invalidParameterPrefix + "Duplicate value in attribute name: \(name)" }

    /// Query without any key condition.
    static let queryNeedsKeyCondition = "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."

    /// Select SPECIFIC_ATTRIBUTES without a projection.
    static let specificAttributesNeedProjection =
        "1 validation error detected: Value 'SPECIFIC_ATTRIBUTES' at 'select' failed to satisfy constraint: "
        + "Member must be used with ProjectionExpression or AttributesToGet"

    /// A `Select` other than SPECIFIC_ATTRIBUTES with a projection.
    /// - Parameters:
    ///   - parameter: `ProjectionExpression` or `AttributesToGet`.
    ///   - select: The Select value, or `only the Count` for COUNT.
    /// - Returns: The message.
    static func selectWithProjection(_ parameter: String, _ select: String) -> String {
        "Cannot specify the \(parameter) when choosing to get \(select)"
    }

    /// ALL_PROJECTED_ATTRIBUTES without an index.
    static let allProjectedNeedsIndex = "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"

    /// ALL_ATTRIBUTES on a global index that does not project everything.
    static func allAttributesOnIndex(_ index: String) -> String {
        invalidParameterPrefix
            + "Select type ALL_ATTRIBUTES is not supported for global secondary index \(index) because its projection type is not ALL"
    }

    /// Strongly consistent reads on a global index.
    static let consistentReadOnGSI = "Consistent reads are not supported on global secondary indexes"

    /// Segment without TotalSegments, or out of range.
    static func segmentInvalid(_ segment: Int, _ total: Int) -> String {
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: \(segment) is not less than TotalSegments: \(total)"
    }

    /// TotalSegments without Segment.
    static let segmentMissing = "The Segment parameter is required but was not present in the request when parameter TotalSegments is present"
    /// Segment without TotalSegments.
    static let totalSegmentsMissing =
        "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"

    /// TotalSegments out of range.
    static func totalSegmentsRange(_ total: Int) -> String {
        "1 validation error detected: Value '\(total)' at 'totalSegments' failed to satisfy constraint: Member must have value "
            + (total < 1 ? "greater than or equal to 1" : "less than or equal to 1000000")
    }

    /// ExclusiveStartKey that does not fit the schema.
    static let exclusiveStartKeyInvalid = "The provided starting key is invalid: The provided key element does not match the schema"

    /// A Query filter naming a key attribute of the table or index queried.
    /// - Parameters:
    ///   - parameter: `Filter Expression` or `QueryFilter`.
    ///   - key: The key attribute.
    /// - Returns: The message.
    static func filterOnKey(_ parameter: String, _ key: String) -> String {
        "\(parameter) can only contain non-primary key attributes: Primary key attribute: \(key)"
    }

    /// A parallel Scan's ExclusiveStartKey that belongs to another segment.
    static func startKeyWrongSegment(_ segment: Int, _ total: Int) -> String {
        "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. "
            + "TotalSegments: \(total) Segment: \(segment)"
    }

    /// ExclusiveStartKey outside the queried partition.
    static let exclusiveStartKeyOutsideQuery = "The provided starting key is outside query boundaries based on provided conditions"

    /// BatchGetItem with too many keys.
    static let tooManyBatchGetKeys = "Too many items requested for the BatchGetItem call"

    /// BatchWriteItem with too many requests.
    static let tooManyBatchWrites =
        "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: "
        + "[Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"

    /// A batch names the same key twice.
    static let batchDuplicates = invalidParameterPrefix + "Provided list of item keys contains duplicates"

    /// An empty RequestItems map.
    static let requestItemsEmpty =
        "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1"

    /// A write request with neither or both of PutRequest and DeleteRequest.
    static let writeRequestShape = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"

    /// Too many transaction items.
    static func tooManyTransactItems(_ count: Int) -> String {
        "1 validation error detected: Value '[\(count) items]' at 'transactItems' failed to satisfy constraint: "
            + "Member must have length less than or equal to 100"
    }

    /// No transaction items.
    static let noTransactItems =
        "1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1"

    /// Two transaction actions on one item.
    static let transactionSameItem = "Transaction request cannot include multiple operations on one item"

    /// A transact item without exactly one action.
    static let transactItemShape = "TransactItems can only contain one of Check, Put, Update or Delete"

    /// A reused ClientRequestToken with other parameters.
    static let idempotentMismatch = "Transaction with the same client token has a different set of parameters"

    /// TransactionCanceledException message.
    static func transactionCanceled(_ codes: [String]) -> String {
        "Transaction cancelled, please refer cancellation reasons for specific reasons [\(codes.joined(separator: ", "))]"
    }

    /// UpdateTimeToLive when TTL is already in the requested state.
    static let ttlAlreadyEnabled = "TimeToLive is already enabled"
    /// Disabling TTL when it is not enabled.
    static let ttlAlreadyDisabled = "TimeToLive is already disabled"
    /// Changing the TTL attribute without disabling first.
    static let ttlAttributeChange = "TimeToLive is active on a different AttributeName: current AttributeName is "

    /// Deleting a table that has deletion protection.
    static let deletionProtected = "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first."

    /// Tag operations on an unknown ARN.
    static func resourceArnNotFound(_ arn: String) -> String { "Requested resource not found: ResourceArn: \(arn) not found" }

    /// The ARN is not a DynamoDB table ARN.
    static func invalidArn(_ arn: String) -> String { "Invalid TableArn: Invalid ResourceArn provided as input \(arn)" }

    /// UpdateTable with nothing to change.
    static let updateTableNothing =
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"

    /// UpdateTable deleting an unknown index.
    static func indexNotFoundForDelete(_ name: String) -> String { "Requested resource not found: Requested index: \(name) not found" }

    /// UpdateTable creating an existing index.
    static let indexExists = "Attempting to create an index which already exists"
}

// MARK: - PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction)

extension DynamoDBMessages {
    /// The envelope of PartiQL syntax errors; some errors have nothing after the colon.
    static func partiQLNotWellFormed(_ detail: String) -> String { "Statement wasn't well formed, can't be processed: \(detail)" }

    /// A statement that does not start with SELECT, INSERT, UPDATE or DELETE.
    static let partiQLExpectedDML = "Expected data manipulation"

    /// A token left over after a complete statement (or where a clause keyword must follow).
    static let partiQLLeftover = "Unexpected token after expression"

    /// A token that cannot continue the statement (DynamoDB's detail for this case is not pinned; ours names the token).
    static func partiQLUnexpectedToken(_ token: String) -> String { "Unexpected token: \(token)" }

    /// The statement ends where more is needed.
    static let partiQLUnexpectedEnd = "Unexpected end of statement"

    /// A table alias (DynamoDB sends it without the envelope).
    static let partiQLAliasing = "Aliasing is not supported"

    /// A function call in the SELECT list.
    static func partiQLUnexpectedPathComponent(_ position: String) -> String { "Unexpected path component at \(position)" }

    /// A function DynamoDB's PartiQL does not have in that place.
    static func partiQLUnrecognizedFunction(_ name: String, _ position: String) -> String { "Unrecognized function: \(name) at \(position)" }

    /// A function whose value cannot be stored (e.g. `set_add` in an INSERT).
    static func partiQLUnsupportedDataType(_ name: String, _ position: String) -> String {
        "Unsupported data type: \(name) under key root at \(position)"
    }

    /// `set_add`/`set_delete` with other than two arguments.
    static func partiQLSetFunctionArguments(_ function: String, _ position: String) -> String {
        "\(function) must have exactly two arguments at \(position)"
    }

    /// `set_add`/`set_delete` whose first argument is not the attribute assigned.
    static func partiQLSetFunctionFirst(_ function: String, _ position: String) -> String {
        "The first argument to \(function) must equal the assignment value at \(position)"
    }

    /// `set_add`/`set_delete` whose second argument is not a set.
    static func partiQLSetFunctionSecond(_ function: String, _ position: String) -> String {
        "The second argument to \(function) must be a value with type SET at \(position)"
    }

    /// `<<>>`.
    static let partiQLEmptyBag = "Empty bags are not supported"

    /// A value that is not a literal where one is needed (a path or an expression inside an item literal).
    static let partiQLValueExpected = "Unsupported data type: expected a literal value"

    /// A bag whose members are not all strings, all numbers or all binaries.
    static let partiQLMixedBag = "Unsupported data type: set members must all be strings, numbers or binaries"

    /// The number of `?` differs from the number of `Parameters`.
    static let partiQLParameterCount = "Number of parameters in request and statement don't match."

    /// UPDATE or DELETE whose WHERE clause does not name the whole primary key.
    static let partiQLKeyEquality = "Where clause does not contain a mandatory equality on all key attributes"

    /// INSERT of a key that exists.
    static let partiQLDuplicateItem = "Duplicate primary key exists in table"

    /// A RETURNING clause other than ALL OLD on a DELETE.
    static func partiQLDeleteReturning(_ clause: String) -> String {
        "Invalid returning clause: RETURNING \(clause) *. Only RETURNING ALL OLD * is allowed in DELETE statements."
    }

    /// A SELECT without the whole key in a batch or transaction.
    static func partiQLSelectNeedsKey(_ operation: String) -> String {
        "Select statements within \(operation) must specify the primary key in the where clause."
    }

    /// A statement of an ExecuteTransaction that fails validation.
    static func partiQLTransactionStatement(_ index: Int, _ detail: String) -> String {
        "Validation failed in TransactStatements[\(index)]: \(detail)"
    }

    /// An ExecuteTransaction that mixes reads and writes.
    static let partiQLMixedTransaction = "Transaction must contain either all reads or all writes"

    /// An `EXISTS(SELECT ...)` that does not read one item by its key with a further condition.
    static let partiQLExistsShape = "EXISTS() must contain a single item read with additional condition"

    /// `EXISTS(...)` outside ExecuteTransaction (DynamoDB's wording for this case is not pinned).
    static let partiQLExistsOnlyInTransactions = "The EXISTS function can only be used in transactions"

    /// A SELECT from an index the table does not have (PartiQL's wording names no index, unlike Query's).
    static let partiQLNoSuchIndex = "The table does not have the specified index"

    /// A NextToken we did not hand out.
    static let partiQLInvalidNextToken = "Invalid NextToken"

    /// A `Statement` shorter than 1 or longer than 8192 characters.
    static func partiQLStatementLength(_ statement: String) -> String {
        let constraint = statement.isEmpty ? "greater than or equal to 1" : "less than or equal to 8192"
        return "1 validation error detected: Value '\(statement)' at 'statement' failed to satisfy constraint: Member must have length \(constraint)"
    }

    /// Empty `Parameters`.
    static let partiQLEmptyParameters =
        "1 validation error detected: Value '[]' at 'parameters' failed to satisfy constraint: Member must have length greater than or equal to 1"

    /// A list member longer or shorter than its limits (`statements` 1-25, `transactStatements` 1-100).
    static func partiQLListLength(_ member: String, count: Int, limit: Int) -> String {
        let constraint = count == 0 ? "greater than or equal to 1" : "less than or equal to \(limit)"
        let value = count == 0 ? "[]" : "[\(count) items]"
        return "1 validation error detected: Value '\(value)' at '\(member)' failed to satisfy constraint: "
            + "Member must have length \(constraint)"
    }
}
