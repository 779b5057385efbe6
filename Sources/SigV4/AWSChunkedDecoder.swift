import Crypto
import Foundation

/// Incremental decoder for `Content-Encoding: aws-chunked` bodies, verifying chunk and trailer signatures.
///
/// Feed pieces of any size with `feed(_:)` and collect the decoded payload it returns; call `finish()`
/// at the end of the body to get the trailers. Memory use is bounded by the longest header/trailer line.
package struct AWSChunkedDecoder {
    private enum State {
        case chunkHeader
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailer
        case done
    }

    /// Longest chunk-header or trailer line accepted.
    private static let maxLineLength = 8_192
    /// Most trailer lines accepted.
    private static let maxTrailerCount = 64

    private let mode: PayloadSigningMode
    private let context: ChunkSigningContext?
    private let expectedLength: Int?
    private let minimumChunkSize: Int
    private var state = State.chunkHeader
    private var line: [UInt8] = []
    private var crlfSeen = 0
    private var hasher = SHA256()
    private var chunkSignature: String?
    private var previousSignature: String
    private var chunkIndex = 0
    private var currentChunkSize = 0
    private var previousChunkSize: Int?
    private var trailerSignature: String?

    /// The trailers received so far (`x-amz-checksum-crc32` etc.), names lower-cased, without `x-amz-trailer-signature`.
    package private(set) var trailers: [(name: String, value: String)] = []
    /// Number of decoded payload bytes produced so far.
    package private(set) var decodedLength = 0

    /// True once the terminating chunk and trailer section have been read.
    package var isComplete: Bool {
        if case .done = state { return true }
        return false
    }

    /// Creates a decoder.
    /// - Parameters:
    ///   - mode: The payload mode from `x-amz-content-sha256` (signed modes verify chunk signatures).
    ///   - context: Signing data from `Authentication.chunkContext`; nil skips signature checks (unverified requests).
    ///   - decodedContentLength: The `x-amz-decoded-content-length` value, checked at the end when given.
    ///   - minimumChunkSize: Smallest size allowed for signed chunks other than the last one (0 disables the check).
    package init(mode: PayloadSigningMode, context: ChunkSigningContext?, decodedContentLength: Int? = nil, minimumChunkSize: Int = 8_192) {
        self.mode = mode
        self.context = context
        self.expectedLength = decodedContentLength
        self.minimumChunkSize = minimumChunkSize
        self.previousSignature = context?.seedSignature ?? ""
    }

    private var chunksSigned: Bool { mode == .streamingSigned || mode == .streamingSignedTrailer }

    /// Decodes the next piece of the body.
    /// - Parameter bytes: The next bytes of the encoded body, any length.
    /// - Returns: The decoded payload bytes contained in this piece.
    /// - Throws: `SigV4Error` for malformed framing, bad chunk sizes, signature mismatches or excess data.
    package mutating func feed(_ bytes: some Collection<UInt8>) throws(SigV4Error) -> [UInt8] {
        let input = Array(bytes)
        var output: [UInt8] = []
        var index = 0
        while index < input.count {
            switch state {
            case .chunkHeader, .trailer:
                let byte = input[index]
                index += 1
                if byte == UInt8(ascii: "\n") {
                    guard line.last == UInt8(ascii: "\r") else { throw isTrailer ? .malformedTrailer : .malformedChunk }
                    line.removeLast()
                    let text = line
                    line.removeAll(keepingCapacity: true)
                    if isTrailer { try trailerLine(text) } else { try chunkHeader(text) }
                } else {
                    line.append(byte)
                    if line.count > Self.maxLineLength { throw isTrailer ? .malformedTrailer : .malformedChunk }
                }
            case .chunkData(let remaining):
                let take = min(remaining, input.count - index)
                let slice = input[index..<(index + take)]
                if chunksSigned { hasher.update(data: Array(slice)) }
                output.append(contentsOf: slice)
                decodedLength += take
                index += take
                if let expectedLength, decodedLength > expectedLength {
                    throw .decodedContentLengthMismatch(expected: expectedLength, actual: decodedLength)
                }
                state = remaining - take == 0 ? .chunkDataEnd : .chunkData(remaining: remaining - take)
            case .chunkDataEnd:
                let expected: UInt8 = crlfSeen == 0 ? UInt8(ascii: "\r") : UInt8(ascii: "\n")
                guard input[index] == expected else { throw .malformedChunk }
                index += 1
                crlfSeen += 1
                if crlfSeen == 2 {
                    crlfSeen = 0
                    try endOfChunk()
                    state = .chunkHeader
                }
            case .done:
                throw .malformedChunk
            }
        }
        return output
    }

    /// Ends decoding.
    /// - Returns: The trailers.
    /// - Throws: `SigV4Error.incompleteBody` if the body stopped early, `.decodedContentLengthMismatch` on a length mismatch,
    ///   or a trailer-signature error.
    package mutating func finish() throws(SigV4Error) -> [(name: String, value: String)] {
        if case .trailer = state {
            // Tolerate a missing final CRLF after the trailers.
            if !line.isEmpty {
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                let text = line
                line.removeAll()
                try trailerLine(text)
            }
            if !isComplete { try completeTrailers() }
        }
        guard isComplete else { throw .incompleteBody }
        if let expectedLength, decodedLength != expectedLength {
            throw .decodedContentLengthMismatch(expected: expectedLength, actual: decodedLength)
        }
        return trailers
    }

    private var isTrailer: Bool {
        if case .trailer = state { return true }
        return false
    }

    private mutating func chunkHeader(_ text: [UInt8]) throws(SigV4Error) {
        let semicolon = text.firstIndex(of: UInt8(ascii: ";")) ?? text.endIndex
        let sizeBytes = text[..<semicolon]
        guard !sizeBytes.isEmpty, sizeBytes.count <= 15 else { throw .malformedChunk }
        var size = 0
        for byte in sizeBytes {
            guard let digit = Self.hexDigit(byte) else { throw .malformedChunk }
            size = size * 16 + digit
        }
        chunkSignature = nil
        if semicolon < text.endIndex {
            let extensions = String(decoding: text[(semicolon + 1)...], as: UTF8.self)
            for item in extensions.split(separator: ";") {
                let parts = item.split(separator: "=", maxSplits: 1)
                if parts.count == 2, SigV4Encoding.trimmingWhitespace(parts[0]) == "chunk-signature" {
                    chunkSignature = SigV4Encoding.trimmingWhitespace(parts[1]).lowercased()
                }
            }
        }
        if chunksSigned && chunkSignature == nil { throw .malformedChunk }
        chunkIndex += 1
        if chunksSigned, minimumChunkSize > 0, size > 0, let previous = previousChunkSize, previous < minimumChunkSize {
            throw .invalidChunkSize(chunk: chunkIndex - 1, size: previous)
        }
        currentChunkSize = size
        hasher = SHA256()
        if size == 0 {
            try verifyChunk()
            state = .trailer
        } else {
            state = .chunkData(remaining: size)
        }
    }

    private mutating func endOfChunk() throws(SigV4Error) {
        try verifyChunk()
        previousChunkSize = currentChunkSize
    }

    private mutating func verifyChunk() throws(SigV4Error) {
        guard chunksSigned, let context, let provided = chunkSignature else { return }
        let digest = SigV4Encoding.hex(hasher.finalize())
        let stringToSign = context.chunkStringToSign(previousSignature: previousSignature, chunkSHA256Hex: digest)
        let expected = context.sign(stringToSign)
        guard SigV4Encoding.constantTimeEquals(expected, provided) else {
            throw .signatureMismatch(
                SignatureMismatch(accessKeyId: context.accessKeyId, stringToSign: stringToSign, signatureProvided: provided, canonicalRequest: nil)
            )
        }
        previousSignature = expected
    }

    private mutating func trailerLine(_ text: [UInt8]) throws(SigV4Error) {
        if text.isEmpty {
            try completeTrailers()
            return
        }
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")), colon > 0, trailers.count < Self.maxTrailerCount else {
            throw .malformedTrailer
        }
        let name = SigV4Encoding.trimmingWhitespace(String(decoding: text[..<colon], as: UTF8.self)).lowercased()
        let value = SigV4Encoding.trimmingWhitespace(String(decoding: text[(colon + 1)...], as: UTF8.self))
        if name == "x-amz-trailer-signature" {
            trailerSignature = value.lowercased()
        } else {
            trailers.append((name: name, value: value))
        }
    }

    private mutating func completeTrailers() throws(SigV4Error) {
        if mode == .streamingSignedTrailer, let context {
            let canonical = trailers.map { "\($0.name):\($0.value)\n" }.joined()
            let stringToSign = context.trailerStringToSign(
                previousSignature: previousSignature,
                trailerSHA256Hex: SigV4Encoding.sha256Hex(canonical.utf8)
            )
            let expected = context.sign(stringToSign)
            guard let provided = trailerSignature, SigV4Encoding.constantTimeEquals(expected, provided) else {
                throw .signatureMismatch(
                    SignatureMismatch(
                        accessKeyId: context.accessKeyId,
                        stringToSign: stringToSign,
                        signatureProvided: trailerSignature ?? "",
                        canonicalRequest: nil
                    )
                )
            }
        }
        state = .done
    }

    private static func hexDigit(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}
