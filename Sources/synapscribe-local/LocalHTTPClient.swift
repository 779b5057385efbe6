import ArgumentParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal HTTP/1.1 client for the CLI's calls to a running emulator (`clock`, `logs`): one request per
/// connection (`Connection: close`), plain `http://` only.
///
/// It replaces `URLSession`, whose `FoundationNetworking` pulls libcurl and some twenty more shared libraries
/// (TLS, Kerberos, LDAP) into every start of the emulator, costing start-up time and resident memory the server
/// never uses.
struct LocalHTTPClient {
    /// An answer: status code and body.
    struct Response {
        /// The status code.
        var status: Int
        /// The body (chunked transfer coding removed).
        var body: [UInt8]
        /// The header fields, in order.
        var headers: [(name: String, value: String)] = []

        /// The first value of a header field (case-insensitive name).
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// The parts of an `http://host[:port]` endpoint.
    struct Endpoint {
        var host: String
        var port: String
        var basePath: String

        /// Parses an endpoint URL; `https` and anything else but `http` is refused.
        /// - Parameter text: The URL, e.g. `http://127.0.0.1:4566`.
        /// - Throws: `ValidationError` when it is not an `http://` URL with a host.
        init(_ text: String) throws {
            guard text.lowercased().hasPrefix("http://") else {
                throw ValidationError("invalid endpoint \(text): only http:// endpoints are supported")
            }
            var rest = Substring(text.dropFirst("http://".count))
            while rest.hasSuffix("/") { rest = rest.dropLast() }
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            let authority = rest[..<slash]
            basePath = String(rest[slash...])
            if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
                host = String(authority[authority.index(after: authority.startIndex)..<close])
                let after = authority[authority.index(after: close)...]
                port = after.hasPrefix(":") ? String(after.dropFirst()) : "80"
            } else if let colon = authority.lastIndex(of: ":") {
                host = String(authority[..<colon])
                port = String(authority[authority.index(after: colon)...])
            } else {
                host = String(authority)
                port = "80"
            }
            guard !host.isEmpty, !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw ValidationError("invalid endpoint \(text)")
            }
        }
    }

    /// The endpoint requests go to.
    let endpoint: Endpoint

    /// Sends one request and reads the whole answer.
    /// - Parameters:
    ///   - method: `GET` or `POST`.
    ///   - path: The path and query, appended to the endpoint's own path.
    ///   - headers: Extra header fields.
    ///   - body: The body (sent with `Content-Length`).
    /// - Returns: The answer.
    /// - Throws: `ValidationError` when the endpoint cannot be reached or the answer is not HTTP.
    func send(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> Response {
        let socket = try openConnection()
        defer { close(socket) }
        var head = "\(method) \(endpoint.basePath)\(path) HTTP/1.1\r\nHost: \(endpoint.host):\(endpoint.port)\r\n"
        head += "Connection: close\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        try writeAll(socket, Array(head.utf8) + body)
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(socket, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ValidationError("cannot read from \(endpoint.host):\(endpoint.port)")
            }
            if count == 0 { break }
            received += chunk[0..<count]
        }
        return try Self.parse(received)
    }

    private func openConnection() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(endpoint.host, endpoint.port, &hints, &list) == 0, let first = list else {
            throw ValidationError("cannot resolve \(endpoint.host)")
        }
        defer { freeaddrinfo(list) }
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let info = next {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
                close(fd)
            }
            next = info.pointee.ai_next
        }
        throw ValidationError("cannot connect to \(endpoint.host):\(endpoint.port): is the emulator running?")
    }

    private func writeAll(_ socket: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(socket, $0.baseAddress?.advanced(by: offset), bytes.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ValidationError("cannot write to \(endpoint.host):\(endpoint.port)")
            }
            offset += written
        }
    }

    /// Splits a whole HTTP/1.1 answer (read until the server closed) into status and body.
    /// - Parameter bytes: The answer.
    /// - Returns: Status and body.
    /// - Throws: `ValidationError` when it is not an HTTP answer.
    static func parse(_ bytes: [UInt8]) throws -> Response {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = bytes.indices.first(where: { bytes[$0...].starts(with: separator) }) else {
            throw ValidationError("not an HTTP answer")
        }
        let head = String(decoding: bytes[..<end], as: UTF8.self)
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw ValidationError("not an HTTP answer")
        }
        var body = Array(bytes[(end + separator.count)...])
        let chunked = lines.dropFirst().contains {
            $0.lowercased().hasPrefix("transfer-encoding:") && $0.lowercased().contains("chunked")
        }
        if chunked { body = try dechunk(body) }
        let fields = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), String(line[line.index(after: colon)...].trimmingSpaces))
        }
        return Response(status: status, body: body, headers: fields)
    }

    private static func dechunk(_ bytes: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = bytes[index...].firstIndex(of: UInt8(ascii: "\r")), lineEnd + 1 < bytes.count else {
                throw ValidationError("malformed chunked answer")
            }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingSpaces, radix: 16), size >= 0 else { throw ValidationError("malformed chunked answer") }
            let start = lineEnd + 2
            if size == 0 { break }
            guard start <= bytes.count, size <= bytes.count - start else { throw ValidationError("malformed chunked answer") }
            output += bytes[start..<(start + size)]
            index = start + size + 2
        }
        return output
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return text
    }
}
