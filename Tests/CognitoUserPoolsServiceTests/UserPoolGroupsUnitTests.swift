import EmulatorCore
import Foundation
import Storage
import Testing

@testable import CognitoUserPoolsService

@Suite struct GroupClaimTests {
    private func group(_ name: String, _ precedence: Int?, _ role: String? = nil) -> UserPoolGroupRecord {
        UserPoolGroupRecord(
            poolId: "us-east-1_x",
            name: name,
            roleArn: role,
            precedence: precedence,
            createdAt: Date(timeIntervalSince1970: 0),
            lastModifiedAt: Date(timeIntervalSince1970: 0)
        )
    }

    @Test func tokensListLowestPrecedenceFirstAndGroupsWithoutOneLast() {
        let groups = [group("none", nil), group("ten", 10), group("zero", 0), group("also-ten", 10)]
        #expect(UserPoolGroupRecord.tokenOrder(groups).map(\.name) == ["zero", "also-ten", "ten", "none"])
    }

    @Test func preferredRoleIsTheHighestPrecedenceGroupsRole() {
        let admin = "arn:aws:iam::000000000000:role/admin"
        let reader = "arn:aws:iam::000000000000:role/reader"
        #expect(UserPoolGroupRecord.preferredRole([group("a", 5, reader), group("b", 1, admin), group("c", 0)]) == admin)
        // Same precedence, same role: that role; different roles: no preferred role.
        #expect(UserPoolGroupRecord.preferredRole([group("a", 1, admin), group("b", 1, admin)]) == admin)
        #expect(UserPoolGroupRecord.preferredRole([group("a", 1, admin), group("b", 1, reader)]) == nil)
        // A group with a precedence wins over one without.
        #expect(UserPoolGroupRecord.preferredRole([group("a", nil, reader), group("b", 7, admin)]) == admin)
        #expect(UserPoolGroupRecord.preferredRole([group("a", 1)]) == nil)
    }
}

@Suite struct DomainPrefixTests {
    @Test(arguments: ["notes", "my-app-1", "a", String(repeating: "x", count: 63)])
    func acceptedPrefixes(prefix: String) throws {
        try CognitoUserPoolsService.checkPrefix(prefix)
    }

    @Test(arguments: ["Notes", "-notes", "notes-", "auth.example.com", "no_underscore", String(repeating: "x", count: 64)])
    func refusedPrefixes(prefix: String) {
        #expect(throws: UserPoolsError.invalidDomain) { try CognitoUserPoolsService.checkPrefix(prefix) }
    }

    @Test func reservedWords() {
        #expect(throws: UserPoolsError.reservedDomainWord("cognito")) { try CognitoUserPoolsService.checkPrefix("my-cognito-app") }
        #expect(throws: UserPoolsError.reservedDomainWord("aws")) { try CognitoUserPoolsService.checkPrefix("awsome") }
    }
}

@Suite struct GroupStoreTests {
    private let now = Date(timeIntervalSince1970: 1_700_000_000)

    private func storeWithPool() async throws -> (UserPoolsStore, UserPoolRecord) {
        let store = try UserPoolsStore(location: .ephemeral)
        let pool = UserPoolRecord(
            id: "us-east-1_pool",
            name: "p",
            region: "us-east-1",
            accountId: "000000000000",
            createdAt: now,
            lastModifiedAt: now
        )
        try await store.insert(UserPoolsStore.StoredPool(record: pool, keyId: "k", keyPEM: ""))
        return (store, pool)
    }

    private func user(_ name: String) -> PoolUserRecord {
        PoolUserRecord(
            username: name,
            sub: name + "-sub",
            attributes: [],
            status: .confirmed,
            passwordSalt: "",
            passwordHash: "",
            createdAt: now,
            lastModifiedAt: now
        )
    }

    private func group(_ name: String, pool: UserPoolRecord) -> UserPoolGroupRecord {
        UserPoolGroupRecord(poolId: pool.id, name: name, precedence: nil, createdAt: now, lastModifiedAt: now)
    }

    @Test func membershipsGoWithTheirUserAndTheirGroup() async throws {
        let (store, pool) = try await storeWithPool()
        #expect(try await store.insert(user("alice"), pool: pool))
        #expect(try await store.insert(group("admins", pool: pool)))
        #expect(try await store.insert(group("readers", pool: pool)))
        #expect(try await store.insert(group("admins", pool: pool)) == false)
        try await store.addMember(poolId: pool.id, groupName: "admins", usernameKey: "alice", at: now)
        try await store.addMember(poolId: pool.id, groupName: "admins", usernameKey: "alice", at: now)
        try await store.addMember(poolId: pool.id, groupName: "readers", usernameKey: "alice", at: now)
        #expect(try await store.groups(poolId: pool.id, usernameKey: "alice").groups.map(\.name) == ["admins", "readers"])
        #expect(try await store.users(poolId: pool.id, groupName: "admins", offset: 0, limit: 60).users.map(\.username) == ["alice"])

        #expect(try await store.deleteGroup(poolId: pool.id, name: "readers"))
        #expect(try await store.groups(poolId: pool.id, usernameKey: "alice").groups.map(\.name) == ["admins"])

        #expect(try await store.deleteUser("alice", pool: pool))
        #expect(try await store.users(poolId: pool.id, groupName: "admins", offset: 0, limit: 60).users.isEmpty)
        // A new user of the same name is in no group.
        #expect(try await store.insert(user("alice"), pool: pool))
        #expect(try await store.groups(poolId: pool.id, usernameKey: "alice").groups.isEmpty)

        await #expect(throws: UserPoolsError.groupNotFound) {
            try await store.addMember(poolId: pool.id, groupName: "readers", usernameKey: "alice", at: now)
        }
        await #expect(throws: UserPoolsError.userNotFound) {
            try await store.addMember(poolId: pool.id, groupName: "admins", usernameKey: "bob", at: now)
        }
    }

    @Test func aPoolWithADomainIsNotDeletedAndADomainIsUniqueAndOnePerPool() async throws {
        let (store, pool) = try await storeWithPool()
        let domain = UserPoolDomainRecord(domain: "notes-auth", poolId: pool.id, managedLoginVersion: 1, createdAt: now)
        #expect(try await store.insert(domain) == .inserted)
        #expect(
            try await store.insert(UserPoolDomainRecord(domain: "other", poolId: pool.id, managedLoginVersion: 1, createdAt: now)) == .poolHasDomain
        )
        #expect(try await store.domain("notes-auth") == domain)
        #expect(try await store.deletePool(pool.id) == .hasDomain)
        #expect(try await store.deleteDomain("notes-auth", poolId: "us-east-1_other") == false)
        #expect(try await store.deleteDomain("notes-auth", poolId: pool.id))
        #expect(try await store.insert(group("admins", pool: pool)))
        #expect(try await store.deletePool(pool.id) == .deleted)
        #expect(try await store.group(poolId: pool.id, name: "admins") == nil)
        #expect(try await store.deletePool(pool.id) == .notFound)
    }
}
