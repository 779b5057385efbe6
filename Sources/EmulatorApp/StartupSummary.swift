import CloudFormation
import EmulatorCore
import Foundation

/// What runs where, printed by `synapscribe-local start` once the server is ready.
package struct StartupSummary: Sendable {
    /// One WebSocket API.
    package struct WebSocketAPI: Sendable {
        /// The logical id.
        package var logicalId: String
        /// The API id.
        package var apiId: String
        /// The stage name.
        package var stage: String
        /// The local `ws://` URL.
        package var url: String
        /// The management API endpoint handlers and clients use.
        package var managementURL: String
    }

    /// The edge URL (`AWS_ENDPOINT_URL`).
    package var edgeURL: String
    /// The stack name.
    package var stackName: String
    /// The region.
    package var region: String
    /// WebSocket APIs with their local URLs.
    package var webSocketAPIs: [WebSocketAPI]
    /// REST and HTTP API stages with their local URLs (`http://HOST:PORT/_aws/execute-api/{apiId}/{stage}/`).
    package var executeAPIs: [(kind: String, logicalId: String, url: String)] = []
    /// `(label, value)` rows: buckets, tables, identity pools, functions.
    package var resources: [(kind: String, logicalId: String, physicalId: String)]
    /// Template resources listed as skipped (not emulated).
    package var skipped: [(logicalId: String, type: String)]
    /// Stack outputs with local URLs substituted.
    package var outputs: [(key: String, value: String)]
    /// Milliseconds from process start to ready.
    package var readyMilliseconds: Int
    /// The local TLS endpoint (`https://127.0.0.1:PORT`) serving the management API, once bound.
    package var tlsEndpoint: String?
    /// The PEM file of the local certificate authority (`AWS_CA_BUNDLE` for clients of ``tlsEndpoint``).
    package var caBundlePath: String?
    /// Whether the emulator started without a template (every service up and empty).
    package var withoutTemplate = false
    /// The `--admin-token` that `/_local` writes need, printed so the developer can pass it to `synapscribe-local clock`.
    package var adminToken: String?
    /// The active realism profile (`--profile`, `--profile-file`), printed after the first line.
    package var profile: RealismProfile = .default

    /// Records the TLS endpoint and points each API's management URL at it (`https://HOST:TLSPORT/STAGE`).
    /// - Parameters:
    ///   - environment: The environment with the bound TLS port.
    ///   - caBundlePath: The CA bundle.
    package mutating func setTLS(endpoint environment: EmulatorEnvironment, caBundlePath: String) {
        guard environment.tlsPort != 0 else { return }
        let endpoint = "https://\(environment.hostForURL):\(environment.tlsPort)"
        tlsEndpoint = endpoint
        self.caBundlePath = caBundlePath
        for index in webSocketAPIs.indices {
            webSocketAPIs[index].managementURL = "\(endpoint)/\(webSocketAPIs[index].stage)/@connections"
        }
    }

    /// The environment a client needs, as `KEY=value` lines.
    package var clientEnvironment: [String] {
        [
            "AWS_ENDPOINT_URL=\(edgeURL)",
            "AWS_DEFAULT_REGION=\(region)",
            "AWS_REGION=\(region)",
            "AWS_ACCESS_KEY_ID=\(EmulatorOptions.testAccessKeyId)",
            "AWS_SECRET_ACCESS_KEY=\(EmulatorOptions.testSecretAccessKey)",
        ] + (adminToken.map { ["SYNAPSCRIBE_ADMIN_TOKEN=\($0)"] } ?? [])
    }

    /// The summary as an aligned text table.
    package var text: String {
        var lines: [String] = []
        lines.append("synapscribe-local: stack \(stackName) (\(region)) ready in \(readyMilliseconds) ms")
        if withoutTemplate {
            lines.append(Self.withoutTemplateLine)
        }
        lines.append("Profile: \(profile.name)" + (profile.isDefault ? " (fast, deterministic)" : ""))
        if !profile.isDefault { lines += profile.summaryLines.map { "  " + $0 } }
        lines.append("")
        var rows: [(String, String, String)] = [("Edge", "", edgeURL)]
        if let tlsEndpoint { rows.append(("TLS endpoint", "", tlsEndpoint)) }
        if let caBundlePath { rows.append(("CA bundle", "", caBundlePath)) }
        if let adminToken { rows.append(("Admin token", "", adminToken + " (SYNAPSCRIBE_ADMIN_TOKEN for synapscribe-local clock)")) }
        for api in webSocketAPIs {
            rows.append(("WebSocket API", api.logicalId, api.url))
            rows.append(("  management", api.apiId, api.managementURL))
        }
        for api in executeAPIs { rows.append((api.kind, api.logicalId, api.url)) }
        for resource in resources { rows.append((resource.kind, resource.logicalId, resource.physicalId)) }
        for skipped in self.skipped { rows.append(("Skipped", skipped.logicalId, skipped.type + " (not emulated)")) }
        lines += Self.table(rows)
        if !outputs.isEmpty {
            lines.append("")
            lines.append("Outputs")
            lines += Self.table(outputs.map { ("", $0.key, $0.value) }).map { "  " + $0.trimmingCharacters(in: .whitespaces) }
        }
        lines.append("")
        lines.append("Client environment")
        lines += clientEnvironment.map { "  export \($0)" }
        return lines.flatMap { Self.wrap($0) }.joined(separator: "\n")
    }

    /// The widest line the summary prints: it fits a 100-column terminal.
    package static let width = 100

    /// A line broken to fit ``width``: at the last space that fits, continuation lines indented four more columns
    /// than the line; a word longer than the room left (a long path or URL) is cut where the room ends.
    /// - Parameters:
    ///   - line: The line.
    ///   - width: The widest line.
    /// - Returns: The line, or its pieces.
    package static func wrap(_ line: String, width: Int = width) -> [String] {
        guard line.count > width else { return [line] }
        let indent = String(repeating: " ", count: min(line.prefix { $0 == " " }.count + 4, width / 2))
        var pieces: [String] = []
        var rest = Substring(line)
        var prefix = ""
        while prefix.count + rest.count > width {
            let room = width - prefix.count
            let window = rest.prefix(room + 1)
            let cut: Substring.Index
            if let space = window.lastIndex(of: " "), space > rest.startIndex,
                !rest[rest.startIndex..<space].allSatisfy({ $0 == " " })
            {
                cut = space
            } else {
                cut = rest.index(rest.startIndex, offsetBy: room)
            }
            pieces.append(prefix + String(rest[rest.startIndex..<cut]).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
            rest = rest[cut...].drop { $0 == " " }
            prefix = indent
        }
        if !rest.isEmpty { pieces.append(prefix + rest) }
        return pieces
    }

    /// The line that tells a start without a template apart.
    package static let withoutTemplateLine =
        "No template: every service is up and empty; create resources through the AWS APIs "
        + "(S3 CreateBucket, DynamoDB CreateTable, IAM CreateRole, Cognito CreateIdentityPool...)."

    private static func table(_ rows: [(String, String, String)]) -> [String] {
        let first = rows.map(\.0.count).max() ?? 0
        let second = rows.map(\.1.count).max() ?? 0
        return rows.map { row in
            row.0.padding(toLength: first, withPad: " ", startingAt: 0) + "  "
                + row.1.padding(toLength: second, withPad: " ", startingAt: 0) + "  " + row.2
        }
    }
}

extension StartupSummary {
    /// Builds the summary from a resolved stack.
    /// - Parameters:
    ///   - stack: The resolved stack.
    ///   - urls: The local URL rewriter.
    ///   - readyMilliseconds: Start-to-ready time.
    package init(stack: Stack, urls: LocalURLs, readyMilliseconds: Int) {
        self.edgeURL = urls.edgeURL
        self.stackName = stack.name
        self.region = stack.configuration.region
        self.readyMilliseconds = readyMilliseconds
        let stages = stack.resources(ofType: "AWS::ApiGatewayV2::Stage")
        self.webSocketAPIs = stack.resources(ofType: "AWS::ApiGatewayV2::Api")
            .filter { $0.properties["ProtocolType"]?.stringValue == "WEBSOCKET" }
            .flatMap { api in
                let apiStages = stages.filter { $0.properties["ApiId"]?.stringValue == api.physicalId }
                return apiStages.map { stage in
                    WebSocketAPI(
                        logicalId: api.logicalId,
                        apiId: api.physicalId,
                        stage: stage.physicalId,
                        url: urls.webSocketURL(apiId: api.physicalId, stage: stage.physicalId),
                        managementURL: "\(urls.edgeURL)/\(stage.physicalId)/@connections"
                    )
                }
            }
        self.executeAPIs = stack.executeApiRows(urls: urls)
        let kinds: [(String, String)] = [
            ("AWS::S3::Bucket", "S3 bucket"),
            ("AWS::DynamoDB::Table", "DynamoDB table"),
            ("AWS::Lambda::Function", "Lambda function"),
            ("AWS::Cognito::UserPool", "User pool"),
            ("AWS::Cognito::UserPoolClient", "User pool client"),
            ("AWS::Cognito::UserPoolGroup", "User pool group"),
            ("AWS::Cognito::UserPoolDomain", "User pool domain"),
            ("AWS::Cognito::IdentityPool", "Identity pool"),
            ("AWS::IAM::Role", "IAM role"),
        ]
        self.resources = kinds.flatMap { type, kind in
            stack.resources(ofType: type).map { (kind: kind, logicalId: $0.logicalId, physicalId: $0.physicalId) }
        }
        self.skipped = stack.skipped.map { (logicalId: $0.logicalId, type: $0.type) }
        self.outputs = stack.outputs.map { (key: $0.key, value: urls.rewrite($0.value)) }
    }
}
