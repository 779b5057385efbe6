import Foundation
import Testing

@testable import S3Service

/// S3 conditional writes judged against the row a write would replace.
@Suite struct WriteConditionTests {
    func object(etag: String) -> ObjectRecord {
        ObjectRecord(
            bucket: "b",
            key: "k",
            blob: "blob",
            size: 1,
            etag: etag,
            headers: ObjectHeaders(),
            tags: [],
            lastModified: Date(timeIntervalSince1970: 0),
            partsCount: nil
        )
    }

    @Test func ifNoneMatchAnyFailsOnlyWhenAnObjectExists() {
        let condition = WriteCondition(ifNoneMatchAny: true, ifMatch: nil)
        #expect(condition.failure(current: nil) == nil)
        #expect(condition.failure(current: object(etag: "\"a\"")) == .preconditionFailed("If-None-Match"))
    }

    @Test func ifMatchComparesETags() {
        let condition = WriteCondition(ifNoneMatchAny: false, ifMatch: "\"a\"", objectSeenEarlier: true)
        #expect(condition.failure(current: object(etag: "\"a\"")) == nil)
        #expect(condition.failure(current: object(etag: "\"b\"")) == .preconditionFailed("If-Match"))
    }

    @Test func ifMatchOnAMissingObjectIsNoSuchKeyOrAConflict() {
        #expect(WriteCondition(ifNoneMatchAny: false, ifMatch: "\"a\"").failure(current: nil) == .noSuchKey)
        // The object was there when the request was first checked and was deleted before the commit.
        #expect(WriteCondition(ifNoneMatchAny: false, ifMatch: "\"a\"", objectSeenEarlier: true).failure(current: nil) == .conflict)
    }

    @Test func theConflictErrorIsS3s409() {
        let error = S3Service.writeConditionError(.conflict, key: "k")
        #expect(error.code == "ConditionalRequestConflict")
        #expect(error.httpStatus == 409)
    }
}
