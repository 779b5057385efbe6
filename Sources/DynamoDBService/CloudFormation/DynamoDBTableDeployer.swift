import CloudFormation
import Foundation
import GRDB

/// Deploys `AWS::DynamoDB::Table` at runtime: creates the table as the start-up template would, updates it in place
/// (global secondary indexes added, with their items backfilled, or removed; TTL, billing, throughput, stream,
/// deletion protection, table class, tags) keeping its items, and deletes it.
package struct DynamoDBTableDeployer: ResourceDeployer {
    private let service: DynamoDBService

    /// Creates the deployer of one DynamoDB service.
    /// - Parameter service: The service whose store holds the tables.
    package init(service: DynamoDBService) { self.service = service }

    /// Tables.
    package var deployableTypes: Set<String> { [DynamoDBTableProvider.tableType] }

    /// `TableName`, `KeySchema` and `LocalSecondaryIndexes` replace a table.
    /// - Parameter type: The resource type.
    /// - Returns: The property names.
    package func replacementProperties(of type: String) -> Set<String> { ["TableName", "KeySchema", "LocalSecondaryIndexes"] }

    /// Creates the table, refusing a name that exists.
    /// - Parameters:
    ///   - resource: The resolved table.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` with CloudFormation's reason.
    package func create(_ resource: StackResource, in stack: Stack) async throws {
        let spec = try DynamoDBTableSpec(resource)
        let meta = DynamoDBService.metadata(from: spec, now: service.clock.now.timeIntervalSince1970, environment: service.environment.current)
        let stored = try await service.database.write { db -> TableMetadata? in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM ddb_table WHERE name = ?", arguments: [spec.name]) ?? false { return nil }
            return try ItemStore.insertTable(db, meta)
        }
        guard let stored else {
            throw ResourceDeploymentError("Resource of type '\(DynamoDBTableProvider.tableType)' with identifier '\(spec.name)' already exists.")
        }
        service.setCached(spec.name, TableView(stored))
    }

    /// Updates the table in place; its items stay, a new global secondary index is backfilled from them.
    /// - Parameters:
    ///   - old: The deployed table.
    ///   - new: The new table.
    ///   - stack: The new stack.
    /// - Throws: ``ResourceDeploymentError`` when the table is gone or an index changes other than by throughput.
    package func update(_ old: StackResource, to new: StackResource, in stack: Stack) async throws {
        let spec = try DynamoDBTableSpec(new)
        guard let view = service.cachedTable(spec.name) else {
            throw ResourceDeploymentError("Requested resource not found: Table: \(spec.name) not found")
        }
        let current = view.meta
        let now = service.clock.now.timeIntervalSince1970
        var meta = DynamoDBService.metadata(from: spec, now: now, environment: service.environment.current)
        meta.id = current.id
        meta.tableId = current.tableId
        meta.arn = current.arn
        meta.creationTime = current.creationTime
        meta.billingModeChangedAt = meta.billingMode == current.billingMode ? current.billingModeChangedAt : now
        let streamChanged = meta.streamEnabled != current.streamEnabled || meta.streamViewType != current.streamViewType
        meta.streamLabel = streamChanged ? meta.streamLabel : current.streamLabel
        for index in meta.indexes {
            guard let existing = current.indexes.first(where: { $0.name == index.name }) else { continue }
            if existing.keySchema != index.keySchema || existing.projectionType != index.projectionType
                || existing.nonKeyAttributes != index.nonKeyAttributes
            {
                throw ResourceDeploymentError(
                    "Cannot update GSI's properties other than Provisioned Throughput and Contributor Insights Specification. "
                        + "You can create a new GSI with a different name."
                )
            }
        }
        let created = meta.indexes.filter { index in !current.indexes.contains { $0.name == index.name } }.map(\.name)
        let removed = current.indexes.map(\.name).filter { name in !meta.indexes.contains { $0.name == name } }
        let newView = TableView(meta)
        let finalMeta = meta
        try await service.database.write { db in
            try ItemStore.saveTable(db, finalMeta)
            if streamChanged {
                try StreamStore.disable(db, table: finalMeta.id, keep: finalMeta.streamEnabled ? finalMeta.streamArn : nil, now: now)
            }
            for name in removed {
                try db.execute(sql: "DELETE FROM ddb_item WHERE tbl = ? AND idx = ?", arguments: [finalMeta.id, name])
            }
            for name in created {
                if let compiled = newView.index(name) { try ItemStore.backfill(db, table: newView, index: compiled) }
            }
        }
        service.setCached(spec.name, newView)
    }

    /// Deletes the table and its items; a table already gone is not an error.
    /// - Parameters:
    ///   - resource: The deployed table.
    ///   - stack: Its stack.
    /// - Throws: ``ResourceDeploymentError`` when deletion protection is on.
    package func delete(_ resource: StackResource, in stack: Stack) async throws {
        guard let view = service.cachedTable(resource.physicalId) else { return }
        if view.meta.deletionProtection {
            throw ResourceDeploymentError(
                "Resource handler returned message: \"Table \(resource.physicalId) can't be deleted while DeletionProtectionEnabled "
                    + "is set to True\""
            )
        }
        let now = service.clock.now.timeIntervalSince1970
        let id = view.meta.id
        try await service.database.write { db in
            try ItemStore.deleteTable(db, id: id)
            try StreamStore.disable(db, table: id, keep: nil, now: now)
        }
        service.setCached(resource.physicalId, nil)
    }
}
