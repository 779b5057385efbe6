import AWSGateway
import Foundation
import Logging
import Testing

@testable import LambdaService

@Suite("Code store: inline code, .zip code and locations the emulator cannot run from")
struct CodeStoreTests {
    private let root = FileManager.default.temporaryDirectory.appendingPathComponent("code-store-\(UUID().uuidString)")

    private var store: CodeStore { CodeStore(root: root, python: nil, logger: Logger(label: "test")) }

    private func cleanUp() { try? FileManager.default.removeItem(at: root) }

    @Test("inline code goes to index.py or index.js, once per content")
    func inline() async throws {
        defer { cleanUp() }
        let python = try await store.folder(for: .zipFile("def handler(e, c): return 1\n"), runtime: "python3.12", function: "f")
        #expect(try String(contentsOfFile: python + "/index.py", encoding: .utf8) == "def handler(e, c): return 1\n")
        let node = try await store.folder(for: .zipFile("exports.handler = async () => 1;"), runtime: "nodejs20.x", function: "g")
        #expect(try String(contentsOfFile: node + "/index.js", encoding: .utf8) == "exports.handler = async () => 1;")
        #expect(try await store.folder(for: .zipFile("def handler(e, c): return 1\n"), runtime: "python3.12", function: "h") == python)
        #expect(python != node)
    }

    @Test("a folder is used in place; a missing path, a plain file, S3 and images are refused with a reason")
    func unusable() async throws {
        defer { cleanUp() }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        #expect(try await store.folder(for: .localPath(root.path), runtime: "python3.12", function: "f") == root.path)
        let plain = root.appendingPathComponent("app.py")
        try Data("x = 1\n".utf8).write(to: plain)
        let cases: [(LambdaCode, String)] = [
            (.localPath(root.path + "/missing"), "the code location \(root.path)/missing does not exist"),
            (.localPath(plain.path), "the code location \(plain.path) is neither a folder nor a .zip file"),
            (.s3(bucket: "b", key: "k.zip"), "code in s3://b/k.zip is not fetched; point CodeUri at a local folder or .zip file"),
            (.image("repo:tag"), "container image functions (PackageType: Image, repo:tag) are not run: no container engine is used"),
        ]
        for (code, reason) in cases {
            do {
                _ = try await store.folder(for: code, runtime: "python3.12", function: "f")
                Issue.record("\(code) was accepted")
            } catch let error as CodeStore.Unusable {
                #expect(error.reason == reason)
            }
        }
    }

    @Test("a .zip is extracted once; an entry that climbs out of the folder is not written outside it")
    func zip() async throws {
        defer { cleanUp() }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let archive = root.appendingPathComponent("code.zip")
        // The archive includes an entry named ../escaped.txt.
        let entries = [
            ("app.py", "def handler(e, c):\n    return 'zipped'\n"),
            ("pkg/mod.py", "X = 1\n"),
            ("../escaped.txt", "outside"),
        ]
        try Self.storedZip(entries).write(to: archive)

        let folder = try await store.folder(for: .localPath(archive.path), runtime: "python3.12", function: "f")
        #expect(try String(contentsOfFile: folder + "/app.py", encoding: .utf8).contains("zipped"))
        #expect(FileManager.default.fileExists(atPath: folder + "/pkg/mod.py"))
        let parent = URL(fileURLWithPath: folder).deletingLastPathComponent()
        #expect(!FileManager.default.fileExists(atPath: parent.appendingPathComponent("escaped.txt").path))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("escaped.txt").path))
        #expect(try await store.folder(for: .localPath(archive.path), runtime: "python3.12", function: "f") == folder)
    }

    /// A zip archive whose entries are stored uncompressed (APPNOTE 4.3: local headers, central directory, end record).
    private static func storedZip(_ entries: [(name: String, text: String)]) -> Data {
        var archive = Data()
        var directory = Data()
        func le(_ value: some FixedWidthInteger, into data: inout Data) {
            withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
        }
        for (name, text) in entries {
            let body = Data(text.utf8)
            let nameBytes = Data(name.utf8)
            let crc = CRC32.checksum(body)
            let offset = UInt32(archive.count)
            // version, flags, method 0 (stored), time, date, crc, sizes, name length, extra length
            func common(into data: inout Data) {
                le(UInt16(20), into: &data)
                le(UInt16(0), into: &data)
                le(UInt16(0), into: &data)
                le(UInt16(0), into: &data)
                le(UInt16(0x21), into: &data)
                le(crc, into: &data)
                le(UInt32(body.count), into: &data)
                le(UInt32(body.count), into: &data)
                le(UInt16(nameBytes.count), into: &data)
                le(UInt16(0), into: &data)
            }
            le(UInt32(0x0403_4b50), into: &archive)
            common(into: &archive)
            archive.append(nameBytes)
            archive.append(body)
            le(UInt32(0x0201_4b50), into: &directory)
            le(UInt16(20), into: &directory)  // made by
            common(into: &directory)
            le(UInt16(0), into: &directory)  // comment length
            le(UInt16(0), into: &directory)  // disk number
            le(UInt16(0), into: &directory)  // internal attributes
            le(UInt32(0), into: &directory)  // external attributes
            le(offset, into: &directory)
            directory.append(nameBytes)
        }
        let directoryOffset = UInt32(archive.count)
        archive.append(directory)
        le(UInt32(0x0605_4b50), into: &archive)
        le(UInt16(0), into: &archive)
        le(UInt16(0), into: &archive)
        le(UInt16(entries.count), into: &archive)
        le(UInt16(entries.count), into: &archive)
        le(UInt32(directory.count), into: &archive)
        le(directoryOffset, into: &archive)
        le(UInt16(0), into: &archive)
        return archive
    }
}
