import Foundation

/// The constraints Lambda's API checks on CreateFunction / UpdateFunctionConfiguration / UpdateFunctionCode members,
/// with AWS's `ValidationException` and `InvalidParameterValueException` texts.
enum FunctionValidation {
    /// The `Runtime` values AWS accepts (its `Runtime` enum); only `python3.x` and `nodejs*` run here.
    static let runtimes = [
        "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x", "nodejs14.x", "nodejs16.x", "java8",
        "java8.al2", "java11", "python2.7", "python3.6", "python3.7", "python3.8", "python3.9", "dotnetcore1.0", "dotnetcore2.0",
        "dotnetcore2.1", "dotnetcore3.1", "dotnet6", "dotnet8", "nodejs4.3-edge", "go1.x", "ruby2.5", "ruby2.7", "provided",
        "provided.al2", "nodejs18.x", "python3.10", "java17", "ruby3.2", "ruby3.3", "ruby3.4", "python3.11", "nodejs20.x",
        "provided.al2023", "python3.12", "java21", "python3.13", "nodejs22.x", "python3.14", "nodejs24.x", "java25", "dotnet10",
    ]

    /// Runtimes AWS no longer accepts for new functions or updates.
    static let deprecatedRuntimes: Set<String> = [
        "nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs4.3-edge", "python2.7", "python3.6", "dotnetcore1.0",
        "dotnetcore2.0", "dotnetcore2.1", "ruby2.5",
    ]

    /// Environment variable names Lambda sets itself and refuses in `Environment.Variables`.
    static let reservedVariables: Set<String> = [
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    ]

    private static let functionNamePattern =
        #"(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?"#
    private static let rolePattern = #"arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+"#

    /// Whether a character is in `[a-zA-Z0-9-_]`.
    static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == "_")
    }

    /// A `StatementId` (AddPermission, AddLayerVersionPermission): 1-100 of `[a-zA-Z0-9-_]`.
    /// - Parameter text: The member, nil when absent.
    /// - Returns: The statement id.
    /// - Throws: `ValidationException` when it is absent or does not fit.
    static func statementId(_ text: String?) throws(LambdaError) -> String {
        guard let text else { throw .validation(LambdaMessages.validation("null", at: "statementId", "Member must not be null")) }
        guard (1...100).contains(text.count), text.allSatisfy(isNameCharacter) else {
            throw .validation(LambdaMessages.validation(text, at: "statementId", "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)"))
        }
        return text
    }

    /// The function name a CreateFunction `FunctionName` designates (a name, or an ARN / partial ARN ending in one).
    /// - Parameter value: The member.
    /// - Returns: The bare name.
    /// - Throws: `ValidationException` when it does not fit AWS's pattern or is longer than 64 characters as a name.
    static func functionName(_ value: String) throws(LambdaError) -> String {
        let invalid = LambdaError.validation(
            LambdaMessages.validation(value, at: "functionName", "Member must satisfy regular expression pattern: \(functionNamePattern)")
        )
        guard (1...140).contains(value.count) else {
            throw .validation(
                LambdaMessages.validation(
                    value,
                    at: "functionName",
                    value.isEmpty ? "Member must have length greater than or equal to 1" : "Member must have length less than or equal to 140"
                )
            )
        }
        let name: Substring
        if let range = value.range(of: ":function:") {
            name = value[range.upperBound...]
            guard value.hasPrefix("arn:") || value.first?.isNumber == true else { throw invalid }
        } else {
            name = value[...]
        }
        guard !name.isEmpty, name.allSatisfy(isNameCharacter) else { throw invalid }
        guard name.count <= 64 else {
            throw .invalidParameterValue(
                "1 validation error detected: Value '\(name)' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64"
            )
        }
        return String(name)
    }

    /// `Runtime`: one of AWS's values, and not a deprecated one.
    /// - Parameter value: The member.
    /// - Throws: `ValidationException` for an unknown value, `InvalidParameterValueException` for a deprecated one.
    static func runtime(_ value: String) throws(LambdaError) {
        guard runtimes.contains(value) else {
            throw .validation(
                LambdaMessages.validation(value, at: "runtime", "Member must satisfy enum value set: [\(runtimes.joined(separator: ", "))]")
            )
        }
        if deprecatedRuntimes.contains(value) {
            throw .invalidParameterValue(
                "The runtime parameter of \(value) is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or upgrading functions."
            )
        }
    }

    /// `Timeout`: 1 to 900 seconds.
    /// - Parameter value: The member.
    /// - Throws: `ValidationException` outside the range.
    static func timeout(_ value: Int) throws(LambdaError) {
        guard value >= 1 else {
            throw .validation(LambdaMessages.validation(String(value), at: "timeout", "Member must have value greater than or equal to 1"))
        }
        guard value <= 900 else {
            throw .validation(LambdaMessages.validation(String(value), at: "timeout", "Member must have value less than or equal to 900"))
        }
    }

    /// `MemorySize`: 128 to 10,240 MB.
    /// - Parameter value: The member.
    /// - Throws: `ValidationException` outside the range.
    static func memorySize(_ value: Int) throws(LambdaError) {
        if value < 128 {
            throw .validation(LambdaMessages.validation(String(value), at: "memorySize", "Member must have value greater than or equal to 128"))
        }
        if value > 10_240 {
            throw .validation(LambdaMessages.validation(String(value), at: "memorySize", "Member must have value less than or equal to 10240"))
        }
    }

    /// `Handler`: at most 128 characters, no white space.
    /// - Parameter value: The member.
    /// - Throws: `ValidationException`.
    static func handler(_ value: String) throws(LambdaError) {
        if value.count > 128 {
            throw .validation(LambdaMessages.validation(value, at: "handler", "Member must have length less than or equal to 128"))
        }
        if value.isEmpty || value.contains(where: \.isWhitespace) {
            throw .validation(LambdaMessages.validation(value, at: "handler", #"Member must satisfy regular expression pattern: [^\s]+"#))
        }
    }

    /// `Role`: an IAM role ARN.
    /// - Parameter value: The member.
    /// - Throws: `ValidationException` when it is not one.
    static func roleArn(_ value: String) throws(LambdaError) {
        let parts = value.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        let valid =
            parts.count == 6 && parts[0] == "arn" && parts[1].hasPrefix("aws") && parts[2] == "iam" && parts[3].isEmpty
            && parts[4].count == 12 && parts[4].allSatisfy(\.isNumber) && parts[5].hasPrefix("role/") && parts[5].count > 5
            && parts[5].dropFirst(5).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+=,.@-_/".contains($0)) }
        guard valid else {
            throw .validation(LambdaMessages.validation(value, at: "role", "Member must satisfy regular expression pattern: \(rolePattern)"))
        }
    }

    /// `Description`: at most 256 characters.
    /// - Parameter value: The member.
    /// - Throws: `ValidationException`.
    static func description(_ value: String) throws(LambdaError) {
        if value.count > 256 {
            throw .validation(LambdaMessages.validation(value, at: "description", "Member must have length less than or equal to 256"))
        }
    }

    /// `Environment.Variables`: names `[a-zA-Z]([a-zA-Z0-9_])+`, none of Lambda's reserved names, at most 4 KB in all.
    /// - Parameter variables: The variables.
    /// - Throws: `InvalidParameterValueException` for reserved names or size, `ValidationException` for a bad name.
    static func environment(_ variables: [String: String]) throws(LambdaError) {
        let reserved = variables.keys.filter { reservedVariables.contains($0) }.sorted()
        if !reserved.isEmpty { throw .invalidParameterValue(LambdaMessages.reservedEnvironment(reserved)) }
        for name in variables.keys.sorted() {
            let valid =
                name.count >= 2 && name.first.map { $0.isASCII && $0.isLetter } == true
                && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            if !valid {
                throw .validation(
                    "1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]"
                )
            }
        }
        let size = variables.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
        if size > 4096 {
            throw .invalidParameterValue(
                "Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: \(size)"
            )
        }
    }

    /// A deployment package: a zip archive (local file header or an empty archive's end record).
    /// - Parameter data: The bytes.
    /// - Throws: `InvalidParameterValueException` otherwise.
    static func zipArchive(_ data: Data) throws(LambdaError) {
        let magic = Array(data.prefix(4))
        guard magic == [0x50, 0x4B, 0x03, 0x04] || magic == [0x50, 0x4B, 0x05, 0x06] else {
            throw .invalidParameterValue(LambdaMessages.cannotUnzip)
        }
    }
}
