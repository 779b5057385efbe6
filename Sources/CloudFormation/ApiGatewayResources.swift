/// Helpers the API Gateway services share when they gather an API's child resources from a stack.
package enum LambdaIntegrationURI {
    /// The function ARN inside `arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations`,
    /// or a plain Lambda function ARN as it is.
    /// - Parameter uri: An integration or authorizer URI.
    /// - Returns: The function ARN, or nil when `uri` is not a Lambda invocation URI.
    package static func functionArn(_ uri: String) -> String? {
        if uri.hasPrefix("arn:"), uri.contains(":lambda:"), !uri.contains(":apigateway:") { return uri }
        guard let start = uri.range(of: "/functions/"), uri.hasSuffix("/invocations") else { return nil }
        let end = uri.index(uri.endIndex, offsetBy: -"/invocations".count)
        guard start.upperBound <= end else { return nil }
        let arn = String(uri[start.upperBound..<end])
        return arn.isEmpty ? nil : arn
    }
}

extension Stack {
    /// The emulated resources of one type that belong to a parent by a property naming its id (`ApiId`, `RestApiId`),
    /// each with its reader, in dependency order.
    /// - Parameters:
    ///   - type: The child resource type.
    ///   - property: The property holding the parent's id.
    ///   - parentId: The parent's physical id.
    /// - Returns: The children.
    /// - Throws: ``TemplateError`` when a child's property is not a string.
    package func children(ofType type: String, property: String, parentId: String) throws(TemplateError) -> [(StackResource, SpecReader)] {
        var result: [(StackResource, SpecReader)] = []
        for child in resources(ofType: type) {
            let reader = SpecReader(child)
            if try reader[property].string() == parentId { result.append((child, reader)) }
        }
        return result
    }
}
