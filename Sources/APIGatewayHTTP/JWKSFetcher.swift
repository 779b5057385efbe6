import EmulatorCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import _CryptoExtras

/// Fetches and caches the signing keys of JWT issuers: `{issuer}/.well-known/openid-configuration` names the
/// `jwks_uri`, whose keys are kept for a minute (and fetched again when a token names an unknown `kid`). Only
/// loopback URLs are ever contacted; anything else yields no keys. A Cognito user pool issuer
/// (`https://cognito-idp.{region}.amazonaws.com/{poolId}`) is answered by the emulated user pools in-process, never
/// over the network.
package actor JWKSFetcher {
    private struct Entry {
        var keys: [String: _RSA.Signing.PublicKey]
        var fetched: ContinuousClock.Instant
    }

    private var entries: [String: Entry] = [:]
    private let userPools: (any UserPoolIssuers)?

    /// Creates an empty cache.
    /// - Parameter userPools: The emulated user pools, which answer for Cognito issuers.
    package init(userPools: (any UserPoolIssuers)? = nil) {
        self.userPools = userPools
    }

    /// The issuer's keys, from the cache when fresh enough.
    /// - Parameters:
    ///   - issuer: The issuer URL (loopback).
    ///   - kid: The key id a token names: a cached set without it is refreshed (at most every 5 seconds).
    /// - Returns: The keys by `kid` (empty when the issuer cannot be reached).
    package func keys(issuer: String, kid: String?) async -> [String: _RSA.Signing.PublicKey] {
        if UserPoolToken.poolId(ofIssuer: issuer) != nil {
            // The emulated pool's current keys (a reset or snapshot restore may change them): no cache, no network.
            guard let document = await userPools?.jwks(issuer: issuer) else { return [:] }
            return JWTValidator.keys(fromJWKS: document)
        }
        let now = ContinuousClock.now
        if let entry = entries[issuer] {
            let age = now - entry.fetched
            let missing = kid.map { entry.keys[$0] == nil } ?? false
            if age < .seconds(60), !missing || age < .seconds(5) { return entry.keys }
        }
        var base = issuer
        while base.hasSuffix("/") { base.removeLast() }
        var keys: [String: _RSA.Signing.PublicKey] = [:]
        if let discovery = await LoopbackHTTP.get(base + "/.well-known/openid-configuration"),
            let object = try? JSONSerialization.jsonObject(with: discovery) as? [String: Any],
            let jwksURI = object["jwks_uri"] as? String,
            HttpAuthorizerSpec.isLoopback(jwksURI),
            let jwks = await LoopbackHTTP.get(jwksURI)
        {
            keys = JWTValidator.keys(fromJWKS: jwks)
        }
        entries[issuer] = Entry(keys: keys, fetched: now)
        return keys
    }
}

/// A GET of an `http://` loopback URL (JWKS discovery) through ``LoopbackForwarder``: 5 s timeout; every other host is
/// refused without being contacted.
enum LoopbackHTTP {
    /// The body of a 200 answer, or nil.
    /// - Parameter text: The URL.
    /// - Returns: The body.
    static func get(_ text: String) async -> Data? {
        guard let target = LoopbackForwarder.target(text),
            let answer = try? await LoopbackForwarder.send(
                target,
                method: "GET",
                headers: [(name: "Accept", value: "application/json")],
                body: [],
                timeout: .seconds(5)
            ),
            answer.status == 200
        else { return nil }
        return Data(answer.body)
    }
}
