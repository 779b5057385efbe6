// swift-tools-version: 6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    // Our own targets build with warnings as errors; dependencies keep their warnings.
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "synapscribe-local",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "synapscribe-local", targets: ["synapscribe-local"]),
        // The parsers as fuzz targets, for the libFuzzer package in Fuzz/ (see scripts/fuzz).
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
    ],
    targets: [
        // MARK: Executable: argument parsing only.
        .executableTarget(
            name: "synapscribe-local",
            dependencies: [
                "EmulatorApp",
                "CloudFormation",
                "EmulatorCore",
                "LambdaService",
                "SigV4",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The browser dashboard (/_local/ui): one page compiled into the binary.
        .target(
            name: "Dashboard",
            resources: [.embedInCode("Assets/dashboard.html")],
            swiftSettings: swiftSettings
        ),

        // MARK: Composition root: builds every service from options + template.
        .target(
            name: "EmulatorApp",
            dependencies: [
                "AWSGateway", "SigV4", "CloudFormation", "Storage", "IAM", "EmulatorCore",
                "CloudFormationService", "DynamoDBService", "S3Service", "LambdaService",
                "APIGatewayWebSocket", "APIGatewayHTTP", "APIGatewayV2Service", "CognitoService", "CognitoUserPoolsService", "STSService",
                "IAMService", "Dashboard", "LogsService", "APIGatewayRESTService",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Shared targets.
        .target(
            name: "EmulatorCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Velocity (VTL) mapping templates as API Gateway runs them: pure Swift, no other target.
        .target(name: "VelocityTemplates", swiftSettings: swiftSettings),
        .target(
            name: "SigV4",
            dependencies: ["EmulatorCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CloudFormation",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Storage",
            dependencies: ["EmulatorCore", "SigV4", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        // Who called and whether they may: `Caller`, `RequestAuthorizing` and `ARN`, below HTTP and IAM.
        .target(
            name: "Identity",
            dependencies: ["SigV4"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IAM",
            dependencies: [
                "EmulatorCore", "Identity", "SigV4", "CloudFormation",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "AWSGateway",
            dependencies: [
                "Identity", "SigV4", "EmulatorCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: One target per AWS service.
        .target(
            name: "CloudFormationService",
            dependencies: ["AWSGateway", "CloudFormation", "EmulatorCore", "Storage", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "DynamoDBService",
            dependencies: [
                "AWSGateway", "CloudFormation", "Storage", "EmulatorCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "S3Service",
            dependencies: [
                "AWSGateway", "CloudFormation", "Storage", "EmulatorCore", "SigV4", "IAM",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LambdaService",
            dependencies: [
                "AWSGateway", "CloudFormation", "IAM", "EmulatorCore", "SigV4", "Storage",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "APIGatewayV2Service",
            dependencies: [
                "AWSGateway", "APIGatewayWebSocket", "APIGatewayHTTP", "CloudFormation", "Storage", "EmulatorCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The API Gateway v1 (`apigateway`, REST APIs) control plane.
        .target(
            name: "APIGatewayRESTService",
            dependencies: [
                "AWSGateway", "APIGatewayHTTP", "APIGatewayV2Service", "CloudFormation", "Storage", "EmulatorCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "APIGatewayWebSocket",
            dependencies: [
                "AWSGateway", "CloudFormation", "EmulatorCore", "VelocityTemplates",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // REST and HTTP APIs (API Gateway v1 and v2): Lambda proxy data plane on local execute-api URLs.
        .target(
            name: "APIGatewayHTTP",
            dependencies: [
                "AWSGateway", "CloudFormation", "EmulatorCore", "SigV4", "VelocityTemplates",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CognitoService",
            dependencies: [
                "AWSGateway", "CloudFormation", "IAM", "EmulatorCore", "Storage", "SigV4",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // Cognito user pools (`cognito-idp`, JSON 1.1): pools, app clients, users, sign-in and RS256 tokens.
        .target(
            name: "CognitoUserPoolsService",
            dependencies: [
                "AWSGateway", "CloudFormation", "EmulatorCore", "Storage",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // CloudWatch Logs (JSON 1.1) over the Lambda log lines the composition root forwards to it.
        .target(
            name: "LogsService",
            dependencies: ["AWSGateway", "CloudFormation", "Identity", "EmulatorCore", .product(name: "Hummingbird", package: "hummingbird")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "STSService",
            dependencies: ["AWSGateway", "IAM", "SigV4", "EmulatorCore"],
            swiftSettings: swiftSettings
        ),
        // The IAM API (query protocol) over the live IAM directory the authorizer reads.
        .target(
            name: "IAMService",
            dependencies: [
                "AWSGateway", "IAM", "Identity", "SigV4", "EmulatorCore", "Storage", "CloudFormation",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Fuzz targets: the request and template parsers behind one public entry point.
        .target(
            name: "FuzzTargets",
            dependencies: ["SigV4", "EmulatorCore", "S3Service", "DynamoDBService", "CloudFormation", "EmulatorApp"],
            swiftSettings: swiftSettings
        ),

        // MARK: Test support and tests.
        .target(
            name: "EmulatorTesting",
            dependencies: [
                "EmulatorApp", "EmulatorCore", "CloudFormation",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "EmulatorCoreTests", dependencies: ["EmulatorCore"], swiftSettings: swiftSettings),
        .testTarget(name: "VelocityTemplatesTests", dependencies: ["VelocityTemplates"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CognitoUserPoolsServiceTests",
            dependencies: ["CognitoUserPoolsService", "EmulatorCore", "Storage", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "SigV4Tests", dependencies: ["SigV4"], swiftSettings: swiftSettings),
        .testTarget(name: "LogsServiceTests", dependencies: ["LogsService", "EmulatorCore", "CloudFormation"], swiftSettings: swiftSettings),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FuzzTargets"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CloudFormationTests",
            dependencies: [
                "CloudFormation", "EmulatorApp", "S3Service", "DynamoDBService", "LambdaService", "APIGatewayWebSocket", "CognitoService",
                "IAM", "CloudFormationService",
            ],
            exclude: ["Templates"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IAMTests",
            dependencies: ["IAM", "Identity", "SigV4", "CloudFormation", "EmulatorCore", "EmulatorApp"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IAMServiceTests",
            dependencies: ["IAMService", "IAM", "Identity", "SigV4", "EmulatorCore", "Storage", "CloudFormation"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DynamoDBServiceTests",
            dependencies: ["DynamoDBService", "Storage", "EmulatorCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "S3ServiceTests",
            dependencies: [
                "S3Service", "AWSGateway", "CloudFormation", "EmulatorCore", "Storage", "IAM",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "AWSGatewayTests",
            dependencies: [
                "AWSGateway", "SigV4", "EmulatorCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "APIGatewayV2ServiceTests",
            dependencies: ["APIGatewayV2Service", "APIGatewayWebSocket", "AWSGateway", "CloudFormation", "EmulatorCore", "Storage"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "APIGatewayRESTServiceTests",
            dependencies: [
                "APIGatewayRESTService", "APIGatewayV2Service", "APIGatewayHTTP", "CloudFormation", "EmulatorCore", "Identity", "Storage",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "APIGatewayWebSocketTests",
            dependencies: [
                "APIGatewayWebSocket", "AWSGateway", "EmulatorCore", "CloudFormation",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "APIGatewayHTTPTests",
            dependencies: [
                "APIGatewayHTTP", "CloudFormation", "EmulatorApp", "VelocityTemplates",
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LambdaServiceTests",
            dependencies: [
                "LambdaService", "EmulatorCore", "AWSGateway", "Storage",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EmulatorAppTests",
            dependencies: [
                "EmulatorApp", "EmulatorTesting", "EmulatorCore", "CloudFormation", "CloudFormationService", "SigV4", "Storage",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
