import Crypto
import EmulatorCore
import Foundation
import Synchronization

/// Temporary credentials issued by the emulator (STS, Cognito identity pools).
package struct TemporaryCredential: Sendable, Equatable, Codable {
    /// The access key id (starts with `ASIA`).
    package var accessKeyId: String
    /// The secret access key.
    package var secretAccessKey: String
    /// The session token requests must carry.
    package var sessionToken: String
    /// When the credentials expire.
    package var expiration: Date
    /// Opaque identity of the holder (for example an assumed-role ARN).
    package var principal: String
    /// The role the credentials act for (`arn:aws:iam::ACCOUNT:role/NAME`), when issued for a role.
    package var roleArn: String?
    /// Request-context keys the session carries into every policy evaluation
    /// (Cognito's `cognito-identity.amazonaws.com:sub`/`aud`/`amr`), multi-valued.
    package var sessionContext: [String: [String]]

    /// Creates temporary credentials.
    package init(
        accessKeyId: String,
        secretAccessKey: String,
        sessionToken: String,
        expiration: Date,
        principal: String,
        roleArn: String? = nil,
        sessionContext: [String: [String]] = [:]
    ) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.principal = principal
        self.roleArn = roleArn
        self.sessionContext = sessionContext
    }

    /// The credential as the verifier sees it.
    package var signingCredential: SigningCredential {
        SigningCredential(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: sessionToken, expiration: expiration)
    }
}

/// Where issued temporary credentials are kept across restarts (the data folder's `credentials.sqlite`).
///
/// The store calls it outside its lock; implementations log their own failures (a credential that could not be
/// written still works until the process stops).
package protocol IssuedCredentialPersistence: Sendable {
    /// Records newly issued credentials.
    /// - Parameter credential: The credentials, with their session facts.
    func save(_ credential: TemporaryCredential)
    /// Forgets credentials (purged after expiry, or removed).
    /// - Parameter accessKeyIds: Their access key ids.
    func delete(accessKeyIds: [String])
}

/// The key pairs the whole emulator knows: long-term pairs and temporary credentials. Thread-safe.
///
/// Issued session tokens end in a tag sealed with the store's issuer key (HMAC-SHA256 over the access key id, the
/// token and its expiry): once expired credentials are purged, a request still carrying one can be told apart
/// from a forged token and answered `ExpiredToken`, as AWS does, without keeping anything per credential. The
/// issuer key lives in the data folder (``attach(_:issuerKey:restoring:now:)``) or, with `--ephemeral`, only in
/// memory, so a restart forgets every token.
package final class CredentialStore: Sendable {
    private struct Entry {
        var credential: SigningCredential
        var principal: String?
        var temporary: TemporaryCredential?
    }

    private struct State {
        var entries: [String: Entry]
        var issuerKey: SymmetricKey
        var persistence: (any IssuedCredentialPersistence)?
    }

    private let state: Mutex<State>

    /// The key pair every emulator accepts by default.
    package static let defaultCredential = SigningCredential(accessKeyId: "test", secretAccessKey: "test")

    /// Creates a store holding long-term key pairs.
    /// - Parameter longTerm: The key pairs (default: `test`/`test`).
    package init(longTerm: [SigningCredential] = [CredentialStore.defaultCredential]) {
        var initial: [String: Entry] = [:]
        for credential in longTerm { initial[credential.accessKeyId] = Entry(credential: credential, principal: nil, temporary: nil) }
        state = Mutex(State(entries: initial, issuerKey: SymmetricKey(size: .bits256), persistence: nil))
    }

    /// Connects the store to the data folder: restores the credentials issued before a restart and records every
    /// later issue and purge there.
    /// - Parameters:
    ///   - persistence: The data folder's credential table.
    ///   - issuerKey: The folder's issuer key (at least 32 bytes), which sealed the restored tokens.
    ///   - restoring: Credentials issued by earlier runs; those expired at `now` are not restored.
    ///   - now: The current virtual time.
    package func attach(
        _ persistence: any IssuedCredentialPersistence,
        issuerKey: [UInt8],
        restoring: [TemporaryCredential],
        now: Date
    ) {
        state.withLock { state in
            state.persistence = persistence
            state.issuerKey = SymmetricKey(data: issuerKey)
            for temporary in restoring where temporary.expiration > now {
                state.entries[temporary.accessKeyId] = Entry(
                    credential: temporary.signingCredential,
                    principal: temporary.principal,
                    temporary: temporary
                )
            }
        }
    }

    /// The credential for an access key id, if known.
    package func lookup(accessKeyId: String) -> SigningCredential? {
        state.withLock { $0.entries[accessKeyId]?.credential }
    }

    /// The principal recorded for an access key id (nil for unknown keys or long-term keys added without one).
    package func principal(for accessKeyId: String) -> String? {
        state.withLock { $0.entries[accessKeyId]?.principal }
    }

    /// The temporary credentials issued under an access key id (nil for long-term and unknown keys).
    package func temporary(for accessKeyId: String) -> TemporaryCredential? {
        state.withLock { $0.entries[accessKeyId]?.temporary }
    }

    /// Every issued temporary credential the store holds (expired ones not yet purged included), by access key id.
    package var issuedTemporaries: [TemporaryCredential] {
        state.withLock { $0.entries.values.compactMap(\.temporary) }.sorted { $0.accessKeyId < $1.accessKeyId }
    }

    /// How many issued temporary credentials the store holds (expired ones not yet purged included).
    package var temporaryCount: Int {
        state.withLock { $0.entries.values.count(where: { $0.temporary != nil }) }
    }

    /// Adds or replaces a long-term key pair.
    /// - Parameters:
    ///   - accessKeyId: The access key id.
    ///   - secretAccessKey: The secret.
    ///   - principal: Optional identity (for example an IAM user ARN).
    package func addLongTerm(accessKeyId: String, secretAccessKey: String, principal: String? = nil) {
        let entry = Entry(
            credential: SigningCredential(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey),
            principal: principal,
            temporary: nil
        )
        state.withLock { $0.entries[accessKeyId] = entry }
    }

    /// Adds or replaces temporary credentials (and records them in the data folder when attached).
    package func addTemporary(_ temporary: TemporaryCredential) {
        let entry = Entry(credential: temporary.signingCredential, principal: temporary.principal, temporary: temporary)
        let persistence = state.withLock { state in
            state.entries[temporary.accessKeyId] = entry
            return state.persistence
        }
        persistence?.save(temporary)
    }

    /// Creates, stores and returns new temporary credentials.
    /// - Parameters:
    ///   - principal: The identity they stand for (for example an assumed-role ARN).
    ///   - duration: Lifetime in seconds.
    ///   - now: The current time.
    ///   - roleArn: The role they act for, when issued for a role.
    ///   - sessionContext: Request-context keys every evaluation of the session sees.
    /// - Returns: The new credentials.
    package func issueTemporary(
        principal: String,
        duration: TimeInterval,
        now: Date,
        roleArn: String? = nil,
        sessionContext: [String: [String]] = [:]
    ) -> TemporaryCredential {
        let accessKeyId = "ASIA" + Self.random(from: Self.upperAlphanumerics, count: 16)
        let expiration = now.addingTimeInterval(duration.isFinite ? duration : 0)
        let body = "FQoGZXIvYXdzE" + Self.random(from: Self.secretAlphabet, count: 236)
        let key = state.withLock { $0.issuerKey }
        let temporary = TemporaryCredential(
            accessKeyId: accessKeyId,
            secretAccessKey: Self.random(from: Self.secretAlphabet, count: 40),
            sessionToken: body + IssuedTokenTag.seal(accessKeyId: accessKeyId, body: body, expiration: expiration, key: key),
            expiration: expiration,
            principal: principal,
            roleArn: roleArn,
            sessionContext: sessionContext
        )
        addTemporary(temporary)
        return temporary
    }

    /// The expiry sealed into a session token this store's issuer key issued for `accessKeyId`, or nil when the
    /// token is not one of ours (forged, from another data folder, or from an earlier `--ephemeral` run).
    ///
    /// The gateway uses it for keys it no longer knows: a token we issued is answered `ExpiredToken` (its
    /// credentials were purged after they expired), any other `UnrecognizedClientException` and its kin.
    /// - Parameters:
    ///   - accessKeyId: The access key id the request was signed with.
    ///   - sessionToken: The session token it carried.
    /// - Returns: The token's expiry.
    package func issuedTokenExpiry(accessKeyId: String, sessionToken: String) -> Date? {
        let key = state.withLock { $0.issuerKey }
        return IssuedTokenTag.open(accessKeyId: accessKeyId, token: sessionToken, key: key)
    }

    /// The refusal for a request signed with an access key the store does not know, or nil when the key looks
    /// long-term (such keys are accepted unverified unless `--strict-credentials`).
    ///
    /// A session token this store issued means the credentials expired and were purged: `ExpiredToken`. Any other
    /// temporary-looking key (`ASIA...`, or a session token) is unknown: `InvalidAccessKeyId` /
    /// `UnrecognizedClientException` / `InvalidClientTokenId` depending on the service.
    /// - Parameters:
    ///   - accessKeyId: The unknown access key id.
    ///   - sessionToken: The session token the request carried.
    /// - Returns: The error to answer with.
    package func unknownKeyError(accessKeyId: String, sessionToken: String?) -> SigV4Error? {
        guard SigV4Verifier.looksTemporary(accessKeyId: accessKeyId, token: sessionToken) else { return nil }
        if let sessionToken, !sessionToken.isEmpty, issuedTokenExpiry(accessKeyId: accessKeyId, sessionToken: sessionToken) != nil {
            return .expiredToken(token: sessionToken)
        }
        return .unknownAccessKey(accessKeyId)
    }

    /// Removes a key (and its record in the data folder).
    package func remove(accessKeyId: String) {
        let (removed, persistence) = state.withLock { state in
            (state.entries.removeValue(forKey: accessKeyId), state.persistence)
        }
        if removed?.temporary != nil { persistence?.delete(accessKeyIds: [accessKeyId]) }
    }

    /// Drops temporary credentials that expired at or before `now`, from memory and from the data folder.
    ///
    /// Requests that still carry them are answered `ExpiredToken` through ``issuedTokenExpiry(accessKeyId:sessionToken:)``.
    /// - Parameter now: The current virtual time.
    /// - Returns: The access key ids purged.
    @discardableResult
    package func purgeExpired(now: Date) -> [String] {
        let (purged, persistence) = state.withLock { state -> ([String], (any IssuedCredentialPersistence)?) in
            var purged: [String] = []
            for (accessKeyId, entry) in state.entries {
                if let expiration = entry.credential.expiration, expiration <= now { purged.append(accessKeyId) }
            }
            for accessKeyId in purged { state.entries.removeValue(forKey: accessKeyId) }
            return (purged, state.persistence)
        }
        if !purged.isEmpty { persistence?.delete(accessKeyIds: purged) }
        return purged
    }

    /// Adds every profile's key pair from AWS-style credentials INI text.
    /// - Parameter ini: The file contents.
    /// - Returns: The number of key pairs added.
    @discardableResult
    package func addCredentials(fromINI ini: String) -> Int {
        let profiles = Self.parseCredentialsINI(ini)
        state.withLock { state in
            for credential in profiles.values {
                state.entries[credential.accessKeyId] = Entry(credential: credential, principal: nil, temporary: nil)
            }
        }
        return profiles.count
    }

    /// Parses AWS-style credentials INI text into profile name → key pair (profiles lacking a key id or secret are skipped).
    package static func parseCredentialsINI(_ ini: String) -> [String: SigningCredential] {
        var result: [String: SigningCredential] = [:]
        var profile: String?
        var values: [String: String] = [:]
        func flush() {
            guard let profile, let key = values["aws_access_key_id"], let secret = values["aws_secret_access_key"], !key.isEmpty else { return }
            result[profile] = SigningCredential(accessKeyId: key, secretAccessKey: secret, sessionToken: values["aws_session_token"])
        }
        for rawLine in ini.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                flush()
                var name = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                if name.hasPrefix("profile ") { name = String(name.dropFirst("profile ".count)).trimmingCharacters(in: .whitespaces) }
                profile = name
                values = [:]
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            values[key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        flush()
        return result
    }

    /// Loads an AWS-style credentials file.
    /// - Parameter path: The file path.
    /// - Returns: The number of key pairs added.
    /// - Throws: The file-reading error.
    @discardableResult
    package func loadCredentialsFile(atPath path: String) throws -> Int {
        addCredentials(fromINI: try String(contentsOfFile: path, encoding: .utf8))
    }

    private static let upperAlphanumerics = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    private static let secretAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    private static func random(from alphabet: [Character], count: Int) -> String {
        var generator = EmulatorRandom.idGenerator("issued-credentials")
        return String((0..<count).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] })
    }
}

/// The tag that ends every session token the emulator issues: version, expiry and a truncated HMAC-SHA256 under the
/// issuer key, base64 (52 characters), so a token can be recognised as ours after its credentials are purged.
enum IssuedTokenTag {
    /// Characters of the base64 tag at the end of a token.
    static let length = 52
    private static let version: UInt8 = 1
    private static let macBytes = 30

    /// The tag for a token body.
    static func seal(accessKeyId: String, body: String, expiration: Date, key: SymmetricKey) -> String {
        let milliseconds = millisecondsSinceEpoch(expiration)
        var bytes: [UInt8] = [version]
        withUnsafeBytes(of: milliseconds.bigEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: mac(accessKeyId: accessKeyId, body: body, milliseconds: milliseconds, key: key))
        return Data(bytes).base64EncodedString()
    }

    /// The sealed expiry when `token` ends in a valid tag for `accessKeyId` under `key`.
    static func open(accessKeyId: String, token: String, key: SymmetricKey) -> Date? {
        guard token.utf8.count > length, token.utf8.count <= 4096 else { return nil }
        let split = token.index(token.endIndex, offsetBy: -length)
        let body = String(token[..<split])
        guard let decoded = Data(base64Encoded: String(token[split...])), decoded.count == 1 + 8 + macBytes else { return nil }
        let bytes = Array(decoded)
        guard bytes[0] == version else { return nil }
        var milliseconds: Int64 = 0
        for byte in bytes[1..<9] { milliseconds = (milliseconds << 8) | Int64(byte) }
        let expected = mac(accessKeyId: accessKeyId, body: body, milliseconds: milliseconds, key: key)
        var difference: UInt8 = 0
        for (left, right) in zip(expected, bytes[9...]) { difference |= left ^ right }
        guard difference == 0 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
    }

    private static func mac(accessKeyId: String, body: String, milliseconds: Int64, key: SymmetricKey) -> [UInt8] {
        let message = Data("synapscribe-local-token-v1\n\(accessKeyId)\n\(body)\n\(milliseconds)".utf8)
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: key).prefix(macBytes))
    }

    /// Milliseconds since 1970, clamped to what an `Int64` holds.
    private static func millisecondsSinceEpoch(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded()
        guard value.isFinite else { return value > 0 ? .max : .min }
        if value >= 9.2e18 { return 9_200_000_000_000_000_000 }
        if value <= -9.2e18 { return -9_200_000_000_000_000_000 }
        return Int64(value)
    }
}
