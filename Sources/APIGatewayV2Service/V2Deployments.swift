import Foundation

/// Deployments as snapshots, as API Gateway keeps them: `CreateDeployment` freezes the API's routes, route
/// responses, integrations, integration responses and authorizers, and a stage serves the snapshot of the
/// deployment it points to, so a change is live only after a new deployment (or at once on an `AutoDeploy` stage,
/// which redeploys after each change). `UpdateStage` with an older `DeploymentId` rolls the stage back.
///
/// The snapshot is kept in the deployment's document under `_snapshot` (never shown: ``V2Resource/wireDocument``).
/// The template's WebSocket APIs keep serving their current configuration (the template declares them again at
/// every start).
extension APIGatewayV2Service {
    /// The kinds a deployment freezes.
    static let deployedKinds: Set<V2ResourceKind> = [.route, .routeResponse, .integration, .integrationResponse, .authorizer]

    /// A deployment carrying the snapshot of the API's current configuration.
    /// - Parameter deployment: The new deployment.
    /// - Returns: The deployment with its `_snapshot`.
    func snapshotted(_ deployment: V2Resource) -> V2Resource {
        var deployment = deployment
        let frozen = store.all(apiId: deployment.apiId).filter { Self.deployedKinds.contains($0.kind) }
        deployment.document[Self.snapshotMember] = .array(
            frozen.map { resource in
                .object([
                    "kind": .string(resource.kind.rawValue), "id": .string(resource.id), "parentId": .string(resource.parentId),
                    "document": .object(resource.document),
                ])
            }
        )
        return deployment
    }

    /// After a change: redeploys the API's `AutoDeploy` stages when what a deployment freezes changed (or the
    /// stage itself was created or switched to `AutoDeploy`), then hands the data plane what the stages serve.
    /// - Parameters:
    ///   - apiId: The API.
    ///   - kind: What changed.
    ///   - stage: For a created or updated stage: its name and whether it asks for a deployment now.
    /// - Throws: Storage errors.
    func changed(apiId: String, kind: V2ResourceKind, stage: (name: String, deploys: Bool)? = nil) throws {
        if Self.deployedKinds.contains(kind) {
            try autoDeploy(apiId: apiId, only: nil)
        } else if kind == .stage, let stage, stage.deploys {
            try autoDeploy(apiId: apiId, only: stage.name)
        }
        syncDataPlane(apiId: apiId)
    }

    /// Creates a deployment for each `AutoDeploy` stage (or the one named) and points the stage at it, as API
    /// Gateway's automatic deployments do (`autoDeployed: true`); nothing while the API has no route (a deployment
    /// needs one).
    private func autoDeploy(apiId: String, only stageName: String?) throws {
        guard let api = store.get(.api, apiId: apiId, id: apiId), !api.fromTemplate, !store.list(.route, apiId: apiId).isEmpty else { return }
        for var stage in store.list(.stage, apiId: apiId) where stage.document["autoDeploy"]?.boolValue == true {
            if let stageName, stage.id != stageName { continue }
            let id = V2Identifiers.make(length: V2ResourceKind.deployment.idLength)
            var document = defaults(.deployment, protocolType: api.string("protocolType") ?? "", id: id)
            document["autoDeployed"] = .bool(true)
            document["description"] = .string("Automatic deployment triggered by changes to the Api configuration")
            try store.put(snapshotted(V2Resource(kind: .deployment, apiId: apiId, id: id, document: document)))
            stage.document["deploymentId"] = .string(id)
            stage.document["lastUpdatedDate"] = .string(nowText)
            try store.put(stage)
        }
    }

    /// What the data plane serves for an API: its current resources for a template API; for an API-created one,
    /// the stages that point at a deployment and the snapshot of that deployment (when stages point at different
    /// deployments, the most recent of those deployments and its stages).
    /// - Parameter api: The API.
    /// - Returns: The API, the served stages and the frozen resources.
    func servedResources(of api: V2Resource) -> [V2Resource] {
        let all = store.all(apiId: api.apiId)
        guard !api.fromTemplate else { return all }
        let deployments = all.filter { $0.kind == .deployment }
        let pointed = Set(all.filter { $0.kind == .stage }.compactMap { $0.string("deploymentId") })
        guard let served = deployments.last(where: { pointed.contains($0.id) }),
            case .array(let snapshot) = served.document[Self.snapshotMember]
        else { return [api] }
        var resources = [api] + all.filter { $0.kind == .stage && $0.string("deploymentId") == served.id }
        for case .object(let entry) in snapshot {
            guard let kind = entry["kind"]?.stringValue.flatMap(V2ResourceKind.init(rawValue:)), let id = entry["id"]?.stringValue,
                let document = entry["document"]?.objectValue
            else { continue }
            resources.append(V2Resource(kind: kind, apiId: api.apiId, parentId: entry["parentId"]?.stringValue ?? "", id: id, document: document))
        }
        return resources
    }

    /// The member of a deployment's document holding its snapshot.
    static let snapshotMember = "_snapshot"
}

extension V2Resource {
    /// The document as the API answers it: members the emulator keeps for itself (`_snapshot`) left out, and a
    /// deployment's `stageName` (CreateDeployment's input, which AWS's `Deployment` shape does not return).
    package var wireDocument: [String: V2JSON] {
        document.filter { !$0.key.hasPrefix("_") && !(kind == .deployment && $0.key == "stageName") }
    }
}
