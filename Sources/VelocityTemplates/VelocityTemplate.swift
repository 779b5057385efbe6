/// What a mapping template sees: the body and parameters behind `$input`, `$context`, `$stageVariables`.
///
/// See "Variables for data transformations for API Gateway"
/// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html).
package struct VelocityContext: Sendable {
    /// The payload (`$input.body`; `$input.json`/`$input.path` parse it as JSON).
    package var body: String
    /// Path parameters (`$input.params().path`).
    package var pathParameters: [(name: String, value: String)]
    /// Query string parameters (`$input.params().querystring`).
    package var queryParameters: [(name: String, value: String)]
    /// Header parameters (`$input.params().header`).
    package var headers: [(name: String, value: String)]
    /// `$context` (requestId, connectionId, routeKey, identity.sourceIp, authorizer.*...).
    package var context: VelocityMap
    /// `$stageVariables`.
    package var stageVariables: VelocityMap

    /// Creates a context.
    /// - Parameters:
    ///   - body: The payload.
    ///   - pathParameters: Path parameters.
    ///   - queryParameters: Query string parameters.
    ///   - headers: Headers.
    ///   - context: `$context`.
    ///   - stageVariables: `$stageVariables`.
    package init(
        body: String,
        pathParameters: [(name: String, value: String)] = [],
        queryParameters: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [],
        context: VelocityMap = VelocityMap(),
        stageVariables: VelocityMap = VelocityMap()
    ) {
        self.body = body
        self.pathParameters = pathParameters
        self.queryParameters = queryParameters
        self.headers = headers
        self.context = context
        self.stageVariables = stageVariables
    }
}

/// A parsed Velocity (VTL) mapping template, as API Gateway runs them for request and response mapping.
///
/// Supported: references (`$a.b`, `${a}`, `$!a`, `$a.method(args)`, `$a[0]`), `#set`, `#if`/`#elseif`/`#else`,
/// `#foreach` (with `$foreach.hasNext`/`index`/`count`, `#break`), `#stop`, comments (`##`, `#* *#`), string, list and
/// map methods used in practice, arithmetic and comparisons, `$input`, `$util`, `$context` and `$stageVariables`
/// (https://docs.aws.amazon.com/apigateway/latest/developerguide/models-mappings.html). `#include`, `#parse`,
/// `#evaluate`, `#define` and `#macro` are refused, as API Gateway refuses them. Work is bounded: 1000 iterations per
/// `#foreach` (API Gateway's quota), 64 levels of nesting, 10 MB of output.
package struct VelocityTemplate: Sendable {
    let nodes: [VelocityNode]

    /// Parses a template.
    /// - Parameter source: The template text.
    /// - Throws: ``VelocityError/syntax(line:column:message:)`` when it is malformed.
    package init(_ source: String) throws(VelocityError) {
        var parser = VelocityParser(source)
        nodes = try parser.parseTemplate()
    }

    /// Renders the template.
    /// - Parameter context: The request's data.
    /// - Returns: The output text.
    /// - Throws: ``VelocityError`` when evaluation fails or exceeds a limit.
    package func render(_ context: VelocityContext) throws(VelocityError) -> String {
        var evaluator = VelocityEvaluator(context: context)
        var output = ""
        _ = try evaluator.render(nodes, into: &output)
        return output
    }

    /// Renders a template text in one step.
    /// - Parameters:
    ///   - source: The template text.
    ///   - context: The request's data.
    /// - Returns: The output text.
    /// - Throws: ``VelocityError``.
    package static func render(_ source: String, context: VelocityContext) throws(VelocityError) -> String {
        try VelocityTemplate(source).render(context)
    }
}

extension VelocityTemplate {
    /// The templates that do not parse, in name order, each as `NAME: PROBLEM` (for start-up warnings).
    /// - Parameter templates: Named template texts.
    /// - Returns: One line per template that does not parse.
    package static func parseProblems(_ templates: [(name: String, source: String)]) -> [String] {
        templates.sorted { $0.name < $1.name }.compactMap { template -> String? in
            do {
                _ = try VelocityTemplate(template.source)
                return nil
            } catch {
                return "\(template.name): \(String(describing: error))"
            }
        }
    }
}
