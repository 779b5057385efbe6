import EmulatorCore
import Foundation
import Testing

@testable import LambdaService

@Suite("Event filtering patterns")
struct EventFilterPatternTests {
    static let record = FilterJSON.parse(
        Data(
            #"""
            {"eventName": "INSERT", "awsRegion": "us-east-1", "tags": ["a", "b"], "count": 7, "flag": true, "none": null,
             "dynamodb": {"Keys": {"pk": {"S": "order-42"}}, "NewImage": {"status": {"S": "Shipped"}, "total": {"N": "12"}}}}
            """#.utf8
        )
    )

    @Test(arguments: [
        (#"{"eventName": ["INSERT"]}"#, true),
        (#"{"eventName": ["MODIFY", "REMOVE"]}"#, false),
        (#"{"eventName": ["INSERT"], "awsRegion": ["eu-west-1"]}"#, false),
        (#"{"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "order-"}]}}}}"#, true),
        (#"{"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "user-"}]}}}}"#, false),
        (#"{"dynamodb": {"Keys": {"pk": {"S": [{"suffix": "-42"}]}}}}"#, true),
        (#"{"dynamodb": {"NewImage": {"status": {"S": [{"equals-ignore-case": "shipped"}]}}}}"#, true),
        (#"{"dynamodb": {"NewImage": {"status": {"S": [{"anything-but": ["Shipped"]}]}}}}"#, false),
        (#"{"dynamodb": {"NewImage": {"status": {"S": [{"anything-but": {"prefix": "Pend"}}]}}}}"#, true),
        (#"{"count": [{"numeric": [">", 5, "<=", 7]}]}"#, true),
        (#"{"count": [{"numeric": ["<", 5]}]}"#, false),
        (#"{"count": [{"numeric": ["=", 7]}]}"#, true),
        (#"{"dynamodb": {"NewImage": {"total": {"N": [{"numeric": [">", 5]}]}}}}"#, false),
        (#"{"dynamodb": {"OldImage": {"status": {"S": [{"exists": false}]}}}}"#, true),
        (#"{"dynamodb": {"NewImage": {"status": [{"exists": true}]}}}"#, true),
        (#"{"missing": [{"exists": true}]}"#, false),
        (#"{"tags": ["b"]}"#, true),
        (#"{"flag": [true], "none": [null]}"#, true),
        (#"{"flag": ["true"]}"#, false),
    ])
    func matches(pattern: String, expected: Bool) throws {
        let parsed = try EventFilterPattern(pattern)
        #expect(parsed.matches(try #require(Self.record)) == expected)
    }

    @Test(arguments: [
        #"{"eventName": "INSERT"}"#, #"["INSERT"]"#, #"{"eventName": []}"#, #"{"eventName": [{"prefix": 1}]}"#,
        #"{"eventName": [{"numeric": [">"]}]}"#, #"{"eventName": [{"unknown": "x"}]}"#, "not json", #"{"a": [["x"]]}"#,
    ])
    func refusesMalformedPatterns(pattern: String) {
        #expect(throws: EventFilterPattern.Invalid.self) { try EventFilterPattern(pattern) }
    }

    @Test func batchItemFailuresResumeFromTheFirstFailedRecord() {
        let batch = (1...3).map { n in
            StreamEventRecord(position: Int64(n), sequenceNumber: "10000000000000000000\(n)", created: Date(), json: Data("{}".utf8))
        }
        func first(_ json: String) -> Int64? { EventSourceMappingPoller.firstFailure(in: Data(json.utf8), batch: batch)?.position }
        #expect(first(#"{"batchItemFailures": []}"#) == nil)
        #expect(first("null") == nil)
        #expect(first(#"{"batchItemFailures": null}"#) == nil)
        #expect(first(#"{"batchItemFailures": [{"itemIdentifier": "100000000000000000003"}, {"itemIdentifier": "100000000000000000002"}]}"#) == 2)
        #expect(first(#"{"batchItemFailures": [{"itemIdentifier": ""}]}"#) == 1)
        #expect(first(#"{"batchItemFailures": [{"itemIdentifier": "999"}]}"#) == 1)
        #expect(first(#"{"batchItemFailures": "nope"}"#) == 1)
    }
}
