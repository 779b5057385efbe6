import NIOCore
import Synchronization

/// Response bodies one plaintext HTTP/1 connection sends straight from a file with `sendfile(2)`, so the bytes are
/// never copied into the process (neither `pread` into a buffer nor `writev` out of it).
///
/// Hummingbird's response writer takes `ByteBuffer`s only, while NIO's socket takes `FileRegion`s too. A handler
/// asks ``current`` (bound for the connection's task by ``GuardedChannel`` on the edge port, nil on TLS ports and
/// outside a connection); when there is one, it writes the ``marker(descriptor:offset:count:keepingAlive:)`` buffer
/// as its body, and the connection's ``HTTPFramingGuard``, below Hummingbird and above NIO's encoder, replaces that
/// very buffer (the same storage, kept alive here, so no other bytes can ever be taken for it) with a `FileRegion`.
///
/// The file must not change while it is sent: callers hand over immutable blobs (written elsewhere and renamed
/// into place) whose size they checked covers the range.
package final class FileBodies: Sendable {
    /// The current connection's file bodies, when its socket can take them.
    @TaskLocal package static var current: FileBodies?

    /// A registered body: the marker to look for and what replaces it.
    struct Entry: Sendable {
        /// The buffer the handler writes.
        let marker: ByteBuffer
        /// The open file (owned by `owner`).
        let descriptor: CInt
        /// The first byte sent.
        let offset: Int
        /// How many bytes are sent.
        let count: Int
        /// Keeps the descriptor open until the socket has sent the region.
        let owner: any Sendable
    }

    /// The most bodies registered and not yet written at once (a handler writes its marker right away).
    static let maxPending = 16

    private let pending = Mutex<[Entry]>([])

    /// Creates the registry of one connection.
    package init() {}

    /// Registers a region of an open file as a response body.
    /// - Parameters:
    ///   - descriptor: The open file; it must stay open while `owner` lives, and the file must not change.
    ///   - offset: The first byte to send.
    ///   - count: How many bytes to send (the response's `Content-Length`; at least 1).
    ///   - owner: Whatever closes `descriptor` when released; released once the bytes are sent or the write failed.
    /// - Returns: The buffer to write as the response body, once, on this connection.
    package func marker(descriptor: CInt, offset: Int, count: Int, keepingAlive owner: any Sendable) -> ByteBuffer {
        var marker = ByteBufferAllocator().buffer(capacity: 1)
        marker.writeInteger(UInt8(0))
        let entry = Entry(marker: marker, descriptor: descriptor, offset: offset, count: count, owner: owner)
        pending.withLock { entries in
            if entries.count >= Self.maxPending { entries.removeFirst() }
            entries.append(entry)
        }
        return marker
    }

    /// Takes the entry whose marker is `buffer` (the same storage, reader index and length), dropping entries
    /// registered before it (their markers were never written).
    /// - Parameter buffer: A body buffer on its way to the socket.
    /// - Returns: The entry, or nil when `buffer` is not a marker.
    func take(_ buffer: ByteBuffer) -> Entry? {
        guard buffer.readableBytes == 1 else { return nil }
        let identity = Self.identity(of: buffer)
        return pending.withLock { entries in
            guard let index = entries.firstIndex(where: { Self.identity(of: $0.marker) == identity }) else { return nil }
            let entry = entries[index]
            entries.removeFirst(index + 1)
            return entry
        }
    }

    /// How many bodies are registered and not yet written.
    var pendingCount: Int { pending.withLock { $0.count } }

    private static func identity(of buffer: ByteBuffer) -> (UInt, Int) {
        let base = buffer.withVeryUnsafeBytes { UInt(bitPattern: $0.baseAddress) }
        return (base, buffer.readerIndex)
    }
}

extension FileBodies.Entry {
    /// The response part that replaces the marker, and what to do once it is written: the file handle gives its
    /// descriptor back (``owner`` closes it) and the owner is released.
    /// - Returns: The region and the completion.
    func region() -> (part: IOData, written: @Sendable () -> Void) {
        let handle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor)
        let region = FileRegion(fileHandle: handle, readerIndex: offset, endIndex: offset + count)
        let owner = self.owner
        return (
            .fileRegion(region),
            {
                _ = try? handle.takeDescriptorOwnership()
                withExtendedLifetime(owner) {}
            }
        )
    }
}
