import Foundation

/// Expands `AWS::Serverless-2016-10-31` resources into the CloudFormation resources `sam deploy` would create.
package enum SAMTransform {
    private static let functionPassThrough: [String] = [
        "FunctionName", "Description", "Handler", "Runtime", "Timeout", "MemorySize", "Environment", "Architectures",
        "ReservedConcurrentExecutions", "Layers", "VpcConfig", "KmsKeyArn", "EphemeralStorage", "LoggingConfig", "SnapStart",
        "RuntimeManagementConfig", "FileSystemConfigs", "ImageConfig", "PackageType", "RecursiveLoop", "CodeSigningConfigArn",
    ]

    private static let functionHandled: Set<String> = [
        "CodeUri", "InlineCode", "ImageUri", "Role", "Policies", "Events", "PermissionsBoundary", "RolePath", "AssumeRolePolicyDocument",
        "Tags", "Tracing", "DeadLetterQueue", "PropagateTags", "AutoPublishAlias", "AutoPublishCodeSha256", "AutoPublishAliasAllProperties",
        "VersionDescription", "DeploymentPreference",
    ]

    private static let resourceAttributes = ["Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy"]

    private static let serviceRolePolicies: Set<String> = [
        "AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole", "AWSLambdaDynamoDBExecutionRole", "AWSLambdaKinesisExecutionRole",
        "AWSLambdaSQSQueueExecutionRole", "AWSLambdaRole", "AWSLambdaENIManagementAccess", "AWSLambdaMSKExecutionRole",
    ]

    /// Transforms a SAM template into plain CloudFormation.
    /// - Parameters:
    ///   - template: The template declaring the SAM transform.
    ///   - configuration: The stack configuration (used for the partition in generated ARNs).
    /// - Returns: The transformed template and the SAM features the emulator ignores.
    /// - Throws: ``TemplateError`` when a SAM resource is malformed.
    package static func apply(
        to template: Template,
        configuration: StackConfiguration
    ) throws(TemplateError) -> (template: Template, unsupported: [UnsupportedProperty]) {
        var unsupported: [UnsupportedProperty] = []
        let globals = template.section("Globals")
        for key in globals.keys where !["Function", "SimpleTable", "Api", "HttpApi"].contains(key) {
            unsupported.append(
                UnsupportedProperty(
                    logicalId: "Globals",
                    resourceType: "Globals",
                    property: "Globals.\(key)",
                    reason: "is ignored by the emulator",
                    location: globals.location(of: key)
                )
            )
        }
        let functionGlobals = globals["Function"] ?? .map(TemplateMap())
        let tableGlobals = globals["SimpleTable"] ?? .map(TemplateMap())
        let original = template.section("Resources")
        var output = TemplateMap()
        var notifications: [String: [(configuration: TemplateValue, permission: String)]] = [:]
        var apiEvents: [SAMApiEvent] = []
        var referenceable: [String: String] = [:]

        for (logicalId, value) in original.entries {
            let location = original.location(of: logicalId)
            let body = value.mapValue ?? TemplateMap()
            let type = body["Type"]?.stringValue ?? ""
            switch type {
            case "AWS::Serverless::Function":
                let properties = merge(functionGlobals, body["Properties"] ?? .map(TemplateMap())).mapValue ?? TemplateMap()
                var context = FunctionContext(
                    logicalId: logicalId,
                    location: location,
                    body: body,
                    properties: properties,
                    template: template,
                    configuration: configuration
                )
                try context.transform(resources: original)
                for (id, resource) in context.generated {
                    output.set(id, resource, location: location)
                }
                unsupported += context.unsupported
                for (bucket, entry) in context.notifications {
                    notifications[bucket, default: []].append(entry)
                }
                apiEvents += context.apiEvents
                referenceable.merge(context.referenceable) { first, _ in first }
            case "AWS::Serverless::LayerVersion":
                let properties = body["Properties"]?.mapValue ?? TemplateMap()
                let layer = try layerVersion(logicalId: logicalId, body: body, properties: properties, template: template)
                output.set(logicalId, .map(layer), location: location)
            case "AWS::Serverless::SimpleTable":
                let properties = merge(tableGlobals, body["Properties"] ?? .map(TemplateMap())).mapValue ?? TemplateMap()
                output.set(logicalId, .map(simpleTable(body: body, properties: properties)), location: location)
            case SAMApiTransform.restType, SAMApiTransform.httpType:
                continue  // Expanded below, once every function's events are known.
            default:
                output.set(logicalId, value, location: location)
            }
        }

        var apis = SAMApiTransform(globals: globals, resources: original, events: apiEvents, template: template, referenceable: referenceable)
        try apis.run()
        for (id, resource, location) in apis.generated {
            output.set(id, resource, location: location)
        }
        unsupported += apis.unsupported

        for (bucketId, entries) in notifications {
            guard var bucket = output[bucketId]?.mapValue else { continue }
            var properties = bucket["Properties"]?.mapValue ?? TemplateMap()
            var notification = properties["NotificationConfiguration"]?.mapValue ?? TemplateMap()
            var lambdaConfigurations = notification["LambdaConfigurations"]?.listValue ?? []
            lambdaConfigurations += entries.map(\.configuration)
            notification["LambdaConfigurations"] = .list(lambdaConfigurations)
            properties.set("NotificationConfiguration", .map(notification), location: properties.location(of: "NotificationConfiguration"))
            bucket.set("Properties", .map(properties), location: bucket.location(of: "Properties"))
            var dependsOn: [TemplateValue]
            switch bucket["DependsOn"] {
            case .string(let name): dependsOn = [.string(name)]
            case .list(let names): dependsOn = names
            default: dependsOn = []
            }
            for entry in entries where !dependsOn.contains(.string(entry.permission)) {
                dependsOn.append(.string(entry.permission))
            }
            bucket.set("DependsOn", .list(dependsOn), location: bucket.location(of: "DependsOn"))
            output.set(bucketId, .map(bucket), location: original.location(of: bucketId))
        }

        var root = template.root
        if let outputs = root["Outputs"] { root.set("Outputs", apis.rewritingReferences(outputs), location: root.location(of: "Outputs")) }
        root.set("Resources", apis.rewritingReferences(.map(output)), location: root.location(of: "Resources"))
        root.remove("Globals")
        root.remove("Transform")
        var transformed = template
        transformed.root = root
        return (transformed, unsupported)
    }

    /// Merges a `Globals` section into a resource's properties the way SAM does: maps merge, lists concatenate, scalars override.
    /// - Parameters:
    ///   - global: The `Globals` value.
    ///   - local: The resource's own value.
    /// - Returns: The merged value.
    package static func merge(_ global: TemplateValue, _ local: TemplateValue) -> TemplateValue {
        switch (global, local) {
        case (.map(let globalMap), .map(let localMap)) where global.intrinsic == nil && local.intrinsic == nil:
            var result = globalMap
            for (key, value) in localMap.entries {
                let merged = globalMap[key].map { merge($0, value) } ?? value
                result.set(key, merged, location: localMap.location(of: key))
            }
            return .map(result)
        case (.list(let globalItems), .list(let localItems)):
            return .list(globalItems + localItems)
        default:
            return local
        }
    }

    private static func simpleTable(body: TemplateMap, properties: TemplateMap) -> TemplateMap {
        var table = TemplateMap()
        table.set("Type", "AWS::DynamoDB::Table")
        let primaryKey = properties["PrimaryKey"]?.mapValue ?? TemplateMap()
        let keyName = primaryKey["Name"] ?? "id"
        let keyType: TemplateValue
        switch primaryKey["Type"]?.stringValue ?? "String" {
        case "Number": keyType = "N"
        case "Binary": keyType = "B"
        default: keyType = "S"
        }
        var tableProperties = TemplateMap()
        if let name = properties["TableName"] {
            tableProperties.set("TableName", name, location: properties.location(of: "TableName"))
        }
        tableProperties.set(
            "AttributeDefinitions",
            [["AttributeName": keyName, "AttributeType": keyType]],
            location: properties.location(of: "PrimaryKey")
        )
        tableProperties.set("KeySchema", [["AttributeName": keyName, "KeyType": "HASH"]], location: properties.location(of: "PrimaryKey"))
        if let throughput = properties["ProvisionedThroughput"] {
            tableProperties.set("ProvisionedThroughput", throughput, location: properties.location(of: "ProvisionedThroughput"))
        } else {
            tableProperties.set("BillingMode", "PAY_PER_REQUEST")
        }
        if let sse = properties["SSESpecification"] {
            tableProperties.set("SSESpecification", sse, location: properties.location(of: "SSESpecification"))
        }
        if let tags = properties["Tags"]?.mapValue {
            tableProperties.set(
                "Tags",
                .list(tags.entries.map { ["Key": .string($0.key), "Value": $0.value] }),
                location: properties.location(of: "Tags")
            )
        }
        table.set("Properties", .map(tableProperties), location: body.location(of: "Properties"))
        for attribute in resourceAttributes {
            if let value = body[attribute] { table.set(attribute, value, location: body.location(of: attribute)) }
        }
        return table
    }

    private struct FunctionContext {
        let logicalId: String
        let location: SourceLocation?
        let body: TemplateMap
        let properties: TemplateMap
        let template: Template
        let configuration: StackConfiguration
        var generated: [(String, TemplateValue)] = []
        var unsupported: [UnsupportedProperty] = []
        var notifications: [(String, (configuration: TemplateValue, permission: String))] = []
        var apiEvents: [SAMApiEvent] = []
        /// `Fn.Alias` and `Fn.Version` (with `AutoPublishAlias`) to the generated logical ids.
        var referenceable: [String: String] = [:]
        /// The `AutoPublishAlias` alias's logical id: event sources invoke it instead of the function.
        var aliasId: String?

        init(
            logicalId: String,
            location: SourceLocation?,
            body: TemplateMap,
            properties: TemplateMap,
            template: Template,
            configuration: StackConfiguration
        ) {
            self.logicalId = logicalId
            self.location = location
            self.body = body
            self.properties = properties
            self.template = template
            self.configuration = configuration
        }

        func fail(_ message: String, at here: SourceLocation? = nil) -> TemplateError {
            TemplateError(.format, message, at: here ?? location, logicalId: logicalId)
        }

        func report(_ property: String, _ reason: String, at here: SourceLocation?) -> UnsupportedProperty {
            UnsupportedProperty(
                logicalId: logicalId,
                resourceType: "AWS::Serverless::Function",
                property: property,
                reason: reason,
                location: here ?? location
            )
        }

        mutating func transform(resources: TemplateMap) throws(TemplateError) {
            var function = TemplateMap()
            function.set("Code", try code(), location: properties.location(of: "CodeUri") ?? properties.location(of: "InlineCode"))
            if properties["ImageUri"] != nil {
                function.set("PackageType", "Image")
            }
            for key in SAMTransform.functionPassThrough {
                if let value = properties[key] {
                    function.set(key, value, location: properties.location(of: key))
                }
            }
            if function["Timeout"] == nil { function.set("Timeout", 3) }
            if function["MemorySize"] == nil { function.set("MemorySize", 128) }
            if case .string(let mode) = properties["Tracing"] ?? .null {
                function.set("TracingConfig", ["Mode": .string(mode)], location: properties.location(of: "Tracing"))
            }
            if let target = properties["DeadLetterQueue"]?["TargetArn"] {
                function.set("DeadLetterConfig", ["TargetArn": target], location: properties.location(of: "DeadLetterQueue"))
            }
            var tags: [TemplateValue] = [["Key": "lambda:createdBy", "Value": "SAM"]]
            for (key, value) in properties["Tags"]?.mapValue?.entries ?? [] {
                tags.append(["Key": .string(key), "Value": value])
            }
            function.set("Tags", .list(tags), location: properties.location(of: "Tags"))

            if let role = properties["Role"] {
                function.set("Role", role, location: properties.location(of: "Role"))
            } else {
                let roleId = "\(logicalId)Role"
                function.set("Role", ["Fn::GetAtt": [.string(roleId), "Arn"]])
                generated.append((roleId, .map(try role(roleId: roleId, tags: tags))))
            }

            for key in properties.keys where !SAMTransform.functionHandled.contains(key) && !SAMTransform.functionPassThrough.contains(key) {
                unsupported.append(report("Properties.\(key)", "is ignored by the emulator", at: properties.location(of: key)))
            }

            var resource = TemplateMap()
            resource.set("Type", "AWS::Lambda::Function")
            resource.set("Properties", .map(function), location: body.location(of: "Properties"))
            for attribute in SAMTransform.resourceAttributes {
                if let value = body[attribute] { resource.set(attribute, value, location: body.location(of: attribute)) }
            }
            generated.insert((logicalId, .map(resource)), at: 0)
            try autoPublish(function: function)
            try events(resources: resources)
        }

        /// What event sources invoke: the `AutoPublishAlias` alias (its `Ref` is the alias ARN), else the function.
        var invoked: TemplateValue { ["Ref": .string(aliasId ?? logicalId)] }

        /// `AutoPublishAlias`: SAM's `<Function>Version<hash>` (`AWS::Lambda::Version`, retained on deletion and
        /// replacement, its hash over the code, `AutoPublishCodeSha256` and, with `AutoPublishAliasAllProperties`, every
        /// function property, so a new version is published when they change) and `<Function>Alias<Name>`
        /// (`AWS::Lambda::Alias` on that version). `DeploymentPreference` (CodeDeploy traffic shifting) is not emulated:
        /// the alias moves to the new version at once.
        mutating func autoPublish(function: TemplateMap) throws(TemplateError) {
            guard let aliasValue = properties["AutoPublishAlias"] else {
                if properties["DeploymentPreference"] != nil {
                    unsupported.append(
                        report("Properties.DeploymentPreference", "is ignored by the emulator", at: properties.location(of: "DeploymentPreference"))
                    )
                }
                return
            }
            let here = properties.location(of: "AutoPublishAlias")
            let aliasName: String
            if let text = aliasValue.stringValue {
                aliasName = text
            } else if case .string(let parameter) = aliasValue["Ref"] ?? .null,
                let value = configuration.parameterOverrides[parameter] ?? template.section("Parameters")[parameter]?["Default"]?.scalarText
            {
                aliasName = value
            } else {
                throw fail(
                    "Resource with id [\(logicalId)] is invalid. 'AutoPublishAlias' must be a string or a Ref to a template parameter",
                    at: here
                )
            }
            guard !aliasName.isEmpty, aliasName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                throw fail("Resource with id [\(logicalId)] is invalid. AutoPublishAlias must contain only alphanumeric characters.", at: here)
            }
            var hashed = function["Code"]?.jsonString ?? ""
            if let sha = properties["AutoPublishCodeSha256"] { hashed += "\u{1F}" + sha.jsonString }
            if properties["AutoPublishAliasAllProperties"]?.boolValue == true { hashed += "\u{1F}" + TemplateValue.map(function).jsonString }
            let digest = String(PhysicalNames.seed(hashed, "version"), radix: 16)
            let versionId = "\(logicalId)Version" + String((String(repeating: "0", count: 16 - digest.count) + digest).prefix(10))
            let aliasId = "\(logicalId)Alias\(aliasName)"
            var versionProperties = TemplateMap()
            versionProperties.set("FunctionName", ["Ref": .string(logicalId)])
            if let sha = properties["AutoPublishCodeSha256"] { versionProperties.set("CodeSha256", sha) }
            if let description = properties["VersionDescription"] { versionProperties.set("Description", description) }
            var version = TemplateMap()
            version.set("Type", "AWS::Lambda::Version")
            version.set("DeletionPolicy", "Retain")
            version.set("UpdateReplacePolicy", "Retain")
            version.set("Properties", .map(versionProperties))
            var alias = TemplateMap()
            alias.set("Type", "AWS::Lambda::Alias")
            alias.set(
                "Properties",
                [
                    "Name": .string(aliasName),
                    "FunctionName": ["Ref": .string(logicalId)],
                    "FunctionVersion": ["Fn::GetAtt": [.string(versionId), "Version"]],
                ]
            )
            if let condition = body["Condition"] {
                version.set("Condition", condition)
                alias.set("Condition", condition)
            }
            generated.append((versionId, .map(version)))
            generated.append((aliasId, .map(alias)))
            referenceable["\(logicalId).Version"] = versionId
            referenceable["\(logicalId).Alias"] = aliasId
            self.aliasId = aliasId
            if properties["DeploymentPreference"] != nil {
                unsupported.append(
                    report(
                        "Properties.DeploymentPreference",
                        "is not emulated: the alias moves to the new version at once (no CodeDeploy traffic shifting, no hooks)",
                        at: properties.location(of: "DeploymentPreference")
                    )
                )
            }
        }

        func code() throws(TemplateError) -> TemplateValue {
            if let inline = properties["InlineCode"] {
                return ["ZipFile": inline]
            }
            if let image = properties["ImageUri"] {
                return ["ImageUri": image]
            }
            if properties["PackageType"]?.stringValue == "Image" {
                // Before `sam build` (which takes the image from Metadata) there is no ImageUri: the function is still
                // listed, and refused when invoked, as every image function is.
                return ["ImageUri": .string("\(logicalId):unbuilt")]
            }
            guard let codeUri = properties["CodeUri"] else {
                throw fail("Resource with id [\(logicalId)] is invalid. Either 'InlineCode' or 'CodeUri' must be set.")
            }
            switch codeUri {
            case .string(let uri) where uri.hasPrefix("s3://"):
                let path = uri.dropFirst(5)
                let parts = path.split(separator: "/", maxSplits: 1).map(String.init)
                return ["S3Bucket": .string(parts.first ?? ""), "S3Key": .string(parts.count > 1 ? parts[1] : "")]
            case .string(let uri):
                let base = URL(fileURLWithPath: template.baseDirectory, isDirectory: true)
                let path = uri.hasPrefix("/") ? URL(fileURLWithPath: uri) : URL(fileURLWithPath: uri, relativeTo: base)
                return .string(path.standardizedFileURL.path)
            case .map(let map) where codeUri.intrinsic == nil:
                var code = TemplateMap()
                if let bucket = map["Bucket"] { code.set("S3Bucket", bucket) }
                if let key = map["Key"] { code.set("S3Key", key) }
                if let version = map["Version"] { code.set("S3ObjectVersion", version) }
                return .map(code)
            default:
                return codeUri
            }
        }

        mutating func role(roleId: String, tags: [TemplateValue]) throws(TemplateError) -> TemplateMap {
            let partition = configuration.partition
            func managedArn(_ name: String) -> TemplateValue {
                if name.hasPrefix("arn:") { return .string(name) }
                let path = SAMTransform.serviceRolePolicies.contains(name) ? "service-role/" : ""
                return .string("arn:\(partition):iam::aws:policy/\(path)\(name)")
            }
            var managed: [TemplateValue] = [managedArn("AWSLambdaBasicExecutionRole")]
            if properties["Tracing"]?.stringValue == "Active" { managed.append(managedArn("AWSXrayWriteOnlyAccess")) }
            if properties["VpcConfig"] != nil { managed.append(managedArn("AWSLambdaVPCAccessExecutionRole")) }
            var inline: [TemplateValue] = []
            let policiesLocation = properties.location(of: "Policies")
            let entries: [TemplateValue]
            switch properties["Policies"] {
            case .list(let items): entries = items
            case .some(let single): entries = [single]
            case nil: entries = []
            }
            for (index, entry) in entries.enumerated() {
                let policyName = TemplateValue.string("\(roleId)Policy\(index)")
                switch entry {
                case .string(let name):
                    managed.append(managedArn(name))
                case .map(let map) where entry.intrinsic != nil:
                    managed.append(.map(map))
                case .map(let map) where map["Statement"] != nil:
                    inline.append(["PolicyName": policyName, "PolicyDocument": entry])
                case .map(let map) where map.count == 1:
                    let name = map.keys[0]
                    guard let policyTemplate = SAMPolicyTemplate.all[name] else {
                        unsupported.append(
                            report("Policies.\(name)", "is a SAM policy template the emulator does not know; it grants nothing", at: policiesLocation)
                        )
                        continue
                    }
                    let arguments = map[name]?.mapValue ?? TemplateMap()
                    for parameter in policyTemplate.parameters where arguments[parameter] == nil {
                        throw fail(
                            "Resource with id [\(logicalId)] is invalid. Missing parameter '\(parameter)' for policy template \(name)",
                            at: policiesLocation
                        )
                    }
                    let document: TemplateValue = ["Statement": .list(policyTemplate.expand(arguments: arguments))]
                    inline.append(["PolicyName": policyName, "PolicyDocument": document])
                default:
                    throw fail(
                        "Resource with id [\(logicalId)] is invalid. Policies entry \(index) is \(entry.kindDescription), not a policy",
                        at: policiesLocation
                    )
                }
            }
            let assumeRole: TemplateValue =
                properties["AssumeRolePolicyDocument"] ?? [
                    "Version": "2012-10-17",
                    "Statement": [
                        ["Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": ["Service": ["lambda.amazonaws.com"]]]
                    ],
                ]
            var roleProperties = TemplateMap()
            roleProperties.set("AssumeRolePolicyDocument", assumeRole)
            roleProperties.set("ManagedPolicyArns", .list(managed))
            if !inline.isEmpty { roleProperties.set("Policies", .list(inline), location: policiesLocation) }
            if let boundary = properties["PermissionsBoundary"] { roleProperties.set("PermissionsBoundary", boundary) }
            if let path = properties["RolePath"] { roleProperties.set("Path", path) }
            roleProperties.set("Tags", .list(tags))
            var resource = TemplateMap()
            resource.set("Type", "AWS::IAM::Role")
            resource.set("Properties", .map(roleProperties))
            if let condition = body["Condition"] { resource.set("Condition", condition) }
            return resource
        }

        mutating func events(resources: TemplateMap) throws(TemplateError) {
            guard let events = properties["Events"]?.mapValue else { return }
            for (eventId, event) in events.entries {
                let here = events.location(of: eventId)
                let type = event["Type"]?.stringValue ?? ""
                if type == "Api" || type == "HttpApi" {
                    let properties = event["Properties"]?.mapValue ?? TemplateMap()
                    apiEvents.append(
                        SAMApiEvent(
                            functionId: logicalId,
                            eventId: eventId,
                            type: type,
                            properties: properties,
                            condition: body["Condition"],
                            location: here,
                            aliasId: aliasId
                        )
                    )
                    continue
                }
                if type == "DynamoDB" {
                    // SAM's stream event: an AWS::Lambda::EventSourceMapping named <Function><Event>.
                    let eventProperties = event["Properties"]?.mapValue ?? TemplateMap()
                    guard let stream = eventProperties["Stream"] else {
                        throw fail("Event with id [\(eventId)] is invalid. Missing required property 'Stream'.", at: here)
                    }
                    var mapping = TemplateMap()
                    mapping.set("FunctionName", invoked)
                    mapping.set("EventSourceArn", stream)
                    for name in [
                        "StartingPosition", "BatchSize", "MaximumBatchingWindowInSeconds", "FilterCriteria", "BisectBatchOnFunctionError",
                        "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "FunctionResponseTypes", "Enabled",
                    ] {
                        if let value = eventProperties[name] { mapping.set(name, value) }
                    }
                    var resource = TemplateMap()
                    resource.set("Type", "AWS::Lambda::EventSourceMapping")
                    resource.set("Properties", .map(mapping))
                    if let condition = body["Condition"] { resource.set("Condition", condition) }
                    generated.append(("\(logicalId)\(eventId)", .map(resource)))
                    continue
                }
                guard type == "S3" else {
                    unsupported.append(report("Events.\(eventId)", "(Type \(type)) is not emulated; the function is never triggered by it", at: here))
                    continue
                }
                let eventProperties = event["Properties"]?.mapValue ?? TemplateMap()
                guard case .string(let bucketId) = eventProperties["Bucket"]?["Ref"] ?? .null,
                    resources[bucketId]?["Type"]?.stringValue == "AWS::S3::Bucket"
                else {
                    throw fail("Event with id [\(eventId)] is invalid. S3 events must reference an S3 bucket in the same template.", at: here)
                }
                let eventNames: [TemplateValue]
                switch eventProperties["Events"] {
                case .list(let items): eventNames = items
                case .some(let single): eventNames = [single]
                case nil: throw fail("Event with id [\(eventId)] is invalid. Missing required property 'Events'.", at: here)
                }
                let permissionId = "\(logicalId)\(eventId)Permission"
                var permission = TemplateMap()
                permission.set("Type", "AWS::Lambda::Permission")
                permission.set(
                    "Properties",
                    [
                        "Action": "lambda:InvokeFunction",
                        "FunctionName": invoked,
                        "Principal": "s3.amazonaws.com",
                        "SourceAccount": ["Ref": "AWS::AccountId"],
                    ]
                )
                if let condition = body["Condition"] { permission.set("Condition", condition) }
                generated.append((permissionId, .map(permission)))
                for name in eventNames {
                    var configuration = TemplateMap()
                    configuration.set("Event", name)
                    configuration.set("Function", aliasId == nil ? ["Fn::GetAtt": [.string(logicalId), "Arn"]] : invoked)
                    if let filter = eventProperties["Filter"] { configuration.set("Filter", filter) }
                    notifications.append((bucketId, (.map(configuration), permissionId)))
                }
            }
        }
    }
}
