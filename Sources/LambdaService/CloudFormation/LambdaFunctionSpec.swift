import CloudFormation

/// Where a Lambda function's code comes from.
package enum LambdaCode: Sendable, Equatable, Codable {
    /// A local folder or zip file (absolute path), from SAM `CodeUri` or a packaged-style `Code` path.
    case localPath(String)
    /// Inline source (`ZipFile` / SAM `InlineCode`).
    case zipFile(String)
    /// An S3 object the emulator cannot fetch.
    case s3(bucket: String, key: String)
    /// A container image the emulator cannot run.
    case image(String)
}

/// What the Lambda service needs to create one function.
package struct LambdaFunctionSpec: Sendable, Equatable, Codable {
    /// The logical id.
    package var logicalId: String
    /// The function name.
    package var functionName: String
    /// The function ARN.
    package var arn: String
    /// The code source.
    package var code: LambdaCode
    /// The handler (`app.handler`), absent for images.
    package var handler: String?
    /// The runtime (`python3.12`), absent for images.
    package var runtime: String?
    /// The timeout in seconds (default 3).
    package var timeout: Int
    /// The memory size in MB (default 128).
    package var memorySize: Int
    /// The environment variables.
    package var environment: [String: String]
    /// The execution role ARN.
    package var roleArn: String?
    /// The reserved concurrency, when set.
    package var reservedConcurrency: Int?
    /// The architectures (default `x86_64`).
    package var architectures: [String]
    /// The description.
    package var description: String?
    /// The tags.
    package var tags: [String: String]
    /// The layer version ARNs from `Layers`, in order.
    package var layers: [String]

    /// The absolute local code path when the code is local.
    package var codeUri: String? {
        if case .localPath(let path) = code { return path }
        return nil
    }

    /// The inline source when the code is inline.
    package var inlineCode: String? {
        if case .zipFile(let source) = code { return source }
        return nil
    }

    /// Creates a spec from its members (CreateFunction, CloudFormation deploys).
    /// - Parameters:
    ///   - logicalId: The logical id (the function name for API-created functions).
    ///   - functionName: The function name.
    ///   - arn: The function ARN (empty: derived from region, account and name).
    ///   - code: The code source.
    ///   - handler: The handler.
    ///   - runtime: The runtime.
    ///   - timeout: The timeout in seconds.
    ///   - memorySize: The memory size in MB.
    ///   - environment: The environment variables.
    ///   - roleArn: The execution role ARN.
    ///   - reservedConcurrency: The reserved concurrency.
    ///   - architectures: The architectures.
    ///   - description: The description.
    ///   - tags: The tags.
    ///   - layers: The layer version ARNs.
    package init(
        logicalId: String,
        functionName: String,
        arn: String,
        code: LambdaCode,
        handler: String?,
        runtime: String?,
        timeout: Int,
        memorySize: Int,
        environment: [String: String],
        roleArn: String?,
        reservedConcurrency: Int?,
        architectures: [String],
        description: String?,
        tags: [String: String],
        layers: [String]
    ) {
        self.logicalId = logicalId
        self.functionName = functionName
        self.arn = arn
        self.code = code
        self.handler = handler
        self.runtime = runtime
        self.timeout = timeout
        self.memorySize = memorySize
        self.environment = environment
        self.roleArn = roleArn
        self.reservedConcurrency = reservedConcurrency
        self.architectures = architectures
        self.description = description
        self.tags = tags
        self.layers = layers
    }

    /// Decodes an `AWS::Lambda::Function` resource.
    /// - Parameter resource: A resolved `AWS::Lambda::Function`.
    /// - Throws: ``TemplateError`` when a property has the wrong shape or `Code` is missing.
    package init(_ resource: StackResource) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        functionName = resource.physicalId
        arn = resource.attributes["Arn"] ?? ""
        let codeReader = reader["Code"]
        switch codeReader.value {
        case .string(let path):
            code = .localPath(path)
        case .map:
            if let zip = try codeReader["ZipFile"].string() {
                code = .zipFile(zip)
            } else if let image = try codeReader["ImageUri"].string() {
                code = .image(image)
            } else if let bucket = try codeReader["S3Bucket"].string() {
                code = .s3(bucket: bucket, key: try codeReader["S3Key"].string() ?? "")
            } else {
                throw codeReader.failure("a local path or a map with ZipFile, S3Bucket/S3Key or ImageUri")
            }
        default:
            throw codeReader.failure("a local path or a map with ZipFile, S3Bucket/S3Key or ImageUri")
        }
        handler = try reader["Handler"].string()
        runtime = try reader["Runtime"].string()
        timeout = try reader["Timeout"].int() ?? 3
        memorySize = try reader["MemorySize"].int() ?? 128
        environment = try reader["Environment"]["Variables"].stringMap() ?? [:]
        roleArn = try reader["Role"].string()
        reservedConcurrency = try reader["ReservedConcurrentExecutions"].int()
        architectures = try reader["Architectures"].stringList() ?? ["x86_64"]
        description = try reader["Description"].string()
        tags = try reader["Tags"].tags()
        layers = try reader["Layers"].stringList() ?? []
    }
}

/// What the Lambda service needs of one `AWS::Lambda::LayerVersion`: its ARN and where its content is.
package struct LambdaLayerSpec: Sendable, Equatable {
    /// The logical id.
    package var logicalId: String
    /// The layer version ARN (`Ref`).
    package var arn: String
    /// The content: a local folder or `.zip` file (SAM `ContentUri`), or an S3 location the emulator cannot fetch.
    package var content: LambdaCode
    /// The runtimes the layer declares (informational).
    package var compatibleRuntimes: [String]
    /// `CompatibleArchitectures` (informational).
    package var compatibleArchitectures: [String]
    /// `Description`.
    package var description: String
    /// `LicenseInfo`.
    package var licenseInfo: String?

    /// The layer name inside ``arn`` (`arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`).
    package var layerName: String {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count >= 8 ? String(parts[6]) : arn
    }

    /// The version number inside ``arn``.
    package var version: Int? {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count >= 8 ? Int(parts[7]) : nil
    }

    /// Decodes an `AWS::Lambda::LayerVersion` resource.
    /// - Parameter resource: A resolved `AWS::Lambda::LayerVersion`.
    /// - Throws: ``TemplateError`` when `Content` is missing or has the wrong shape.
    package init(_ resource: StackResource) throws(TemplateError) {
        let reader = SpecReader(resource)
        logicalId = resource.logicalId
        arn = resource.physicalId
        let contentReader = reader["Content"]
        switch contentReader.value {
        case .string(let path):
            content = .localPath(path)
        case .map:
            guard let bucket = try contentReader["S3Bucket"].string() else {
                throw contentReader.failure("a local path or a map with S3Bucket/S3Key")
            }
            content = .s3(bucket: bucket, key: try contentReader["S3Key"].string() ?? "")
        default:
            throw contentReader.failure("a local path or a map with S3Bucket/S3Key")
        }
        compatibleRuntimes = try reader["CompatibleRuntimes"].stringList() ?? []
        compatibleArchitectures = try reader["CompatibleArchitectures"].stringList() ?? []
        description = try reader["Description"].string() ?? ""
        licenseInfo = try reader["LicenseInfo"].string()
    }
}
