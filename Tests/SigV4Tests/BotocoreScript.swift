import Foundation
import SigV4
import Testing

/// The botocore script: signs sample requests and prints them as JSON.
private let botocoreScript = #"""
    """Signs sample requests with botocore and prints them as JSON for SigV4Tests."""
    import hashlib
    import io
    import json
    import time
    from urllib.parse import urlsplit

    import botocore.auth
    import botocore.httpchecksum
    from botocore.awsrequest import AWSRequest
    from botocore.config import Config
    from botocore.credentials import Credentials

    CREDS = Credentials("AKIDBOTOCORE", "botocore/secret+key")
    TEMP = Credentials("ASIABOTOCORETEMP", "temp-secret", "session-token-123")


    def dump(name, style, request, body=b"", bucket=None):
        prepared = request.prepare()
        parts = urlsplit(prepared.url)
        headers = [[k, v if isinstance(v, str) else v.decode()] for k, v in prepared.headers.items()]
        if not any(k.lower() == "host" for k, _ in headers):
            headers.insert(0, ["Host", parts.netloc])
        return {
            "name": name,
            "style": style,
            "method": prepared.method,
            "path": parts.path,
            "query": parts.query,
            "headers": headers,
            "bodyHex": body.hex(),
            "bodySHA256": hashlib.sha256(body).hexdigest(),
            "bucket": bucket,
        }


    cases = []

    body = b'{"TableName":"Music"}'
    req = AWSRequest(
        method="POST",
        url="http://localhost:4566/",
        data=body,
        headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.DescribeTable"},
    )
    botocore.auth.SigV4Auth(CREDS, "dynamodb", "us-east-1").add_auth(req)
    cases.append(dump("dynamodb-post", "standard", req, body))

    req = AWSRequest(method="POST", url="http://localhost:4566/", data=body,
                     headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.DescribeTable"})
    botocore.auth.SigV4Auth(TEMP, "dynamodb", "eu-west-1").add_auth(req)
    cases.append(dump("dynamodb-post-temporary", "standard", req, body))

    body = b"hello world"
    req = AWSRequest(method="PUT", url="http://localhost:4566/my-bucket/dir/hello%20world%21.txt", data=body,
                     headers={"Content-Type": "text/plain", "x-amz-meta-colour": "  blue   green "})
    botocore.auth.S3SigV4Auth(CREDS, "s3", "us-east-1").add_auth(req)
    cases.append(dump("s3-put-signed-payload", "s3", req, body))

    req = AWSRequest(method="PUT", url="https://localhost:4566/my-bucket/unsigned.txt?tagging", data=body,
                     headers={"Content-Type": "text/plain"})
    req.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    botocore.auth.S3SigV4Auth(CREDS, "s3", "us-east-1").add_auth(req)
    cases.append(dump("s3-put-unsigned-payload", "s3", req, body))

    req = AWSRequest(method="GET", url="http://localhost:4566/my-bucket/photo%20one.jpg?response-content-type=image%2Fjpeg")
    botocore.auth.S3SigV4QueryAuth(CREDS, "s3", "us-east-1", expires=3600).add_auth(req)
    cases.append(dump("s3-presigned-get", "s3", req))

    req = AWSRequest(method="GET", url="http://localhost:4566/my-bucket/hello.txt?versionId=v1")
    botocore.auth.HmacV1QueryAuth(CREDS, expires=3600).add_auth(req)
    cases.append(dump("s3-sigv2-presigned", "s3", req))

    req = AWSRequest(method="GET", url="http://localhost:4566/my-bucket/temp.txt")
    botocore.auth.HmacV1QueryAuth(TEMP, expires=600).add_auth(req)
    cases.append(dump("s3-sigv2-presigned-temporary", "s3", req))

    req = AWSRequest(method="PUT", url="http://localhost:4566/my-bucket/v2.txt?uploadId=abc&partNumber=2", data=b"part",
                     headers={"Content-Type": "application/octet-stream", "x-amz-meta-a": "1"})
    botocore.auth.HmacV1Auth(CREDS).add_auth(req)
    cases.append(dump("s3-sigv2-header", "s3", req, b"part"))

    payload = b"chunked payload " * 700
    wrapper = botocore.httpchecksum.AwsChunkedWrapper(
        io.BytesIO(payload), botocore.httpchecksum.Crc32Checksum, "x-amz-checksum-crc32", chunk_size=4096
    )
    chunked = wrapper.read()
    req = AWSRequest(method="PUT", url="http://localhost:4566/my-bucket/chunked.bin", data=chunked,
                     headers={"Content-Encoding": "aws-chunked", "X-Amz-Trailer": "x-amz-checksum-crc32",
                              "X-Amz-Decoded-Content-Length": str(len(payload))})
    req.context["checksum"] = {"request_algorithm": {"in": "trailer", "algorithm": "crc32", "name": "x-amz-checksum-crc32"}}
    botocore.auth.S3SigV4Auth(CREDS, "s3", "us-east-1").add_auth(req)
    case = dump("s3-unsigned-trailer", "s3", req, chunked)
    case["decodedHex"] = payload.hex()
    cases.append(case)

    print(json.dumps({"now": time.time(), "cases": cases}))
    """#

/// One request signed by botocore.
struct BotocoreCase: Decodable, CustomTestStringConvertible, Sendable {
    let name: String
    let style: String
    let method: String
    let path: String
    let query: String
    let headers: [[String]]
    let bodyHex: String
    let bodySHA256: String
    let bucket: String?
    let decodedHex: String?

    var testDescription: String { name }

    var request: SigV4Request {
        SigV4Request(method: method, path: path, query: query, headers: headers.map { (name: $0[0], value: $0[1]) })
    }

    var serviceStyle: ServiceStyle { style == "s3" ? .s3 : .standard }
}

/// What the botocore script prints.
struct BotocoreOutput: Decodable, Sendable {
    let now: Double
    let cases: [BotocoreCase]
}

/// Runs the botocore script once per process.
enum Botocore {
    static let output: Result<BotocoreOutput, BotocoreFailure> = run()

    struct BotocoreFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// The project's test interpreter: `SYNAPSCRIBE_TEST_PYTHON`, else `<repo>/.venv/bin/python` (made by
    /// `scripts/setup`). Never the machine's global `python3`, whose botocore is not ours to rely on.
    static var python: URL {
        if let override = ProcessInfo.processInfo.environment["SYNAPSCRIBE_TEST_PYTHON"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        // This file is <repo>/Tests/SigV4Tests/BotocoreScript.swift.
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return repository.appendingPathComponent(".venv/bin/python")
    }

    private static func run() -> Result<BotocoreOutput, BotocoreFailure> {
        let python = Self.python
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            return .failure(
                BotocoreFailure(description: "\(python.path) does not exist: run scripts/setup (it creates .venv with botocore)")
            )
        }
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", botocoreScript]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            return .failure(BotocoreFailure(description: "\(python.path) could not be started: \(error)"))
        }
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return .failure(
                BotocoreFailure(
                    description: "\(python.path) with botocore is required for these tests (scripts/setup); script failed: \(errorText)"
                )
            )
        }
        do {
            return .success(try JSONDecoder().decode(BotocoreOutput.self, from: data))
        } catch {
            return .failure(BotocoreFailure(description: "botocore script output is not valid JSON: \(error)"))
        }
    }

    static func load() throws -> BotocoreOutput {
        try output.get()
    }

    static func find(_ name: String) throws -> BotocoreCase {
        let output = try load()
        guard let found = output.cases.first(where: { $0.name == name }) else {
            throw BotocoreFailure(description: "botocore case \(name) missing")
        }
        return found
    }
}
