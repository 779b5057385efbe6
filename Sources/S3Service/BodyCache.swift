import NIOCore
import Synchronization

/// The bodies of recently read objects, kept in memory by blob name, so a GetObject of a hot object writes a buffer
/// it already has: no `open`, `pread`/`sendfile` or `close` per request.
///
/// Blobs never change once complete (a body is written under a fresh name before any row names it; an overwrite gets
/// a new blob), so an entry can never go stale: it can only outlive its blob, and ``S3Store`` drops it when it removes
/// the blob. Only bodies larger than ``BlobIO/sendsFromFileAbove`` (64 KiB) and at most ``maxBody`` (2 MiB) are kept,
/// at most ``capacity`` bytes in all; the least recently read goes first.
///
/// Why: on Linux a buffer written to a TCP socket costs the kernel less than `sendfile` of the same bytes from a
/// file (measured on loopback, 1 MiB per answer, one core: 232-250 µs for `writev` of a buffer against 310-364 µs
/// for `sendfile` from tmpfs and 331 µs for `pread` + `writev`; README, issue 11's seventh follow-up).
final class BodyCache: Sendable {
    /// The largest body kept: a miss reads the whole body into memory where `sendfile` would read none, so this also
    /// bounds what each concurrent GET of an uncached object holds (32 connections: 64 MiB at most).
    static let maxBody = 2 * 1024 * 1024
    /// The most bytes kept in all.
    static let capacity = 32 * 1024 * 1024

    private struct Entry {
        var body: ByteBuffer
        var lastRead: UInt64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var bytes = 0
        var reads: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Whether a body of `size` bytes is one this cache keeps.
    /// - Parameter size: The body's size.
    /// - Returns: True for sizes above the sendfile threshold up to ``maxBody``.
    static func keeps(size: Int) -> Bool { size > BlobIO.sendsFromFileAbove && size <= maxBody }

    /// The kept body of a blob, marking it recently read.
    /// - Parameter blob: The blob name.
    /// - Returns: The whole body, or nil when it is not kept.
    func body(_ blob: String) -> ByteBuffer? {
        state.withLock { state in
            guard state.entries[blob] != nil else { return nil }
            state.reads &+= 1
            state.entries[blob]?.lastRead = state.reads
            return state.entries[blob]?.body
        }
    }

    /// Keeps a blob's whole body, dropping the least recently read bodies beyond ``capacity``.
    /// - Parameters:
    ///   - body: The whole body, read from the blob.
    ///   - blob: The blob name.
    func keep(_ body: ByteBuffer, for blob: String) {
        guard Self.keeps(size: body.readableBytes) else { return }
        state.withLock { state in
            state.reads &+= 1
            if let old = state.entries.updateValue(Entry(body: body, lastRead: state.reads), forKey: blob) {
                state.bytes -= old.body.readableBytes
            }
            state.bytes += body.readableBytes
            while state.bytes > Self.capacity, let oldest = state.entries.min(by: { $0.value.lastRead < $1.value.lastRead }) {
                state.entries[oldest.key] = nil
                state.bytes -= oldest.value.body.readableBytes
            }
        }
    }

    /// Drops the bodies of removed blobs.
    /// - Parameter blobs: The blob names.
    func drop(_ blobs: some Sequence<String>) {
        state.withLock { state in
            guard !state.entries.isEmpty else { return }
            for blob in blobs {
                if let old = state.entries.removeValue(forKey: blob) { state.bytes -= old.body.readableBytes }
            }
        }
    }

    /// Drops every body (the store's files were replaced wholesale: a snapshot restored).
    func dropAll() {
        state.withLock { $0 = State() }
    }

    /// The bytes kept (for tests and diagnostics).
    var bytes: Int { state.withLock { $0.bytes } }
}
