import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing

@testable import LambdaService

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("Runtime API routing and messages")
struct RuntimeAPIRoutingTests {
    @Test(
        "routes the four Runtime API endpoints",
        arguments: [
            (HTTPMethod.GET, "/2018-06-01/runtime/invocation/next", RuntimeAPIRoute.next),
            (.POST, "/2018-06-01/runtime/invocation/abc-123/response", .response(requestId: "abc-123")),
            (.POST, "/2018-06-01/runtime/invocation/abc-123/error", .error(requestId: "abc-123")),
            (.POST, "/2018-06-01/runtime/init/error", .initError),
            (.POST, "/2018-06-01/runtime/invocation/next", .unknown),
            (.GET, "/2018-06-01/runtime/invocation/abc/response", .unknown),
            (.POST, "/2018-06-01/runtime/invocation//response", .unknown),
            (.GET, "/2020-01-01/runtime/invocation/next", .unknown),
            (.GET, "/2018-06-01/runtime/invocation/next?x=1", .next),
        ]
    )
    func routes(method: HTTPMethod, uri: String, expected: RuntimeAPIRoute) {
        #expect(RuntimeAPIRoute.route(method: method, uri: uri) == expected)
    }

    @Test("next-invocation headers always carry Content-Type and the AWS headers")
    func nextHeaders() {
        var invocation = RuntimeInvocation(
            requestId: "req-1",
            payload: Data("{}".utf8),
            deadlineMilliseconds: 1_700_000_000_000,
            invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:f",
            traceId: "Root=1-abc-def;Parent=0;Sampled=0",
            clientContext: nil,
            cognitoIdentity: nil
        )
        var names = invocation.headers.map(\.0)
        #expect(
            names == [
                "Content-Type", "Lambda-Runtime-Aws-Request-Id", "Lambda-Runtime-Deadline-Ms",
                "Lambda-Runtime-Invoked-Function-Arn", "Lambda-Runtime-Trace-Id",
            ]
        )
        #expect(invocation.headers.first { $0.0 == "Lambda-Runtime-Deadline-Ms" }?.1 == "1700000000000")
        invocation.clientContext = #"{"custom":{}}"#
        invocation.cognitoIdentity = #"{"cognitoIdentityId":"x"}"#
        names = invocation.headers.map(\.0)
        #expect(names.suffix(2) == ["Lambda-Runtime-Client-Context", "Lambda-Runtime-Cognito-Identity"])
    }

    @Test("AWS texts: timeout, exit and seconds formatting")
    func messages() {
        #expect(LambdaMessages.timedOut(requestId: "r", seconds: 3.004) == "RequestId: r Error: Task timed out after 3.00 seconds")
        #expect(LambdaMessages.formatSeconds(1.5) == "1.50")
        #expect(LambdaMessages.formatSeconds(0.056) == "0.06")
        #expect(LambdaMessages.exited(requestId: "r", reason: "exit status 1") == "RequestId: r Error: Runtime exited with error: exit status 1")
        #expect(LambdaMessages.exited(requestId: "r", reason: nil) == "RequestId: r Error: Runtime exited without providing a reason")
        #expect(WorkerProcess.Exit.status(1).reason == "exit status 1")
        #expect(WorkerProcess.Exit.signal(9).reason == "signal: killed")
        #expect(WorkerProcess.Exit.status(0).reason == nil)
    }

    @Test("throttling errors carry AWS's Reason")
    func throttling() throws {
        let gate = ConcurrencyGate(accountLimit: 1)
        try gate.acquire(function: "a", reserved: nil)
        #expect(throws: LambdaError.tooManyRequests(reason: .account)) { try gate.acquire(function: "b", reserved: nil) }
        try gate.acquire(function: "c", reserved: 1)
        #expect(throws: LambdaError.tooManyRequests(reason: .reservedFunction)) { try gate.acquire(function: "c", reserved: 1) }
        gate.release(function: "a", reserved: nil)
        try gate.acquire(function: "b", reserved: nil)
        let error = LambdaError.tooManyRequests(reason: .reservedFunction)
        #expect(error.httpStatus == 429)
        #expect(error.message == "Rate Exceeded.")
        #expect(error.extraFields.contains { $0 == ("Reason", "ReservedFunctionConcurrentInvocationLimitExceeded") })
    }
}

@Suite("Offline guard request parsing")
struct EgressGuardTests {
    @Test("CONNECT and absolute-URI requests name their target")
    func parse() {
        let tunnel = EgressGuard.parse(head: "CONNECT dynamodb.us-east-1.amazonaws.com:443 HTTP/1.1\r\nHost: x")
        #expect(tunnel == EgressGuard.Target(host: "dynamodb.us-east-1.amazonaws.com", port: 443, isTunnel: true, forwardedHead: nil))
        let plain = EgressGuard.parse(
            head: "POST http://172.31.36.1:5000/invocations?x=1 HTTP/1.1\r\nHost: 172.31.36.1:5000\r\nProxy-Authorization: Basic eA=="
        )
        #expect(plain?.host == "172.31.36.1")
        #expect(plain?.port == 5000)
        #expect(plain?.forwardedHead == "POST /invocations?x=1 HTTP/1.1\r\nHost: 172.31.36.1:5000")
        #expect(EgressGuard.parse(head: "GET http://[::1]/ HTTP/1.1")?.host == "::1")
        #expect(EgressGuard.parse(head: "GET /relative HTTP/1.1") == nil)
    }

    @Test(
        "only loopback is allowed",
        arguments: [
            ("127.0.0.1", true), ("127.8.9.10", true), ("localhost", true), ("::1", true),
            ("172.31.36.1", false),  // the template's AgentCore default: classified here, never contacted
            ("198.51.100.1", false), ("s3.amazonaws.com", false), ("127.0.0.1.nip.io", false),
        ]
    )
    func loopback(host: String, allowed: Bool) {
        #expect(EgressGuard.isLoopback(host) == allowed)
    }
}

/// A scripted execution environment for socket tests of the Runtime API listener.
private actor ScriptedBackend: RuntimeAPIBackend {
    var responses: [(String, Data, Bool)] = []
    var errors: [(String, Data, String?)] = []
    var invocations: [RuntimeInvocation]

    init(invocations: [RuntimeInvocation]) { self.invocations = invocations }

    func nextInvocation() async -> RuntimeInvocation? { invocations.isEmpty ? nil : invocations.removeFirst() }

    func invocationResponse(requestId: String, body: Data, tooLarge: Bool) async -> RuntimeAPIReply {
        responses.append((requestId, body, tooLarge))
        return tooLarge ? .payloadTooLarge : .accepted
    }

    func invocationError(requestId: String, body: Data, errorType: String?) async -> RuntimeAPIReply {
        errors.append((requestId, body, errorType))
        return .accepted
    }

    func initError(body: Data, errorType: String?) async -> RuntimeAPIReply { .invalidState }
}

@Suite("Runtime API listener over a socket")
struct RuntimeAPIServerTests {
    private func request(
        _ port: Int,
        _ method: String,
        _ path: String,
        body: Data = Data(),
        headers: [String: String] = [:]
    ) async throws -> (
        Int, [String: String], Data
    ) {
        var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(port)\(path)")))
        request.httpMethod = method
        if !body.isEmpty { request.httpBody = body }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields[String(describing: name).lowercased()] = String(describing: value) }
        return (http.statusCode, fields, data)
    }

    @Test("serves next, response, error and oversized responses with AWS's shapes")
    func roundTrip() async throws {
        let invocation = RuntimeInvocation(
            requestId: "req-42",
            payload: Data(#"{"hello":"world"}"#.utf8),
            deadlineMilliseconds: 42,
            invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:f",
            traceId: "Root=1-0-0",
            clientContext: nil,
            cognitoIdentity: nil
        )
        let backend = ScriptedBackend(invocations: [invocation])
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // This test process is the runtime: its own sockets pass the peer check.
                try await RuntimeAPIServer.run(backend: backend, peers: .process { getpid() }) { port in portContinuation.yield(port) }
            }
            var ports = portStream.makeAsyncIterator()
            let port = try #require(await ports.next())

            let (status, headers, body) = try await request(port, "GET", "/2018-06-01/runtime/invocation/next")
            #expect(status == 200)
            #expect(headers["content-type"] == "application/json")
            #expect(headers["lambda-runtime-aws-request-id"] == "req-42")
            #expect(headers["lambda-runtime-deadline-ms"] == "42")
            #expect(body == invocation.payload)

            let accepted = try await request(port, "POST", "/2018-06-01/runtime/invocation/req-42/response", body: Data("\"ok\"".utf8))
            #expect(accepted.0 == 202)
            #expect(String(decoding: accepted.2, as: UTF8.self) == #"{"status":"OK"}"#)

            let error = try await request(
                port,
                "POST",
                "/2018-06-01/runtime/invocation/req-42/error",
                body: Data(#"{"errorMessage":"boom","errorType":"ValueError"}"#.utf8),
                headers: ["Lambda-Runtime-Function-Error-Type": "ValueError"]
            )
            #expect(error.0 == 202)

            let large = Data(repeating: 0x61, count: LambdaMessages.maxResponsePayload + 1)
            let tooLarge = try await request(port, "POST", "/2018-06-01/runtime/invocation/req-42/response", body: large)
            #expect(tooLarge.0 == 413)
            let object = try #require(try JSONSerialization.jsonObject(with: tooLarge.2) as? [String: String])
            #expect(object["errorType"] == "RequestEntityTooLarge")
            #expect(object["errorMessage"] == "Exceeded maximum allowed payload size (6291556 bytes).")

            let missing = try await request(port, "GET", "/2018-06-01/runtime/nothing")
            #expect(missing.0 == 404)

            let responses = await backend.responses
            #expect(responses.count == 2)
            #expect(responses.first?.1 == Data("\"ok\"".utf8))
            #expect(responses.last?.2 == true)
            let errors = await backend.errors
            #expect(errors.first?.2 == "ValueError")
            group.cancelAll()
        }
    }

    @Test("a process other than the worker can neither take nor answer an invocation (403, backend untouched)")
    func refusesOtherProcesses() async throws {
        let invocation = RuntimeInvocation(
            requestId: "req-7",
            payload: Data("{}".utf8),
            deadlineMilliseconds: 42,
            invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:f",
            traceId: "Root=1-0-0",
            clientContext: nil,
            cognitoIdentity: nil
        )
        let backend = ScriptedBackend(invocations: [invocation])
        // The "worker" is another process: this test's sockets are not its own.
        let worker = Process()
        worker.executableURL = URL(fileURLWithPath: "/bin/sleep")
        worker.arguments = ["30"]
        try worker.run()
        defer { worker.terminate() }
        let workerPID = worker.processIdentifier
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await RuntimeAPIServer.run(backend: backend, peers: .process { workerPID }) { port in portContinuation.yield(port) }
            }
            var ports = portStream.makeAsyncIterator()
            let port = try #require(await ports.next())
            let attempts: [(String, String)] = [
                ("GET", "/2018-06-01/runtime/invocation/next"),
                ("POST", "/2018-06-01/runtime/invocation/req-7/response"),
                ("POST", "/2018-06-01/runtime/invocation/req-7/error"),
                ("POST", "/2018-06-01/runtime/init/error"),
            ]
            for (method, path) in attempts {
                let attempt = method == "POST" ? Data(#"{"hijacked":true}"#.utf8) : Data()
                let (status, _, body) = try await request(port, method, path, body: attempt)
                #expect(status == 403, "\(method) \(path)")
                let object = try #require(try JSONSerialization.jsonObject(with: body) as? [String: String])
                #expect(object["errorType"] == "Forbidden")
            }
            #expect(await backend.invocations.count == 1)
            #expect(await backend.responses.isEmpty)
            #expect(await backend.errors.isEmpty)
            group.cancelAll()
        }
    }

    @Test("no process yet: refused")
    func refusesBeforeLaunch() async throws {
        let peers = RuntimeAPIPeers.process { nil }
        if SocketOwnership.isAvailable {
            #expect(await peers.allows(client: try SocketAddress(ipAddress: "127.0.0.1", port: 5000), listenerPort: 6000) == false)
        }
    }
}

@Suite("Socket ownership from /proc/net/tcp")
struct SocketOwnershipTests {
    static let table = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 0100007F:9C40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0 100 0 0 10 0
           1: 0100007F:D431 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 2222 1 0 20 4 30 10 -1
           2: 0100007F:9C40 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 3333 1 0 20 4 30 10 -1
           3: 0200007F:D431 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 4444 1 0 20 4 30 10 -1
        """

    @Test("finds the client end of a connection by address and ports")
    func clientEnd() {
        // 127.0.0.1:54321 -> 127.0.0.1:40000
        #expect(SocketOwnership.inodes(inTable: Self.table, localAddress: "0100007F", localPort: 54321, remotePort: 40000) == [2222])
        // The same port from 127.0.0.2 is another socket.
        #expect(SocketOwnership.inodes(inTable: Self.table, localAddress: "0200007F", localPort: 54321, remotePort: 40000) == [4444])
        #expect(SocketOwnership.inodes(inTable: Self.table, localAddress: "0100007F", localPort: 1, remotePort: 40000).isEmpty)
        #expect(SocketOwnership.inodes(inTable: "garbage\n0: x y z", localAddress: "0100007F", localPort: 1, remotePort: 2).isEmpty)
    }

    @Test("addresses print as the kernel prints them")
    func hex() throws {
        guard case .v4(let address) = try SocketAddress(ipAddress: "127.0.0.1", port: 1) else {
            Issue.record("not IPv4")
            return
        }
        let expected = UInt32(1).littleEndian == 1 ? "0100007F" : "7F000001"
        #expect(SocketOwnership.hexAddress(address.address.sin_addr.s_addr) == expected)
    }

    @Test("a connection this process opened is owned by this process and not by another")
    func liveOwnership() async throws {
        guard SocketOwnership.isAvailable else { return }
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)
        let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port).get()
        let local = client.localAddress
        #expect(SocketOwnership.processOwnsConnection(pid: getpid(), client: local, listenerPort: port))
        #expect(!SocketOwnership.processOwnsConnection(pid: 1, client: local, listenerPort: port))
        #expect(!SocketOwnership.processOwnsConnection(pid: getpid(), client: local, listenerPort: port + 1))
        try await client.close()
        try await server.close()
    }
}

@Suite("Offline guard over a socket")
struct EgressGuardServerTests {
    /// A blocking loopback client: connects, sends, and reads until `until` is in what was read, the peer closes, or
    /// 5 seconds pass.
    private static func exchange(port: Int, send: String, until: String? = nil) throws -> (fd: Int32, reply: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
        _ = send.withCString { Glibc.send(fd, $0, strlen($0), 0) }
        var reply = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while until.map({ !String(decoding: reply, as: UTF8.self).contains($0) }) ?? true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            reply += buffer[0..<count]
        }
        return (fd, String(decoding: reply, as: UTF8.self))
    }

    @Test("a target that is not loopback is refused with 403 naming the function")
    func refusesRemoteTargets() async throws {
        let listener = try await EgressGuard.bind(function: "fn", logger: Logger(label: "test"))
        let port = try #require(listener.localAddress?.port)
        let serving = Task { await EgressGuard.serve(listener) }
        defer { serving.cancel() }
        let (fd, reply) = try Self.exchange(port: port, send: "GET http://198.51.100.1:5000/x HTTP/1.1\r\nHost: x\r\n\r\n")
        close(fd)
        #expect(reply.hasPrefix("HTTP/1.1 403 Forbidden\r\n"))
        #expect(reply.contains("function fn may not reach 198.51.100.1:5000"))
        let (other, bad) = try Self.exchange(port: port, send: "GET /relative HTTP/1.1\r\n\r\n")
        close(other)
        #expect(bad.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
    }

    @Test("CONNECT to a loopback port relays bytes both ways")
    func tunnelsToLoopback() async throws {
        // The upstream: a loopback echo server.
        let echo = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(EchoHandler()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let echoPort = try #require(echo.localAddress?.port)
        let listener = try await EgressGuard.bind(function: "fn", logger: Logger(label: "test"))
        let port = try #require(listener.localAddress?.port)
        let serving = Task { await EgressGuard.serve(listener) }
        let (fd, established) = try Self.exchange(
            port: port,
            send: "CONNECT 127.0.0.1:\(echoPort) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nearly",
            until: "early"
        )
        #expect(established == "HTTP/1.1 200 Connection established\r\n\r\nearly")
        _ = "later".withCString { send(fd, $0, 5, 0) }
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = recv(fd, &buffer, buffer.count, 0)
        #expect(count == 5 && String(decoding: buffer[0..<5], as: UTF8.self) == "later")
        close(fd)
        serving.cancel()
        await serving.value
        try await echo.close()
    }

    /// Cancelling the guard while connections arrive must neither trap nor hang: with an async accept loop, a
    /// connection accepted but not yet consumed when the loop was cancelled trapped the process in NIO ("Deinited
    /// NIOAsyncWriter without calling finish()"). Each round races 16 connects against the cancellation.
    @Test("cancelling while connections arrive neither traps nor hangs")
    func cancelWhileAccepting() async throws {
        for _ in 0..<40 {
            let listener = try await EgressGuard.bind(function: "fn", logger: Logger(label: "test"))
            let port = try #require(listener.localAddress?.port)
            let serving = Task { await EgressGuard.serve(listener) }
            let clients = await withTaskGroup(of: (any Channel)?.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
                    }
                }
                serving.cancel()
                var channels: [any Channel] = []
                for await channel in group { if let channel { channels.append(channel) } }
                return channels
            }
            await serving.value
            for client in clients { try? await client.close() }
        }
    }
}

private final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(data, promise: nil)
    }
}
