/// Why a template could not be parsed or rendered. API Gateway answers every such failure at run time with
/// `500 {"message": "Internal server error"}`; ``description`` is for the start-up warning and the log.
package enum VelocityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The template is malformed at a line and column.
    case syntax(line: Int, column: Int, message: String)
    /// A JSONPath expression is malformed.
    case invalidJSONPath(String)
    /// The body is not JSON but `$input.json`/`$input.path` asked for it.
    case bodyNotJSON
    /// A `#foreach` went past 1000 iterations, or rendering did too much work.
    case limitExceeded(String)
    /// Arithmetic overflowed.
    case arithmeticOverflow

    /// A one-line description.
    package var description: String {
        switch self {
        case .syntax(let line, let column, let message): return "Template syntax error at line \(line), column \(column): \(message)"
        case .invalidJSONPath(let path): return "Invalid JSONPath expression: \(path)"
        case .bodyNotJSON: return "The body is not valid JSON"
        case .limitExceeded(let what): return "Template limit exceeded: \(what)"
        case .arithmeticOverflow: return "Arithmetic overflow in template"
        }
    }
}
