import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A certificate authority generated at start, and the server certificate it signs for the local TLS endpoint.
///
/// Lambda handlers build `boto3.client("apigatewaymanagementapi", endpoint_url=f"https://{domainName}/{stage}")`
/// from the event; the emulator serves that endpoint over TLS on loopback with a certificate for `127.0.0.1`
/// and `localhost`, and SDK clients trust it through `AWS_CA_BUNDLE` pointing at ``caBundlePath``.
/// Certificate validity uses real time (TLS peers check it against their own clock), not the virtual clock.
package struct LocalCertificateAuthority: Sendable {
    /// The CA certificate's PEM file.
    package let caBundlePath: String
    /// The server certificate, PEM.
    package let serverCertificatePEM: String
    /// The server key, PEM.
    package let serverKeyPEM: String

    /// Generates a CA and a server certificate and writes the CA bundle into `folder`.
    /// - Parameters:
    ///   - folder: Where `ca.pem`, `server.pem` and `server-key.pem` are written.
    ///   - hosts: DNS names and IP literals the server certificate covers.
    ///   - now: The issue time (real time).
    /// - Throws: When a certificate cannot be built or the files cannot be written.
    package init(folder: URL, hosts: [String] = ["localhost", "127.0.0.1"], now: Date = Date()) throws {
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName {
            OrganizationName("synapscribe-local")
            CommonName("synapscribe-local development CA")
        }
        let caPublicKey = Certificate.PublicKey(caKey.publicKey)
        let caIdentifier = SubjectKeyIdentifier(hash: caPublicKey)
        let ca = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: caPublicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(3 * 365 * 86400),
            issuer: caName,
            subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
                caIdentifier
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey)
        )

        let serverKey = P256.Signing.PrivateKey()
        let serverPublicKey = Certificate.PublicKey(serverKey.publicKey)
        let names: [GeneralName] = hosts.map { host in
            if let address = Self.ipv4Bytes(host) {
                return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(address)))
            }
            return .dnsName(host)
        }
        let serverName = try DistinguishedName { CommonName(hosts.first ?? "localhost") }
        let server = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: serverPublicKey,
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(365 * 86400),
            issuer: caName,
            subject: serverName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
                SubjectKeyIdentifier(hash: serverPublicKey)
                AuthorityKeyIdentifier(keyIdentifier: caIdentifier.keyIdentifier)
            },
            issuerPrivateKey: Certificate.PrivateKey(caKey)
        )

        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let caPEM = try ca.serializeAsPEM().pemString + "\n"
        let serverPEM = try server.serializeAsPEM().pemString + "\n"
        let caURL = folder.appendingPathComponent("ca.pem")
        try Data(caPEM.utf8).write(to: caURL, options: .atomic)
        try Data(serverPEM.utf8).write(to: folder.appendingPathComponent("server.pem"), options: .atomic)
        try Data(serverKey.pemRepresentation.utf8).write(to: folder.appendingPathComponent("server-key.pem"), options: .atomic)
        self.caBundlePath = caURL.path
        self.serverCertificatePEM = serverPEM
        self.serverKeyPEM = serverKey.pemRepresentation
    }

    /// The NIOSSL server configuration presenting the server certificate.
    /// - Returns: The configuration.
    /// - Throws: When the PEM texts do not parse.
    package func tlsConfiguration() throws -> TLSConfiguration {
        let certificate = try NIOSSLCertificate(bytes: Array(serverCertificatePEM.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(serverKeyPEM.utf8), format: .pem)
        return TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
    }

    private static func ipv4Bytes(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".")
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }
}
