import EmulatorApp
import EmulatorTesting
import Foundation
import Testing

@Suite struct EmulatorAppTests {
    @Test func healthListsEveryService() async throws {
        try await TestEmulator.withRunning { endpoint, _ in
            let response = try await TestEmulator.send(endpoint.appendingPathComponent("_local/health"))
            #expect(response.status == 200)
            let object = try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any]
            #expect(object?["status"] as? String == "running")
            let services = object?["services"] as? [String: Any]
            for name in ["s3", "dynamodb", "lambda", "apigateway", "cognito-identity", "sts", "iam", "cloudformation"] {
                #expect(services?[name] != nil, "missing \(name)")
            }
        }
    }

    @Test func clockAdvancesAndRejectsGarbage() async throws {
        try await TestEmulator.withRunning { endpoint, emulator in
            let url = endpoint.appendingPathComponent("_local/clock")
            let before = emulator.clock.now
            let json = ["Content-Type": "application/json"]
            let moved = try await TestEmulator.send(url, method: "POST", headers: json, body: Data(#"{"advance":"7d"}"#.utf8))
            #expect(moved.status == 200)
            #expect(emulator.clock.now.timeIntervalSince(before) >= 7 * 86_400)
            let bad = try await TestEmulator.send(url, method: "POST", headers: json, body: Data(#"{"advance":"soon"}"#.utf8))
            #expect(bad.status == 400)
            #expect(bad.body.contains("ValidationException"))
            let set = try await TestEmulator.send(url, method: "POST", headers: json, body: Data(#"{"set":"2030-01-01T00:00:00Z"}"#.utf8))
            #expect(set.status == 200)
            #expect(emulator.clock.now.timeIntervalSince1970 - 1_893_456_000 < 5)
        }
    }

    @Test func unsignedJSONRequestGetsMissingAuthenticationToken() async throws {
        try await TestEmulator.withRunning { endpoint, _ in
            let response = try await TestEmulator.send(
                endpoint,
                method: "POST",
                headers: ["X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"],
                body: Data("{}".utf8)
            )
            #expect(response.status == 400)
            #expect(response.body.contains("MissingAuthenticationTokenException"))
            #expect(response.headers["x-amzn-requestid"] != nil)
        }
    }

    @Test func unknownLocalPathIsJSON404() async throws {
        try await TestEmulator.withRunning { endpoint, _ in
            let response = try await TestEmulator.send(endpoint.appendingPathComponent("_local/nothing"))
            #expect(response.status == 404)
            #expect(response.headers["content-type"]?.contains("json") == true)
        }
    }
}

@Suite struct LocalURLsTests {
    @Test func rewritesAWSEndpointsToLocalOnes() {
        let urls = LocalURLs(host: "127.0.0.1", port: 4566, region: "us-east-1")
        #expect(
            urls.rewrite("wss://abc123defg.execute-api.us-east-1.amazonaws.com/Prod")
                == "ws://127.0.0.1:4566/_aws/execute-api/abc123defg/Prod"
        )
        #expect(
            urls.rewrite("https://abc123defg.execute-api.us-east-1.amazonaws.com/Prod/@connections")
                == "http://127.0.0.1:4566/Prod/@connections"
        )
        #expect(urls.rewrite("https://bucket.s3.amazonaws.com/key") == "http://127.0.0.1:4566/bucket/key")
        #expect(urls.rewrite("arn:aws:s3:::bucket") == "arn:aws:s3:::bucket")
        #expect(urls.rewrite("https://example.com/x") == "https://example.com/x")
    }

    @Test func readsStackNameFromSamconfig() {
        let text = """
            version = 0.1
            [default.deploy.parameters]
            stack_name = "synapscribe-mvp"
            region = "us-east-1"
            """
        #expect(StackPlan.samconfigStackName(text) == "synapscribe-mvp")
        #expect(StackPlan.samconfigStackName("[x]\nother = 1") == nil)
    }
}
