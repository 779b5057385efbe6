import Foundation
import GRDB

/// Groups, memberships and domains in `cognito-idp.sqlite`: a membership goes with its group or its user (foreign
/// keys), groups and the domain go with their pool.
extension UserPoolsStore {
    // MARK: Groups

    /// Inserts a new group; false when the pool already has a group of that name.
    /// - Throws: ``UserPoolsError/poolNotFound(_:)`` when the pool is gone, or database errors.
    func insert(_ group: UserPoolGroupRecord) async throws -> Bool {
        let record = try Self.encode(group)
        return try await db.write { db in
            guard try Self.poolExists(group.poolId, db) else { throw UserPoolsError.poolNotFound(group.poolId) }
            if try Self.groupExists(poolId: group.poolId, name: group.name, db) { return false }
            try db.execute(
                sql: "INSERT INTO poolGroup (poolId, name, record, fromTemplate, createdAt) VALUES (?, ?, ?, 0, ?)",
                arguments: [group.poolId, group.name, record, group.createdAt.timeIntervalSince1970]
            )
            return true
        }
    }

    /// The group of a pool with this name.
    func group(poolId: String, name: String) async throws -> UserPoolGroupRecord? {
        try await db.read { db in
            try String.fetchOne(db, sql: "SELECT record FROM poolGroup WHERE poolId = ? AND name = ?", arguments: [poolId, name]).flatMap {
                Self.decode(UserPoolGroupRecord.self, $0)
            }
        }
    }

    /// Replaces a group's settings (its members stay); false when the group is gone.
    func update(_ group: UserPoolGroupRecord) async throws -> Bool {
        let record = try Self.encode(group)
        return try await db.write { db in
            try db.execute(sql: "UPDATE poolGroup SET record = ? WHERE poolId = ? AND name = ?", arguments: [record, group.poolId, group.name])
            return db.changesCount > 0
        }
    }

    /// Deletes a group with its memberships; false when it did not exist.
    func deleteGroup(poolId: String, name: String) async throws -> Bool {
        try await db.write { db in
            try db.execute(sql: "DELETE FROM poolGroup WHERE poolId = ? AND name = ?", arguments: [poolId, name])
            return db.changesCount > 0
        }
    }

    /// A page of a pool's groups in creation order.
    func groups(poolId: String, offset: Int, limit: Int) async throws -> (groups: [UserPoolGroupRecord], more: Bool) {
        let records = try await db.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT record FROM poolGroup WHERE poolId = ? ORDER BY createdAt, name LIMIT ? OFFSET ?",
                arguments: [poolId, limit + 1, offset]
            )
        }
        let groups = records.compactMap { Self.decode(UserPoolGroupRecord.self, $0) }
        return (Array(groups.prefix(limit)), groups.count > limit)
    }

    // MARK: Memberships

    /// Adds a user to a group (adding a member again changes nothing).
    /// - Throws: ``UserPoolsError/groupNotFound`` or ``UserPoolsError/userNotFound`` when either is gone.
    func addMember(poolId: String, groupName: String, usernameKey: String, at date: Date) async throws {
        try await db.write { db in
            guard try Self.groupExists(poolId: poolId, name: groupName, db) else { throw UserPoolsError.groupNotFound }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM poolUser WHERE poolId = ? AND usernameKey = ?", arguments: [poolId, usernameKey]) != nil
            else { throw UserPoolsError.userNotFound }
            try db.execute(
                sql: "INSERT OR IGNORE INTO poolGroupMember (poolId, groupName, usernameKey, addedAt) VALUES (?, ?, ?, ?)",
                arguments: [poolId, groupName, usernameKey, date.timeIntervalSince1970]
            )
        }
    }

    /// Removes a user from a group (a user who is not a member stays so).
    /// - Throws: ``UserPoolsError/groupNotFound`` when the group is gone.
    func removeMember(poolId: String, groupName: String, usernameKey: String) async throws {
        try await db.write { db in
            guard try Self.groupExists(poolId: poolId, name: groupName, db) else { throw UserPoolsError.groupNotFound }
            try db.execute(
                sql: "DELETE FROM poolGroupMember WHERE poolId = ? AND groupName = ? AND usernameKey = ?",
                arguments: [poolId, groupName, usernameKey]
            )
        }
    }

    /// A page of a user's groups in the groups' creation order (nil limit: all of them).
    func groups(poolId: String, usernameKey: String, offset: Int = 0, limit: Int? = nil) async throws -> (groups: [UserPoolGroupRecord], more: Bool) {
        // SQLite's LIMIT -1: no limit.
        let rows = limit.map { $0 + 1 } ?? -1
        let records = try await db.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT g.record FROM poolGroupMember m JOIN poolGroup g ON g.poolId = m.poolId AND g.name = m.groupName
                    WHERE m.poolId = ? AND m.usernameKey = ? ORDER BY g.createdAt, g.name LIMIT ? OFFSET ?
                    """,
                arguments: [poolId, usernameKey, rows, offset]
            )
        }
        let groups = records.compactMap { Self.decode(UserPoolGroupRecord.self, $0) }
        guard let limit else { return (groups, false) }
        return (Array(groups.prefix(limit)), groups.count > limit)
    }

    /// A page of a group's users in the order they were added.
    func users(poolId: String, groupName: String, offset: Int, limit: Int) async throws -> (users: [PoolUserRecord], more: Bool) {
        let records = try await db.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT u.record FROM poolGroupMember m JOIN poolUser u ON u.poolId = m.poolId AND u.usernameKey = m.usernameKey
                    WHERE m.poolId = ? AND m.groupName = ? ORDER BY m.addedAt, m.usernameKey LIMIT ? OFFSET ?
                    """,
                arguments: [poolId, groupName, limit + 1, offset]
            )
        }
        let users = records.compactMap { Self.decode(PoolUserRecord.self, $0) }
        return (Array(users.prefix(limit)), users.count > limit)
    }

    private static func groupExists(poolId: String, name: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM poolGroup WHERE poolId = ? AND name = ?", arguments: [poolId, name]) != nil
    }

    // MARK: Domains

    /// What CreateUserPoolDomain found.
    enum DomainInsertion: Sendable, Equatable {
        /// The domain is the pool's.
        case inserted
        /// The pool already has a domain.
        case poolHasDomain
        /// Another pool has this domain.
        case domainTaken
    }

    /// Gives a pool its domain, unless it has one or the domain is another pool's.
    /// - Throws: ``UserPoolsError/poolNotFound(_:)`` when the pool is gone, or database errors.
    func insert(_ domain: UserPoolDomainRecord) async throws -> DomainInsertion {
        try await db.write { db in
            guard try Self.poolExists(domain.poolId, db) else { throw UserPoolsError.poolNotFound(domain.poolId) }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM poolDomain WHERE poolId = ?", arguments: [domain.poolId]) != nil { return .poolHasDomain }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM poolDomain WHERE domain = ?", arguments: [domain.domain]) != nil { return .domainTaken }
            try db.execute(
                sql: "INSERT INTO poolDomain (domain, poolId, managedLoginVersion, fromTemplate, createdAt) VALUES (?, ?, ?, 0, ?)",
                arguments: [domain.domain, domain.poolId, domain.managedLoginVersion, domain.createdAt.timeIntervalSince1970]
            )
            return .inserted
        }
    }

    /// The domain with this name.
    func domain(_ name: String) async throws -> UserPoolDomainRecord? {
        try await db.read { db in try Self.domain(db, sql: "SELECT * FROM poolDomain WHERE domain = ?", name) }
    }

    /// A pool's domain.
    func domain(ofPool poolId: String) async throws -> UserPoolDomainRecord? {
        try await db.read { db in try Self.domain(db, sql: "SELECT * FROM poolDomain WHERE poolId = ?", poolId) }
    }

    /// Changes a pool's domain's `ManagedLoginVersion`; false when the pool has no such domain.
    func updateDomain(_ name: String, poolId: String, managedLoginVersion: Int) async throws -> Bool {
        try await db.write { db in
            try db.execute(
                sql: "UPDATE poolDomain SET managedLoginVersion = ? WHERE domain = ? AND poolId = ?",
                arguments: [managedLoginVersion, name, poolId]
            )
            return db.changesCount > 0
        }
    }

    /// Deletes a pool's domain; false when the pool has no such domain.
    func deleteDomain(_ name: String, poolId: String) async throws -> Bool {
        try await db.write { db in
            try db.execute(sql: "DELETE FROM poolDomain WHERE domain = ? AND poolId = ?", arguments: [name, poolId])
            return db.changesCount > 0
        }
    }

    private static func domain(_ db: Database, sql: String, _ argument: String) throws -> UserPoolDomainRecord? {
        try Row.fetchOne(db, sql: sql, arguments: [argument]).map { row in
            UserPoolDomainRecord(
                domain: row["domain"],
                poolId: row["poolId"],
                managedLoginVersion: row["managedLoginVersion"],
                createdAt: Date(timeIntervalSince1970: row["createdAt"])
            )
        }
    }
}
