import Crypto
import Foundation
import Testing

@testable import SigV4

/// The signing key cache: the same key as a fresh derivation, per secret, date, region and service.
@Suite struct SigningKeyCacheTests {
    func bytes(_ key: SymmetricKey) -> [UInt8] { key.withUnsafeBytes { Array($0) } }

    @Test func cachedKeysEqualFreshDerivationsForEveryScopePart() {
        let scopes = [
            ("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam"),
            ("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150831", "us-east-1", "iam"),
            ("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "eu-west-1", "iam"),
            ("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "s3"),
            ("test", "20150830", "us-east-1", "iam"),
        ]
        var seen: Set<[UInt8]> = []
        for _ in 0..<2 {
            for (secret, date, region, service) in scopes {
                let cached = SigV4Signing.cachedSigningKey(secret: secret, date: date, region: region, service: service)
                let fresh = SigV4Signing.signingKey(secret: secret, date: date, region: region, service: service)
                #expect(bytes(cached) == bytes(fresh))
                seen.insert(bytes(cached))
            }
        }
        #expect(seen.count == scopes.count)
        // AWS's documented example key (Signature Version 4 "Examples of how to derive a signing key").
        let example = SigV4Signing.cachedSigningKey(
            secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            date: "20150830",
            region: "us-east-1",
            service: "iam"
        )
        #expect(SigV4Encoding.hex(bytes(example)) == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9")
    }

    @Test func theCacheStaysBoundedAndCorrectPastItsLimit() {
        for day in 0..<(SigV4Signing.signingKeyCacheLimit + 10) {
            let date = String(20_200_101 + day)
            let cached = SigV4Signing.cachedSigningKey(secret: "bounded", date: date, region: "us-east-1", service: "s3")
            #expect(bytes(cached) == bytes(SigV4Signing.signingKey(secret: "bounded", date: date, region: "us-east-1", service: "s3")))
        }
    }
}
