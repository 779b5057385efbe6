import AWSGateway
import Crypto
import EmulatorCore
import Foundation
import NIOCore
import NIOPosix
import SigV4

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for writing with POSIX calls; closes itself when released.
package final class WritableFile: @unchecked Sendable {
    // @unchecked: the descriptor is only used by the one task that owns the upload.
    private var descriptor: Int32

    /// Creates (truncating) a file.
    /// - Parameter url: The path.
    /// - Throws: `CocoaError` when it cannot be opened.
    package init(url: URL) throws {
        descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// Writes every byte.
    /// - Parameter bytes: The bytes.
    /// - Throws: `CocoaError` on write failures.
    package func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = write(descriptor, base, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw CocoaError(.fileWriteUnknown)
            }
            remaining -= written
            base = base.advanced(by: written)
        }
    }

    /// Threads that wait in `fsync`: concurrent uploads sync in parallel, so the file system can batch their
    /// journal commits (NIO's shared pool has one thread per core, which would serialise them).
    private static let syncPool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 16)
        pool.start()
        return pool
    }()

    /// Flushes to stable storage (on a blocking thread pool) and closes.
    /// - Throws: `CocoaError` when fsync fails.
    package func syncAndClose() async throws {
        let fd = descriptor
        descriptor = -1
        let result = try await Self.syncPool.runIfActive { () -> Int32 in
            let synced = fsync(fd)
            close(fd)
            return synced
        }
        guard result == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }
}

/// A file opened for reading; closed when the last reference goes away, so a body being streamed survives
/// the object being overwritten or deleted meanwhile.
package final class ReadableFile: Sendable {
    private let descriptor: Int32

    /// Opens a file.
    /// - Parameter url: The path.
    /// - Throws: `CocoaError` when it cannot be opened.
    package init(url: URL) throws {
        descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else { throw CocoaError(.fileReadNoSuchFile) }
    }

    /// Reads up to `count` bytes at an offset.
    /// - Parameters:
    ///   - offset: The file offset.
    ///   - count: The most bytes to read.
    /// - Returns: The bytes (empty at end of file).
    /// - Throws: `CocoaError` on read failures.
    package func read(at offset: Int, count: Int) throws -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        let read = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { pointer in
            let result = pread(descriptor, pointer.baseAddress, count, off_t(offset))
            return max(result, 0)
        }
        if read == 0 && count > 0 && offset < 0 { throw CocoaError(.fileReadUnknown) }
        return buffer
    }

    deinit { close(descriptor) }
}

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
        if let trailer = request.header("x-amz-trailer"), let algorithm = ChecksumAlgorithm.fromHeader(trailer.trimmingCharacters(in: .whitespaces)) {
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

    /// Reads the whole body into a file.
    /// - Parameters:
    ///   - url: The file to create.
    ///   - checksumAlgorithm: An algorithm to compute even if none is declared (multipart uploads declare it at creation).
    ///   - maxSize: The largest body accepted.
    /// - Returns: What was received.
    /// - Throws: ``S3Error`` for integrity failures; file-system errors.
    package func read(into url: URL, checksumAlgorithm: ChecksumAlgorithm? = nil, maxSize: Int) async throws -> ReceivedBody {
        let file = try WritableFile(url: url)
        do {
            let received = try await read(checksumAlgorithm: checksumAlgorithm, maxSize: maxSize) { bytes in try file.append(bytes) }
            try await file.syncAndClose()
            return received
        } catch {
            try? FileManager.default.removeItem(at: url)
            throw error
        }
    }

    /// Reads a small body into memory (configuration documents, DeleteObjects, CompleteMultipartUpload).
    /// - Parameter maxSize: The largest body accepted.
    /// - Returns: The bytes.
    /// - Throws: ``S3Error`` for integrity failures or oversized bodies.
    package func collect(maxSize: Int = 2 * 1024 * 1024) async throws -> Data {
        var data = Data()
        _ = try await read(checksumAlgorithm: nil, maxSize: maxSize) { bytes in data.append(contentsOf: bytes) }
        return data
    }

    private func read(
        checksumAlgorithm: ChecksumAlgorithm?,
        maxSize: Int,
        sink: (UnsafeRawBufferPointer) throws -> Void
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
