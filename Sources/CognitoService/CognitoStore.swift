import Foundation
import GRDB
import Storage

/// Identity pools and identities in `cognito.sqlite` (or memory with `--ephemeral`).
struct CognitoStore: Sendable {
    let db: any DatabaseWriter

    /// The service's migrations (never edited after merge; add new ones).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-pools-and-identities") { db in
            try db.execute(
                sql: """
                    CREATE TABLE identityPool (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        config TEXT NOT NULL,
                        fromTemplate INTEGER NOT NULL DEFAULT 0,
                        createdAt REAL NOT NULL
                    );
                    CREATE TABLE identity (
                        id TEXT PRIMARY KEY NOT NULL,
                        poolId TEXT NOT NULL REFERENCES identityPool(id) ON DELETE CASCADE,
                        createdAt REAL NOT NULL,
                        lastModifiedAt REAL NOT NULL
                    );
                    CREATE INDEX identityByPool ON identity(poolId, createdAt, id);
                    """
            )
        }
        migrator.registerMigration("v2-developer-identities") { db in
            try db.execute(
                sql: """
                    CREATE TABLE developerLogin (
                        poolId TEXT NOT NULL REFERENCES identityPool(id) ON DELETE CASCADE,
                        userIdentifier TEXT NOT NULL,
                        identityId TEXT NOT NULL REFERENCES identity(id) ON DELETE CASCADE,
                        PRIMARY KEY (poolId, userIdentifier)
                    );
                    CREATE INDEX developerLoginByIdentity ON developerLogin(identityId, userIdentifier);
                    """
            )
        }
        migrator.registerMigration("v3-user-pool-logins") { db in
            try db.execute(
                sql: """
                    CREATE TABLE providerLogin (
                        poolId TEXT NOT NULL REFERENCES identityPool(id) ON DELETE CASCADE,
                        provider TEXT NOT NULL,
                        subject TEXT NOT NULL,
                        identityId TEXT NOT NULL REFERENCES identity(id) ON DELETE CASCADE,
                        PRIMARY KEY (poolId, provider, subject)
                    );
                    """
            )
        }
        return migrator
    }

    /// Opens the store.
    /// - Parameter location: Where data lives.
    /// - Throws: GRDB errors.
    init(location: DataLocation) throws {
        db = try location.openDatabase(named: "cognito", migrator: Self.migrator)
    }

    private static func encode(_ pool: IdentityPoolRecord) throws -> String {
        String(decoding: try JSONEncoder().encode(pool), as: UTF8.self)
    }

    private static func decode(_ text: String) -> IdentityPoolRecord? {
        try? JSONDecoder().decode(IdentityPoolRecord.self, from: Data(text.utf8))
    }

    /// Writes the template's pools (the template is authoritative on every start); identities are kept.
    func syncTemplatePools(_ pools: [IdentityPoolRecord], now: Date) throws {
        let rows = try pools.map { ($0.id, $0.name, try Self.encode($0)) }
        try db.write { db in
            for (id, name, config) in rows {
                try db.execute(
                    sql: """
                        INSERT INTO identityPool (id, name, config, fromTemplate, createdAt) VALUES (?, ?, ?, 1, ?)
                        ON CONFLICT(id) DO UPDATE SET name = excluded.name, config = excluded.config, fromTemplate = 1
                        """,
                    arguments: [id, name, config, now.timeIntervalSince1970]
                )
            }
        }
    }

    /// Inserts a new pool.
    func insert(_ pool: IdentityPoolRecord, now: Date) async throws {
        let config = try Self.encode(pool)
        try await db.write { db in
            try db.execute(
                sql: "INSERT INTO identityPool (id, name, config, fromTemplate, createdAt) VALUES (?, ?, ?, 0, ?)",
                arguments: [pool.id, pool.name, config, now.timeIntervalSince1970]
            )
        }
    }

    /// Replaces a pool's configuration; false when the pool is gone.
    func update(_ pool: IdentityPoolRecord) async throws -> Bool {
        let config = try Self.encode(pool)
        return try await db.write { db in
            try db.execute(sql: "UPDATE identityPool SET name = ?, config = ? WHERE id = ?", arguments: [pool.name, config, pool.id])
            return db.changesCount > 0
        }
    }

    /// The pool with this id.
    func pool(_ id: String) async throws -> IdentityPoolRecord? {
        try await db.read { db in
            try String.fetchOne(db, sql: "SELECT config FROM identityPool WHERE id = ?", arguments: [id]).flatMap(Self.decode)
        }
    }

    /// A page of pools in creation order.
    func pools(offset: Int, limit: Int) async throws -> (pools: [IdentityPoolRecord], more: Bool) {
        let configs = try await db.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT config FROM identityPool ORDER BY createdAt, id LIMIT ? OFFSET ?",
                arguments: [limit + 1, offset]
            )
        }
        let pools = configs.compactMap(Self.decode)
        return (Array(pools.prefix(limit)), pools.count > limit)
    }

    /// Deletes a pool and its identities; false when it did not exist.
    func deletePool(_ id: String) async throws -> Bool {
        try await db.write { db in
            try db.execute(sql: "DELETE FROM identityPool WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    /// Creates an identity in a pool; false when the pool is gone.
    func insertIdentity(_ identity: IdentityRecord) async throws -> Bool {
        try await db.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM identityPool WHERE id = ?", arguments: [identity.poolId]) != nil else { return false }
            try db.execute(
                sql: "INSERT INTO identity (id, poolId, createdAt, lastModifiedAt) VALUES (?, ?, ?, ?)",
                arguments: [identity.id, identity.poolId, identity.createdAt.timeIntervalSince1970, identity.lastModifiedAt.timeIntervalSince1970]
            )
            return true
        }
    }

    /// The identity with this id.
    func identity(_ id: String) async throws -> IdentityRecord? {
        try await db.read { db in
            try Row.fetchOne(db, sql: "SELECT id, poolId, createdAt, lastModifiedAt FROM identity WHERE id = ?", arguments: [id])
                .map(Self.identity(from:))
        }
    }

    /// A page of a pool's identities in creation order.
    func identities(poolId: String, offset: Int, limit: Int) async throws -> (identities: [IdentityRecord], more: Bool) {
        let identities = try await db.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT id, poolId, createdAt, lastModifiedAt FROM identity WHERE poolId = ? ORDER BY createdAt, id LIMIT ? OFFSET ?",
                arguments: [poolId, limit + 1, offset]
            ).map(Self.identity(from:))
        }
        return (Array(identities.prefix(limit)), identities.count > limit)
    }

    /// Deletes identities; returns the ids that did not exist.
    func deleteIdentities(_ ids: [String]) async throws -> [String] {
        try await db.write { db in
            var missing: [String] = []
            for id in ids {
                try db.execute(sql: "DELETE FROM identity WHERE id = ?", arguments: [id])
                if db.changesCount == 0 { missing.append(id) }
            }
            return missing
        }
    }

    /// What linking a developer user identifier found or did.
    enum DeveloperLink: Equatable {
        /// The identity the identifier is (now) linked to.
        case linked(String)
        /// The identifier is linked to another identity than the one named.
        case linkedElsewhere(String)
        /// The named identity does not exist in the pool.
        case noSuchIdentity
    }

    /// Links a developer user identifier to an identity, in one transaction: the identity it is already linked
    /// to, else the named identity, else a new identity (`newIdentity`).
    func linkDeveloper(poolId: String, userIdentifier: String, identityId: String?, newIdentity: IdentityRecord) async throws -> DeveloperLink {
        try await db.write { db in
            let existing = try String.fetchOne(
                db,
                sql: "SELECT identityId FROM developerLogin WHERE poolId = ? AND userIdentifier = ?",
                arguments: [poolId, userIdentifier]
            )
            if let existing {
                if let identityId, identityId != existing { return .linkedElsewhere(existing) }
                return .linked(existing)
            }
            let target: String
            if let identityId {
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM identity WHERE id = ? AND poolId = ?", arguments: [identityId, poolId]) != nil
                else { return .noSuchIdentity }
                target = identityId
            } else {
                try db.execute(
                    sql: "INSERT INTO identity (id, poolId, createdAt, lastModifiedAt) VALUES (?, ?, ?, ?)",
                    arguments: [
                        newIdentity.id, poolId, newIdentity.createdAt.timeIntervalSince1970, newIdentity.lastModifiedAt.timeIntervalSince1970,
                    ]
                )
                target = newIdentity.id
            }
            try db.execute(
                sql: "INSERT INTO developerLogin (poolId, userIdentifier, identityId) VALUES (?, ?, ?)",
                arguments: [poolId, userIdentifier, target]
            )
            return .linked(target)
        }
    }

    /// The identity a user pool login (provider name and `sub`) is linked to in a pool, linking it to `newIdentity`
    /// (created) when it is not yet, in one transaction.
    func linkProvider(poolId: String, provider: String, subject: String, newIdentity: IdentityRecord) async throws -> String {
        try await db.write { db in
            if let existing = try String.fetchOne(
                db,
                sql: "SELECT identityId FROM providerLogin WHERE poolId = ? AND provider = ? AND subject = ?",
                arguments: [poolId, provider, subject]
            ) {
                return existing
            }
            try db.execute(
                sql: "INSERT INTO identity (id, poolId, createdAt, lastModifiedAt) VALUES (?, ?, ?, ?)",
                arguments: [newIdentity.id, poolId, newIdentity.createdAt.timeIntervalSince1970, newIdentity.lastModifiedAt.timeIntervalSince1970]
            )
            try db.execute(
                sql: "INSERT INTO providerLogin (poolId, provider, subject, identityId) VALUES (?, ?, ?, ?)",
                arguments: [poolId, provider, subject, newIdentity.id]
            )
            return newIdentity.id
        }
    }

    /// The identity a user pool login is linked to.
    func providerIdentity(poolId: String, provider: String, subject: String) async throws -> String? {
        try await db.read { db in
            try String.fetchOne(
                db,
                sql: "SELECT identityId FROM providerLogin WHERE poolId = ? AND provider = ? AND subject = ?",
                arguments: [poolId, provider, subject]
            )
        }
    }

    /// The identity a developer user identifier is linked to.
    func developerIdentity(poolId: String, userIdentifier: String) async throws -> String? {
        try await db.read { db in
            try String.fetchOne(
                db,
                sql: "SELECT identityId FROM developerLogin WHERE poolId = ? AND userIdentifier = ?",
                arguments: [poolId, userIdentifier]
            )
        }
    }

    /// The developer user identifiers linked to an identity, sorted.
    func developerUserIdentifiers(identityId: String) async throws -> [String] {
        try await db.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT userIdentifier FROM developerLogin WHERE identityId = ? ORDER BY userIdentifier",
                arguments: [identityId]
            )
        }
    }

    /// Moves every identifier of the source identifier's identity to the destination identifier's identity and
    /// deletes the source identity, in one transaction.
    /// - Returns: The destination identity, or nil when either identifier is not linked.
    func mergeDeveloper(poolId: String, source: String, destination: String) async throws -> String? {
        try await db.write { db in
            let lookup = "SELECT identityId FROM developerLogin WHERE poolId = ? AND userIdentifier = ?"
            guard let from = try String.fetchOne(db, sql: lookup, arguments: [poolId, source]),
                let to = try String.fetchOne(db, sql: lookup, arguments: [poolId, destination])
            else { return nil }
            guard from != to else { return to }
            try db.execute(sql: "UPDATE developerLogin SET identityId = ? WHERE identityId = ?", arguments: [to, from])
            try db.execute(sql: "DELETE FROM identity WHERE id = ?", arguments: [from])
            return to
        }
    }

    /// Pool and identity counts for health.
    func counts() async throws -> (pools: Int, identities: Int) {
        try await db.read { db in
            let pools = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM identityPool") ?? 0
            let identities = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM identity") ?? 0
            return (pools, identities)
        }
    }

    private static func identity(from row: Row) -> IdentityRecord {
        IdentityRecord(
            id: row["id"],
            poolId: row["poolId"],
            createdAt: Date(timeIntervalSince1970: row["createdAt"]),
            lastModifiedAt: Date(timeIntervalSince1970: row["lastModifiedAt"])
        )
    }
}
