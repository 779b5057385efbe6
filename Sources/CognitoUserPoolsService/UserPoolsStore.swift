import Foundation
import GRDB
import Storage

/// User pools, app clients, users, refresh tokens and challenge sessions in `cognito-idp.sqlite` (or memory with
/// `--ephemeral`). A pool's RSA signing key is kept beside it, so tokens verify across restarts.
struct UserPoolsStore: Sendable {
    let db: any DatabaseWriter

    /// The service's migrations (never edited after merge; add new ones).
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-user-pools") { db in
            try db.execute(
                sql: """
                    CREATE TABLE userPool (
                        id TEXT PRIMARY KEY NOT NULL,
                        config TEXT NOT NULL,
                        keyId TEXT NOT NULL,
                        keyPEM TEXT NOT NULL,
                        fromTemplate INTEGER NOT NULL DEFAULT 0,
                        createdAt REAL NOT NULL
                    );
                    CREATE TABLE userPoolClient (
                        id TEXT PRIMARY KEY NOT NULL,
                        poolId TEXT NOT NULL REFERENCES userPool(id) ON DELETE CASCADE,
                        config TEXT NOT NULL,
                        fromTemplate INTEGER NOT NULL DEFAULT 0,
                        createdAt REAL NOT NULL
                    );
                    CREATE INDEX clientByPool ON userPoolClient(poolId, createdAt, id);
                    CREATE TABLE poolUser (
                        poolId TEXT NOT NULL REFERENCES userPool(id) ON DELETE CASCADE,
                        usernameKey TEXT NOT NULL,
                        emailKey TEXT,
                        record TEXT NOT NULL,
                        createdAt REAL NOT NULL,
                        PRIMARY KEY (poolId, usernameKey)
                    );
                    CREATE INDEX userByEmail ON poolUser(poolId, emailKey);
                    CREATE TABLE poolToken (
                        value TEXT PRIMARY KEY NOT NULL,
                        kind TEXT NOT NULL,
                        poolId TEXT NOT NULL REFERENCES userPool(id) ON DELETE CASCADE,
                        clientId TEXT NOT NULL,
                        username TEXT NOT NULL,
                        authTime REAL NOT NULL,
                        expiresAt REAL NOT NULL
                    );
                    """
            )
        }
        migrator.registerMigration("v2-user-pool-groups-domains") { db in
            try db.execute(
                sql: """
                    CREATE TABLE poolGroup (
                        poolId TEXT NOT NULL REFERENCES userPool(id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        record TEXT NOT NULL,
                        fromTemplate INTEGER NOT NULL DEFAULT 0,
                        createdAt REAL NOT NULL,
                        PRIMARY KEY (poolId, name)
                    );
                    CREATE TABLE poolGroupMember (
                        poolId TEXT NOT NULL,
                        groupName TEXT NOT NULL,
                        usernameKey TEXT NOT NULL,
                        addedAt REAL NOT NULL,
                        PRIMARY KEY (poolId, groupName, usernameKey),
                        FOREIGN KEY (poolId, groupName) REFERENCES poolGroup(poolId, name) ON DELETE CASCADE,
                        FOREIGN KEY (poolId, usernameKey) REFERENCES poolUser(poolId, usernameKey) ON DELETE CASCADE
                    );
                    CREATE INDEX memberByUser ON poolGroupMember(poolId, usernameKey);
                    CREATE TABLE poolDomain (
                        domain TEXT PRIMARY KEY NOT NULL,
                        poolId TEXT NOT NULL UNIQUE REFERENCES userPool(id) ON DELETE CASCADE,
                        managedLoginVersion INTEGER NOT NULL,
                        fromTemplate INTEGER NOT NULL DEFAULT 0,
                        createdAt REAL NOT NULL
                    );
                    """
            )
        }
        return migrator
    }

    /// A pool with its signing key.
    struct StoredPool: Sendable {
        var record: UserPoolRecord
        var keyId: String
        var keyPEM: String
    }

    /// Opens the store.
    /// - Parameter location: Where data lives.
    /// - Throws: GRDB errors.
    init(location: DataLocation) throws {
        db = try location.openDatabase(named: "cognito-idp", migrator: Self.migrator)
    }

    static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }

    // MARK: Pools

    /// Writes the template's pools, clients, groups and domains (the template is authoritative on every start):
    /// settings are replaced, a pool's key, users and memberships are kept. A template domain replaces the domain its
    /// pool had; groups and domains naming a pool that does not exist are skipped.
    /// - Parameters:
    ///   - pools: The pools with a fresh key each (used only for pools not stored yet).
    ///   - clients: The template's app clients.
    ///   - groups: The template's groups.
    ///   - domains: The template's prefix domains.
    /// - Throws: Database errors.
    func syncTemplate(pools: [StoredPool], clients: [UserPoolClientRecord], groups: [UserPoolGroupRecord], domains: [UserPoolDomainRecord]) throws {
        let poolRows = try pools.map { ($0, try Self.encode($0.record)) }
        let clientRows = try clients.map { ($0, try Self.encode($0)) }
        let groupRows = try groups.map { ($0, try Self.encode($0)) }
        try db.write { db in
            for (pool, config) in poolRows {
                try db.execute(
                    sql: """
                        INSERT INTO userPool (id, config, keyId, keyPEM, fromTemplate, createdAt) VALUES (?, ?, ?, ?, 1, ?)
                        ON CONFLICT(id) DO UPDATE SET config = excluded.config, fromTemplate = 1
                        """,
                    arguments: [pool.record.id, config, pool.keyId, pool.keyPEM, pool.record.createdAt.timeIntervalSince1970]
                )
            }
            for (client, config) in clientRows {
                try db.execute(
                    sql: """
                        INSERT INTO userPoolClient (id, poolId, config, fromTemplate, createdAt) VALUES (?, ?, ?, 1, ?)
                        ON CONFLICT(id) DO UPDATE SET config = excluded.config, fromTemplate = 1
                        """,
                    arguments: [client.id, client.poolId, config, client.createdAt.timeIntervalSince1970]
                )
            }
            for (group, record) in groupRows {
                guard try Self.poolExists(group.poolId, db) else { continue }
                try db.execute(
                    sql: """
                        INSERT INTO poolGroup (poolId, name, record, fromTemplate, createdAt) VALUES (?, ?, ?, 1, ?)
                        ON CONFLICT(poolId, name) DO UPDATE SET record = excluded.record, fromTemplate = 1
                        """,
                    arguments: [group.poolId, group.name, record, group.createdAt.timeIntervalSince1970]
                )
            }
            for domain in domains {
                guard try Self.poolExists(domain.poolId, db) else { continue }
                try db.execute(sql: "DELETE FROM poolDomain WHERE domain = ? OR poolId = ?", arguments: [domain.domain, domain.poolId])
                try db.execute(
                    sql: "INSERT INTO poolDomain (domain, poolId, managedLoginVersion, fromTemplate, createdAt) VALUES (?, ?, ?, 1, ?)",
                    arguments: [domain.domain, domain.poolId, domain.managedLoginVersion, domain.createdAt.timeIntervalSince1970]
                )
            }
        }
    }

    /// Whether a pool is stored (inside a transaction).
    static func poolExists(_ id: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM userPool WHERE id = ?", arguments: [id]) != nil
    }

    /// The ids of the pools already stored.
    func poolIds() throws -> Set<String> {
        try db.read { db in Set(try String.fetchAll(db, sql: "SELECT id FROM userPool")) }
    }

    /// Inserts a new pool.
    func insert(_ pool: StoredPool) async throws {
        let config = try Self.encode(pool.record)
        try await db.write { db in
            try db.execute(
                sql: "INSERT INTO userPool (id, config, keyId, keyPEM, fromTemplate, createdAt) VALUES (?, ?, ?, ?, 0, ?)",
                arguments: [pool.record.id, config, pool.keyId, pool.keyPEM, pool.record.createdAt.timeIntervalSince1970]
            )
        }
    }

    /// Replaces a pool's settings (its key, clients and users stay); false when the pool is gone.
    func update(_ record: UserPoolRecord) async throws -> Bool {
        let config = try Self.encode(record)
        return try await db.write { db in
            try db.execute(sql: "UPDATE userPool SET config = ? WHERE id = ?", arguments: [config, record.id])
            return db.changesCount > 0
        }
    }

    /// Replaces an app client's settings; false when the client is gone.
    func update(_ client: UserPoolClientRecord) async throws -> Bool {
        let config = try Self.encode(client)
        return try await db.write { db in
            try db.execute(sql: "UPDATE userPoolClient SET config = ? WHERE id = ?", arguments: [config, client.id])
            return db.changesCount > 0
        }
    }

    /// The pool with this id, with its key.
    func pool(_ id: String) async throws -> StoredPool? {
        try await db.read { db in
            try Row.fetchOne(db, sql: "SELECT config, keyId, keyPEM FROM userPool WHERE id = ?", arguments: [id]).flatMap { row in
                Self.decode(UserPoolRecord.self, row["config"]).map { StoredPool(record: $0, keyId: row["keyId"], keyPEM: row["keyPEM"]) }
            }
        }
    }

    /// A page of pools in creation order.
    func pools(offset: Int, limit: Int) async throws -> (pools: [UserPoolRecord], more: Bool) {
        let configs = try await db.read { db in
            try String.fetchAll(db, sql: "SELECT config FROM userPool ORDER BY createdAt, id LIMIT ? OFFSET ?", arguments: [limit + 1, offset])
        }
        let pools = configs.compactMap { Self.decode(UserPoolRecord.self, $0) }
        return (Array(pools.prefix(limit)), pools.count > limit)
    }

    /// What DeleteUserPool did.
    enum PoolDeletion: Sendable, Equatable {
        /// The pool and its clients, users, groups and tokens are gone.
        case deleted
        /// There was no such pool.
        case notFound
        /// The pool has a domain, which must be deleted first (the pool stays).
        case hasDomain
    }

    /// Deletes a pool with its clients, users, groups and tokens, unless it still has a domain (Cognito refuses).
    func deletePool(_ id: String) async throws -> PoolDeletion {
        try await db.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM poolDomain WHERE poolId = ?", arguments: [id]) != nil { return .hasDomain }
            try db.execute(sql: "DELETE FROM userPool WHERE id = ?", arguments: [id])
            return db.changesCount > 0 ? .deleted : .notFound
        }
    }

    /// The number of users of a pool.
    func userCount(_ poolId: String) async throws -> Int {
        try await db.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM poolUser WHERE poolId = ?", arguments: [poolId]) ?? 0 }
    }

    // MARK: Clients

    /// Inserts an app client; false when its pool is gone.
    func insert(_ client: UserPoolClientRecord) async throws -> Bool {
        let config = try Self.encode(client)
        return try await db.write { db in
            guard try Self.poolExists(client.poolId, db) else { return false }
            try db.execute(
                sql: "INSERT INTO userPoolClient (id, poolId, config, fromTemplate, createdAt) VALUES (?, ?, ?, 0, ?)",
                arguments: [client.id, client.poolId, config, client.createdAt.timeIntervalSince1970]
            )
            return true
        }
    }

    /// The app client with this id.
    func client(_ id: String) async throws -> UserPoolClientRecord? {
        try await db.read { db in
            try String.fetchOne(db, sql: "SELECT config FROM userPoolClient WHERE id = ?", arguments: [id]).flatMap {
                Self.decode(UserPoolClientRecord.self, $0)
            }
        }
    }

    /// A page of a pool's app clients in creation order.
    func clients(poolId: String, offset: Int, limit: Int) async throws -> (clients: [UserPoolClientRecord], more: Bool) {
        let configs = try await db.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT config FROM userPoolClient WHERE poolId = ? ORDER BY createdAt, id LIMIT ? OFFSET ?",
                arguments: [poolId, limit + 1, offset]
            )
        }
        let clients = configs.compactMap { Self.decode(UserPoolClientRecord.self, $0) }
        return (Array(clients.prefix(limit)), clients.count > limit)
    }

    /// Deletes an app client of a pool (and its refresh tokens); false when it did not exist.
    func deleteClient(_ id: String, poolId: String) async throws -> Bool {
        try await db.write { db in
            try db.execute(sql: "DELETE FROM userPoolClient WHERE id = ? AND poolId = ?", arguments: [id, poolId])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM poolToken WHERE clientId = ?", arguments: [id])
            return true
        }
    }

    // MARK: Users

    /// The key a username is stored under.
    static func key(_ username: String, pool: UserPoolRecord) -> String {
        pool.caseSensitive ? username : username.lowercased()
    }

    /// Inserts a user; false when the username (or, for pools signing in by email, the email) is taken.
    func insert(_ user: PoolUserRecord, pool: UserPoolRecord) async throws -> Bool {
        let record = try Self.encode(user)
        let emailKey = pool.usernameAttributes.contains("email") ? user.attribute("email")?.lowercased() : nil
        return try await db.write { db in
            let usernameKey = Self.key(user.username, pool: pool)
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM poolUser WHERE poolId = ? AND usernameKey = ?", arguments: [pool.id, usernameKey]) != nil {
                return false
            }
            if let emailKey,
                try Bool.fetchOne(db, sql: "SELECT 1 FROM poolUser WHERE poolId = ? AND emailKey = ?", arguments: [pool.id, emailKey]) != nil
            {
                return false
            }
            try db.execute(
                sql: "INSERT INTO poolUser (poolId, usernameKey, emailKey, record, createdAt) VALUES (?, ?, ?, ?, ?)",
                arguments: [pool.id, usernameKey, emailKey, record, user.createdAt.timeIntervalSince1970]
            )
            return true
        }
    }

    /// The user a sign-in name names: the username, or the email for pools whose `UsernameAttributes` include it.
    func user(_ name: String, pool: UserPoolRecord) async throws -> PoolUserRecord? {
        try await db.read { db in
            var text = try String.fetchOne(
                db,
                sql: "SELECT record FROM poolUser WHERE poolId = ? AND usernameKey = ?",
                arguments: [pool.id, Self.key(name, pool: pool)]
            )
            if text == nil, pool.usernameAttributes.contains("email") {
                text = try String.fetchOne(
                    db,
                    sql: "SELECT record FROM poolUser WHERE poolId = ? AND emailKey = ?",
                    arguments: [pool.id, name.lowercased()]
                )
            }
            return text.flatMap { Self.decode(PoolUserRecord.self, $0) }
        }
    }

    /// Replaces a stored user's record; false when the user is gone.
    func update(_ user: PoolUserRecord, pool: UserPoolRecord) async throws -> Bool {
        let record = try Self.encode(user)
        return try await db.write { db in
            try db.execute(
                sql: "UPDATE poolUser SET record = ? WHERE poolId = ? AND usernameKey = ?",
                arguments: [record, pool.id, Self.key(user.username, pool: pool)]
            )
            return db.changesCount > 0
        }
    }

    /// Deletes a user with its tokens; false when it did not exist.
    func deleteUser(_ username: String, pool: UserPoolRecord) async throws -> Bool {
        try await db.write { db in
            try db.execute(
                sql: "DELETE FROM poolUser WHERE poolId = ? AND usernameKey = ?",
                arguments: [pool.id, Self.key(username, pool: pool)]
            )
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM poolToken WHERE poolId = ? AND username = ?", arguments: [pool.id, username])
            return true
        }
    }

    /// A page of a pool's users in creation order.
    func users(poolId: String, offset: Int, limit: Int) async throws -> (users: [PoolUserRecord], more: Bool) {
        let records = try await db.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT record FROM poolUser WHERE poolId = ? ORDER BY createdAt, usernameKey LIMIT ? OFFSET ?",
                arguments: [poolId, limit + 1, offset]
            )
        }
        let users = records.compactMap { Self.decode(PoolUserRecord.self, $0) }
        return (Array(users.prefix(limit)), users.count > limit)
    }

    // MARK: Refresh tokens and sessions

    /// Stores a refresh token or a challenge session.
    func insert(_ token: PoolTokenRecord) async throws {
        try await db.write { db in
            try db.execute(
                sql: "INSERT INTO poolToken (value, kind, poolId, clientId, username, authTime, expiresAt) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    token.value, token.kind, token.poolId, token.clientId, token.username, token.authTime.timeIntervalSince1970,
                    token.expiresAt.timeIntervalSince1970,
                ]
            )
        }
    }

    /// A stored refresh token or session of one kind.
    func token(_ value: String, kind: String) async throws -> PoolTokenRecord? {
        try await db.read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT value, kind, poolId, clientId, username, authTime, expiresAt FROM poolToken WHERE value = ? AND kind = ?",
                arguments: [value, kind]
            ).map { row in
                PoolTokenRecord(
                    kind: row["kind"],
                    value: row["value"],
                    poolId: row["poolId"],
                    clientId: row["clientId"],
                    username: row["username"],
                    authTime: Date(timeIntervalSince1970: row["authTime"]),
                    expiresAt: Date(timeIntervalSince1970: row["expiresAt"])
                )
            }
        }
    }

    /// Removes a used challenge session.
    func deleteToken(_ value: String) async throws {
        try await db.write { db in try db.execute(sql: "DELETE FROM poolToken WHERE value = ?", arguments: [value]) }
    }

    /// Pool and user counts for health.
    func counts() async throws -> (pools: Int, users: Int) {
        try await db.read { db in
            let pools = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM userPool") ?? 0
            let users = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM poolUser") ?? 0
            return (pools, users)
        }
    }
}
