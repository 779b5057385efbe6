import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The threads that do S3's blocking file I/O (open, write, fsync, rename, unlink, pread), owned by one
/// ``S3Store``, and whether acknowledged writes must reach stable storage.
///
/// Blocking system calls never run on Swift's cooperative pool (one thread per core): a slow disk would stall
/// every request of every service, and concurrent uploads would queue behind each other.
package struct BlobIO: Sendable {
    /// The pool; started by the store, shut down when the store goes away.
    let pool: NIOThreadPool
    /// `--durability fsync`: files and their folders are `fsync`ed before a write is acknowledged.
    package let syncs: Bool
    /// The files live in memory (a tmpfs): writes and reads of at most ``inlineLimit`` bytes run on the calling
    /// thread, since they never wait for a disk and the hop to the pool and back cost more than the copy.
    package let inMemory: Bool

    /// The most bytes a write or first read of an in-memory file does on the calling thread.
    static let inlineLimit = 64 * 1024
    /// Bodies larger than this go out straight from their file (`sendfile`) where the connection allows it
    /// (``FileBodies``); smaller ones are read into one buffer, which costs less than the extra write.
    static let sendsFromFileAbove = 64 * 1024

    /// Creates and starts a pool.
    /// - Parameters:
    ///   - syncs: Whether bodies and folders are fsynced.
    ///   - threads: Pool threads; fsync waits dominate with `syncs`, so concurrent uploads get more threads
    ///     (the file system batches their journal commits).
    ///   - inMemory: Whether the files live in memory (small reads and writes then skip the pool).
    init(syncs: Bool, threads: Int, inMemory: Bool = false) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        self.syncs = syncs
        self.inMemory = inMemory && !syncs
    }

    /// Whether an operation on `bytes` bytes runs on the calling thread (in-memory files, small operations).
    func runsInline(_ bytes: Int) -> Bool { inMemory && bytes <= Self.inlineLimit }

    /// Runs blocking work on the pool.
    /// - Parameter body: The work.
    /// - Returns: Its result.
    /// - Throws: Its error, or `CancellationError` when the pool has shut down or the task was cancelled.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }

    /// Stops the threads once queued work is done (without waiting).
    func shutdown() {
        pool.shutdownGracefully { _ in }
    }

    /// Removes files (missing files are ignored): on the calling thread for in-memory files (an `unlink` there never
    /// waits for a disk; an overwrite frees the old body on every PutObject), else on the pool.
    /// - Parameter paths: The files.
    func remove(_ paths: [String]) async {
        guard !paths.isEmpty else { return }
        if inMemory {
            for path in paths { unlink(path) }
            return
        }
        _ = try? await run {
            for path in paths { unlink(path) }
        }
    }

    /// Flushes a folder's entries (a rename into it) to stable storage.
    /// - Parameter path: The folder.
    /// - Throws: `CocoaError` when it cannot be opened or synced.
    static func syncFolder(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}

/// A file being written: bytes are buffered in memory and written on the store's I/O threads in large blocks.
///
/// Use from one task at a time: ``append(_:)`` buffers (no system call), ``flushIfFull()`` writes once enough is
/// buffered, ``syncAndClose()`` writes the rest, fsyncs with `--durability fsync` and closes.
package final class WritableFile: @unchecked Sendable {
    // @unchecked: owned by the one task that handles the upload; the descriptor and buffer are only touched by the
    // I/O threads inside an awaited job, never concurrently with that task.
    /// The file's path (created at the first write).
    package let path: String
    private let io: BlobIO?
    private var descriptor: Int32 = -1
    private var pending = ByteBuffer()

    /// Bytes buffered before ``flushIfFull()`` writes them.
    static let flushThreshold = 256 * 1024
    /// Bytes buffered before ``append(_:)`` writes inline (callers that cannot await between appends).
    static let inlineLimit = 8 * 1024 * 1024

    /// Prepares a file (nothing touches the disk until the first write).
    /// - Parameters:
    ///   - url: The path (created 0600, truncated).
    ///   - io: The store's I/O threads, or nil to write on the calling thread without fsync (tests).
    package convenience init(url: URL, io: BlobIO?) {
        self.init(path: url.path, io: io)
    }

    /// Prepares a file at a path (nothing touches the disk until the first write).
    /// - Parameters:
    ///   - path: The path (created 0600, truncated).
    ///   - io: The store's I/O threads, or nil to write on the calling thread without fsync (tests).
    package init(path: String, io: BlobIO?) {
        self.path = path
        self.io = io
    }

    /// The file's URL.
    package var url: URL { URL(fileURLWithPath: path) }

    /// Buffers bytes; writes on the calling thread only when a caller never flushes (beyond 8 MiB).
    /// - Parameter bytes: The bytes.
    /// - Throws: `CocoaError` on write failures.
    package func append(_ bytes: UnsafeRawBufferPointer) throws {
        pending.writeBytes(bytes)
        if pending.readableBytes >= Self.inlineLimit {
            let chunk = pending
            pending.clear()
            let fd = try descriptor >= 0 ? descriptor : Self.createFile(path)
            descriptor = fd
            try Self.writeAll(fd, chunk)
        }
    }

    /// Writes the buffered bytes on the I/O threads once there are at least 256 KiB of them.
    /// - Throws: `CocoaError` on write failures.
    package func flushIfFull() async throws {
        guard pending.readableBytes >= Self.flushThreshold else { return }
        try await flush(closing: false, syncingFolder: nil)
    }

    /// Writes the rest, fsyncs with `--durability fsync` and closes, on the I/O threads.
    /// - Throws: `CocoaError` when a write or fsync fails.
    package func syncAndClose() async throws {
        try await flush(closing: true, syncingFolder: nil)
    }

    /// Writes the rest, fsyncs the file and then its folder with `--durability fsync`, and closes, in one job on the
    /// I/O threads: a file created in its final folder is then as durable as one renamed into it.
    /// - Parameter folder: The file's folder.
    /// - Throws: `CocoaError` when a write or fsync fails.
    func finish(syncingFolder folder: String) async throws {
        try await flush(closing: true, syncingFolder: folder)
    }

    /// Closes and removes the file (after a failed upload).
    package func discard() async {
        let fd = descriptor
        descriptor = -1
        pending.clear()
        let path = self.path
        let work: @Sendable () -> Void = {
            if fd >= 0 { close(fd) }
            unlink(path)
        }
        if let io { _ = try? await io.run(work) } else { work() }
    }

    private func flush(closing: Bool, syncingFolder folder: String?) async throws {
        let chunk = pending
        pending.clear()
        let existing = descriptor
        descriptor = -1
        let path = self.path
        let syncs = io?.syncs ?? false
        let work: @Sendable () throws -> Int32 = {
            let fd = try existing >= 0 ? existing : Self.createFile(path)
            do {
                try Self.writeAll(fd, chunk)
                guard closing else { return fd }
                if syncs, fsync(fd) != 0 { throw CocoaError(.fileWriteUnknown) }
            } catch {
                close(fd)
                throw error
            }
            close(fd)
            if syncs, let folder { try BlobIO.syncFolder(folder) }
            return -1
        }
        if let io, !io.runsInline(chunk.readableBytes) { descriptor = try await io.run(work) } else { descriptor = try work() }
    }

    private static func createFile(_ path: String) throws -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        return fd
    }

    private static func writeAll(_ fd: Int32, _ buffer: ByteBuffer) throws {
        try buffer.withUnsafeReadableBytes { bytes in
            guard var base = bytes.baseAddress else { return }
            var remaining = bytes.count
            while remaining > 0 {
                let written = write(fd, base, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw CocoaError(.fileWriteUnknown)
                }
                remaining -= written
                base = base.advanced(by: written)
            }
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }
}

/// A file opened for reading; closed when the last reference goes away, so a body being streamed survives
/// the object being overwritten or deleted meanwhile.
package final class ReadableFile: Sendable {
    private let descriptor: Int32
    private let io: BlobIO?

    /// Opens a file on the calling thread (start-up and rarely used paths; requests use ``opening(_:io:readingAt:count:keepOpen:)``).
    /// - Parameter url: The path.
    /// - Throws: `CocoaError` when it cannot be opened.
    package init(url: URL) throws {
        descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        io = nil
        guard descriptor >= 0 else { throw CocoaError(.fileReadNoSuchFile) }
    }

    private init(descriptor: Int32, io: BlobIO) {
        self.descriptor = descriptor
        self.io = io
    }

    /// Opens a file on the I/O threads and reads its first bytes there too.
    /// - Parameters:
    ///   - path: The path.
    ///   - io: The store's I/O threads.
    ///   - offset: Where the first read starts.
    ///   - count: The most bytes the first read returns.
    ///   - keepOpen: Whether the caller reads more after the first bytes (else the file is closed at once).
    /// - Returns: The file (nil when not kept open) and the first bytes, or nil when the file does not exist.
    /// - Throws: `CocoaError` on read failures.
    static func opening(
        _ path: String,
        io: BlobIO,
        readingAt offset: Int,
        count: Int,
        keepOpen: Bool
    ) async throws -> (file: ReadableFile?, first: ByteBuffer)? {
        let work: @Sendable () throws -> (Int32, ByteBuffer)? = {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            do {
                let first = try Self.readAt(fd, offset: offset, count: count)
                if !keepOpen { close(fd) }
                return (fd, first)
            } catch {
                close(fd)
                throw error
            }
        }
        let opened = try io.runsInline(count) ? work() : await io.run(work)
        guard let opened else { return nil }
        return (keepOpen ? ReadableFile(descriptor: opened.0, io: io) : nil, opened.1)
    }

    /// Opens a file whose bytes are sent as they are (`sendfile`), checking it holds at least `size` bytes: on the
    /// calling thread for in-memory files, else on the I/O threads.
    /// - Parameters:
    ///   - path: The path.
    ///   - io: The store's I/O threads.
    ///   - size: The bytes the file must hold (a shorter file would leave the response short of its length).
    /// - Returns: The file, or nil when it does not exist.
    /// - Throws: `CocoaError` when it is shorter than `size` or cannot be examined.
    static func openingForSending(_ path: String, io: BlobIO, size: Int) async throws -> ReadableFile? {
        let work: @Sendable () throws -> Int32? = {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { return nil }
            var status = stat()
            guard fstat(fd, &status) == 0, Int(status.st_size) >= size else {
                close(fd)
                throw CocoaError(.fileReadCorruptFile)
            }
            return fd
        }
        let opened = try io.inMemory ? work() : await io.run(work)
        return opened.map { ReadableFile(descriptor: $0, io: io) }
    }

    /// The open descriptor, valid while this object lives (for ``FileBodies``, which keeps it alive while sending).
    package var fileDescriptor: Int32 { descriptor }

    /// Reads up to `count` bytes at an offset on the calling thread.
    /// - Parameters:
    ///   - offset: The file offset.
    ///   - count: The most bytes to read.
    /// - Returns: The bytes (empty at end of file).
    /// - Throws: `CocoaError` on read failures.
    package func read(at offset: Int, count: Int) throws -> ByteBuffer {
        try Self.readAt(descriptor, offset: offset, count: count)
    }

    /// Reads up to `count` bytes at an offset, on the I/O threads when opened by
    /// ``opening(_:io:readingAt:count:keepOpen:)``.
    /// - Parameters:
    ///   - offset: The file offset.
    ///   - count: The most bytes to read.
    /// - Returns: The bytes (empty at end of file).
    /// - Throws: `CocoaError` on read failures.
    package func readChunk(at offset: Int, count: Int) async throws -> ByteBuffer {
        guard let io else { return try Self.readAt(descriptor, offset: offset, count: count) }
        let fd = descriptor
        return try await io.run { try withExtendedLifetime(self) { try Self.readAt(fd, offset: offset, count: count) } }
    }

    /// Reads up to `count` bytes at an offset on the calling thread, looping over short reads.
    private static func readAt(_ fd: Int32, offset: Int, count: Int) throws -> ByteBuffer {
        guard offset >= 0, count >= 0 else { throw CocoaError(.fileReadUnknown) }
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        var total = 0
        while total < count {
            var interrupted = false
            let read = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count - total) { pointer -> Int in
                let result = pread(fd, pointer.baseAddress, count - total, off_t(offset + total))
                if result < 0 {
                    guard errno == EINTR else { throw CocoaError(.fileReadUnknown) }
                    interrupted = true
                    return 0
                }
                return result
            }
            if interrupted { continue }
            if read == 0 { break }
            total += read
        }
        return buffer
    }

    deinit { close(descriptor) }
}
