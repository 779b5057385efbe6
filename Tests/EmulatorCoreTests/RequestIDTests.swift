import EmulatorCore
import Foundation
import Testing

@Suite struct RequestIDTests {
    private static func allMatch(_ text: String, count: Int, _ allowed: Set<Character>) -> Bool {
        text.count == count && text.allSatisfy { allowed.contains($0) }
    }

    @Test func uuidHasTheVersion4Shape() {
        let hex = Set("0123456789abcdef")
        for _ in 0..<1000 {
            let id = RequestID.uuid()
            let groups = id.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            #expect(groups.map(\.count) == [8, 4, 4, 4, 12], "\(id)")
            #expect(groups.allSatisfy { $0.allSatisfy { hex.contains($0) } }, "\(id)")
            #expect(groups[2].first == "4", "\(id)")
            #expect("89ab".contains(groups[3].first ?? "x"), "\(id)")
            #expect(UUID(uuidString: id) != nil, "\(id)")
        }
    }

    @Test func shapesOfTheServiceIds() {
        let upperAlphanumerics = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let upperHex = Set("0123456789ABCDEF")
        for _ in 0..<1000 {
            let dynamo = RequestID.dynamoDB()
            #expect(Self.allMatch(dynamo, count: 52, upperAlphanumerics), "\(dynamo)")
            let s3 = RequestID.s3()
            #expect(Self.allMatch(s3, count: 16, upperHex), "\(s3)")
            let host = RequestID.s3HostID()
            #expect(host.count == 64, "\(host)")
            #expect(Data(base64Encoded: host)?.count == 48, "\(host)")
        }
    }

    @Test func idsDoNotRepeat() {
        var seen = Set<String>()
        for _ in 0..<20000 {
            seen.insert(RequestID.uuid())
            seen.insert(RequestID.dynamoDB())
            seen.insert(RequestID.s3())
            seen.insert(RequestID.s3HostID())
        }
        #expect(seen.count == 80000)
    }

    @Test func concurrentCallersGetDistinctIds() async {
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { (0..<2000).map { _ in RequestID.s3() } } }
            var all: [String] = []
            for await batch in group { all += batch }
            return all
        }
        #expect(Set(ids).count == ids.count)
    }
}
