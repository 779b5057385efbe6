import AWSGateway

/// Finds the route for a request path the way API Gateway does: the most specific path template wins (a literal
/// segment before `{param}`, `{param}` before a greedy `{proxy+}`), and on that path an exact method before `ANY`.
///
/// A greedy `{name+}` must be the last segment and matches one or more segments, so `/{proxy+}` does not match `/`.
/// A trailing slash on the request is ignored (`/hello/` matches `/hello`).
package struct RouteMatcher: Sendable {
    /// One candidate route.
    package struct Entry: Sendable, Equatable {
        /// The method, or `ANY`.
        package var method: String
        /// The path template.
        package var path: String

        /// Creates an entry.
        /// - Parameters:
        ///   - method: The method, or `ANY`.
        ///   - path: The path template.
        package init(method: String, path: String) {
            self.method = method
            self.path = path
        }
    }

    /// A successful match.
    package struct Match: Sendable, Equatable {
        /// The index of the matched entry.
        package var index: Int
        /// The path parameters by name (percent-decoded; a greedy parameter keeps its slashes).
        package var pathParameters: [String: String]

        /// Creates a match.
        /// - Parameters:
        ///   - index: The entry's index.
        ///   - pathParameters: The path parameters.
        package init(index: Int, pathParameters: [String: String]) {
            self.index = index
            self.pathParameters = pathParameters
        }
    }

    private enum Segment: Sendable {
        case literal(String)
        case parameter(String)
        case greedy(String)

        var rank: Int {
            switch self {
            case .literal: 2
            case .parameter: 1
            case .greedy: 0
            }
        }
    }

    private let entries: [Entry]
    private let templates: [[Segment]]

    /// Creates a matcher over the routes.
    /// - Parameter entries: The routes, in declaration order.
    package init(_ entries: [Entry]) {
        self.entries = entries
        self.templates = entries.map { entry in
            Self.segments(of: entry.path).map { part -> Segment in
                if part.hasPrefix("{"), part.hasSuffix("+}"), part.count > 3 { return .greedy(String(part.dropFirst().dropLast(2))) }
                if part.hasPrefix("{"), part.hasSuffix("}"), part.count > 2 { return .parameter(String(part.dropFirst().dropLast())) }
                return .literal(part)
            }
        }
    }

    /// The best route for a request.
    /// - Parameters:
    ///   - method: The request method.
    ///   - path: The raw request path (after the stage), starting with `/`.
    /// - Returns: The match, or nil when no route takes the request.
    package func match(method: String, path: String) -> Match? {
        let request = Self.segments(of: path)
        var best: (index: Int, ranks: [Int], exactMethod: Bool, parameters: [String: String])?
        for (index, template) in templates.enumerated() {
            let entry = entries[index]
            let exactMethod = entry.method == method
            guard exactMethod || entry.method == "ANY" else { continue }
            guard let (ranks, parameters) = Self.match(template, request) else { continue }
            if let current = best {
                if Self.moreSpecific(ranks, than: current.ranks) || (ranks == current.ranks && exactMethod && !current.exactMethod) {
                    best = (index, ranks, exactMethod, parameters)
                }
            } else {
                best = (index, ranks, exactMethod, parameters)
            }
        }
        return best.map { Match(index: $0.index, pathParameters: $0.parameters) }
    }

    private static func segments(of path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    private static func match(_ template: [Segment], _ request: [String]) -> (ranks: [Int], parameters: [String: String])? {
        var parameters: [String: String] = [:]
        var ranks: [Int] = []
        for (position, segment) in template.enumerated() {
            switch segment {
            case .literal(let text):
                guard position < request.count, request[position] == text else { return nil }
            case .parameter(let name):
                guard position < request.count else { return nil }
                parameters[name] = URLComponentsDecoding.decode(request[position])
            case .greedy(let name):
                guard position == template.count - 1, position < request.count else { return nil }
                parameters[name] = URLComponentsDecoding.decode(request[position...].joined(separator: "/"))
                ranks.append(segment.rank)
                return (ranks, parameters)
            }
            ranks.append(segment.rank)
        }
        return template.count == request.count ? (ranks, parameters) : nil
    }

    /// Whether `lhs` is more specific: the first differing segment is ranked higher (literal > parameter > greedy).
    private static func moreSpecific(_ lhs: [Int], than rhs: [Int]) -> Bool {
        for (left, right) in zip(lhs, rhs) where left != right {
            return left > right
        }
        return lhs.count > rhs.count
    }
}
