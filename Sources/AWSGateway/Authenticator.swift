import EmulatorCore
import Foundation
import Logging
import SigV4
import Synchronization

/// Verifies request signatures against the credential store and names the caller.
///
/// Requests signed with a known key are fully verified. Requests signed with any other well-formed long-term
/// access key id are accepted as the account's administrator without verification unless `strictCredentials`
/// is set (as LocalStack and moto do), and each such key is logged once. Unknown keys that look temporary (an
/// `ASIA` key id, or a session token) are always refused with the service's "invalid token" error, or
/// `ExpiredToken` when the token is one the emulator issued and has since purged. The memory of logged
/// unknown keys is bounded.
package final class Authenticator: Sendable {
    private let verifier: SigV4Verifier
    private let store: CredentialStore
    private let clock: VirtualClock
    private let strictCredentials: Bool
    private let accountId: String
    private let loggedUnknownKeys = Mutex(RecentKeys(capacity: Authenticator.unknownKeyMemory))

    /// How many unknown access keys the authenticator remembers having logged (the oldest is forgotten first).
    package static let unknownKeyMemory = 1024

    /// The number of unknown access keys remembered now (at most ``unknownKeyMemory``).
    package var rememberedUnknownKeys: Int { loggedUnknownKeys.withLock { $0.count } }

    /// Creates the authenticator.
    /// - Parameters:
    ///   - store: The credential store (test key pair, configured pairs, issued temporary credentials).
    ///   - clock: The virtual clock: skew, presign expiry and token expiry are judged against it.
    ///   - strictCredentials: Refuse unknown access keys instead of accepting them unverified.
    ///   - accountId: The account id, for the root principal ARN.
    package init(store: CredentialStore, clock: VirtualClock, strictCredentials: Bool, accountId: String) {
        self.verifier = SigV4Verifier()
        self.store = store
        self.clock = clock
        self.strictCredentials = strictCredentials
        self.accountId = accountId
    }

    /// Verifies a signed request.
    /// - Parameters:
    ///   - request: The request as the signer saw it.
    ///   - signature: The request's signing material, parsed once by the gateway (``SigV4/inspect(_:)``); nil parses it here.
    ///   - bodySHA256Hex: The hex SHA-256 of the collected body, for services that do not stream.
    ///   - wireProtocol: The protocol of the target service (decides S3 rules and error shapes).
    ///   - virtualHostBucket: The bucket from a virtual-hosted-style host, for SigV2's canonical resource.
    ///   - logger: The request logger.
    /// - Returns: The caller.
    /// - Throws: A ``GenericAWSError`` worded for the protocol when verification fails.
    package func authenticate(
        _ request: SigV4Request,
        signature: RequestSignature? = nil,
        bodySHA256Hex: String?,
        wireProtocol: WireProtocol,
        virtualHostBucket: String?,
        logger: Logger
    ) throws(GenericAWSError) -> Caller {
        let style: ServiceStyle = wireProtocol == .restXml ? .s3 : .standard
        let authentication: Authentication
        do {
            authentication = try verifier.verify(
                request,
                signature: signature ?? SigV4.inspect(request),
                bodySHA256Hex: bodySHA256Hex,
                style: style,
                now: clock.now,
                // Clients sign with their real clocks while the virtual clock may run ahead: skew is judged on real time.
                skewReference: clock.now.addingTimeInterval(-clock.offset),
                bucketForSigV2: virtualHostBucket,
                lookup: { store.lookup(accessKeyId: $0) },
                unknownKeys: strictCredentials ? .reject : .acceptUnverified
            )
        } catch {
            throw Self.wireError(recognisingExpiredTokens(error, request: request), protocol: wireProtocol)
        }
        if !authentication.signatureVerified {
            let first = loggedUnknownKeys.withLock { $0.insert(authentication.accessKeyId) }
            if first {
                logger.notice(
                    "Accepting requests signed with an unknown access key as the account administrator (use --strict-credentials to refuse)",
                    metadata: ["access-key-id": .string(authentication.accessKeyId)]
                )
            }
        }
        let principal = store.principal(for: authentication.accessKeyId) ?? "arn:aws:iam::\(accountId):root"
        return Caller(
            accessKeyId: authentication.accessKeyId,
            sessionToken: authentication.sessionToken,
            principalArn: principal,
            signatureVerified: authentication.signatureVerified,
            signing: Self.method(authentication.kind),
            authentication: authentication
        )
    }

    /// Turns "unknown key" into "expired token" when the request carries a session token this emulator issued:
    /// its credentials expired and were purged, and AWS answers such requests `ExpiredToken` (`ExpiredTokenException`)
    /// rather than calling the key unknown. Forged tokens and tokens from another data folder stay unknown.
    private func recognisingExpiredTokens(_ error: SigV4Error, request: SigV4Request) -> SigV4Error {
        guard case .unknownAccessKey(let accessKeyId) = error else { return error }
        let token =
            request.header("x-amz-security-token") ?? request.queryValue("X-Amz-Security-Token")
            ?? request.queryValue("x-amz-security-token")
        return store.unknownKeyError(accessKeyId: accessKeyId, sessionToken: token) ?? error
    }

    /// Renders a SigV4 failure in the wording of the target protocol.
    /// - Parameters:
    ///   - error: The verification failure.
    ///   - wireProtocol: The target protocol.
    /// - Returns: The AWS error.
    package static func wireError(_ error: SigV4Error, protocol wireProtocol: WireProtocol) -> GenericAWSError {
        let style: ErrorStyle
        switch wireProtocol {
        case .restXml: style = .s3Xml
        case .awsQuery: style = .queryXml
        case .awsJson1_0, .awsJson1_1: style = .json
        case .restJson1: style = .restJson
        }
        let wire = error.wireError(style)
        let jsonType: String?
        switch wireProtocol {
        case .awsJson1_0, .awsJson1_1: jsonType = "com.amazon.coral.service#" + wire.code
        default: jsonType = nil
        }
        return GenericAWSError(
            code: wire.code,
            message: wire.message,
            httpStatus: wire.httpStatus,
            extraFields: wire.extraElements,
            jsonType: jsonType
        )
    }

    private static func method(_ kind: AuthenticationKind) -> Caller.SigningMethod {
        switch kind {
        case .header: .sigV4Header
        case .presigned: .sigV4Query
        case .sigV2Header: .sigV2Header
        case .sigV2Query: .sigV2Query
        }
    }
}
