import Foundation

extension SAMTransform {
    private static let layerPassThrough = ["LayerName", "Description", "CompatibleRuntimes", "CompatibleArchitectures", "LicenseInfo"]

    /// `AWS::Serverless::LayerVersion` as `AWS::Lambda::LayerVersion`: `ContentUri` becomes `Content` (an absolute local
    /// path, as `CodeUri` becomes `Code`, or `S3Bucket`/`S3Key`), `LayerName` defaults to the logical id as in SAM, and
    /// the other properties pass through (`RetentionPolicy` has no effect locally).
    /// - Parameters:
    ///   - logicalId: The resource's logical id.
    ///   - body: The resource.
    ///   - properties: Its properties.
    ///   - template: The template (for the folder relative paths start from).
    /// - Returns: The `AWS::Lambda::LayerVersion` resource.
    /// - Throws: ``TemplateError`` when `ContentUri` is missing.
    static func layerVersion(logicalId: String, body: TemplateMap, properties: TemplateMap, template: Template) throws(TemplateError) -> TemplateMap {
        var layer = TemplateMap()
        let content: TemplateValue
        switch properties["ContentUri"] {
        case .string(let uri) where uri.hasPrefix("s3://"):
            let parts = uri.dropFirst(5).split(separator: "/", maxSplits: 1).map(String.init)
            content = ["S3Bucket": .string(parts.first ?? ""), "S3Key": .string(parts.count > 1 ? parts[1] : "")]
        case .string(let uri):
            let base = URL(fileURLWithPath: template.baseDirectory, isDirectory: true)
            let path = uri.hasPrefix("/") ? URL(fileURLWithPath: uri) : URL(fileURLWithPath: uri, relativeTo: base)
            content = .string(path.standardizedFileURL.path)
        case .map(let map) where properties["ContentUri"]?.intrinsic == nil:
            var location = TemplateMap()
            if let bucket = map["Bucket"] { location.set("S3Bucket", bucket) }
            if let key = map["Key"] { location.set("S3Key", key) }
            content = .map(location)
        case .some(let value):
            content = value
        case nil:
            throw TemplateError(
                .format,
                "Resource with id [\(logicalId)] is invalid. Missing required property 'ContentUri'.",
                at: properties.location(of: "ContentUri"),
                logicalId: logicalId
            )
        }
        layer.set("Content", content, location: properties.location(of: "ContentUri"))
        for key in layerPassThrough {
            if let value = properties[key] { layer.set(key, value, location: properties.location(of: key)) }
        }
        if layer["LayerName"] == nil { layer.set("LayerName", .string(logicalId)) }
        var resource = TemplateMap()
        resource.set("Type", "AWS::Lambda::LayerVersion")
        resource.set("Properties", .map(layer), location: body.location(of: "Properties"))
        for attribute in ["Condition", "DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy"] {
            if let value = body[attribute] { resource.set(attribute, value, location: body.location(of: attribute)) }
        }
        return resource
    }
}
