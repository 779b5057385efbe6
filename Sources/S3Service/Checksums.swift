import Crypto
import Foundation

/// The flexible-checksum algorithms S3 accepts.
package enum ChecksumAlgorithm: String, Codable, Sendable, CaseIterable {
    /// CRC-32 (IEEE).
    case crc32 = "CRC32"
    /// CRC-32C (Castagnoli).
    case crc32c = "CRC32C"
    /// SHA-1.
    case sha1 = "SHA1"
    /// SHA-256.
    case sha256 = "SHA256"

    /// The header carrying the checksum, `x-amz-checksum-crc32`.
    package var headerName: String { "x-amz-checksum-" + rawValue.lowercased() }

    /// The XML element in listings and results, `ChecksumCRC32`.
    package var elementName: String { "Checksum" + rawValue }

    /// The digest length in bytes.
    package var digestLength: Int {
        switch self {
        case .crc32, .crc32c: 4
        case .sha1: 20
        case .sha256: 32
        }
    }

    /// The algorithm named by a header (`x-amz-checksum-crc32`), if any.
    /// - Parameter header: The lower-cased header name.
    /// - Returns: The algorithm.
    package static func fromHeader(_ header: String) -> ChecksumAlgorithm? {
        allCases.first { $0.headerName == header.lowercased() }
    }

    /// Whether a base64 text is a digest of the right length for this algorithm.
    /// - Parameter base64: The header value.
    /// - Returns: `true` when it decodes to ``digestLength`` bytes.
    package func isValid(_ base64: String) -> Bool {
        Data(base64Encoded: base64)?.count == digestLength
    }
}

/// Incremental checksum of one algorithm.
package struct ChecksumHasher {
    private enum State {
        case crc(UInt32, table: CRCTable)
        case sha1(Insecure.SHA1)
        case sha256(SHA256)
    }

    private var state: State
    /// The algorithm.
    package let algorithm: ChecksumAlgorithm

    /// Starts a checksum.
    /// - Parameter algorithm: The algorithm.
    package init(_ algorithm: ChecksumAlgorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .crc32: state = .crc(0xFFFF_FFFF, table: .ieee)
        case .crc32c: state = .crc(0xFFFF_FFFF, table: .castagnoli)
        case .sha1: state = .sha1(Insecure.SHA1())
        case .sha256: state = .sha256(SHA256())
        }
    }

    /// Adds bytes.
    /// - Parameter bytes: The next bytes.
    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch state {
        case .crc(let crc, let table): state = .crc(table.update(crc, bytes), table: table)
        case .sha1(var hasher):
            hasher.update(bufferPointer: bytes)
            state = .sha1(hasher)
        case .sha256(var hasher):
            hasher.update(bufferPointer: bytes)
            state = .sha256(hasher)
        }
    }

    /// The base64 digest, as S3 sends it.
    /// - Returns: The checksum.
    package func finalize() -> String {
        switch state {
        case .crc(let crc, _):
            let value = crc ^ 0xFFFF_FFFF
            return Data([UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
                .base64EncodedString()
        case .sha1(let hasher): return Data(hasher.finalize()).base64EncodedString()
        case .sha256(let hasher): return Data(hasher.finalize()).base64EncodedString()
        }
    }

    /// The checksum of a whole byte sequence.
    /// - Parameters:
    ///   - algorithm: The algorithm.
    ///   - bytes: The bytes.
    /// - Returns: The base64 digest.
    package static func digest(_ algorithm: ChecksumAlgorithm, of bytes: some Sequence<UInt8>) -> String {
        var hasher = ChecksumHasher(algorithm)
        let array = Array(bytes)
        array.withUnsafeBytes { hasher.update($0) }
        return hasher.finalize()
    }
}

/// Slicing-by-8 tables for a reflected CRC-32 polynomial.
package final class CRCTable: Sendable {
    /// CRC-32 (IEEE 802.3), polynomial 0xEDB88320 reflected.
    package static let ieee = CRCTable(polynomial: 0xEDB8_8320)
    /// CRC-32C (Castagnoli), polynomial 0x82F63B78 reflected.
    package static let castagnoli = CRCTable(polynomial: 0x82F6_3B78)

    private let tables: [UInt32]

    private init(polynomial: UInt32) {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var crc = UInt32(index)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1 }
            tables[index] = crc
        }
        for index in 0..<256 {
            var crc = tables[index]
            for slice in 1..<8 {
                crc = tables[Int(crc & 0xFF)] ^ (crc >> 8)
                tables[slice * 256 + index] = crc
            }
        }
        self.tables = tables
    }

    /// Continues a CRC (pre-inverted state) over bytes.
    /// - Parameters:
    ///   - crc: The running state.
    ///   - bytes: The bytes.
    /// - Returns: The new state.
    package func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = crc
        tables.withUnsafeBufferPointer { table in
            var index = 0
            let count = bytes.count
            while index + 8 <= count {
                let low =
                    crc ^ (UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24)
                let t7 = table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int((low >> 8) & 0xFF)]
                let t5 = table[5 * 256 + Int((low >> 16) & 0xFF)] ^ table[4 * 256 + Int(low >> 24)]
                let t3 = table[3 * 256 + Int(bytes[index + 4])] ^ table[2 * 256 + Int(bytes[index + 5])]
                let t1 = table[1 * 256 + Int(bytes[index + 6])] ^ table[Int(bytes[index + 7])]
                crc = t7 ^ t5 ^ t3 ^ t1
                index += 8
            }
            while index < count {
                crc = table[Int((crc ^ UInt32(bytes[index])) & 0xFF)] ^ (crc >> 8)
                index += 1
            }
        }
        return crc
    }
}
