import Foundation
import Storage
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `--ephemeral` blob folders: in memory when a tmpfs is there, and folders left by killed emulators removed.
@Suite struct EphemeralBlobFolderTests {
    @Test func foldersOfProcessesThatNoLongerRunAreRemovedAndLiveOnesKept() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("ephemeral-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        // 999999999 is above Linux's pid_max (4194304), so no process has it.
        let abandoned = base.appendingPathComponent("synapscribe-local-999999999/s3/objects")
        let live = base.appendingPathComponent("synapscribe-local-\(getpid())/s3")
        let other = base.appendingPathComponent("someone-else-999999999")
        for folder in [abandoned, live, other] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try Data("body".utf8).write(to: abandoned.appendingPathComponent("blob"))

        DataLocation.removeAbandonedFolders(in: base.path)

        let left = try FileManager.default.contentsOfDirectory(atPath: base.path).sorted()
        #expect(left == ["someone-else-999999999", "synapscribe-local-\(getpid())"])
    }

    @Test func ephemeralBlobsLiveInMemoryWhenThereIsATmpfs() throws {
        let folder = try DataLocation.ephemeral.blobDirectory(named: "ephemeral-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(FileManager.default.fileExists(atPath: folder.path))
        #if os(Linux)
        var info = statvfs()
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        let memoryUsable =
            ProcessInfo.processInfo.environment["TMPDIR", default: ""].isEmpty && mounts.contains(" /dev/shm tmpfs ")
            && access("/dev/shm", W_OK) == 0 && statvfs("/dev/shm", &info) == 0
            && UInt64(info.f_bavail) * UInt64(info.f_frsize) >= 1 << 30
        if memoryUsable { #expect(folder.path.hasPrefix("/dev/shm/synapscribe-local-\(getpid())/")) }
        #endif
    }
}
