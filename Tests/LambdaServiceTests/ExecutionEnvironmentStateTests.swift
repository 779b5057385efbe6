import Foundation
import Logging
import Testing

@testable import LambdaService

/// The environment's state machine, driven through its Runtime API backend methods as a runtime drives it (no
/// worker process: ``ExecutionEnvironment/run()`` is never called).
@Suite("ExecutionEnvironment: one state enum carrying its waiters")
struct ExecutionEnvironmentStateTests {
    static func environment() -> ExecutionEnvironment {
        let logger = Logger(label: "test")
        let sink = LineSink(function: "f", store: LogStore(logger: logger), clock: { Date() })
        let launch = WorkerLaunch(executable: "/nonexistent", arguments: [], environment: [:], directory: "/")
        return ExecutionEnvironment(id: "env", logStreamName: "stream", launch: launch, sink: sink, logger: logger)
    }

    static func invocation(_ requestId: String) -> RuntimeInvocation {
        RuntimeInvocation(
            requestId: requestId,
            payload: Data("{}".utf8),
            deadlineMilliseconds: 1_700_000_000_000,
            invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:f",
            traceId: "Root=1-0-0;Parent=0;Sampled=0",
            clientContext: nil,
            cognitoIdentity: nil
        )
    }

    /// Brings an environment to `idle` with the runtime's first poll outstanding.
    static func ready(_ environment: ExecutionEnvironment) async -> Task<RuntimeInvocation?, Never> {
        let poll = Task { await environment.nextInvocation() }
        let outcome = await environment.waitUntilReady()
        guard case .ready = outcome else {
            Issue.record("not ready: \(outcome)")
            return poll
        }
        return poll
    }

    @Test("the first poll ends initialisation; the invocation reaches the runtime and its response the invoker")
    func invocationCycle() async {
        let environment = Self.environment()
        let poll = await Self.ready(environment)
        async let outcome = environment.invoke(Self.invocation("r1"))
        #expect(await poll.value?.requestId == "r1")
        #expect(await environment.invocationResponse(requestId: "r2", body: Data(), tooLarge: false) == .invalidRequestId)
        #expect(await environment.invocationResponse(requestId: "r1", body: Data("ok".utf8), tooLarge: false) == .accepted)
        #expect(await outcome == .success(Data("ok".utf8)))
        #expect(await environment.isAlive)

        // Warm: the next invocation waits for the runtime's next poll.
        async let second = environment.invoke(Self.invocation("r3"))
        var polled: RuntimeInvocation?
        for _ in 0..<100 where polled == nil {
            polled = await environment.nextInvocation()
        }
        #expect(polled?.requestId == "r3")
        #expect(await environment.invocationError(requestId: "r3", body: Data("boom".utf8), errorType: "E") == .accepted)
        guard case .functionError(let body) = await second else {
            Issue.record("expected a function error")
            return
        }
        let object = try? JSONSerialization.jsonObject(with: body) as? [String: String]
        #expect(object == ["errorMessage": "boom", "errorType": "E"])
    }

    @Test("a timeout answers the invoker and the polling runtime, and ends the environment")
    func timeout() async {
        let environment = Self.environment()
        let poll = await Self.ready(environment)
        async let outcome = environment.invoke(Self.invocation("r1"))
        #expect(await poll.value?.requestId == "r1")
        let nextPoll = Task { await environment.nextInvocation() }
        await environment.timeOut(requestId: "r1")
        guard case .timedOut = await outcome else {
            Issue.record("expected a timeout")
            return
        }
        #expect(await nextPoll.value == nil)
        #expect(await !environment.isAlive)
        #expect(await environment.invocationResponse(requestId: "r1", body: Data(), tooLarge: false) == .invalidRequestId)
        #expect(await environment.invoke(Self.invocation("r2")) == nil)
    }

    @Test("an init error fails readiness with the runtime's error JSON; later init errors are refused")
    func initError() async {
        let environment = Self.environment()
        let body = Data(#"{"errorMessage":"bad","errorType":"Runtime.ImportModuleError"}"#.utf8)
        #expect(await environment.initError(body: body, errorType: nil) == .accepted)
        #expect(await environment.waitUntilReady() == .failed(body: body, exit: nil))
        #expect(await environment.initError(body: body, errorType: nil) == .invalidState)
        #expect(await environment.nextInvocation() == nil)
    }

    @Test("shut down before the worker started: readiness fails, nothing is polled or invoked")
    func shutdownBeforeLaunch() async {
        let environment = Self.environment()
        let waiting = Task { await environment.waitUntilReady() }
        await environment.shutdown()
        #expect(await waiting.value == .failed(body: nil, exit: .status(127)))
        #expect(await !environment.isAlive)
        #expect(await environment.nextInvocation() == nil)
        #expect(await environment.invoke(Self.invocation("r1")) == nil)
    }
}
