import Crypto
import EmulatorCore
import Foundation
import Testing

@testable import CognitoUserPoolsService

@Suite struct UserPoolIssuerTests {
    @Test(
        arguments: [
            ("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyz", "us-east-1_AbC123xyz"),
            ("https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_Q1/", "eu-west-2_Q1"),
            ("http://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC", nil),
            ("https://cognito-idp.us-east-1.amazonaws.com.evil.example/us-east-1_AbC", nil),
            ("https://example.com/us-east-1_AbC", nil),
            ("https://cognito-idp.us-east-1.amazonaws.com/not-a-pool", nil),
            ("https://cognito-idp.us-east-1.amazonaws.com/", nil),
        ] as [(String, String?)]
    )
    func poolIdOfIssuer(issuer: String, expected: String?) {
        #expect(UserPoolToken.poolId(ofIssuer: issuer) == expected)
    }

    @Test func issuerIsCognitosForm() {
        #expect(UserPoolToken.issuer(region: "us-east-1", poolId: "us-east-1_x") == "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x")
    }
}

@Suite struct PasswordPolicyTests {
    @Test(arguments: [
        ("short1A", "Password did not conform with policy: Password not long enough"),
        ("ALLUPPER1!", "Password did not conform with policy: Password must have lowercase characters"),
        ("alllower1!", "Password did not conform with policy: Password must have uppercase characters"),
        ("NoDigits!!", "Password did not conform with policy: Password must have numeric characters"),
        ("NoSymbol12", "Password did not conform with policy: Password must have symbol characters"),
    ])
    func defaultPolicyRefusals(password: String, message: String) {
        #expect(throws: UserPoolsError.invalidPassword(message)) {
            try CognitoUserPoolsService.checkPolicy(password, UserPoolRecord.PasswordPolicy())
        }
    }

    @Test func goodPasswordAndGeneratedOnesPass() throws {
        try CognitoUserPoolsService.checkPolicy("Good1Pass!", UserPoolRecord.PasswordPolicy())
        try CognitoUserPoolsService.checkPolicy(CognitoUserPoolsService.generatedPassword(), UserPoolRecord.PasswordPolicy())
    }
}

@Suite struct SecretHashTests {
    private func client(secret: String?) -> UserPoolClientRecord {
        UserPoolClientRecord(
            id: "client1",
            poolId: "us-east-1_x",
            name: "app",
            secret: secret,
            explicitAuthFlows: [],
            createdAt: Date(timeIntervalSince1970: 0),
            lastModifiedAt: Date(timeIntervalSince1970: 0)
        )
    }

    @Test func hashIsHMACOfUsernameAndClientId() throws {
        let secret = "s3cr3t"
        let mac = HMAC<SHA256>.authenticationCode(for: Data("aliceclient1".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        try CognitoUserPoolsService.checkSecretHash(Data(mac).base64EncodedString(), client: client(secret: secret), username: "alice")
        #expect(throws: UserPoolsError.notAuthorized("Unable to verify secret hash for client client1")) {
            try CognitoUserPoolsService.checkSecretHash("AAAA", client: client(secret: secret), username: "alice")
        }
        #expect(throws: UserPoolsError.notAuthorized("Client client1 is configured for secret but secret was not received")) {
            try CognitoUserPoolsService.checkSecretHash(nil, client: client(secret: secret), username: "alice")
        }
        try CognitoUserPoolsService.checkSecretHash(nil, client: client(secret: nil), username: "alice")
    }

    @Test func flowsOfAClientWithoutExplicitFlows() {
        let plain = client(secret: nil)
        #expect(plain.allows("USER_SRP_AUTH"))
        #expect(plain.allows("REFRESH_TOKEN_AUTH"))
        #expect(!plain.allows("USER_PASSWORD_AUTH"))
        #expect(!plain.allows("ADMIN_USER_PASSWORD_AUTH"))
    }
}

@Suite struct UserFilterTests {
    @Test func filtersParse() throws {
        let exact = try #require(CognitoUserPoolsService.parseFilter(#"email = "a@b.c""#))
        #expect(exact.attribute == "email" && !exact.prefix && exact.value == "a@b.c")
        let prefix = try #require(CognitoUserPoolsService.parseFilter(#"username ^= "al""#))
        #expect(prefix.attribute == "username" && prefix.prefix && prefix.value == "al")
        #expect(CognitoUserPoolsService.parseFilter("email = a") == nil)
        #expect(CognitoUserPoolsService.parseFilter(#"custom:x = "1""#) == nil)
    }
}

@Suite struct SignerTests {
    @Test func signedTokensVerifyAndTamperedOnesDoNot() throws {
        let key = try UserPoolSigner.generate()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let pool = UserPoolsStore.StoredPool(
            record: UserPoolRecord(
                id: "us-east-1_abc",
                name: "p",
                region: "us-east-1",
                accountId: "000000000000",
                createdAt: now,
                lastModifiedAt: now
            ),
            keyId: key.keyId,
            keyPEM: key.pem
        )
        let signer = try #require(UserPoolSigner(pool))
        let token = signer.sign(["sub": "s", "token_use": "id"])
        #expect(signer.verify(token)?["sub"] as? String == "s")
        let parts = token.split(separator: ".").map(String.init)
        let forged = parts[0] + "." + UserPoolSigner.segment(["sub": "t", "token_use": "id"]) + "." + parts[2]
        #expect(signer.verify(forged) == nil)
        let jwks = try #require(try JSONSerialization.jsonObject(with: signer.jwks) as? [String: Any])
        let entry = try #require((jwks["keys"] as? [[String: Any]])?.first)
        #expect(entry["kid"] as? String == key.keyId)
        #expect(entry["e"] as? String == "AQAB")
    }
}
