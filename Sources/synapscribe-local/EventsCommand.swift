import ArgumentParser
import CloudFormation
import EmulatorApp
import EmulatorCore
import Foundation

/// `synapscribe-local events sample KIND`: an event shaped as AWS delivers it to a function, filled with the
/// template's real names and the local URLs, to edit and replay with `invoke --event`.
struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Print sample events shaped as AWS delivers them, with the stack's names and local URLs.",
        subcommands: [Sample.self]
    )

    struct Sample: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sample",
            abstract: "Print one sample event: s3-put, ws-connect, ws-message, ws-disconnect, dynamodb-stream, api or http-api."
        )

        @Argument(help: "s3-put, ws-connect, ws-message, ws-disconnect, dynamodb-stream, api or http-api.")
        var kind: String

        @OptionGroup var templateOptions: TemplateOptions

        @Option(help: "Host the emulator listens on.")
        var host: String = "127.0.0.1"

        @Option(help: "Port the emulator listens on.")
        var port: Int = 4566

        @Option(help: "The bucket (default: the template's first bucket).")
        var bucket: String?

        @Option(help: "The object key (s3-put).")
        var key: String = "example.txt"

        @Option(help: "The table (default: the template's first table).")
        var table: String?

        @Option(help: "The message body (ws-message) or request body (api, http-api).")
        var body: String = #"{"action":"sendmessage","data":"hello"}"#

        static let kinds = ["s3-put", "ws-connect", "ws-message", "ws-disconnect", "dynamodb-stream", "api", "http-api"]

        func validate() throws {
            guard Self.kinds.contains(kind) else {
                throw ValidationError("unknown event kind '\(kind)': use one of \(Self.kinds.joined(separator: ", "))")
            }
        }

        func run() async throws {
            var options = EmulatorOptions()
            templateOptions.apply(to: &options)
            let plan = try templateOptions.loadPlan(options, allowMissingTemplate: true)
            let event = SampleEvents(
                stack: plan.stack,
                urls: LocalURLs(host: host, port: port, region: options.region, executeApiIds: plan.stack.executeApiIds),
                region: options.region,
                accountId: options.accountId,
                now: Date()
            )
            let object: [String: Any]
            switch kind {
            case "s3-put": object = event.s3Put(bucket: bucket, key: key)
            case "ws-connect": object = event.webSocket(.connect, body: nil)
            case "ws-message": object = event.webSocket(.message, body: body)
            case "ws-disconnect": object = event.webSocket(.disconnect, body: nil)
            case "dynamodb-stream": object = event.dynamoDBStream(table: table)
            case "api": object = event.restApi(body: body)
            default: object = event.httpApi(body: body)
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}

/// Builds AWS-shaped sample events from a resolved stack.
struct SampleEvents {
    /// WebSocket event kinds.
    enum WebSocketKind: String {
        case connect = "CONNECT"
        case message = "MESSAGE"
        case disconnect = "DISCONNECT"
    }

    let stack: Stack
    let urls: LocalURLs
    let region: String
    let accountId: String
    let now: Date

    private var epochMilliseconds: Int64 { Int64((now.timeIntervalSince1970 * 1000).rounded(.down)) }
    private var requestId: String { UUID().uuidString.lowercased() }
    /// The edge's `host:port`, where AWS would put the API's domain name.
    private var domain: String { urls.edgeURL.replacingOccurrences(of: "http://", with: "") }

    private var clfTime: String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        return formatter.string(from: now)
    }

    /// An `s3:ObjectCreated:Put` notification.
    func s3Put(bucket: String?, key: String) -> [String: Any] {
        let name = bucket ?? stack.resources(ofType: "AWS::S3::Bucket").first?.physicalId ?? "example-bucket"
        return [
            "Records": [
                [
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "awsRegion": region,
                    "eventTime": Timestamp.iso8601Milliseconds(now),
                    "eventName": "ObjectCreated:Put",
                    "userIdentity": ["principalId": "AWS:\(accountId)"],
                    "requestParameters": ["sourceIPAddress": "127.0.0.1"],
                    "responseElements": ["x-amz-request-id": requestId.prefix(16).uppercased(), "x-amz-id-2": requestId],
                    "s3": [
                        "s3SchemaVersion": "1.0",
                        "configurationId": "sample",
                        "bucket": ["name": name, "ownerIdentity": ["principalId": accountId], "arn": "arn:aws:s3:::\(name)"],
                        "object": [
                            "key": key.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? key, "size": 1024,
                            "eTag": "0123456789abcdef0123456789abcdef", "sequencer": String(format: "%016llX", epochMilliseconds),
                        ],
                    ],
                ] as [String: Any]
            ]
        ]
    }

    /// A WebSocket API route event (`$connect`, a message, `$disconnect`).
    func webSocket(_ kind: WebSocketKind, body: String?) -> [String: Any] {
        let api = stack.resources(ofType: "AWS::ApiGatewayV2::Api").first { $0.properties["ProtocolType"]?.scalarText == "WEBSOCKET" }
        let apiId = api?.physicalId ?? "abcdef1234"
        let stage =
            stack.resources(ofType: "AWS::ApiGatewayV2::Stage").first { $0.properties["ApiId"]?.scalarText == apiId }?
            .properties["StageName"]?.scalarText ?? "production"
        let routeKey: String =
            switch kind {
            case .connect: "$connect"
            case .message: "$default"
            case .disconnect: "$disconnect"
            }
        var context: [String: Any] = [
            "routeKey": routeKey,
            "eventType": kind.rawValue,
            "extendedRequestId": requestId,
            "requestTime": clfTime,
            "messageDirection": "IN",
            "stage": stage,
            "connectedAt": epochMilliseconds,
            "requestTimeEpoch": epochMilliseconds,
            "identity": ["sourceIp": "127.0.0.1", "userAgent": "synapscribe-local events"],
            "requestId": requestId,
            "domainName": domain,
            "connectionId": "SampleConnId=",
            "apiId": apiId,
        ]
        var event: [String: Any] = ["requestContext": context, "isBase64Encoded": false]
        switch kind {
        case .connect:
            event["headers"] = ["Host": domain, "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "c2FtcGxlIGtleSAxMjM0NQ=="]
            event["multiValueHeaders"] = ["Host": [domain], "Sec-WebSocket-Version": ["13"], "Sec-WebSocket-Key": ["c2FtcGxlIGtleSAxMjM0NQ=="]]
        case .message:
            context["messageId"] = "SampleMsgId="
            event["requestContext"] = context
            event["body"] = body ?? ""
        case .disconnect:
            context["disconnectStatusCode"] = 1005
            context["disconnectReason"] = "Client-side close frame status not set"
            event["requestContext"] = context
        }
        return event
    }

    /// A DynamoDB stream `INSERT` record.
    func dynamoDBStream(table: String?) -> [String: Any] {
        let resource = stack.resources(ofType: "AWS::DynamoDB::Table").first { table == nil || $0.physicalId == table }
        let name = table ?? resource?.physicalId ?? "example-table"
        let keyName = resource?.properties["KeySchema"]?.listValue?.first?["AttributeName"]?.scalarText ?? "pk"
        let arn = resource?.attributes["StreamArn"] ?? "arn:aws:dynamodb:\(region):\(accountId):table/\(name)/stream/2026-01-01T00:00:00.000"
        return [
            "Records": [
                [
                    "eventID": requestId.replacingOccurrences(of: "-", with: ""),
                    "eventName": "INSERT",
                    "eventVersion": "1.1",
                    "eventSource": "aws:dynamodb",
                    "awsRegion": region,
                    "dynamodb": [
                        "ApproximateCreationDateTime": Int64(now.timeIntervalSince1970),
                        "Keys": [keyName: ["S": "sample"]],
                        "NewImage": [keyName: ["S": "sample"], "note": ["S": "hello"]],
                        "SequenceNumber": "100000000000000000001",
                        "SizeBytes": 26,
                        "StreamViewType": "NEW_AND_OLD_IMAGES",
                    ],
                    "eventSourceARN": arn,
                ] as [String: Any]
            ]
        ]
    }

    /// A REST API Lambda proxy event (payload 1.0).
    func restApi(body: String) -> [String: Any] {
        let apiId = stack.resources(ofType: "AWS::ApiGateway::RestApi").first?.physicalId ?? "abcdef1234"
        let stage = stack.resources(ofType: "AWS::ApiGateway::Stage").first?.properties["StageName"]?.scalarText ?? "Prod"
        return [
            "resource": "/{proxy+}",
            "path": "/example",
            "httpMethod": "POST",
            "headers": ["Content-Type": "application/json", "Host": domain],
            "multiValueHeaders": ["Content-Type": ["application/json"], "Host": [domain]],
            "queryStringParameters": NSNull(),
            "multiValueQueryStringParameters": NSNull(),
            "pathParameters": ["proxy": "example"],
            "stageVariables": NSNull(),
            "requestContext": [
                "resourceId": "abc123", "resourcePath": "/{proxy+}", "httpMethod": "POST", "extendedRequestId": requestId,
                "requestTime": clfTime, "path": "/\(stage)/example", "accountId": accountId, "protocol": "HTTP/1.1", "stage": stage,
                "domainPrefix": apiId, "requestTimeEpoch": epochMilliseconds, "requestId": requestId,
                "identity": ["sourceIp": "127.0.0.1", "userAgent": "synapscribe-local events"], "domainName": domain, "apiId": apiId,
            ] as [String: Any],
            "body": body,
            "isBase64Encoded": false,
        ]
    }

    /// An HTTP API Lambda proxy event (payload 2.0).
    func httpApi(body: String) -> [String: Any] {
        let api = stack.resources(ofType: "AWS::ApiGatewayV2::Api").first { $0.properties["ProtocolType"]?.scalarText != "WEBSOCKET" }
        let apiId = api?.physicalId ?? "abcdef1234"
        return [
            "version": "2.0",
            "routeKey": "POST /example",
            "rawPath": "/example",
            "rawQueryString": "",
            "headers": ["content-type": "application/json", "host": domain],
            "requestContext": [
                "accountId": accountId, "apiId": apiId, "domainName": domain, "domainPrefix": apiId,
                "http": [
                    "method": "POST", "path": "/example", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "synapscribe-local events",
                ],
                "requestId": requestId, "routeKey": "POST /example", "stage": "$default", "time": clfTime, "timeEpoch": epochMilliseconds,
            ] as [String: Any],
            "body": body,
            "isBase64Encoded": false,
        ]
    }
}
