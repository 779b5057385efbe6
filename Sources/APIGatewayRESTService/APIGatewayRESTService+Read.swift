import APIGatewayV2Service
import Foundation

extension APIGatewayRESTService {
    // MARK: Get and list

    /// The document of the item an operation names.
    func read(_ operation: RestOperation, query: [String: String]) throws(RestError) -> [String: V2JSON] {
        switch operation.kind {
        case .method, .methodResponse, .integration, .integrationResponse:
            return try part(operation).document
        case .resource:
            return Self.resourceView(try resource(operation.apiId, operation.id).document, embed: query["embed"])
        case .gatewayResponse:
            return try gatewayResponse(operation.apiId, type: operation.id)
        case .usagePlanKey:
            guard store.get(.usagePlan, id: operation.parentId) != nil else { throw Self.notFound(.usagePlan) }
            let key = try item(.usagePlanKey, scope: operation.parentId, id: operation.id)
            return Self.planKey(key.document, key: store.get(.apiKey, id: key.id)?.document)
        default:
            return try item(operation.kind, scope: Self.scope(of: operation), id: operation.id).document
        }
    }

    /// A resource as GetResource(s) answer it: methods in full with `embed=methods`, else their names only.
    static func resourceView(_ document: [String: V2JSON], embed: String?) -> [String: V2JSON] {
        guard embed?.split(separator: ",").contains("methods") != true, let methods = document["resourceMethods"]?.objectValue else {
            return document
        }
        var document = document
        document["resourceMethods"] = .object(methods.mapValues { _ in .object([:]) })
        return document
    }

    /// One page of a collection: `{"item": [...], "position": ...}`.
    func list(_ operation: RestOperation, query: [String: String]) throws(RestError) -> V2JSON {
        var documents: [[String: V2JSON]]
        switch operation.kind {
        case .restApi, .apiKey, .usagePlan:
            documents = store.list(operation.kind).map { Self.visible($0.document, kind: operation.kind, query: query) }
            if operation.kind == .apiKey, let prefix = query["name"] {
                documents = documents.filter { ($0["name"]?.stringValue ?? "").hasPrefix(prefix) }
            }
            if operation.kind == .usagePlan, let keyId = query["keyId"] {
                documents = documents.filter { store.get(.usagePlanKey, scope: $0["id"]?.stringValue ?? "", id: keyId) != nil }
            }
        case .usagePlanKey:
            guard store.get(.usagePlan, id: operation.parentId) != nil else { throw Self.notFound(.usagePlan) }
            documents = store.list(.usagePlanKey, scope: operation.parentId).map {
                Self.planKey($0.document, key: store.get(.apiKey, id: $0.id)?.document)
            }
        case .resource:
            _ = try restApi(operation.apiId)
            documents = store.list(.resource, scope: operation.apiId).map { Self.resourceView($0.document, embed: query["embed"]) }
        case .gatewayResponse:
            return try gatewayResponses(operation.apiId)
        default:
            _ = try restApi(operation.apiId)
            documents = store.list(operation.kind, scope: operation.apiId).map { Self.visible($0.document, kind: operation.kind, query: query) }
        }
        var limit = 25
        if let text = query["limit"] {
            guard let value = Int(text), value > 0 else { throw .badRequest("Invalid limit specified: \(text). Must be a positive integer") }
            limit = min(value, 500)
        }
        var start = 0
        if let position = query["position"] {
            guard let index = documents.firstIndex(where: { Self.itemKey($0) == position }) else {
                throw .badRequest("Invalid position parameter")
            }
            start = index
        }
        let end = min(documents.count, start + limit)
        var page: [String: V2JSON] = ["item": .array(documents[start..<end].map { V2JSON.object($0) })]
        if end < documents.count { page["position"] = .string(Self.itemKey(documents[end])) }
        return .object(page)
    }

    static func itemKey(_ document: [String: V2JSON]) -> String {
        document["id"]?.stringValue ?? document["stageName"]?.stringValue ?? ""
    }

    // MARK: Update

    /// Applies an update's patch operations and answers the new document.
    func update(_ operation: RestOperation, body: [String: V2JSON]) throws -> [String: V2JSON] {
        let operations = try RestPatch.operations(body)
        switch operation.kind {
        case .method, .methodResponse, .integration, .integrationResponse:
            var (resource, document) = try part(operation)
            document = try RestPatch.apply(operations, to: document, kind: operation.kind)
            if operation.kind == .method {
                try checkAuthorization(document, apiId: operation.apiId)
                try checkRequestValidation(document, apiId: operation.apiId)
            }
            if operation.kind == .integration { try RestValidation.integration(document) }
            resource.document = Self.setting(document, at: Self.partPath(operation), in: resource.document)
            try store.put([resource])
            return document
        case .resource:
            return try updateResource(operation, operations: operations)
        case .gatewayResponse:
            return try updateGatewayResponse(operation.apiId, type: operation.id, operations: operations)
        default:
            var item = try self.item(operation.kind, scope: Self.scope(of: operation), id: operation.id)
            item.document = try RestPatch.apply(operations, to: item.document, kind: operation.kind)
            switch operation.kind {
            case .stage:
                guard store.get(.deployment, scope: operation.apiId, id: item.document["deploymentId"]?.stringValue ?? "") != nil else {
                    throw Self.notFound(.deployment)
                }
                item.document["lastUpdatedDate"] = nowValue
            case .apiKey:
                item.document["lastUpdatedDate"] = nowValue
            case .authorizer:
                try RestValidation.authorizer(item.document)
            case .model:
                try RestValidation.model(
                    name: item.id,
                    contentType: item.document["contentType"]?.stringValue ?? "",
                    schema: item.document["schema"]?.stringValue
                )
            case .usagePlan:
                try checkApiStages(item.document["apiStages"])
            case .restApi:
                guard let name = item.document["name"]?.stringValue, !name.isEmpty else {
                    throw RestError.badRequest("Invalid REST API name specified")
                }
            default:
                break
            }
            try store.put([item])
            syncAll()
            return item.document
        }
    }

    func updateResource(_ operation: RestOperation, operations: [(op: String, path: String, value: String?)]) throws -> [String: V2JSON] {
        var resource = try self.resource(operation.apiId, operation.id)
        guard resource.document["parentId"] != nil else { throw RestError.badRequest("Root resource cannot be updated") }
        resource.document = try RestPatch.apply(operations, to: resource.document, kind: .resource)
        let pathPart = resource.document["pathPart"]?.stringValue ?? ""
        try RestValidation.pathPart(pathPart)
        let parent = try self.resource(operation.apiId, resource.document["parentId"]?.stringValue ?? "")
        var all = store.list(.resource, scope: operation.apiId)
        // The new parent must not be the resource itself or one of its descendants.
        let descendants = Self.descendants(of: resource.id, in: all)
        guard parent.id != resource.id, !descendants.contains(parent.id) else {
            throw RestError.badRequest("Invalid Resource identifier specified: a resource cannot be its own ancestor")
        }
        try RestValidation.checkSiblings(parent: parent, pathPart: pathPart, exceptId: resource.id, resources: all)
        if let index = all.firstIndex(where: { $0.id == resource.id }) { all[index] = resource }
        // Paths of the resource and every descendant follow the new parent or part.
        var changed: [RestItem] = []
        let byId = Dictionary(all.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func path(of id: String, depth: Int) -> String {
            guard depth <= all.count, let item = byId[id], let parentId = item.document["parentId"]?.stringValue else { return "/" }
            return Self.childPath(parent: path(of: parentId, depth: depth + 1), part: item.document["pathPart"]?.stringValue ?? "")
        }
        for id in [resource.id] + descendants {
            guard var item = byId[id] else { continue }
            item.document["path"] = .string(path(of: id, depth: 0))
            changed.append(item)
        }
        try store.put(changed)
        return changed.first?.document ?? resource.document
    }

    static func descendants(of id: String, in resources: [RestItem]) -> [String] {
        var found: [String] = []
        var frontier = [id]
        while let current = frontier.popLast() {
            for child in resources where child.document["parentId"]?.stringValue == current && !found.contains(child.id) && child.id != id {
                found.append(child.id)
                frontier.append(child.id)
            }
        }
        return found
    }

    // MARK: Delete

    /// Deletes the item an operation names (and what lives under it).
    func delete(_ operation: RestOperation) throws {
        switch operation.kind {
        case .method, .methodResponse, .integration, .integrationResponse:
            var (resource, _) = try part(operation)
            resource.document = Self.setting(nil, at: Self.partPath(operation), in: resource.document)
            if let methods = resource.document["resourceMethods"]?.objectValue, methods.isEmpty { resource.document["resourceMethods"] = nil }
            try store.put([resource])
        case .restApi:
            _ = try restApi(operation.apiId)
            try store.remove { ($0.kind == .restApi && $0.id == operation.apiId) || ($0.kind != .usagePlanKey && $0.scope == operation.apiId) }
            syncDataPlane(operation.apiId)
        case .resource:
            let resource = try self.resource(operation.apiId, operation.id)
            guard resource.document["parentId"] != nil else { throw RestError.badRequest("Cannot delete root resource") }
            let gone = Set([resource.id] + Self.descendants(of: resource.id, in: store.list(.resource, scope: operation.apiId)))
            try store.remove { $0.kind == .resource && $0.scope == operation.apiId && gone.contains($0.id) }
        case .deployment:
            _ = try item(.deployment, scope: operation.apiId, id: operation.id)
            let inUse: ([RestItem]) throws -> Void = { all in
                if all.contains(where: {
                    $0.kind == .stage && $0.scope == operation.apiId && $0.document["deploymentId"]?.stringValue == operation.id
                }) {
                    throw RestError.badRequest("Active stages pointing to this deployment must be moved or deleted")
                }
            }
            try store.remove(check: inUse, where: { $0.kind == .deployment && $0.scope == operation.apiId && $0.id == operation.id })
        case .apiKey:
            _ = try item(.apiKey, scope: "", id: operation.id)
            try store.remove { ($0.kind == .apiKey && $0.id == operation.id) || ($0.kind == .usagePlanKey && $0.id == operation.id) }
            syncAll()
        case .usagePlan:
            _ = try item(.usagePlan, scope: "", id: operation.id)
            try store.remove { ($0.kind == .usagePlan && $0.id == operation.id) || ($0.kind == .usagePlanKey && $0.scope == operation.id) }
            syncAll()
        case .gatewayResponse:
            try deleteGatewayResponse(operation.apiId, type: operation.id)
        case .model:
            try deleteModel(operation.apiId, name: operation.id)
        case .usagePlanKey:
            guard store.get(.usagePlan, id: operation.parentId) != nil else { throw Self.notFound(.usagePlan) }
            _ = try item(.usagePlanKey, scope: operation.parentId, id: operation.id)
            try store.remove { $0.kind == .usagePlanKey && $0.scope == operation.parentId && $0.id == operation.id }
            syncAll()
        default:
            let scope = Self.scope(of: operation)
            _ = try item(operation.kind, scope: scope, id: operation.id)
            try store.remove { $0.kind == operation.kind && $0.scope == scope && $0.id == operation.id }
            syncDataPlane(operation.apiId)
        }
    }
}
