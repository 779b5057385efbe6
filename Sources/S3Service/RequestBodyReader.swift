import AWSGateway
import Crypto
import EmulatorCore
import Foundation
import NIOCore
import SigV4

/// What was received of a request body.
package struct ReceivedBody: Sendable {
    /// The decoded payload size.
    package var size: Int
    /// The MD5 digest of the decoded payload.
    package var md5: [UInt8]
    /// The flexible checksum verified for the payload, if one was declared.
    package var checksum: (algorithm: ChecksumAlgorithm, value: String)?

    /// The hex MD5, as S3 ETags show it.
    package var md5Hex: String { SigV4Encoding.hex(md5) }
}

/// Reads a (possibly aws-chunked) request body, checks its integrity (content SHA-256, Content-MD5, flexible
/// checksums, chunk signatures) and hands the decoded bytes to a sink.
package struct RequestBodyReader {
    private let request: AWSRequest

    /// Creates a reader.
    /// - Parameter request: The request whose body is read.
    package init(request: AWSRequest) {
        self.request = request
    }

    /// The checksum algorithm the request declares (header, SDK algorithm header, or trailer), if any.
    /// - Returns: The algorithm.
    /// - Throws: `InvalidRequest` for an unknown algorithm.
    package func declaredChecksumAlgorithm() throws(S3Error) -> ChecksumAlgorithm? {
        for algorithm in ChecksumAlgorithm.allCases where request.header(algorithm.headerName) != nil { return algorithm }
        if let trailer = request.header("x-amz-trailer"), let algorithm = ChecksumAlgorithm.fromHeader(SigV4Encoding.trimmingWhitespace(trailer)) {
            return algorithm
        }
        if let name = request.header("x-amz-sdk-checksum-algorithm") {
            guard let algorithm = ChecksumAlgorithm(rawValue: name.uppercased()) else {
                throw .invalidRequest(
                    "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, SHA1, SHA256]"
                )
            }
            return algorithm
        }
        return nil
    }

    /// Reads the whole body into a file, written on the store's I/O threads in large blocks; the caller closes
    /// the file (``S3Store/place(_:part:)``), so a small body costs one job on those threads in all.
    /// - Parameters:
    ///   - file: The temporary file (removed when reading fails).
    ///   - checksumAlgorithm: An algorithm to compute even if none is declared (multipart uploads declare it at creation).
    ///   - maxSize: The largest body accepted.
    /// - Returns: What was received.
    /// - Throws: ``S3Error`` for integrity failures; file-system errors.
    package func read(into file: WritableFile, checksumAlgorithm: ChecksumAlgorithm? = nil, maxSize: Int) async throws -> ReceivedBody {
        do {
            return try await read(
                checksumAlgorithm: checksumAlgorithm,
                maxSize: maxSize,
                sink: { bytes in try file.append(bytes) },
                drain: { try await file.flushIfFull() }
            )
        } catch {
            await file.discard()
            throw error
        }
    }

    /// Reads a small body into memory (configuration documents, DeleteObjects, CompleteMultipartUpload).
    /// - Parameter maxSize: The largest body accepted.
    /// - Returns: The bytes.
    /// - Throws: ``S3Error`` for integrity failures or oversized bodies.
    package func collect(maxSize: Int = 2 * 1024 * 1024) async throws -> Data {
        var data = Data()
        _ = try await read(checksumAlgorithm: nil, maxSize: maxSize, sink: { bytes in data.append(contentsOf: bytes) }, drain: {})
        return data
    }

    private func read(
        checksumAlgorithm: ChecksumAlgorithm?,
        maxSize: Int,
        sink: (UnsafeRawBufferPointer) throws -> Void,
        drain: () async throws -> Void
    ) async throws -> ReceivedBody {
        let authentication = request.caller.authentication
        let declaredSHA = request.header("x-amz-content-sha256")
        let mode = authentication?.payloadMode ?? declaredSHA.flatMap { PayloadSigningMode(contentSHA256: $0) }
        let chunked = (mode?.isStreaming ?? false) || (request.header("content-encoding")?.contains("aws-chunked") ?? false)
        var decoder: AWSChunkedDecoder?
        if chunked {
            let decodedLength = request.header("x-amz-decoded-content-length").flatMap { Int($0) }
            if let decodedLength, decodedLength > maxSize { throw S3Error.entityTooLarge(proposed: decodedLength, max: maxSize) }
            decoder = AWSChunkedDecoder(
                mode: mode ?? .streamingUnsignedTrailer,
                context: authentication?.chunkContext,
                decodedContentLength: decodedLength
            )
        } else if let length = request.header("content-length").flatMap({ Int($0) }), length > maxSize {
            throw S3Error.entityTooLarge(proposed: length, max: maxSize)
        }
        let algorithm = try declaredChecksumAlgorithm() ?? checksumAlgorithm
        var checksum = algorithm.map { ChecksumHasher($0) }
        var md5 = Insecure.MD5()
        var sha256: SHA256? = (mode.map { if case .sha256 = $0 { true } else { false } } ?? false) ? SHA256() : nil
        var size = 0

        func consume(_ bytes: UnsafeRawBufferPointer) throws {
            size += bytes.count
            if size > maxSize { throw S3Error.entityTooLarge(proposed: size, max: maxSize) }
            md5.update(bufferPointer: bytes)
            checksum?.update(bytes)
            try sink(bytes)
        }

        do {
            for try await buffer in request.body {
                if decoder != nil {
                    let decoded = try buffer.withUnsafeReadableBytes { raw throws(SigV4Error) in try decoder?.feed(raw) ?? [] }
                    try decoded.withUnsafeBytes { try consume($0) }
                } else {
                    sha256?.update(data: buffer.readableBytesView)
                    try buffer.withUnsafeReadableBytes { try consume($0) }
                }
                try await drain()
            }
        } catch let error as SigV4Error {
            throw S3Error.signature(error)
        }

        var trailers: [(name: String, value: String)] = []
        if var active = decoder {
            do {
                trailers = try active.finish()
            } catch {
                throw S3Error.signature(error)
            }
            decoder = active
        } else if let length = request.header("content-length").flatMap({ Int($0) }), size < length {
            throw S3Error.incompleteBody
        }
        if let sha256, let declaredSHA {
            do {
                try SigV4.checkContentSHA256(declared: declaredSHA, computedHex: SigV4Encoding.hex(sha256.finalize()))
            } catch {
                throw S3Error.signature(error)
            }
        }
        let md5Digest = Array(md5.finalize())
        if let contentMD5 = request.header("content-md5") {
            guard let expected = Data(base64Encoded: contentMD5), expected.count == 16 else { throw S3Error.invalidDigest }
            guard Array(expected) == md5Digest else { throw S3Error.badDigestMD5 }
        }
        var verified: (algorithm: ChecksumAlgorithm, value: String)?
        if let hasher = checksum {
            let computed = hasher.finalize()
            let name = hasher.algorithm.headerName
            let declared = request.header(name) ?? trailers.first { $0.name == name }?.value
            if let declared {
                guard hasher.algorithm.isValid(declared) else { throw S3Error.invalidChecksumValue(algorithm: hasher.algorithm.rawValue) }
                guard declared == computed else { throw S3Error.badDigestChecksum(algorithm: hasher.algorithm.rawValue) }
            }
            verified = (hasher.algorithm, computed)
        }
        return ReceivedBody(size: size, md5: md5Digest, checksum: verified)
    }
}
