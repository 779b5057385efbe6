import Foundation
import Testing

@testable import DynamoDBService

/// The fast input path: what it reads equals what `JSONDecoder` reads, and everything else is left to `JSONDecoder`.
@Suite struct FastInputTests {
    static func slow<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    static let getItems = [
        #"{"TableName":"notes","Key":{"pk":{"S":"hot"},"sk":{"S":"042"}}}"#,
        #" { "TableName" : "notes" , "Key" : { "n" : { "N" : "1.50" } } , "ConsistentRead" : true } "#,
        ##"{"TableName":"t","Key":{"k":{"S":"ü日本"}},"ProjectionExpression":"#a, b","ExpressionAttributeNames":{"#a":"a"},"ReturnConsumedCapacity":"TOTAL"}"##,
        #"{"TableName":"t","Key":{"k":{"M":{"a":{"L":[{"BOOL":false},{"NULL":true},{"N":"-0"},{"L":[]},{"M":{}}]}}}}}"#,
        #"{}"#,
    ]

    @Test func getItemEqualsJSONDecoder() throws {
        for json in Self.getItems {
            let fast = try #require(GetItemInput.fastDecode(Data(json.utf8)), "\(json)")
            let slow = try Self.slow(GetItemInput.self, json)
            #expect(fast.TableName == slow.TableName)
            #expect(fast.Key == slow.Key)
            #expect(fast.ConsistentRead == slow.ConsistentRead)
            #expect(fast.ProjectionExpression == slow.ProjectionExpression)
            #expect(fast.ExpressionAttributeNames == slow.ExpressionAttributeNames)
            #expect(fast.ReturnConsumedCapacity == slow.ReturnConsumedCapacity)
            #expect(fast.AttributesToGet == nil && slow.AttributesToGet == nil)
        }
    }

    @Test func putItemEqualsJSONDecoder() throws {
        let json = ##"""
            {"TableName":"t","Item":{"pk":{"S":"put"},"sk":{"S":"one"},"data":{"S":"xxxx"},"n":{"N":"12345678901234567890.5"}},
             "ConditionExpression":"attribute_not_exists(pk) OR #c < :v","ExpressionAttributeNames":{"#c":"count"},
             "ExpressionAttributeValues":{":v":{"N":"3"}},"ReturnValues":"ALL_OLD","ReturnConsumedCapacity":"NONE",
             "ReturnItemCollectionMetrics":"SIZE","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}
            """##
        let fast = try #require(PutItemInput.fastDecode(Data(json.utf8)))
        let slow = try Self.slow(PutItemInput.self, json)
        #expect(fast.TableName == slow.TableName)
        #expect(fast.Item == slow.Item)
        #expect(fast.ConditionExpression == slow.ConditionExpression)
        #expect(fast.ExpressionAttributeNames == slow.ExpressionAttributeNames)
        #expect(fast.ExpressionAttributeValues == slow.ExpressionAttributeValues)
        #expect(fast.ReturnValues == slow.ReturnValues)
        #expect(fast.ReturnConsumedCapacity == slow.ReturnConsumedCapacity)
        #expect(fast.ReturnItemCollectionMetrics == slow.ReturnItemCollectionMetrics)
        #expect(fast.ReturnValuesOnConditionCheckFailure == slow.ReturnValuesOnConditionCheckFailure)
        #expect(fast.Expected == nil && fast.ConditionalOperator == nil)
    }

    @Test func queryEqualsJSONDecoder() throws {
        let json = #"""
            {"TableName":"t","IndexName":"gsi","KeyConditionExpression":"pk = :p","FilterExpression":"a > :a",
             "ProjectionExpression":"a","ExpressionAttributeNames":{},"ExpressionAttributeValues":{":p":{"S":"hot"},":a":{"N":"0"}},
             "Select":"SPECIFIC_ATTRIBUTES","Limit":20,"ConsistentRead":false,"ScanIndexForward":false,
             "ExclusiveStartKey":{"pk":{"S":"hot"},"sk":{"S":"005"}},"ReturnConsumedCapacity":"INDEXES"}
            """#
        let fast = try #require(QueryInput.fastDecode(Data(json.utf8)))
        let slow = try Self.slow(QueryInput.self, json)
        #expect(fast.TableName == slow.TableName)
        #expect(fast.IndexName == slow.IndexName)
        #expect(fast.KeyConditionExpression == slow.KeyConditionExpression)
        #expect(fast.FilterExpression == slow.FilterExpression)
        #expect(fast.ProjectionExpression == slow.ProjectionExpression)
        #expect(fast.ExpressionAttributeNames == slow.ExpressionAttributeNames)
        #expect(fast.ExpressionAttributeValues == slow.ExpressionAttributeValues)
        #expect(fast.Select == slow.Select)
        #expect(fast.Limit == 20 && slow.Limit == 20)
        #expect(fast.ConsistentRead == slow.ConsistentRead)
        #expect(fast.ScanIndexForward == slow.ScanIndexForward)
        #expect(fast.ExclusiveStartKey == slow.ExclusiveStartKey)
        #expect(fast.ReturnConsumedCapacity == slow.ReturnConsumedCapacity)
    }

    /// Shapes the fast path leaves to JSONDecoder: its errors (and AWS's messages) must come from there.
    @Test(arguments: [
        #"{"TableName":"t","Key":{"k":{"S":"a\"b"}}}"#,  // escape
        #"{"TableName":"t","Key":{"k":{"S":5}}}"#,  // number for a string
        #"{"TableName":"t","Key":{"k":{"N":"abc"}}}"#,  // invalid number
        #"{"TableName":"t","Key":{"k":{"B":"AAEC"}}}"#,  // binary
        #"{"TableName":"t","Key":{"k":{"SS":["a"]}}}"#,  // set
        #"{"TableName":"t","Key":{"k":{"S":"a","N":"1"}}}"#,  // two types
        #"{"TableName":"t","Key":{"k":{"NULL":false}}}"#,  // NULL false
        #"{"TableName":"t","Key":{"k":{}}}"#,  // no type
        #"{"TableName":null,"Key":{"k":{"S":"a"}}}"#,  // null
        #"{"TableName":"t","TableName":"u"}"#,  // duplicate member
        #"{"TableName":"t","AttributesToGet":["a"]}"#,  // member the fast path does not read
        #"{"TableName":"t","Unknown":1}"#,  // unknown member
        #"{"TableName":"t"} x"#,  // trailing bytes
        #"{"TableName":"t""#,  // truncated
        #"["TableName"]"#,  // not an object
        "",
    ])
    func unusualShapesGoToJSONDecoder(json: String) {
        #expect(GetItemInput.fastDecode(Data(json.utf8)) == nil)
    }

    @Test func invalidUTF8AndUnusualNumbersGoToJSONDecoder() {
        var invalid = Data(#"{"TableName":""#.utf8)
        invalid.append(contentsOf: [0xC3, 0x28])
        invalid.append(contentsOf: Array(#""}"#.utf8))
        #expect(GetItemInput.fastDecode(invalid) == nil)
        for limit in ["-1", "1.0", "1e2", "01", "99999999999999999999", "\"20\""] {
            #expect(QueryInput.fastDecode(Data(#"{"TableName":"t","Limit":\#(limit)}"#.utf8)) == nil, "\(limit)")
        }
    }
}
