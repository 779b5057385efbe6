import Foundation
import Testing

@testable import DynamoDBService

/// The condition keys DynamoDB requests supply to IAM (`dynamodb:LeadingKeys`, `Attributes`, `Select`,
/// `ReturnValues`), worked out from the wire input exactly as the operations receive it.
@Suite("DynamoDB condition keys")
struct ConditionKeysTests {
    static let schema = KeySchema(partitionKey: .init(name: "userId", type: .s), sortKey: .init(name: "noteId", type: .s))
    static let numericSchema = KeySchema(partitionKey: .init(name: "n", type: .n))

    static func input<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    @Test("GetItem: the key's partition, key and projected attributes, implied Select")
    func getItem() throws {
        let input = try Self.input(
            GetItemInput.self,
            ##"{"TableName":"T","Key":{"userId":{"S":"alice"},"noteId":{"S":"n1"}},"ProjectionExpression":"#t, tags[0], meta.width","ExpressionAttributeNames":{"#t":"text"}}"##
        )
        let keys = DynamoDBConditionKeys.get(
            key: input.Key,
            projection: input.ProjectionExpression,
            attributesToGet: input.AttributesToGet,
            names: input.ExpressionAttributeNames,
            schema: Self.schema
        )
        #expect(
            keys.context == [
                "dynamodb:LeadingKeys": ["alice"],
                "dynamodb:Attributes": ["noteId", "userId", "text", "tags", "meta"],
                "dynamodb:Select": ["SPECIFIC_ATTRIBUTES"],
            ]
        )
        let whole = DynamoDBConditionKeys.get(key: input.Key, projection: nil, attributesToGet: nil, names: nil, schema: Self.schema)
        #expect(whole.context["dynamodb:Select"] == ["ALL_ATTRIBUTES"])
    }

    @Test("PutItem: the item's partition, every attribute written and evaluated, ReturnValues defaulting to NONE")
    func putItem() throws {
        let input = try Self.input(
            PutItemInput.self,
            ##"{"TableName":"T","Item":{"userId":{"S":"alice"},"noteId":{"S":"n1"},"body":{"S":"x"}},"ConditionExpression":"attribute_not_exists(version) OR version < :v","ExpressionAttributeValues":{":v":{"N":"3"}}}"##
        )
        let keys = DynamoDBConditionKeys.write(input, schema: Self.schema)
        #expect(
            keys.context == [
                "dynamodb:LeadingKeys": ["alice"],
                "dynamodb:Attributes": ["body", "noteId", "userId", "version"],
                "dynamodb:ReturnValues": ["NONE"],
            ]
        )
    }

    @Test("UpdateItem: updated and read attributes, condition attributes, the given ReturnValues")
    func updateItem() throws {
        let input = try Self.input(
            UpdateItemInput.self,
            ##"{"TableName":"T","Key":{"userId":{"S":"alice"},"noteId":{"S":"n1"}},"UpdateExpression":"SET tally = if_not_exists(seed, :z) + :one REMOVE stale ADD hits :one","ConditionExpression":"size(body) < :big","ExpressionAttributeValues":{":z":{"N":"0"},":one":{"N":"1"},":big":{"N":"9"}},"ReturnValues":"ALL_NEW"}"##
        )
        let keys = DynamoDBConditionKeys.write(input, schema: Self.schema)
        #expect(keys.context["dynamodb:LeadingKeys"] == ["alice"])
        #expect(keys.context["dynamodb:Attributes"] == ["noteId", "userId", "tally", "seed", "stale", "hits", "body"])
        #expect(keys.context["dynamodb:ReturnValues"] == ["ALL_NEW"])
        #expect(keys.context["dynamodb:Select"] == nil)
    }

    @Test("Legacy parameters name attributes too: AttributeUpdates, Expected, KeyConditions, QueryFilter, ScanFilter")
    func legacyParameters() throws {
        let update = try Self.input(
            UpdateItemInput.self,
            ##"{"TableName":"T","Key":{"userId":{"S":"alice"},"noteId":{"S":"n1"}},"AttributeUpdates":{"secret":{"Value":{"S":"x"}},"hits":{"Action":"ADD","Value":{"N":"1"}}},"Expected":{"owner":{"Value":{"S":"alice"}}}}"##
        )
        #expect(
            DynamoDBConditionKeys.write(update, schema: Self.schema).context["dynamodb:Attributes"] == [
                "noteId", "userId", "hits", "secret", "owner",
            ]
        )
        let put = try Self.input(
            PutItemInput.self,
            ##"{"TableName":"T","Item":{"userId":{"S":"alice"},"noteId":{"S":"n1"}},"Expected":{"locked":{"Exists":false}}}"##
        )
        #expect(DynamoDBConditionKeys.write(put, schema: Self.schema).context["dynamodb:Attributes"] == ["noteId", "userId", "locked"])
        let query = try Self.input(
            QueryInput.self,
            ##"{"TableName":"T","KeyConditions":{"userId":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"bob"}]}},"QueryFilter":{"private":{"ComparisonOperator":"NULL"}}}"##
        )
        let queryKeys = DynamoDBConditionKeys.read(query, schema: Self.schema, isQuery: true)
        #expect(queryKeys.context["dynamodb:LeadingKeys"] == ["bob"])
        #expect(queryKeys.context["dynamodb:Attributes"] == ["userId", "private"])
        let scan = try Self.input(QueryInput.self, ##"{"TableName":"T","ScanFilter":{"salary":{"ComparisonOperator":"NOT_NULL"}}}"##)
        #expect(DynamoDBConditionKeys.read(scan, schema: Self.schema, isQuery: false).context["dynamodb:Attributes"] == ["salary"])
    }

    @Test("Query: the partition of the key condition (table or index schema), filter and projection, Select")
    func query() throws {
        let input = try Self.input(
            QueryInput.self,
            ##"{"TableName":"T","KeyConditionExpression":"userId = :me AND begins_with(noteId, :p)","FilterExpression":"archived <> :yes","ExpressionAttributeValues":{":me":{"S":"alice"},":p":{"S":"2026"},":yes":{"BOOL":true}}}"##
        )
        let keys = DynamoDBConditionKeys.read(input, schema: Self.schema, isQuery: true)
        #expect(
            keys.context == [
                "dynamodb:LeadingKeys": ["alice"],
                "dynamodb:Attributes": ["userId", "noteId", "archived"],
                "dynamodb:Select": ["ALL_ATTRIBUTES"],
            ]
        )
        let onIndex = try Self.input(
            QueryInput.self,
            ##"{"TableName":"T","IndexName":"ByNumber","KeyConditionExpression":"n = :n","ExpressionAttributeValues":{":n":{"N":"42"}}}"##
        )
        let indexKeys = DynamoDBConditionKeys.read(onIndex, schema: Self.numericSchema, isQuery: true)
        #expect(indexKeys.context["dynamodb:LeadingKeys"] == ["42"])
        #expect(indexKeys.context["dynamodb:Select"] == ["ALL_PROJECTED_ATTRIBUTES"])
    }

    @Test("Scan supplies no leading keys; a given Select is passed as is")
    func scan() throws {
        let input = try Self.input(QueryInput.self, ##"{"TableName":"T","Select":"COUNT"}"##)
        #expect(DynamoDBConditionKeys.read(input, schema: Self.schema, isQuery: false).context == ["dynamodb:Select": ["COUNT"]])
    }

    @Test("BatchGetItem and BatchWriteItem: every partition of the table's items, once each")
    func batches() throws {
        let get = try Self.input(
            BatchGetItemInput.self,
            ##"{"RequestItems":{"T":{"Keys":[{"userId":{"S":"alice"},"noteId":{"S":"1"}},{"userId":{"S":"bob"},"noteId":{"S":"2"}},{"userId":{"S":"alice"},"noteId":{"S":"3"}}]}}}"##
        )
        let entry = try #require(get.RequestItems?["T"])
        #expect(DynamoDBConditionKeys.batchGet(entry, schema: Self.schema).context["dynamodb:LeadingKeys"] == ["alice", "bob"])

        let write = try Self.input(
            BatchWriteItemInput.self,
            ##"{"RequestItems":{"T":[{"PutRequest":{"Item":{"userId":{"S":"alice"},"noteId":{"S":"1"},"x":{"S":"y"}}}},{"DeleteRequest":{"Key":{"userId":{"S":"carol"},"noteId":{"S":"2"}}}}]}}"##
        )
        let keys = DynamoDBConditionKeys.batchWrite(write.RequestItems?["T"] ?? [], schema: Self.schema)
        #expect(keys.context["dynamodb:LeadingKeys"] == ["alice", "carol"])
        #expect(keys.context["dynamodb:Attributes"] == ["noteId", "userId", "x"])
    }

    @Test("partition values: numbers as their text, binary as base64; unknown tables and unparsable parts add nothing")
    func valueForms() throws {
        var keys = DynamoDBConditionKeys()
        keys.addLeadingKey(.n(DynamoNumber(7)))
        keys.addLeadingKey(.b(Data([0, 1, 2])))
        keys.addLeadingKey(.bool(true))
        #expect(keys.context["dynamodb:LeadingKeys"] == ["7", "AAEC"])

        let input = try Self.input(GetItemInput.self, ##"{"TableName":"T","Key":{"userId":{"S":"alice"}},"ProjectionExpression":"a,,b"}"##)
        let unknown = DynamoDBConditionKeys.get(key: input.Key, projection: input.ProjectionExpression, attributesToGet: nil, names: nil, schema: nil)
        #expect(unknown.context["dynamodb:LeadingKeys"] == nil)
        #expect(unknown.context["dynamodb:Attributes"] == ["userId"])
        #expect(unknown.context["dynamodb:Select"] == ["SPECIFIC_ATTRIBUTES"])
    }
}
