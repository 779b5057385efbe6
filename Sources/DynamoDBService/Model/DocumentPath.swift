import Foundation

/// One step of a document path: a map key or a list index.
package enum PathElement: Sendable, Hashable {
    /// A map key (or the top-level attribute name).
    case name(String)
    /// A list index.
    case index(Int)
}

/// A resolved document path such as `a.b[2].c` (placeholders already substituted).
package struct DocumentPath: Sendable, Hashable, CustomStringConvertible {
    /// The steps; the first is always a `.name`.
    package let elements: [PathElement]

    /// Creates a path.
    /// - Parameter elements: The steps; the first should be a `.name`.
    package init(_ elements: [PathElement]) {
        self.elements = elements
    }

    /// A top-level attribute path.
    /// - Parameter name: The attribute name.
    package init(attribute name: String) {
        self.elements = [.name(name)]
    }

    /// The top-level attribute this path starts at.
    package var topLevelName: String {
        if case .name(let name) = elements.first { return name }
        return ""
    }

    /// `a.b[2]` form.
    package var description: String {
        var result = ""
        for element in elements {
            switch element {
            case .name(let name): result += result.isEmpty ? name : ".\(name)"
            case .index(let index): result += "[\(index)]"
            }
        }
        return result
    }

    /// The form AWS uses in overlap/conflict messages, e.g. `[a, b, [2]]`.
    package var awsRendering: String {
        let parts = elements.map { element -> String in
            switch element {
            case .name(let name): name
            case .index(let index): "[\(index)]"
            }
        }
        return "[" + parts.joined(separator: ", ") + "]"
    }

    /// Reads the value at this path.
    /// - Parameter item: The item (nil when it does not exist).
    /// - Returns: The value, or nil when any step is missing or has the wrong type.
    package func value(in item: Item?) -> AttributeValue? {
        guard let item, case .name(let first) = elements.first, var current = item[first] else { return nil }
        for element in elements.dropFirst() {
            switch (element, current) {
            case (.name(let key), .m(let map)):
                guard let next = map[key] else { return nil }
                current = next
            case (.index(let index), .l(let list)):
                guard index >= 0, index < list.count else { return nil }
                current = list[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Returns `item` with `newValue` stored at this path (a list index past the end appends).
    /// - Parameters:
    ///   - newValue: The value to store.
    ///   - item: The item.
    /// - Returns: The updated item.
    /// - Throws: "The document path provided in the update expression is invalid for update" when a parent is missing or has the wrong type.
    package func setting(_ newValue: AttributeValue, in item: Item) throws(DynamoDBError) -> Item {
        guard case .name(let first) = elements.first else {
            throw .validation(DynamoDBMessages.invalidDocumentPathForUpdate)
        }
        var result = item
        if elements.count == 1 {
            result[first] = newValue
            return result
        }
        guard let parent = item[first] else { throw .validation(DynamoDBMessages.invalidDocumentPathForUpdate) }
        result[first] = try Self.set(newValue, at: elements[1...], in: parent)
        return result
    }

    private static func set(
        _ newValue: AttributeValue,
        at rest: ArraySlice<PathElement>,
        in container: AttributeValue
    ) throws(DynamoDBError)
        -> AttributeValue
    {
        guard let step = rest.first else { return newValue }
        let remaining = rest.dropFirst()
        switch (step, container) {
        case (.name(let key), .m(var map)):
            if remaining.isEmpty {
                map[key] = newValue
            } else {
                guard let child = map[key] else { throw .validation(DynamoDBMessages.invalidDocumentPathForUpdate) }
                map[key] = try set(newValue, at: remaining, in: child)
            }
            return .m(map)
        case (.index(let index), .l(var list)):
            if remaining.isEmpty {
                if index < list.count { list[index] = newValue } else { list.append(newValue) }
            } else {
                guard index < list.count else { throw .validation(DynamoDBMessages.invalidDocumentPathForUpdate) }
                list[index] = try set(newValue, at: remaining, in: list[index])
            }
            return .l(list)
        default:
            throw .validation(DynamoDBMessages.invalidDocumentPathForUpdate)
        }
    }

    /// Returns `item` without the value at this path; a missing path leaves the item unchanged.
    /// - Parameter item: The item.
    /// - Returns: The updated item.
    package func removing(from item: Item) -> Item {
        guard case .name(let first) = elements.first else { return item }
        var result = item
        if elements.count == 1 {
            result[first] = nil
            return result
        }
        guard let parent = item[first], let updated = Self.remove(at: elements[1...], in: parent) else { return item }
        result[first] = updated
        return result
    }

    private static func remove(at rest: ArraySlice<PathElement>, in container: AttributeValue) -> AttributeValue? {
        guard let step = rest.first else { return nil }
        let remaining = rest.dropFirst()
        switch (step, container) {
        case (.name(let key), .m(var map)):
            guard let child = map[key] else { return nil }
            if remaining.isEmpty {
                map[key] = nil
            } else {
                guard let updated = remove(at: remaining, in: child) else { return nil }
                map[key] = updated
            }
            return .m(map)
        case (.index(let index), .l(var list)):
            guard index < list.count else { return nil }
            if remaining.isEmpty {
                list.remove(at: index)
            } else {
                guard let updated = remove(at: remaining, in: list[index]) else { return nil }
                list[index] = updated
            }
            return .l(list)
        default:
            return nil
        }
    }

    /// How two paths of one expression relate.
    package enum Relation: Sendable, Equatable {
        /// Neither is a prefix of the other.
        case independent
        /// One path is a prefix of (or equal to) the other.
        case overlap
        /// At the same position one uses a map key and the other a list index.
        case conflict
    }

    /// Compares two paths for AWS's overlap/conflict rule.
    /// - Parameter other: The other path.
    /// - Returns: The relation.
    package func relation(to other: DocumentPath) -> Relation {
        for (left, right) in zip(elements, other.elements) where left != right {
            switch (left, right) {
            case (.name, .index), (.index, .name): return .conflict
            default: return .independent
            }
        }
        return .overlap
    }

    /// Throws AWS's overlap error for the first overlapping pair, else its conflict error for the first conflicting pair.
    ///
    /// Each path is compared with the paths before it, in source order; "path one" is the earlier path.
    /// - Parameters:
    ///   - paths: Paths in source order.
    ///   - kind: The expression kind for the message prefix.
    /// - Throws: ValidationException "Two document paths overlap/conflict with each other; ...".
    static func checkOverlaps(_ paths: [DocumentPath], kind: ExpressionKind) throws(DynamoDBError) {
        var conflict: String?
        for second in paths.indices {
            for first in paths.indices where first < second {
                switch paths[first].relation(to: paths[second]) {
                case .independent:
                    continue
                case .overlap:
                    let detail = DynamoDBMessages.pathsOverlap(paths[first].awsRendering, paths[second].awsRendering)
                    throw .validation(DynamoDBMessages.invalidExpression(kind, detail))
                case .conflict:
                    if conflict == nil {
                        conflict = DynamoDBMessages.pathsConflict(paths[first].awsRendering, paths[second].awsRendering)
                    }
                }
            }
        }
        if let conflict { throw .validation(DynamoDBMessages.invalidExpression(kind, conflict)) }
    }
}
