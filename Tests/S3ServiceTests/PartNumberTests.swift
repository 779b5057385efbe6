import Foundation
import Testing

@testable import S3Service

/// GetObject/HeadObject `partNumber`: which bytes each part of an object covers.
@Suite struct PartNumberTests {
    func object(size: Int, parts: [Int]?) -> ObjectRecord {
        ObjectRecord(
            bucket: "b",
            key: "k",
            blob: "blob",
            size: size,
            etag: "\"e\"",
            headers: ObjectHeaders(),
            tags: [],
            lastModified: Date(timeIntervalSince1970: 0),
            partsCount: parts?.count,
            partSizes: parts
        )
    }

    @Test func partsCoverTheirBytesInOrder() {
        let multipart = object(size: 17, parts: [10, 5, 2])
        #expect(S3Service.partRange(1, of: multipart) == 0..<10)
        #expect(S3Service.partRange(2, of: multipart) == 10..<15)
        #expect(S3Service.partRange(3, of: multipart) == 15..<17)
        #expect(S3Service.partRange(4, of: multipart) == nil)
        #expect(S3Service.partRange(0, of: multipart) == nil)
    }

    @Test func aSinglePieceObjectIsItsOwnFirstPart() {
        let single = object(size: 9, parts: nil)
        #expect(S3Service.partRange(1, of: single) == 0..<9)
        #expect(S3Service.partRange(2, of: single) == nil)
    }

    @Test func damagedSizesNeverReachPastTheEnd() {
        let damaged = object(size: 4, parts: [3, 100, -5])
        #expect(S3Service.partRange(2, of: damaged) == 3..<4)
        #expect(S3Service.partRange(3, of: damaged) == 4..<4)
    }
}
