import Foundation

/// An Amazon Resource Name: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`.
package struct ARN: Sendable, Hashable, CustomStringConvertible {
    /// The partition, normally `aws`.
    package var partition: String
    /// The service namespace, for example `s3` or `dynamodb`.
    package var service: String
    /// The region; empty for global resources such as S3 buckets and IAM.
    package var region: String
    /// The account id; empty for S3 buckets.
    package var account: String
    /// Everything after the fifth colon (may itself contain colons and slashes).
    package var resource: String

    /// Creates an ARN from its components.
    package init(partition: String = "aws", service: String, region: String = "", account: String = "", resource: String) {
        self.partition = partition
        self.service = service
        self.region = region
        self.account = account
        self.resource = resource
    }

    /// Parses an ARN string, or returns nil when it does not have the six components.
    package init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        self.init(
            partition: String(parts[1]),
            service: String(parts[2]),
            region: String(parts[3]),
            account: String(parts[4]),
            resource: String(parts[5])
        )
    }

    /// The ARN text.
    package var description: String { "arn:\(partition):\(service):\(region):\(account):\(resource)" }

    // MARK: Builders

    /// `arn:aws:s3:::BUCKET`.
    package static func s3Bucket(_ bucket: String, partition: String = "aws") -> ARN {
        ARN(partition: partition, service: "s3", resource: bucket)
    }

    /// `arn:aws:s3:::BUCKET/KEY` (the key is not percent-encoded).
    package static func s3Object(bucket: String, key: String, partition: String = "aws") -> ARN {
        ARN(partition: partition, service: "s3", resource: "\(bucket)/\(key)")
    }

    /// `arn:aws:dynamodb:REGION:ACCOUNT:table/NAME`.
    package static func dynamoDBTable(region: String, account: String, table: String, partition: String = "aws") -> ARN {
        ARN(partition: partition, service: "dynamodb", region: region, account: account, resource: "table/\(table)")
    }

    /// `arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/index/INDEX`.
    package static func dynamoDBIndex(region: String, account: String, table: String, index: String, partition: String = "aws") -> ARN {
        ARN(partition: partition, service: "dynamodb", region: region, account: account, resource: "table/\(table)/index/\(index)")
    }

    /// `arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL`.
    package static func dynamoDBStream(region: String, account: String, table: String, label: String, partition: String = "aws") -> ARN {
        ARN(partition: partition, service: "dynamodb", region: region, account: account, resource: "table/\(table)/stream/\(label)")
    }

    /// `arn:aws:lambda:REGION:ACCOUNT:function:NAME` or `...:function:NAME:QUALIFIER`.
    package static func lambdaFunction(
        region: String,
        account: String,
        name: String,
        qualifier: String? = nil,
        partition: String = "aws"
    ) -> ARN {
        let suffix = qualifier.map { ":\($0)" } ?? ""
        return ARN(partition: partition, service: "lambda", region: region, account: account, resource: "function:\(name)\(suffix)")
    }

    /// `arn:aws:execute-api:REGION:ACCOUNT:APIID/STAGE/METHOD/PATH` (PATH without a leading slash, may be empty).
    package static func executeAPI(
        region: String,
        account: String,
        apiId: String,
        stage: String,
        method: String,
        path: String = "",
        partition: String = "aws"
    ) -> ARN {
        let trimmed = path.hasPrefix("/") ? String(path.dropFirst()) : path
        return ARN(partition: partition, service: "execute-api", region: region, account: account, resource: "\(apiId)/\(stage)/\(method)/\(trimmed)")
    }

    /// `arn:aws:execute-api:REGION:ACCOUNT:APIID/STAGE/METHOD/@connections/ID`, the resource of `execute-api:ManageConnections`.
    package static func executeAPIConnection(
        region: String,
        account: String,
        apiId: String,
        stage: String,
        method: String,
        connectionId: String,
        partition: String = "aws"
    ) -> ARN {
        executeAPI(
            region: region,
            account: account,
            apiId: apiId,
            stage: stage,
            method: method,
            path: "@connections/\(connectionId)",
            partition: partition
        )
    }

    /// `arn:aws:iam::ACCOUNT:role/PATHNAME`.
    package static func iamRole(account: String, name: String, path: String = "/", partition: String = "aws") -> ARN {
        ARN(partition: partition, service: "iam", account: account, resource: "role\(normalizedPath(path))\(name)")
    }

    /// `arn:aws:iam::ACCOUNT:user/PATHNAME`.
    package static func iamUser(account: String, name: String, path: String = "/", partition: String = "aws") -> ARN {
        ARN(partition: partition, service: "iam", account: account, resource: "user\(normalizedPath(path))\(name)")
    }

    /// `arn:aws:iam::ACCOUNT:root`, the account principal.
    package static func accountRoot(account: String, partition: String = "aws") -> ARN {
        ARN(partition: partition, service: "iam", account: account, resource: "root")
    }

    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`, the principal of a role session (role path is not included).
    package static func assumedRole(account: String, role: String, session: String, partition: String = "aws") -> ARN {
        ARN(partition: partition, service: "sts", account: account, resource: "assumed-role/\(role)/\(session)")
    }

    /// `arn:aws:iam::aws:policy/NAME` or `arn:aws:iam::aws:policy/service-role/NAME`.
    package static func managedPolicy(name: String, path: String = "/", partition: String = "aws") -> ARN {
        ARN(partition: partition, service: "iam", account: "aws", resource: "policy\(normalizedPath(path))\(name)")
    }

    private static func normalizedPath(_ path: String) -> String {
        var result = path.hasPrefix("/") ? path : "/" + path
        if !result.hasSuffix("/") { result += "/" }
        return result
    }

    // MARK: Accessors

    /// For `s3`: the bucket name (the resource up to the first `/`).
    package var s3Bucket: String? {
        guard service == "s3" else { return nil }
        return resource.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
    }

    /// For `s3`: the object key (everything after the first `/`), or nil for a bucket ARN.
    package var s3Key: String? {
        guard service == "s3", let slash = resource.firstIndex(of: "/") else { return nil }
        return String(resource[resource.index(after: slash)...])
    }

    /// For `dynamodb`: the table name of a table, index or stream ARN.
    package var dynamoDBTable: String? {
        guard service == "dynamodb" else { return nil }
        let parts = resource.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "table" else { return nil }
        return String(parts[1])
    }

    /// For `dynamodb`: the index name of an index ARN.
    package var dynamoDBIndex: String? {
        guard service == "dynamodb" else { return nil }
        let parts = resource.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "table", parts[2] == "index" else { return nil }
        return String(parts[3])
    }

    /// For `lambda`: the function name (without qualifier).
    package var lambdaFunctionName: String? {
        guard service == "lambda" else { return nil }
        let parts = resource.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0] == "function" else { return nil }
        return String(parts[1])
    }

    /// For `lambda`: the version or alias qualifier, when present.
    package var lambdaQualifier: String? {
        guard service == "lambda" else { return nil }
        let parts = resource.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "function" else { return nil }
        return String(parts[2])
    }

    /// For `sts` assumed-role ARNs: the role name and session name.
    package var assumedRoleParts: (role: String, session: String)? {
        guard service == "sts" else { return nil }
        let parts = resource.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "assumed-role" else { return nil }
        return (String(parts[1]), String(parts[2]))
    }

    /// For `execute-api`: the API id, stage, method and remaining path of an execute-api ARN.
    package var executeAPIParts: (apiId: String, stage: String, method: String, path: String)? {
        guard service == "execute-api" else { return nil }
        let parts = resource.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        return (String(parts[0]), String(parts[1]), String(parts[2]), parts.count == 4 ? String(parts[3]) : "")
    }
}
