import Foundation
import Testing

@testable import DynamoDBService

@Suite("DynamoNumber")
struct DynamoNumberTests {
    @Test(
        "canonical form",
        arguments: [
            ("1.50", "1.5"), ("1e3", "1000"), ("-0", "0"), ("0.000", "0"), ("00042", "42"), ("1.5E2", "150"), ("-1.5e-3", "-0.0015"),
            (".5", "0.5"), ("5.", "5"), ("+7", "7"), ("1.0", "1"), ("-12.340", "-12.34"),
            ("123456789012345678901234567890", "123456789012345678901234567890"),
            ("1E+125", "1" + String(repeating: "0", count: 125)), ("1E-130", "0." + String(repeating: "0", count: 129) + "1"),
            ("100000000000000000000000000000000000000000000000000", "100000000000000000000000000000000000000000000000000"),
            ("0.000123", "0.000123"), ("12E-1", "1.2"),
        ]
    )
    func canonical(_ input: String, _ expected: String) throws {
        #expect(try DynamoNumber(parsing: input).description == expected)
    }

    @Test(
        "invalid numbers",
        arguments: [
            ("abc", "The parameter cannot be converted to a numeric value: abc"),
            ("", "The parameter cannot be converted to a numeric value"),
            (" 1", "The parameter cannot be converted to a numeric value:  1"),
            ("1e", "The parameter cannot be converted to a numeric value: 1e"),
            ("NaN", "The parameter cannot be converted to a numeric value: NaN"),
            ("Infinity", "The parameter cannot be converted to a numeric value: Infinity"),
            ("1.2.3", "The parameter cannot be converted to a numeric value: 1.2.3"),
            ("--1", "The parameter cannot be converted to a numeric value: --1"),
            ("0x10", "The parameter cannot be converted to a numeric value: 0x10"),
            ("1E126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
            ("-1E126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
            ("1E-131", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
            ("123456789012345678901234567890123456789", "Attempting to store more than 38 significant digits in a Number"),
        ]
    )
    func invalid(_ input: String, _ message: String) {
        #expect(errorMessage { () throws(DynamoDBError) in try DynamoNumber(parsing: input) } == message)
    }

    @Test func limitsAreAccepted() throws {
        #expect(try DynamoNumber(parsing: "9.9999999999999999999999999999999999999E+125").significantDigitCount == 38)
        #expect(try DynamoNumber(parsing: "-9.9999999999999999999999999999999999999E+125").isNegative)
        #expect(try DynamoNumber(parsing: "12345678901234567890123456789012345678").significantDigitCount == 38)
        #expect(try DynamoNumber(parsing: "0.0").isZero)
    }

    @Test(
        "exact arithmetic",
        arguments: [
            ("0.1", "0.2", "0.3"), ("-5", "3", "-2"), ("5", "-10", "-5"), ("1.5", "-1.5", "0"),
            ("99999999999999999999999999999999999999", "1", "100000000000000000000000000000000000000"),
            ("12345678901234567890123456789012345677", "1", "12345678901234567890123456789012345678"),
            ("1E-130", "1E-130", "0.0" + String(repeating: "0", count: 128) + "2"),
            ("-0.001", "-0.009", "-0.01"), ("1000", "0.001", "1000.001"), ("-1000", "999.999", "-0.001"),
        ]
    )
    func addition(_ lhs: String, _ rhs: String, _ sum: String) throws {
        #expect(try number(lhs).adding(number(rhs)).description == sum)
        #expect(try number(sum).subtracting(number(rhs)) == number(lhs))
    }

    @Test func arithmeticRangeErrors() {
        let max = number("9.9999999999999999999999999999999999999E+125")
        #expect(
            errorMessage { () throws(DynamoDBError) in try max.adding(number("1E+125")) }
                == "Number overflow. Attempting to store a number with magnitude larger than supported range"
        )
        #expect(
            errorMessage { () throws(DynamoDBError) in try number("1E+30").adding(number("1E-10")) }
                == "Attempting to store more than 38 significant digits in a Number"
        )
        #expect(
            errorMessage { () throws(DynamoDBError) in try number("2E-130").subtracting(number("1.5E-130")) }
                == "Number underflow. Attempting to store a number with magnitude smaller than supported range"
        )
    }

    @Test func ordering() {
        let sorted = ["-1E+100", "-10", "-2.5", "-2", "-0.001", "0", "1E-130", "0.5", "1", "1.0000000001", "2", "10", "1E+125"].map(number)
        #expect(sorted.sorted() == sorted)
        #expect(number("10") == number("1E1"))
        #expect(number("-0") == DynamoNumber.zero)
    }
}

@Suite("AttributeValue wire JSON")
struct AttributeValueCodecTests {
    @Test func roundTripsEveryType() throws {
        let json = """
            {"s":{"S":"text"},"n":{"N":"1.50"},"b":{"B":"AAEC/w=="},"t":{"BOOL":true},"z":{"NULL":true},
             "m":{"M":{"deep2":{"L":[{"N":"-0"},{"SS":["x","y"]}]}}},"ss":{"SS":["a"]},"ns":{"NS":["1e2","3"]},"bs":{"BS":["AQ==","Ag=="]}}
            """
        let decoded = try AttributeValue.decodeItem(json: Data(json.utf8))
        #expect(decoded["n"] == .n(number("1.5")))
        #expect(decoded["b"] == .b(Data([0, 1, 2, 255])))
        let encoded = String(decoding: AttributeValue.encodeItem(decoded), as: UTF8.self)
        #expect(encoded.contains(#""n":{"N":"1.5"}"#))
        #expect(encoded.contains(#""ns":{"NS":["100","3"]}"#))
        #expect(encoded.contains(#""z":{"NULL":true}"#))
        #expect(encoded.contains(#"{"N":"0"}"#))
        #expect(try AttributeValue.decodeItem(json: Data(encoded.utf8)) == decoded)
    }

    @Test(
        "validation errors",
        arguments: [
            (#"{"SS":[]}"#, "One or more parameter values were invalid: An string set  may not be empty"),
            (#"{"NS":[]}"#, "One or more parameter values were invalid: An number set  may not be empty"),
            (#"{"BS":[]}"#, "One or more parameter values were invalid: Binary sets should not be empty"),
            (#"{"SS":["a","a"]}"#, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."),
            (#"{"NS":["1","1.0"]}"#, "Input collection contains duplicates"),
            (#"{"BS":["AQ==","AQ=="]}"#, "One or more parameter values were invalid: Input collection [AQ==, AQ==]of type BS contains duplicates."),
            (#"{"N":""}"#, "The parameter cannot be converted to a numeric value"),
            (#"{"S":"a","N":"x"}"#, "The parameter cannot be converted to a numeric value: x"),
            (#"{"N":"abc"}"#, "The parameter cannot be converted to a numeric value: abc"),
            (#"{"N":"1E126"}"#, "Number overflow. Attempting to store a number with magnitude larger than supported range"),
            ("{}", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
            (#"{"S":"a","N":"1"}"#, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"),
            (#"{"NULL":false}"#, "One or more parameter values were invalid: Null attribute value types must have the value of true"),
            (#"{"M":{"a":{"L":[{"SS":[]}]}}}"#, "One or more parameter values were invalid: An string set  may not be empty"),
        ]
    )
    func validationErrors(_ json: String, _ message: String) {
        do {
            _ = try AttributeValue.decode(json: Data(json.utf8))
            Issue.record("expected \(message)")
        } catch {
            #expect(error.code == .validationException)
            #expect(error.message == message)
        }
    }

    @Test func jsonNumberIsASerializationException() {
        do {
            _ = try AttributeValue.decode(json: Data(#"{"N":5}"#.utf8))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .serializationException)
            #expect(error.message == "NUMBER_VALUE cannot be converted to String")
            #expect(error.awsType == "com.amazon.coral.service#SerializationException")
        }
    }

    @Test func emptyStringsAreAllowedOutsideKeys() throws {
        #expect(try AttributeValue.decode(json: Data(#"{"S":""}"#.utf8)) == .s(""))
        #expect(try AttributeValue.decode(json: Data(#"{"SS":[""]}"#.utf8)) == .ss([""]))
    }

    struct Request: Decodable {
        let ExpressionAttributeValues: [String: AttributeValue]
    }

    @Test func expressionValueErrorsNameTheKey() {
        let body = #"{"ExpressionAttributeValues":{":ok":{"S":"x"},":v":{"SS":[]}}}"#
        do {
            _ = try JSONDecoder().decode(Request.self, from: Data(body.utf8))
            Issue.record("expected an error")
        } catch {
            let mapped = DynamoDBError.fromDecoding(error)
            #expect(
                mapped.message
                    == "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string set  may not be empty for key :v"
            )
        }
    }

    @Test func setEqualityIgnoresOrder() {
        #expect(value(#"{"SS":["a","b"]}"#) == value(#"{"SS":["b","a"]}"#))
        #expect(value(#"{"NS":["1","2"]}"#).hashValue == value(#"{"NS":["2.0","1"]}"#).hashValue)
        #expect(value(#"{"L":[{"S":"a"},{"S":"b"}]}"#) != value(#"{"L":[{"S":"b"},{"S":"a"}]}"#))
    }

    @Test func errorTypes() {
        let absent = DynamoDBError(.resourceNotFoundException, "Requested resource not found")
        #expect(absent.awsType == "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException")
        #expect(DynamoDBError.conditionalCheckFailed.awsType == "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException")
        #expect(DynamoDBError.conditionalCheckFailed.message == "The conditional request failed")
        #expect(DynamoDBError.validation("x").awsType == "com.amazon.coral.validate#ValidationException")
        let body = String(decoding: absent.jsonBody, as: UTF8.self)
        #expect(body == #"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#)
        #expect(absent.httpStatus == 400)
    }
}

@Suite("Sort-key encoding")
struct KeyEncodingTests {
    /// Deterministic generator so failures reproduce.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func randomNumbersSortNumericallyByEncoding() throws {
        var generator = SplitMix(state: 42)
        var numbers: [DynamoNumber] = []
        for _ in 0..<2000 {
            let digitCount = Int.random(in: 1...38, using: &generator)
            let digits = (0..<digitCount).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
            let exponent = Int.random(in: -90...80, using: &generator)
            let sign = Bool.random(using: &generator) ? "-" : ""
            numbers.append(number("\(sign)\(digits)E\(exponent)"))
        }
        numbers += ["0", "1", "-1", "0.1", "-0.1", "0.11", "-0.11", "10", "-10", "1E+125", "-1E+125", "1E-130", "-1E-130"].map(number)
        let numeric = numbers.sorted()
        let encoded = numbers.sorted { AttributeValue.compareBytes(Array(KeyEncoding.sortable($0)), Array(KeyEncoding.sortable($1))) < 0 }
        #expect(numeric.map(\.description) == encoded.map(\.description))
        for (lhs, rhs) in zip(numeric, numeric.dropFirst()) where lhs != rhs {
            #expect(KeyEncoding.sortable(lhs) != KeyEncoding.sortable(rhs))
        }
    }

    @Test func stringsAndBinariesSortBytewise() throws {
        let strings = ["", "A", "Z", "a", "aa", "ab", "b", "é", "\u{FFFF}", "😀"]
        let encoded = try strings.map { try #require(KeyEncoding.sortable(.s($0))) }
        #expect(encoded == encoded.sorted { AttributeValue.compareBytes(Array($0), Array($1)) < 0 })
        #expect(AttributeValue.compareScalars(.s("😀"), .s("\u{FFFF}")) == 1)
        #expect(KeyEncoding.sortable(.b(Data([1, 2]))) == Data([1, 2]))
        #expect(KeyEncoding.sortable(.bool(true)) == nil)
    }

    @Test func prefixUpperBound() {
        #expect(KeyEncoding.prefixUpperBound(Data([0x61, 0x62])) == Data([0x61, 0x63]))
        #expect(KeyEncoding.prefixUpperBound(Data([0x61, 0xFF])) == Data([0x62]))
        #expect(KeyEncoding.prefixUpperBound(Data([0xFF])) == nil)
    }

    @Test func identityIsStableAndUnambiguous() {
        let first = KeyEncoding.identity(partition: .s("ab"), sort: .s("c"))
        #expect(first == KeyEncoding.identity(partition: .s("ab"), sort: .s("c")))
        #expect(first != KeyEncoding.identity(partition: .s("a"), sort: .s("bc")))
        #expect(KeyEncoding.identity(partition: .n(number("1.0")), sort: nil) == KeyEncoding.identity(partition: .n(number("1")), sort: nil))
        #expect(KeyEncoding.identity(partition: .s("1"), sort: nil) != KeyEncoding.identity(partition: .n(number("1")), sort: nil))
        #expect(KeyEncoding.identityHex(partition: .s("a"), sort: nil) == "530000000161")
    }
}

@Suite("Item size and capacity")
struct ItemSizeTests {
    @Test func documentationRules() {
        #expect(ItemSize.of(["name": .s("abc")]) == 7)
        #expect(ItemSize.of(["n": .n(number("12345"))]) == 1 + 4)
        #expect(ItemSize.of(["b": .b(Data([1, 2, 3]))]) == 4)
        #expect(ItemSize.of(["t": .bool(true), "z": .null]) == 4)
        #expect(ItemSize.of(["l": .l([])]) == 1 + 3)
        #expect(ItemSize.of(["l": .l([.s("a"), .n(number("1"))])]) == 1 + 3 + (1 + 1) + (1 + 2))
        #expect(ItemSize.of(["m": .m(["k": .s("v")])]) == 1 + 3 + 1 + 1 + 1)
        #expect(ItemSize.of(["ss": .ss(["ab", "c"])]) == 2 + 3)
        #expect(ItemSize.of(["é": .s("é")]) == 4)
    }

    @Test(
        "number sizes",
        arguments: [
            ("0", 1), ("1", 2), ("10", 2), ("100", 2), ("123", 3), ("0.1", 2), ("-1", 3), ("12345678901234567890123456789012345678", 20), ("2099", 3),
        ]
    )
    func numberSizes(_ text: String, _ size: Int) {
        #expect(ItemSize.of(number(text)) == size)
    }

    @Test func slotItemExample() {
        let slot = item(
            """
            {"itemType":{"S":"SLOT"},"id":{"S":"abc1231"},"hostName":{"S":"Harry Mason"},"timeSlot":{"S":"February 23, 1999"},
             "slotStatus":{"S":"OPEN"},"createdAt":{"S":"February 1, 1999"},"updatedAt":{"S":"February 1, 1999"},"expiresAt":{"N":"2099"}}
            """
        )
        #expect(ItemSize.of(slot) == 141)
    }

    @Test func fourHundredKilobyteLimit() throws {
        let fits: Item = ["a": .s(String(repeating: "x", count: 409_599))]
        try ItemSize.validate(fits)
        let tooBig: Item = ["a": .s(String(repeating: "x", count: 409_600))]
        #expect(errorMessage { () throws(DynamoDBError) in try ItemSize.validate(tooBig) } == "Item size has exceeded the maximum allowed size")
        #expect(
            errorMessage { () throws(DynamoDBError) in try ItemSize.validate(tooBig, forUpdate: true) }
                == "Item size to update has exceeded the maximum allowed size"
        )
    }

    @Test func nestingLimit() throws {
        let deepest = (0..<32).reduce(AttributeValue.s("x")) { inner, _ in .l([inner]) }
        #expect(ItemSize.nestingDepth(deepest) == 32)
        try ItemSize.validate(["a": deepest])
        #expect(
            errorMessage { () throws(DynamoDBError) in try ItemSize.validate(["a": .m(["b": deepest])]) }
                == "Nesting Levels have exceeded supported limits"
        )
    }

    @Test func capacityUnits() {
        #expect(ItemSize.readCapacityUnits(bytes: 100, consistentRead: true) == 1)
        #expect(ItemSize.readCapacityUnits(bytes: 4096, consistentRead: true) == 1)
        #expect(ItemSize.readCapacityUnits(bytes: 4097, consistentRead: true) == 2)
        #expect(ItemSize.readCapacityUnits(bytes: 4097, consistentRead: false) == 1)
        #expect(ItemSize.readCapacityUnits(bytes: 10, consistentRead: false) == 0.5)
        #expect(ItemSize.readCapacityUnits(bytes: 10, consistentRead: true, transactional: true) == 2)
        #expect(ItemSize.writeCapacityUnits(bytes: 1024) == 1)
        #expect(ItemSize.writeCapacityUnits(bytes: 1025) == 2)
        #expect(ItemSize.writeCapacityUnits(bytes: 0) == 1)
        #expect(ItemSize.writeCapacityUnits(bytes: 500, transactional: true) == 2)
    }
}

@Suite("Expression attribute bookkeeping")
struct ExpressionAttributeTests {
    @Test func trackerReportsUnusedNamesAndValues() throws {
        let names = ["#a": "a", "#unused": "x"]
        let values: [String: AttributeValue] = [":v": .s("1"), ":w": .s("2"), ":x": .s("3")]
        var tracker = ExpressionUsageTracker()
        tracker.record(try ConditionExpression.parse("#a = :v", names: names, values: values).usage)
        tracker.record(try UpdateExpression.parse("SET b = :w", names: names, values: values).usage)
        #expect(
            errorMessage { () throws(DynamoDBError) in try tracker.verifyAllUsed(names: names, values: values) }
                == "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"
        )
        #expect(
            errorMessage { () throws(DynamoDBError) in try tracker.verifyAllUsed(names: ["#a": "a"], values: values) }
                == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"
        )
        tracker.record(try ProjectionExpression.parse("#unused", names: names).usage)
        #expect(errorMessage { () throws(DynamoDBError) in try tracker.verifyAllUsed(names: names, values: [":v": .s("1"), ":w": .s("2")]) } == nil)
        #expect(
            errorMessage { () throws(DynamoDBError) in try ExpressionUsageTracker().verifyAllUsed(names: nil, values: [":b": .null, ":a": .null]) }
                == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :b}"
        )
    }

    @Test func placeholderMapsAreValidated() {
        #expect(
            errorMessage { () throws(DynamoDBError) in try ExpressionAttributes.validate(names: [:], values: nil) }
                == "ExpressionAttributeNames must not be empty"
        )
        #expect(
            errorMessage { () throws(DynamoDBError) in try ExpressionAttributes.validate(names: nil, values: [:]) }
                == "ExpressionAttributeValues must not be empty"
        )
        #expect(
            errorMessage { () throws(DynamoDBError) in try ExpressionAttributes.validate(names: ["a": "b"], values: nil) }
                == "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\""
        )
        #expect(
            errorMessage { () throws(DynamoDBError) in try ExpressionAttributes.validate(names: nil, values: ["v": .null]) }
                == "ExpressionAttributeValues contains invalid key: Syntax error; key: \"v\""
        )
        #expect(errorMessage { () throws(DynamoDBError) in try ExpressionAttributes.validate(names: ["#a": "b"], values: [":v": .null]) } == nil)
    }
}

@Suite("Key schema validation")
struct KeySchemaValidationTests {
    let schema = KeySchema(partitionKey: .init(name: "pk", type: .s), sortKey: .init(name: "sk", type: .n))

    @Test(
        "items",
        arguments: [
            (#"{"sk":{"N":"1"}}"#, "One or more parameter values were invalid: Missing the key pk in the item"),
            (#"{"pk":{"N":"1"},"sk":{"N":"1"}}"#, "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"),
            (#"{"pk":{"S":"a"}}"#, "One or more parameter values were invalid: Missing the key sk in the item"),
            (
                #"{"pk":{"S":""},"sk":{"N":"1"}}"#,
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"
            ),
        ]
    )
    func items(_ json: String, _ message: String) {
        #expect(errorMessage { () throws(DynamoDBError) in try schema.validateItem(item(json)) } == message)
    }

    @Test func keys() throws {
        try schema.validateKey(item(#"{"pk":{"S":"a"},"sk":{"N":"1"}}"#))
        for json in [#"{"pk":{"S":"a"}}"#, #"{"pk":{"S":"a"},"sk":{"S":"1"}}"#, #"{"pk":{"S":"a"},"sk":{"N":"1"},"x":{"N":"1"}}"#] {
            #expect(
                errorMessage { () throws(DynamoDBError) in try schema.validateKey(item(json)) }
                    == "The provided key element does not match the schema"
            )
        }
        let longHash: Item = ["pk": .s(String(repeating: "x", count: 2049)), "sk": .n(DynamoNumber(1))]
        #expect(
            errorMessage { () throws(DynamoDBError) in try schema.validateKey(longHash) }
                == "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"
        )
        let rangeSchema = KeySchema(partitionKey: .init(name: "pk", type: .s), sortKey: .init(name: "sk", type: .b))
        let longRange: Item = ["pk": .s("a"), "sk": .b(Data(repeating: 1, count: 1025))]
        #expect(
            errorMessage { () throws(DynamoDBError) in try rangeSchema.validateItem(longRange) }
                == "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
        )
        let full = item(#"{"pk":{"S":"a"},"sk":{"N":"1.0"},"x":{"S":"y"}}"#)
        #expect(schema.key(of: full) == item(#"{"pk":{"S":"a"},"sk":{"N":"1"}}"#))
        #expect(schema.identity(of: full) == KeyEncoding.identity(partition: .s("a"), sort: .n(DynamoNumber(1))))
        #expect(schema.identity(of: ["pk": .s("a")]) == nil)
    }

    @Test func updatesMayNotTouchKeys() throws {
        let update = try UpdateExpression.parse("SET sk = :v, a = :v", values: [":v": .n(DynamoNumber(1))])
        #expect(
            errorMessage { () throws(DynamoDBError) in try update.checkKeyAttributes(schema) }
                == "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key"
        )
        try UpdateExpression.parse("SET a = :v", values: [":v": .n(DynamoNumber(1))]).checkKeyAttributes(schema)
    }
}
