import CloudFormation
import Foundation

/// A function as the Lambda service serves it: the template's spec plus what is derived from it.
package struct LambdaFunction: Sendable {
    /// The spec from the template.
    package var spec: LambdaFunctionSpec
    /// The account id.
    package var accountId: String
    /// The region.
    package var region: String
    /// When the function was "deployed" (the emulator's start), for `LastModified`.
    package var lastModified: Date
    /// The content of the function's layers that the template defines, in `Layers` order.
    package var layers: [LambdaCode] = []
    /// The `Layers` ARNs that name no layer version of the template (they are not available locally).
    package var unresolvedLayers: [String] = []
    /// The deployment package's SHA-256 (base64) and size, for a function whose package the API uploaded; `nil`
    /// for template functions (their hash and size are derived from the code folder).
    package var deploymentPackage: DeploymentPackage?
    /// The revision id the API assigned at the last change; `nil` until the first change.
    package var revision: String?
    /// The function's resource-based policy statements (AddPermission), in order.
    package var policyStatements: [String] = []
    /// `$LATEST`, or the number of a published version (which freezes code and configuration).
    package var version = "$LATEST"

    /// The ARN naming this version: unqualified for `$LATEST` (as GetFunction reports it), `ARN:N` for a version.
    package var versionArn: String { version == "$LATEST" ? arn : "\(arn):\(version)" }

    /// The function name (physical name).
    package var name: String { spec.functionName }
    /// The unqualified function ARN.
    package var arn: String {
        spec.arn.isEmpty ? "arn:aws:lambda:\(region):\(accountId):function:\(spec.functionName)" : spec.arn
    }
    /// The timeout in seconds, within AWS's range (1 to 900): a template value outside it (which AWS refuses at
    /// deployment) cannot overflow deadlines or sleeps.
    package var timeout: Int { min(max(spec.timeout, LambdaNumbers.timeoutRange.lowerBound), LambdaNumbers.timeoutRange.upperBound) }
    /// The memory size in MB.
    package var memorySize: Int { spec.memorySize }
    /// The log group name.
    package var logGroupName: String { "/aws/lambda/\(name)" }

    /// The role's name (last part of the role ARN), for the assumed-role principal.
    package var roleName: String {
        guard let roleArn = spec.roleArn, let slash = roleArn.lastIndex(of: "/") else { return "\(name)-role" }
        return String(roleArn[roleArn.index(after: slash)...])
    }

    /// The execution role's ARN: the template's `Role`, or the ARN AWS would report for `{name}-role`.
    package var roleArn: String { spec.roleArn ?? "arn:aws:iam::\(accountId):role/\(roleName)" }

    /// Whether a name, physical name, ARN or partial ARN designates this function.
    /// - Parameter identifier: The unqualified identifier.
    /// - Returns: `true` when it matches.
    package func matches(_ identifier: String) -> Bool {
        identifier == name || identifier == spec.logicalId || identifier == arn
            || identifier == "\(accountId):function:\(name)"
    }

    /// The `FunctionConfiguration` shape of GetFunction / ListFunctions.
    /// - Returns: A JSON object.
    package func configuration() -> [String: Any] {
        var object: [String: Any] = [
            "FunctionName": name,
            "FunctionArn": versionArn,
            "Role": roleArn,
            "CodeSize": deploymentPackage?.size ?? codeSize,
            "Description": spec.description ?? "",
            "Timeout": timeout,
            "MemorySize": memorySize,
            "LastModified": Self.lastModifiedFormat(lastModified),
            "CodeSha256": deploymentPackage?.sha256 ?? codeSha256,
            "Version": version,
            "TracingConfig": ["Mode": "PassThrough"],
            "RevisionId": revisionId,
            "State": "Active",
            "LastUpdateStatus": "Successful",
            "PackageType": spec.code.isImage ? "Image" : "Zip",
            "Architectures": spec.architectures,
            "EphemeralStorage": ["Size": 512],
            "SnapStart": ["ApplyOn": "None", "OptimizationStatus": "Off"],
            "LoggingConfig": ["LogFormat": "Text", "LogGroup": logGroupName],
        ]
        if let handler = spec.handler { object["Handler"] = handler }
        if let runtime = spec.runtime { object["Runtime"] = runtime }
        if !spec.environment.isEmpty { object["Environment"] = ["Variables": spec.environment] }
        if !spec.layers.isEmpty { object["Layers"] = spec.layers.map { ["Arn": $0, "CodeSize": 0] } }
        return object
    }

    /// `2024-01-01T00:00:00.000+0000`, the format Lambda uses for `LastModified`.
    static func lastModifiedFormat(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSZ"
        return formatter.string(from: date)
    }

    /// The revision id: the one the API assigned at the last change, else a stable one derived from the ARN.
    package var revisionId: String {
        if let revision { return revision }
        let hex = String(PhysicalNames.seed(arn, "revision"), radix: 16)
        let padded = String(repeating: "0", count: max(0, 32 - hex.count * 2)) + hex + hex
        let characters = Array(padded.prefix(32))
        return "\(String(characters[0..<8]))-\(String(characters[8..<12]))-\(String(characters[12..<16]))-"
            + "\(String(characters[16..<20]))-\(String(characters[20..<32]))"
    }

    /// The total size of the code folder in bytes (0 when it cannot be read).
    private var codeSize: Int {
        guard let path = spec.codeUri else { return spec.inlineCode?.utf8.count ?? 0 }
        if let attributes = try? FileManager.default.attributesOfItem(atPath: path), (attributes[.type] as? FileAttributeType) == .typeRegular {
            return (attributes[.size] as? Int) ?? 0  // a .zip CodeUri
        }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total = 0
        while let file = enumerator.nextObject() as? String {
            if file.hasPrefix("__pycache__") || file.contains("/__pycache__") { continue }
            let attributes = try? FileManager.default.attributesOfItem(atPath: path + "/" + file)
            if (attributes?[.type] as? FileAttributeType) == .typeRegular { total += (attributes?[.size] as? Int) ?? 0 }
        }
        return total
    }

    /// A stable, base64-looking code hash.
    private var codeSha256: String {
        var bytes: [UInt8] = []
        var seed = PhysicalNames.seed(arn, spec.codeUri ?? "", "code")
        for _ in 0..<32 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes.append(UInt8(truncatingIfNeeded: seed >> 33))
        }
        return Data(bytes).base64EncodedString()
    }
}

/// A deployment package (`.zip`) the API uploaded (CreateFunction, UpdateFunctionCode), kept in the data folder.
package struct DeploymentPackage: Sendable, Equatable, Codable {
    /// The SHA-256 of the archive, base64 (`CodeSha256`).
    package var sha256: String
    /// The archive's size in bytes (`CodeSize`).
    package var size: Int
}

extension LambdaCode {
    /// Whether the code is a container image.
    package var isImage: Bool {
        if case .image = self { return true }
        return false
    }
}

/// Integer conversions of values that come from the template, the clock or a worker: they clamp instead of trapping.
package enum LambdaNumbers {
    /// AWS's range for a function's `Timeout`, in seconds.
    package static let timeoutRange = 1...900

    /// A `Double` as `Int64`, clamped to its range; NaN is 0.
    /// - Parameter value: The value.
    /// - Returns: The clamped integer (truncated toward zero).
    package static func clampedInt64(_ value: Double) -> Int64 {
        if value.isNaN { return 0 }
        if value >= Double(Int64.max) { return .max }
        if value <= Double(Int64.min) { return .min }
        return Int64(value)
    }

    /// A `Double` as `Int`, clamped to its range; NaN is 0.
    /// - Parameter value: The value.
    /// - Returns: The clamped integer (truncated toward zero).
    package static func clampedInt(_ value: Double) -> Int {
        Int(truncatingIfNeeded: clampedInt64(value))
    }

    /// `Lambda-Runtime-Deadline-Ms`: `now` plus the timeout, in Unix epoch milliseconds.
    /// - Parameters:
    ///   - now: The wall-clock time the worker compares the deadline with.
    ///   - timeoutSeconds: The timeout.
    /// - Returns: The deadline, clamped to `Int64`.
    package static func deadlineMilliseconds(now: Date, timeoutSeconds: Int) -> Int64 {
        clampedInt64((now.timeIntervalSince1970 + Double(timeoutSeconds)) * 1000)
    }

    /// A duration in seconds.
    /// - Parameter duration: The duration.
    /// - Returns: The seconds.
    package static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// A duration in milliseconds (for REPORT lines and init durations), without overflow.
    /// - Parameter duration: The duration.
    /// - Returns: The milliseconds.
    package static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
