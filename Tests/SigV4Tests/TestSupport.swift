import Foundation
import SigV4

/// Shared fixtures for the SigV4 tests.
enum Fixture {
    static let suiteKey = SigningCredential(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)  // 20150830T123600Z
    static let local = SigningCredential(accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret")
    static let localDate = Date(timeIntervalSince1970: 1_704_067_200)  // 20240101T000000Z

    /// Parses the AWS test-suite request format (`METHOD path HTTP/1.1`, `Name:value` lines, blank line, body).
    static func parseSuiteRequest(_ text: String) -> (request: SigV4Request, body: String) {
        var lines = text.components(separatedBy: "\n")
        let requestLine = lines.removeFirst()
        let method = String(requestLine.prefix { $0 != " " })
        let target = String(requestLine.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count))
        var path = target
        var query = ""
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = String(target[target.index(after: mark)...])
        }
        var headers: [(name: String, value: String)] = []
        while let line = lines.first, !line.isEmpty {
            lines.removeFirst()
            if let colon = line.firstIndex(of: ":") {
                headers.append((name: String(line[..<colon]), value: String(line[line.index(after: colon)...])))
            }
        }
        if !lines.isEmpty { lines.removeFirst() }
        return (SigV4Request(method: method, path: path, query: query, headers: headers), lines.joined(separator: "\n"))
    }

    static func lookup(_ credentials: [SigningCredential]) -> (String) -> SigningCredential? {
        { id in credentials.first { $0.accessKeyId == id } }
    }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return out
    }

    /// Captures the error thrown by a block.
    static func failure(_ body: () throws(SigV4Error) -> Void) -> SigV4Error? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }

    /// Captures the error thrown by a verification.
    static func error(_ body: () throws(SigV4Error) -> Authentication) -> SigV4Error? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }
}
