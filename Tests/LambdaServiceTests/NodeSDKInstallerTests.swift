import Foundation
import Testing

@testable import LambdaService

@Suite("Node.js SDK packages a function's code imports (what synapscribe-local build installs)")
struct NodeSDKInstallerTests {
    @Test(
        "quoted SDK specifiers are found; other strings are not",
        arguments: [
            ("const x = require('@aws-sdk/client-dynamodb');", ["@aws-sdk/client-dynamodb"]),
            (#"import { S3Client } from "@aws-sdk/client-s3";"#, ["@aws-sdk/client-s3"]),
            ("import('@aws-sdk/lib-dynamodb/dist-cjs/index.js')", ["@aws-sdk/lib-dynamodb"]),
            ("const a = require(`@aws-sdk/util-dynamodb`)", ["@aws-sdk/util-dynamodb"]),
            ("require('aws-sdk'); require('aws-sdk/clients/s3')", ["aws-sdk"]),
            ("require('@aws-sdk/client-sts'); require(\"@aws-sdk/client-sts\")", ["@aws-sdk/client-sts"]),
            ("// see @aws-sdk/client-s3 docs", []),
            ("require('@aws-sdk/')", []),
            ("require('@aws-sdk/Client-Upper')", []),
            ("require('aws-sdk-mock'); require('my-aws-sdk')", []),
            ("'@aws-sdk/client-s3", []),
            ("", []),
            ("'", []),
        ] as [(String, [String])]
    )
    func specifiers(source: String, expected: [String]) {
        #expect(NodeSDKInstaller.sdkSpecifiers(in: source) == Set(expected))
    }

    @Test("a code folder's files are scanned, its node_modules skipped")
    func folderScan() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sdk-scan-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let nested = folder.appendingPathComponent("lib")
        let vendored = folder.appendingPathComponent("node_modules/dep")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: vendored, withIntermediateDirectories: true)
        try Data("require('@aws-sdk/client-sts')".utf8).write(to: folder.appendingPathComponent("app.js"))
        try Data("import x from '@aws-sdk/client-s3'".utf8).write(to: nested.appendingPathComponent("s3.mjs"))
        try Data("require('@aws-sdk/client-sqs')".utf8).write(to: nested.appendingPathComponent("notes.txt"))
        try Data("require('@aws-sdk/client-kms')".utf8).write(to: vendored.appendingPathComponent("index.js"))
        #expect(NodeSDKInstaller.sdkPackages(in: folder.path) == ["@aws-sdk/client-s3", "@aws-sdk/client-sts"])
    }
}
