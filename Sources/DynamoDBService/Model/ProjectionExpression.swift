import Foundation

/// A parsed ProjectionExpression (`a, b.c, d[2]`).
package struct ProjectionExpression: Sendable, Hashable {
    /// The requested paths in source order.
    package let paths: [DocumentPath]
    /// Placeholders this expression referenced.
    package let usage: ExpressionUsage

    /// Parses and validates a projection expression.
    /// - Parameters:
    ///   - text: The expression.
    ///   - names: `ExpressionAttributeNames`.
    /// - Returns: The parsed expression.
    /// - Throws: `ValidationException` (syntax, reserved words, undefined names, overlapping paths).
    package static func parse(_ text: String, names: [String: String] = [:]) throws(DynamoDBError) -> ProjectionExpression {
        var parser = ExpressionParser(text, kind: .projection)
        let rawPaths = try parser.parseProjection()
        var resolver = ExpressionResolver(names: names, values: [:], kind: .projection)
        if let detail = resolver.reservedWordError(in: rawPaths) { throw resolver.failure(detail) }
        if let detail = resolver.undefinedNameError(in: rawPaths) { throw resolver.failure(detail) }
        var paths: [DocumentPath] = []
        for raw in rawPaths { paths.append(try resolver.path(raw)) }
        try DocumentPath.checkOverlaps(paths, kind: .projection)
        return ProjectionExpression(paths: paths, usage: resolver.usage)
    }

    /// The top-level attributes the projection reads (for index projections and AttributesToGet-like checks).
    package var topLevelAttributes: Set<String> {
        Set(paths.map(\.topLevelName))
    }

    /// Copies only the projected parts of an item. Nested list elements are compacted in index order, as AWS returns them.
    /// - Parameter item: The full item.
    /// - Returns: The projected item (missing paths are simply absent).
    package func project(_ item: Item) -> Item {
        var groups: [String: [ArraySlice<PathElement>]] = [:]
        for path in paths {
            groups[path.topLevelName, default: []].append(path.elements.dropFirst())
        }
        var result: Item = [:]
        for (name, suffixes) in groups {
            guard let value = item[name], let projected = Self.project(value, suffixes) else { continue }
            result[name] = projected
        }
        return result
    }

    private static func project(_ value: AttributeValue, _ suffixes: [ArraySlice<PathElement>]) -> AttributeValue? {
        if suffixes.contains(where: \.isEmpty) { return value }
        switch value {
        case .m(let map):
            var groups: [String: [ArraySlice<PathElement>]] = [:]
            for suffix in suffixes {
                guard case .name(let key)? = suffix.first else { continue }
                groups[key, default: []].append(suffix.dropFirst())
            }
            var result: [String: AttributeValue] = [:]
            for (key, rest) in groups {
                guard let child = map[key], let projected = project(child, rest) else { continue }
                result[key] = projected
            }
            return result.isEmpty ? nil : .m(result)
        case .l(let list):
            var groups: [Int: [ArraySlice<PathElement>]] = [:]
            for suffix in suffixes {
                guard case .index(let index)? = suffix.first else { continue }
                groups[index, default: []].append(suffix.dropFirst())
            }
            var result: [AttributeValue] = []
            for index in groups.keys.sorted() where index < list.count {
                if let rest = groups[index], let projected = project(list[index], rest) { result.append(projected) }
            }
            return result.isEmpty ? nil : .l(result)
        default:
            return nil
        }
    }
}
