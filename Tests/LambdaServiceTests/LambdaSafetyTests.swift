import CloudFormation
import Foundation
import Testing

@testable import LambdaService

@Suite("Lambda arithmetic on template, clock and worker values never traps")
struct LambdaArithmeticTests {
    @Test(
        "Double to Int64 clamps",
        arguments: [
            (1e300, Int64.max), (-1e300, Int64.min), (Double.infinity, Int64.max), (-Double.infinity, Int64.min),
            (Double.nan, Int64(0)), (9.3e18, Int64.max), (42.9, Int64(42)), (-42.9, Int64(-42)),
        ] as [(Double, Int64)]
    )
    func clamps(value: Double, expected: Int64) {
        #expect(LambdaNumbers.clampedInt64(value) == expected)
    }

    @Test("deadlines: normal, and a wall clock or timeout out of range")
    func deadlines() {
        #expect(LambdaNumbers.deadlineMilliseconds(now: Date(timeIntervalSince1970: 1_700_000_000), timeoutSeconds: 3) == 1_700_000_003_000)
        #expect(LambdaNumbers.deadlineMilliseconds(now: Date(timeIntervalSince1970: 1e300), timeoutSeconds: 900) == Int64.max)
        #expect(LambdaNumbers.deadlineMilliseconds(now: .distantFuture, timeoutSeconds: Int.max) > 0)
        #expect(LambdaNumbers.deadlineMilliseconds(now: Date(timeIntervalSince1970: -1e300), timeoutSeconds: Int.min) == Int64.min)
    }

    @Test("seconds formatting (timeouts, REPORT) with absurd values")
    func formatting() {
        #expect(LambdaMessages.formatSeconds(3.004) == "3.00")
        #expect(LambdaMessages.formatSeconds(.infinity).hasSuffix(".07"))
        #expect(LambdaMessages.formatSeconds(.nan) == "0.00")
        #expect(LambdaMessages.formatSeconds(-5) == "0.00")
        #expect(!LambdaMessages.formatSeconds(1e300).isEmpty)
        #expect(LambdaNumbers.milliseconds(.seconds(1) + .milliseconds(500)) == 1500)
        #expect(LambdaNumbers.seconds(.milliseconds(2500)) == 2.5)
    }

    @Test("a template Timeout outside 1...900 is clamped to AWS's range", arguments: [(0, 1), (-5, 1), (Int.max, 900), (30, 30)])
    func timeoutRange(template: Int, expected: Int) throws {
        let yaml = """
            Resources:
              Fn:
                Type: AWS::Lambda::Function
                Properties: {FunctionName: fn, Runtime: python3.12, Handler: app.handler, Timeout: \(template), Code: {ZipFile: "x"}}
            """
        let stack = try TemplateLoader.parse(yaml).resolve(StackConfiguration(stackName: "t"))
        let spec = try #require(try stack.lambdaFunctions.first)
        let function = LambdaFunction(spec: spec, accountId: "000000000000", region: "us-east-1", lastModified: Date())
        #expect(function.timeout == expected)
    }
}

@Suite("X-Amz-Client-Context")
struct ClientContextTests {
    @Test("base64 of a JSON object is passed on")
    func valid() throws {
        let header = Data(#"{"custom":{"a":"b"}}"#.utf8).base64EncodedString()
        #expect(try LambdaService.clientContext(header) == #"{"custom":{"a":"b"}}"#)
        // Line breaks between tokens would break the Runtime API header it travels in.
        let multiline = Data("{\n  \"custom\": {\"a\": \"b\\nc\"}\n}".utf8).base64EncodedString()
        let compact = try LambdaService.clientContext(multiline)
        #expect(!compact.contains("\n"))
        #expect(compact == #"{"custom":{"a":"b\nc"}}"#)
    }

    @Test(
        "anything else is InvalidRequestContentException with AWS's message",
        arguments: [
            "not base64!", Data("[1,2]".utf8).base64EncodedString(), Data("nope".utf8).base64EncodedString(),
            Data(("{\"custom\":{\"k\":\"" + String(repeating: "x", count: 3_000) + "\"}}").utf8).base64EncodedString(),
        ]
    )
    func invalid(header: String) {
        #expect(throws: LambdaError.invalidRequestContent("Client context must be a valid Base64-encoded JSON object.")) {
            try LambdaService.clientContext(header)
        }
        #expect(LambdaError.invalidRequestContent("").httpStatus == 400)
    }
}

@Suite("Offline guard ports")
struct EgressGuardPortTests {
    @Test(
        "a port that is not 0...65535 is no target (NIO would trap on it)",
        arguments: [
            "CONNECT 127.0.0.1:70000 HTTP/1.1", "CONNECT 127.0.0.1:-1 HTTP/1.1",
            "CONNECT 127.0.0.1:99999999999999999999999 HTTP/1.1", "GET http://127.0.0.1:65536/ HTTP/1.1",
            "GET http://[::1]:123456/ HTTP/1.1",
        ]
    )
    func outOfRange(line: String) {
        #expect(EgressGuard.parse(head: line) == nil)
    }

    @Test("valid ports still parse")
    func valid() {
        #expect(EgressGuard.parse(head: "CONNECT 127.0.0.1:65535 HTTP/1.1")?.port == 65535)
        #expect(EgressGuard.parse(head: "GET http://[::1]:8080/ HTTP/1.1")?.port == 8080)
    }
}

@Suite("Event queues and waiting for capacity")
struct EventQueueTests {
    @Test("a function's queue admits up to its capacity; each function has its own")
    func bound() {
        let queues = EventQueues(capacity: 2)
        #expect(queues.admit("a"))
        #expect(queues.admit("a"))
        #expect(!queues.admit("a"))
        #expect(queues.admit("b"))
        queues.finish("a")
        #expect(queues.count("a") == 1)
        #expect(queues.admit("a"))
        #expect(EventQueues(capacity: 0).capacity == 1)
        let error = LambdaError.tooManyRequests(reason: .functionInvocationRate)
        #expect(error.httpStatus == 429)
        #expect(error.code == "TooManyRequestsException")
        #expect(error.extraFields.contains { $0 == ("Reason", "FunctionInvocationRateLimitExceeded") })
    }

    @Test("a refused invocation wakes when a slot is given back, not by polling")
    func wakesOnRelease() async throws {
        let gate = ConcurrencyGate(accountLimit: 1)
        try gate.acquire(function: "f", reserved: nil)
        let seen = gate.releaseCount
        #expect(throws: LambdaError.tooManyRequests(reason: .account)) { try gate.acquire(function: "g", reserved: nil) }
        let woke = Task {
            await gate.waitForRelease(since: seen)
            return ContinuousClock.now
        }
        try await Task.sleep(for: .milliseconds(200))
        let released = ContinuousClock.now
        gate.release(function: "f", reserved: nil)
        let wokeAt = await woke.value
        #expect(wokeAt >= released)
        try gate.acquire(function: "g", reserved: nil)
    }

    @Test("a release between the refusal and the wait is not lost; cancellation ends the wait")
    func noLostWakeup() async throws {
        let gate = ConcurrencyGate(accountLimit: 1)
        try gate.acquire(function: "f", reserved: nil)
        let seen = gate.releaseCount
        gate.release(function: "f", reserved: nil)
        await gate.waitForRelease(since: seen)  // returns at once

        try gate.acquire(function: "f", reserved: nil)
        let waiting = Task { await gate.waitForRelease(since: gate.releaseCount) }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        await waiting.value
    }
}
