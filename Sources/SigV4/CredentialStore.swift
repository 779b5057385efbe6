import Foundation
import Synchronization

/// Temporary credentials issued by the emulator (STS, Cognito identity pools).
package struct TemporaryCredential: Sendable, Equatable {
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

/// The key pairs the whole emulator knows: long-term pairs and temporary credentials. Thread-safe.
package final class CredentialStore: Sendable {
    private struct Entry {
        var credential: SigningCredential
        var principal: String?
        var temporary: TemporaryCredential?
    }

    private let entries: Mutex<[String: Entry]>

    /// The key pair every emulator accepts by default.
    package static let defaultCredential = SigningCredential(accessKeyId: "test", secretAccessKey: "test")

    /// Creates a store holding long-term key pairs.
    /// - Parameter longTerm: The key pairs (default: `test`/`test`).
    package init(longTerm: [SigningCredential] = [CredentialStore.defaultCredential]) {
        var initial: [String: Entry] = [:]
        for credential in longTerm { initial[credential.accessKeyId] = Entry(credential: credential, principal: nil, temporary: nil) }
        entries = Mutex(initial)
    }

    /// The credential for an access key id, if known.
    package func lookup(accessKeyId: String) -> SigningCredential? {
        entries.withLock { $0[accessKeyId]?.credential }
    }

    /// The principal recorded for an access key id (nil for unknown keys or long-term keys added without one).
    package func principal(for accessKeyId: String) -> String? {
        entries.withLock { $0[accessKeyId]?.principal }
    }

    /// The temporary credentials issued under an access key id (nil for long-term and unknown keys).
    package func temporary(for accessKeyId: String) -> TemporaryCredential? {
        entries.withLock { $0[accessKeyId]?.temporary }
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
        entries.withLock { $0[accessKeyId] = entry }
    }

    /// Adds or replaces temporary credentials.
    package func addTemporary(_ temporary: TemporaryCredential) {
        let entry = Entry(credential: temporary.signingCredential, principal: temporary.principal, temporary: temporary)
        entries.withLock { $0[temporary.accessKeyId] = entry }
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
        let temporary = TemporaryCredential(
            accessKeyId: "ASIA" + Self.random(from: Self.upperAlphanumerics, count: 16),
            secretAccessKey: Self.random(from: Self.secretAlphabet, count: 40),
            sessionToken: "FQoGZXIvYXdzE" + Self.random(from: Self.secretAlphabet, count: 300),
            expiration: now.addingTimeInterval(duration),
            principal: principal,
            roleArn: roleArn,
            sessionContext: sessionContext
        )
        addTemporary(temporary)
        return temporary
    }

    /// Removes a key.
    package func remove(accessKeyId: String) {
        _ = entries.withLock { $0.removeValue(forKey: accessKeyId) }
    }

    /// Drops temporary credentials that expired before `now`.
    package func purgeExpired(now: Date) {
        entries.withLock { entries in
            entries = entries.filter { _, entry in (entry.credential.expiration ?? .distantFuture) > now }
        }
    }

    /// Adds every profile's key pair from AWS-style credentials INI text.
    /// - Parameter ini: The file contents.
    /// - Returns: The number of key pairs added.
    @discardableResult
    package func addCredentials(fromINI ini: String) -> Int {
        let profiles = Self.parseCredentialsINI(ini)
        entries.withLock { entries in
            for credential in profiles.values { entries[credential.accessKeyId] = Entry(credential: credential, principal: nil, temporary: nil) }
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
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] })
    }
}
