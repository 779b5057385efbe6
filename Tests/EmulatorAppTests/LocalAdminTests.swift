import EmulatorCore
import EmulatorTesting
import Foundation
import HTTPTypes
import SigV4
import Storage
import Testing

@testable import EmulatorApp

@Suite("Local admin API rules")
struct LocalAdminPolicyTests {
    let policy = LocalAdminPolicy(
        environment: EmulatorEnvironment(region: "us-east-1", accountId: "000000000000", stackName: "s", host: "127.0.0.1", port: 4566),
        adminToken: nil
    )

    func fields(_ pairs: [(String, String)]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in pairs {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return fields
    }

    @Test("loopback hosts and the configured host pass; foreign hosts (DNS rebinding) do not")
    func hosts() {
        for host in ["127.0.0.1:4566", "localhost:4566", "LOCALHOST", "localhost.:4566", "bucket.s3.localhost:4566", "[::1]:4566", "127.1.2.3"] {
            #expect(policy.allowsHost(host), "\(host)")
        }
        for host in [
            "evil.example", "evil.example:4566", "127.0.0.1.evil.example", "localhost.evil.example", "10.0.0.1:4566", "", ":4566",
            "127.0.0.1:45x6", "[::1", "0.0.0.0:4566", "127.0.0.256",
        ] {
            #expect(!policy.allowsHost(host), "\(host)")
        }
        let wide = LocalAdminPolicy(
            environment: EmulatorEnvironment(region: "us-east-1", accountId: "000000000000", stackName: "s", host: "0.0.0.0", port: 4566),
            adminToken: nil
        )
        #expect(wide.allowsHost("0.0.0.0:4566"))
        #expect(!wide.allowsHost("192.168.1.5:4566"))
    }

    @Test("own and loopback origins pass; other sites, null and odd forms do not")
    func origins() {
        for origin in ["http://127.0.0.1:4566", "http://localhost:3000", "https://localhost", "http://[::1]:8080", "HTTP://LOCALHOST:3000"] {
            #expect(policy.allowsOrigin(origin), "\(origin)")
        }
        for origin in [
            "http://evil.example", "null", "http://localhost.evil.example", "http://127.0.0.1.nip.io", "file://", "ftp://localhost",
            "http://user@localhost", "http://localhost/path", "http://127.0.0.2:4566",
        ] {
            #expect(!policy.allowsOrigin(origin), "\(origin)")
        }
    }

    @Test("writes need JSON; the clock refuses a text/plain POST from another site with 403 before anything else")
    func writes() {
        let crossSite = policy.refusal(
            method: .post,
            host: "127.0.0.1:4566",
            origin: "http://evil.example",
            headers: fields([("Content-Type", "text/plain")])
        )
        #expect(crossSite?.status == 403)
        #expect(crossSite?.message.contains("Origin 'http://evil.example'") == true)
        let form = policy.refusal(
            method: .post,
            host: "127.0.0.1:4566",
            origin: nil,
            headers: fields([("Content-Type", "application/x-www-form-urlencoded")])
        )
        #expect(form?.status == 415)
        #expect(form?.code == "UnsupportedMediaTypeException")
        #expect(policy.refusal(method: .post, host: "127.0.0.1:4566", origin: nil, headers: fields([]))?.status == 415)
        #expect(
            policy.refusal(method: .post, host: "localhost:4566", origin: nil, headers: fields([("Content-Type", "application/json; charset=utf-8")]))
                == nil
        )
        #expect(policy.refusal(method: .get, host: "127.0.0.1:4566", origin: nil, headers: fields([])) == nil)
        #expect(policy.refusal(method: .get, host: "evil.example:4566", origin: nil, headers: fields([]))?.status == 403)
    }

    @Test("an admin token is required on writes only, as Bearer or X-Local-Admin-Token")
    func token() {
        let guarded = LocalAdminPolicy(environment: policy.environment, adminToken: "s3cret")
        let json = ("Content-Type", "application/json")
        #expect(guarded.refusal(method: .post, host: "127.0.0.1", origin: nil, headers: fields([json]))?.status == 403)
        #expect(
            guarded.refusal(method: .post, host: "127.0.0.1", origin: nil, headers: fields([json, ("Authorization", "Bearer wrong")]))?.status
                == 403
        )
        #expect(guarded.refusal(method: .post, host: "127.0.0.1", origin: nil, headers: fields([json, ("Authorization", "Bearer s3cret")])) == nil)
        #expect(guarded.refusal(method: .post, host: "127.0.0.1", origin: nil, headers: fields([json, ("X-Local-Admin-Token", "s3cret")])) == nil)
        #expect(guarded.refusal(method: .get, host: "127.0.0.1", origin: nil, headers: fields([])) == nil)
        // The token lets a tool address the emulator by another name (a container, another machine)...
        #expect(guarded.refusal(method: .get, host: "host.docker.internal:4566", origin: nil, headers: fields([]))?.status == 403)
        #expect(
            guarded.refusal(method: .get, host: "host.docker.internal:4566", origin: nil, headers: fields([("X-Local-Admin-Token", "s3cret")]))
                == nil
        )
        // ...but never lets a page of another site in.
        #expect(
            guarded.refusal(
                method: .post,
                host: "127.0.0.1",
                origin: "http://evil.example",
                headers: fields([json, ("X-Local-Admin-Token", "s3cret")])
            )?.status == 403
        )
    }
}

@Suite("Local admin API over HTTP")
struct LocalAdminHTTPTests {
    @Test("a cross-site text/plain clock move is refused and leaves the clock alone; absurd moves are refused")
    func clock() async throws {
        try await TestEmulator.withRunning { endpoint, emulator in
            let url = endpoint.appendingPathComponent("_local/clock")
            let before = emulator.clock.offset
            let crossSite = try await TestEmulator.send(
                url,
                method: "POST",
                headers: ["Content-Type": "text/plain", "Origin": "http://evil.example"],
                body: Data(#"{"advance":"1825d"}"#.utf8)
            )
            #expect(crossSite.status == 403)
            #expect(emulator.clock.offset == before)
            let json = ["Content-Type": "application/json"]
            for body in [#"{"advance":1e19}"#, #"{"advance":"36600d"}"#, #"{"advance":-4e9}"#, #"{"set":"2300-01-01T00:00:00Z"}"#] {
                let response = try await TestEmulator.send(url, method: "POST", headers: json, body: Data(body.utf8))
                #expect(response.status == 400, "\(body)")
                #expect(response.body.contains("ValidationException"), "\(body)")
                #expect(response.body.contains("within 100 years"), "\(body)")
            }
            #expect(emulator.clock.offset == before)
            let far = try await TestEmulator.send(url, method: "POST", headers: json, body: Data(#"{"advance":"36000d"}"#.utf8))
            #expect(far.status == 200)
        }
    }
}

@Suite("Issued credentials in the data folder")
struct IssuedCredentialDatabaseTests {
    @Test("issued credentials survive a reopen with their session facts; purged ones leave the disk; tokens stay recognisable")
    func persistence() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("issued-\(UUID().uuidString)", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let context = ["cognito-identity.amazonaws.com:sub": ["us-east-1:abc"], "cognito-identity.amazonaws.com:aud": ["us-east-1:pool"]]
        let (kept, short): (TemporaryCredential, TemporaryCredential)
        do {
            let database = try IssuedCredentialDatabase(location: .directory(folder)) { _ in }
            let store = CredentialStore()
            store.attach(database, issuerKey: try database.issuerKey(), restoring: try database.restore(now: now), now: now)
            kept = store.issueTemporary(
                principal: "arn:aws:sts::000000000000:assumed-role/Unauth/CognitoIdentityCredentials",
                duration: 3600,
                now: now,
                roleArn: "arn:aws:iam::000000000000:role/Unauth",
                sessionContext: context
            )
            short = store.issueTemporary(principal: "arn:aws:sts::000000000000:assumed-role/R/s", duration: 60, now: now)
            #expect(try database.count() == 2)
            #expect(store.purgeExpired(now: now.addingTimeInterval(60)) == [short.accessKeyId])
            #expect(try database.count() == 1)
        }
        let database = try IssuedCredentialDatabase(location: .directory(folder)) { _ in }
        let store = CredentialStore()
        store.attach(database, issuerKey: try database.issuerKey(), restoring: try database.restore(now: now), now: now)
        #expect(store.temporary(for: kept.accessKeyId) == kept)
        #expect(store.lookup(accessKeyId: short.accessKeyId) == nil)
        // The purged token is still recognised as ours (ExpiredToken), a forged one is not.
        #expect(store.unknownKeyError(accessKeyId: short.accessKeyId, sessionToken: short.sessionToken) == .expiredToken(token: short.sessionToken))
        #expect(
            store.unknownKeyError(accessKeyId: short.accessKeyId, sessionToken: short.sessionToken + "x")
                == .unknownAccessKey(short.accessKeyId)
        )
        // Restoring after expiry drops the rows.
        _ = try database.restore(now: now.addingTimeInterval(3600))
        #expect(try database.count() == 0)
    }
}

@Suite("Snapshot names")
struct SnapshotNameTests {
    @Test("names that are paths or empty are refused with the rule", arguments: ["", "..", ".", "../x", "a/b", ".hidden", "-x", "a b", "é"])
    func refused(name: String) {
        let refusal = SnapshotCatalog.invalidName(name)
        #expect(refusal?.status == 400)
        #expect(refusal?.code == "ValidationException")
        #expect(refusal?.message.contains("use 1 to 64 letters, digits, '.', '_' or '-'") == true)
    }

    @Test("plain names pass", arguments: ["seeded", "before-upload", "v1.2_3", String(repeating: "a", count: 64)])
    func accepted(name: String) {
        #expect(SnapshotCatalog.invalidName(name) == nil)
    }

    @Test("a 65-character name is refused")
    func tooLong() {
        #expect(SnapshotCatalog.invalidName(String(repeating: "a", count: 65))?.status == 400)
    }
}

@Suite("Start-up summary width")
struct StartupSummaryWidthTests {
    @Test("long lines break at spaces, long words are cut, nothing passes 100 columns")
    func wraps() {
        let words = Array(repeating: "word", count: 40).joined(separator: " ")
        let url = "http://127.0.0.1:4566/" + String(repeating: "a", count: 150)
        for line in [words, "Edge        " + url, "  export KEY=" + url] {
            let pieces = StartupSummary.wrap(line)
            #expect(pieces.count > 1)
            #expect(pieces.allSatisfy { $0.count <= StartupSummary.width })
            let joined = pieces.map { $0.trimmingCharacters(in: .whitespaces) }.joined()
            #expect(joined.replacingOccurrences(of: " ", with: "") == line.replacingOccurrences(of: " ", with: ""))
        }
        #expect(StartupSummary.wrap("short") == ["short"])
        #expect(StartupSummary.wrap(words)[0].hasPrefix("word word"))
    }
}
