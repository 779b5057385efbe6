import Foundation

/// Rewrites AWS endpoint URLs in stack outputs to the local URLs that reach the emulator.
package struct LocalURLs: Sendable {
    /// The edge URL, for example `http://127.0.0.1:4566`.
    package var edgeURL: String
    /// The WebSocket base, for example `ws://127.0.0.1:4566`.
    package var webSocketBase: String
    /// The region whose AWS hostnames are rewritten.
    package var region: String
    /// The ids of the REST and HTTP APIs, whose `https://{id}.execute-api...` URLs map to local execute-api URLs.
    package var executeApiIds: Set<String>

    /// Creates the rewriter.
    /// - Parameters:
    ///   - host: The host clients connect to.
    ///   - port: The edge port.
    ///   - region: The emulated region.
    ///   - executeApiIds: The REST and HTTP API ids (see ``Stack/executeApiIds``).
    package init(host: String, port: Int, region: String, executeApiIds: Set<String> = []) {
        let hostForURL = host.contains(":") ? "[\(host)]" : host
        self.edgeURL = "http://\(hostForURL):\(port)"
        self.webSocketBase = "ws://\(hostForURL):\(port)"
        self.region = region
        self.executeApiIds = executeApiIds
    }

    /// Where a REST or HTTP API's stage is served: `http://HOST:PORT/_aws/execute-api/{apiId}/{stage}` (no stage
    /// segment for an HTTP API's `$default` stage).
    /// - Parameters:
    ///   - apiId: The API id.
    ///   - stage: The stage name.
    /// - Returns: The URL, ending in `/`.
    package func executeApiURL(apiId: String, stage: String) -> String {
        stage == "$default" ? "\(edgeURL)/_aws/execute-api/\(apiId)/" : "\(edgeURL)/_aws/execute-api/\(apiId)/\(stage)/"
    }

    /// Where a WebSocket API's stage is served.
    /// - Parameters:
    ///   - apiId: The API id.
    ///   - stage: The stage name.
    /// - Returns: The `ws://` URL.
    package func webSocketURL(apiId: String, stage: String) -> String {
        "\(webSocketBase)/_aws/execute-api/\(apiId)/\(stage)"
    }

    /// Rewrites every AWS URL in a value: `wss://API.execute-api.REGION.amazonaws.com/STAGE` becomes the local
    /// WebSocket URL, `https://API.execute-api...` of a REST or HTTP API its local execute-api URL
    /// (`http://HOST:PORT/_aws/execute-api/API/STAGE/...`), of a WebSocket API the edge URL (management API), and
    /// S3 bucket hosts path-style edge URLs.
    /// - Parameter value: An output value.
    /// - Returns: The value with local URLs.
    package func rewrite(_ value: String) -> String {
        var result = value
        let suffixes = [".execute-api.\(region).amazonaws.com", ".execute-api.\(region).amazonaws.com.cn"]
        for suffix in suffixes {
            result = replaceHosts(in: result, scheme: "wss://", suffix: suffix) { "\(webSocketBase)/_aws/execute-api/\($0)" }
            result = replaceHosts(in: result, scheme: "https://", suffix: suffix) { label in
                executeApiIds.contains(label) ? "\(edgeURL)/_aws/execute-api/\(label)" : edgeURL
            }
        }
        for suffix in [".s3.\(region).amazonaws.com", ".s3.amazonaws.com"] {
            result = replaceHosts(in: result, scheme: "https://", suffix: suffix) { "\(edgeURL)/\($0)" }
        }
        return result
    }

    /// Replaces `scheme + label + suffix` by `replacement(label)`.
    private func replaceHosts(in text: String, scheme: String, suffix: String, replacement: (String) -> String) -> String {
        var output = ""
        var rest = Substring(text)
        while let schemeRange = rest.range(of: scheme) {
            output += rest[..<schemeRange.lowerBound]
            let afterScheme = rest[schemeRange.upperBound...]
            if let suffixRange = afterScheme.range(of: suffix),
                afterScheme[..<suffixRange.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }),
                !afterScheme[..<suffixRange.lowerBound].isEmpty
            {
                output += replacement(String(afterScheme[..<suffixRange.lowerBound]))
                rest = afterScheme[suffixRange.upperBound...]
            } else {
                output += scheme
                rest = afterScheme
            }
        }
        return output + rest
    }
}
