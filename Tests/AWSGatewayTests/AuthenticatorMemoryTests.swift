import AWSGateway
import EmulatorCore
import Foundation
import Logging
import SigV4
import Testing

@Suite struct AuthenticatorMemoryTests {
    @Test func theMemoryOfLoggedUnknownKeysIsBounded() throws {
        let clock = VirtualClock()
        let authenticator = Authenticator(store: CredentialStore(), clock: clock, strictCredentials: false, accountId: "000000000000")
        let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        for index in 0..<(Authenticator.unknownKeyMemory + 500) {
            let request = SigV4Request(method: "POST", path: "/", headers: [(name: "host", value: "127.0.0.1:4566")])
            let signed = SigV4Signing.signHeaders(
                request,
                credential: SigningCredential(accessKeyId: String(format: "AKIAUNKNOWN%09d", index), secretAccessKey: "secret"),
                region: "us-east-1",
                service: "dynamodb",
                date: clock.now,
                payloadHash: emptyHash,
                style: .standard
            )
            let caller = try authenticator.authenticate(
                signed,
                bodySHA256Hex: emptyHash,
                wireProtocol: .awsJson1_0(targetPrefix: "DynamoDB_20120810"),
                virtualHostBucket: nil,
                logger: quiet
            )
            #expect(!caller.signatureVerified)
        }
        #expect(authenticator.rememberedUnknownKeys == Authenticator.unknownKeyMemory)
    }
}
