import APIGatewayV2Service
import Foundation

/// The `apigateway` errors: the same REST-JSON shapes, codes and statuses as the v2 control plane's.
package typealias RestError = APIGatewayV2Error

/// `patchOperations` as the v1 control plane applies them to a document: `add`, `replace` and `remove` on the
/// paths each kind documents (`/description`, `/variables/{name}`, `/binaryMediaTypes/{type}`...), path segments
/// escaped as JSON Pointer (`~1` for `/`, `~0` for `~`).
package enum RestPatch {
    /// What a path addresses.
    package enum Shape: Sendable, Equatable {
        /// A string member.
        case string
        /// A boolean member (`"true"`/`"false"` in the patch).
        case bool
        /// A whole-number member.
        case int
        /// A number member.
        case double
        /// One entry of a string map (`/variables/{name}`).
        case stringEntry
        /// One entry of a boolean map (`/requestParameters/{name}` of methods).
        case boolEntry
        /// One string of a set-like list (`/binaryMediaTypes/{type}`).
        case setItem
        /// A usage plan's API stage (`/apiStages`, value `{apiId}:{stage}`).
        case apiStage
    }

    /// The patchable paths of a kind: member path (a `*` segment stands for a map key or list item) and shape.
    /// - Parameter kind: The kind.
    /// - Returns: The rules.
    package static func rules(for kind: RestKind) -> [(path: [String], shape: Shape)] {
        switch kind {
        case .restApi:
            [
                (["name"], .string), (["description"], .string), (["version"], .string), (["apiKeySource"], .string),
                (["policy"], .string), (["disableExecuteApiEndpoint"], .bool), (["minimumCompressionSize"], .int),
                (["binaryMediaTypes", "*"], .setItem),
            ]
        case .resource:
            [(["pathPart"], .string), (["parentId"], .string)]
        case .method:
            [
                (["authorizationType"], .string), (["authorizerId"], .string), (["apiKeyRequired"], .bool), (["operationName"], .string),
                (["requestValidatorId"], .string), (["requestParameters", "*"], .boolEntry), (["requestModels", "*"], .stringEntry),
                (["authorizationScopes", "*"], .setItem),
            ]
        case .methodResponse:
            [(["responseParameters", "*"], .boolEntry), (["responseModels", "*"], .stringEntry)]
        case .integration:
            [
                (["uri"], .string), (["httpMethod"], .string), (["credentials"], .string), (["passthroughBehavior"], .string),
                (["contentHandling"], .string), (["cacheNamespace"], .string), (["connectionType"], .string),
                (["connectionId"], .string), (["timeoutInMillis"], .int), (["requestTemplates", "*"], .stringEntry),
                (["requestParameters", "*"], .stringEntry),
            ]
        case .integrationResponse:
            [
                (["selectionPattern"], .string), (["contentHandling"], .string), (["responseTemplates", "*"], .stringEntry),
                (["responseParameters", "*"], .stringEntry),
            ]
        case .deployment:
            [(["description"], .string)]
        case .stage:
            [
                (["description"], .string), (["deploymentId"], .string), (["tracingEnabled"], .bool), (["cacheClusterEnabled"], .bool),
                (["cacheClusterSize"], .string), (["clientCertificateId"], .string), (["variables", "*"], .stringEntry),
            ]
        case .authorizer:
            [
                (["name"], .string), (["type"], .string), (["authorizerUri"], .string), (["authorizerCredentials"], .string),
                (["identitySource"], .string), (["identityValidationExpression"], .string), (["authType"], .string),
                (["authorizerResultTtlInSeconds"], .int), (["providerARNs", "*"], .setItem),
            ]
        case .apiKey:
            [(["name"], .string), (["description"], .string), (["enabled"], .bool), (["customerId"], .string)]
        case .usagePlan:
            [
                (["name"], .string), (["description"], .string), (["productCode"], .string), (["throttle", "burstLimit"], .int),
                (["throttle", "rateLimit"], .double), (["quota", "limit"], .int), (["quota", "offset"], .int), (["quota", "period"], .string),
                (["apiStages"], .apiStage),
            ]
        case .usagePlanKey:
            []
        case .model:
            [(["description"], .string), (["schema"], .string)]
        case .requestValidator:
            [(["name"], .string), (["validateRequestBody"], .bool), (["validateRequestParameters"], .bool)]
        case .gatewayResponse:
            [(["statusCode"], .string), (["responseParameters", "*"], .stringEntry), (["responseTemplates", "*"], .stringEntry)]
        }
    }

    /// The patch operations of a request body (`{"patchOperations": [...]}`; none is no change).
    /// - Parameter body: The body's members.
    /// - Returns: The operations as `(op, path, value)`.
    /// - Throws: `BadRequestException` for a malformed list or operation.
    package static func operations(_ body: [String: V2JSON]) throws(RestError) -> [(op: String, path: String, value: String?)] {
        guard let list = body["patchOperations"] else { return [] }
        guard case .array(let items) = list else { throw .badRequest("Invalid request body: 'patchOperations' must be a list") }
        var result: [(op: String, path: String, value: String?)] = []
        for item in items {
            guard let object = item.objectValue, let op = object["op"]?.stringValue, let path = object["path"]?.stringValue else {
                throw .badRequest("Invalid patch operation specified: each operation needs 'op' and 'path'")
            }
            guard ["add", "remove", "replace", "move", "copy", "test"].contains(op) else {
                throw .badRequest("Invalid patch operation specified. Must be one of: [add, remove, move, test, replace, copy]")
            }
            result.append((op, path, object["value"]?.stringValue))
        }
        return result
    }

    /// Applies patch operations to a document.
    /// - Parameters:
    ///   - operations: The operations, in order.
    ///   - document: The document.
    ///   - kind: Its kind (which paths it takes).
    /// - Returns: The patched document.
    /// - Throws: `BadRequestException` for a path the kind does not take, an unsupported op, or a value of the wrong type.
    package static func apply(
        _ operations: [(op: String, path: String, value: String?)],
        to document: [String: V2JSON],
        kind: RestKind
    ) throws(RestError) -> [String: V2JSON] {
        var document = document
        for operation in operations {
            let invalidPath = RestError.badRequest(
                "Invalid patch path  '\(operation.path)' specified for op '\(operation.op)'. Please choose supported operations"
            )
            guard operation.path.hasPrefix("/") else { throw invalidPath }
            let segments = operation.path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
                $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            }
            guard
                let rule = rules(for: kind).first(where: { rule in
                    rule.path.count == segments.count
                        && zip(rule.path, segments).allSatisfy { pattern, segment in pattern == "*" ? !segment.isEmpty : pattern == segment }
                })
            else { throw invalidPath }
            guard ["add", "replace", "remove"].contains(operation.op) else {
                throw .badRequest("Invalid patch operation specified. Op '\(operation.op)' is not supported for path '\(operation.path)'")
            }
            let removing = operation.op == "remove"
            if !removing, operation.value == nil, rule.shape != .setItem {
                throw .badRequest("Invalid patch value  'null' specified for op '\(operation.op)'. Must be a string")
            }
            let value = operation.value ?? ""
            func typed(_ shape: Shape) throws(RestError) -> V2JSON {
                switch shape {
                case .bool, .boolEntry:
                    guard value == "true" || value == "false" else {
                        throw .badRequest("Invalid patch value  '\(value)' specified for op '\(operation.op)'. Must be a boolean")
                    }
                    return .bool(value == "true")
                case .int:
                    guard let number = Int(value) else {
                        throw .badRequest("Invalid patch value  '\(value)' specified for op '\(operation.op)'. Must be an integer")
                    }
                    return .number(Double(number))
                case .double:
                    guard let number = Double(value), number.isFinite else {
                        throw .badRequest("Invalid patch value  '\(value)' specified for op '\(operation.op)'. Must be a number")
                    }
                    return .number(number)
                default:
                    return .string(value)
                }
            }
            switch rule.shape {
            case .string, .bool, .int, .double:
                if rule.path.count == 1 {
                    document[segments[0]] = removing ? nil : try typed(rule.shape)
                } else {
                    var inner = document[segments[0]]?.objectValue ?? [:]
                    inner[segments[1]] = removing ? nil : try typed(rule.shape)
                    document[segments[0]] = .object(inner)
                }
            case .stringEntry, .boolEntry:
                var map = document[segments[0]]?.objectValue ?? [:]
                map[segments[1]] = removing ? nil : try typed(rule.shape)
                document[segments[0]] = map.isEmpty ? nil : .object(map)
            case .setItem:
                var list = document[segments[0]]?.stringList ?? []
                let item = segments[1]
                switch operation.op {
                case "add":
                    if !list.contains(item) { list.append(item) }
                case "remove":
                    list.removeAll { $0 == item }
                default:
                    guard let index = list.firstIndex(of: item) else { throw invalidPath }
                    list[index] = value
                }
                document[segments[0]] = list.isEmpty ? nil : .array(list.map { .string($0) })
            case .apiStage:
                let parts = value.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2, operation.op != "replace" else {
                    throw .badRequest("Invalid API Stage specified: \(value). Must be of the form {apiId}:{stage}")
                }
                var stages: [V2JSON] = []
                if case .array(let items) = document["apiStages"] { stages = items }
                let entry = V2JSON.object(["apiId": .string(parts[0]), "stage": .string(parts[1])])
                stages.removeAll { $0 == entry }
                if !removing { stages.append(entry) }
                document["apiStages"] = .array(stages)
            }
        }
        return document
    }
}
