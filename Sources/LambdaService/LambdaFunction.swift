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

    /// The function name (physical name).
    package var name: String { spec.functionName }
    /// The unqualified function ARN.
    package var arn: String {
        spec.arn.isEmpty ? "arn:aws:lambda:\(region):\(accountId):function:\(spec.functionName)" : spec.arn
    }
    /// The timeout in seconds.
    package var timeout: Int { spec.timeout }
    /// The memory size in MB.
    package var memorySize: Int { spec.memorySize }
    /// The log group name.
    package var logGroupName: String { "/aws/lambda/\(name)" }

    /// The role's name (last part of the role ARN), for the assumed-role principal.
    package var roleName: String {
        guard let roleArn = spec.roleArn, let slash = roleArn.lastIndex(of: "/") else { return "\(name)-role" }
        return String(roleArn[roleArn.index(after: slash)...])
    }

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
            "FunctionArn": arn,
            "Role": spec.roleArn ?? "arn:aws:iam::\(accountId):role/\(roleName)",
            "CodeSize": codeSize,
            "Description": spec.description ?? "",
            "Timeout": timeout,
            "MemorySize": memorySize,
            "LastModified": Self.lastModifiedFormat(lastModified),
            "CodeSha256": codeSha256,
            "Version": "$LATEST",
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
        return object
    }

    /// `2024-01-01T00:00:00.000+0000`, the format Lambda uses for `LastModified`.
    private static func lastModifiedFormat(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSZ"
        return formatter.string(from: date)
    }

    /// A stable revision id derived from the ARN.
    private var revisionId: String {
        let hex = String(PhysicalNames.seed(arn, "revision"), radix: 16)
        let padded = String(repeating: "0", count: max(0, 32 - hex.count * 2)) + hex + hex
        let characters = Array(padded.prefix(32))
        return "\(String(characters[0..<8]))-\(String(characters[8..<12]))-\(String(characters[12..<16]))-"
            + "\(String(characters[16..<20]))-\(String(characters[20..<32]))"
    }

    /// The total size of the code folder in bytes (0 when it cannot be read).
    private var codeSize: Int {
        guard let path = spec.codeUri else { return spec.inlineCode?.utf8.count ?? 0 }
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

extension LambdaCode {
    /// Whether the code is a container image.
    package var isImage: Bool {
        if case .image = self { return true }
        return false
    }
}
