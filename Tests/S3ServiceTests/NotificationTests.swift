import EmulatorCore
import Foundation
import Logging
import Synchronization
import Testing

@testable import S3Service

/// Records what would be handed to Lambda: a real recorder of the payload, not a mock of our components.
final class RecordingInvoker: LambdaInvoking {
    struct Call {
        var function: String
        var payload: Data
        var invocationType: LambdaInvocationType
        var sourceArn: String?
    }

    let calls = Mutex<[Call]>([])

    func invoke(
        function: String,
        payload: Data,
        invocationType: LambdaInvocationType,
        context: LambdaInvocationContext
    ) async throws -> LambdaInvocationResult {
        calls.withLock { $0.append(Call(function: function, payload: payload, invocationType: invocationType, sourceArn: context.sourceArn)) }
        return LambdaInvocationResult(statusCode: 202, payload: Data())
    }
    func isInvokeAllowed(function: String, principal: String, sourceArn: String?, sourceAccount: String?) -> Bool { true }
}

@Suite struct NotificationTests {
    let arn = "arn:aws:lambda:us-east-1:000000000000:function:validate"

    func event(_ name: String, key: String, sequencer: String = "0069300B7C7E6C1D42") -> S3EventNotifier.Event {
        S3EventNotifier.Event(
            eventName: name,
            bucket: "synapscribe-audio-000000000000",
            key: key,
            size: name.hasPrefix("ObjectCreated") ? 1_048_576 : nil,
            eTag: name.hasPrefix("ObjectCreated") ? "b6d81b360a5672d80c27430f39153e2c" : nil,
            versionId: nil,
            time: Date(timeIntervalSince1970: 1_764_756_724.517),
            region: "us-east-1",
            principalId: "AWS:test",
            sourceIPAddress: "127.0.0.1",
            requestId: "C3D13FE58DE4C810",
            hostId: "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
            sequencer: sequencer
        )
    }

    @Test func payloadMatchesTheDocumentedShape() throws {
        let data = S3EventNotifier.payload(event("ObjectCreated:Put", key: "lectures/week 1/intro+talk.mp3"), configurationId: "cfg-1")
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let records = try #require(root["Records"] as? [[String: Any]])
        #expect(records.count == 1)
        let record = records[0]
        #expect(record["eventVersion"] as? String == "2.1")
        #expect(record["eventSource"] as? String == "aws:s3")
        #expect(record["awsRegion"] as? String == "us-east-1")
        #expect(record["eventTime"] as? String == "2025-12-03T10:12:04.517Z")
        #expect(record["eventName"] as? String == "ObjectCreated:Put")
        #expect((record["userIdentity"] as? [String: String])?["principalId"] == "AWS:test")
        #expect((record["requestParameters"] as? [String: String])?["sourceIPAddress"] == "127.0.0.1")
        let response = try #require(record["responseElements"] as? [String: String])
        #expect(response["x-amz-request-id"] == "C3D13FE58DE4C810")
        #expect(response["x-amz-id-2"] == "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD")
        let s3 = try #require(record["s3"] as? [String: Any])
        #expect(s3["s3SchemaVersion"] as? String == "1.0")
        #expect(s3["configurationId"] as? String == "cfg-1")
        let bucket = try #require(s3["bucket"] as? [String: Any])
        #expect(bucket["name"] as? String == "synapscribe-audio-000000000000")
        #expect(bucket["arn"] as? String == "arn:aws:s3:::synapscribe-audio-000000000000")
        #expect((bucket["ownerIdentity"] as? [String: String])?["principalId"] == S3EventNotifier.ownerPrincipalId)
        let object = try #require(s3["object"] as? [String: Any])
        #expect(object["key"] as? String == "lectures/week+1/intro%2Btalk.mp3")
        #expect(object["size"] as? Int == 1_048_576)
        #expect(object["eTag"] as? String == "b6d81b360a5672d80c27430f39153e2c")
        #expect(object["sequencer"] as? String == "0069300B7C7E6C1D42")
        #expect(
            Set(record.keys) == [
                "eventVersion", "eventSource", "awsRegion", "eventTime", "eventName", "userIdentity", "requestParameters", "responseElements", "s3",
            ]
        )
    }

    @Test func removedEventsCarryNoSizeOrETag() throws {
        let data = S3EventNotifier.payload(event("ObjectRemoved:Delete", key: "lectures/a.wav"), configurationId: "c")
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("\"size\""))
        #expect(!text.contains("\"eTag\""))
        #expect(text.contains("\"eventName\":\"ObjectRemoved:Delete\""))
    }

    @Test func deliversMatchingLambdaTargetsAsEvents() async throws {
        let recorder = RecordingInvoker()
        let notifier = S3EventNotifier(invoker: recorder, logger: Logger(label: "test"))
        let targets = [
            NotificationTarget(id: "lectures", kind: .lambda, arn: arn, events: ["s3:ObjectCreated:*"], prefix: "lectures/"),
            NotificationTarget(id: "wav", kind: .lambda, arn: arn + "2", events: ["s3:ObjectCreated:Put"], suffix: ".wav"),
            NotificationTarget(id: "queue", kind: .queue, arn: "arn:aws:sqs:us-east-1:000000000000:q", events: ["s3:ObjectCreated:*"]),
            NotificationTarget(id: "removed", kind: .lambda, arn: arn + "3", events: ["s3:ObjectRemoved:*"]),
        ]
        await notifier.deliver(event("ObjectCreated:Put", key: "lectures/a.mp3"), targets: targets)
        await notifier.deliver(event("ObjectCreated:Copy", key: "queries/b.wav"), targets: targets)
        await notifier.deliver(event("ObjectRemoved:Delete", key: "x"), targets: targets)
        let calls = recorder.calls.withLock { $0 }
        #expect(calls.map(\.function) == [arn, arn + "3"])
        #expect(calls.allSatisfy { $0.invocationType == .event })
        #expect(calls.allSatisfy { $0.sourceArn == "arn:aws:s3:::synapscribe-audio-000000000000" })
        let first = try #require(try JSONSerialization.jsonObject(with: calls[0].payload) as? [String: Any])
        let record = try #require((first["Records"] as? [[String: Any]])?.first)
        #expect(((record["s3"] as? [String: Any])?["configurationId"] as? String) == "lectures")
    }

    @Test func sequencersIncrease() {
        let notifier = S3EventNotifier(invoker: nil, logger: Logger(label: "test"))
        let now = Date()
        let first = notifier.nextSequencer(now: now)
        let second = notifier.nextSequencer(now: now)
        #expect(first.count == 18 && second.count == 18)
        #expect(second > first)
    }
}
