import EmulatorCore
import Foundation
import Testing

@Suite struct DurationTextTests {
    @Test(arguments: [
        ("7d", 604_800.0), ("90m", 5400), ("1h30m", 5400), ("3600s", 3600), ("2w", 1_209_600),
        ("45", 45), ("1.5h", 5400), ("-1d", -86_400), ("1d12h", 129_600),
    ])
    func parses(text: String, seconds: Double) {
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test(arguments: ["", "d", "7x", "1h30", "abc", "-", "7 d"])
    func rejects(text: String) {
        #expect(DurationText.seconds(text) == nil)
    }
}

@Suite struct VirtualClockTests {
    @Test func advanceAndSetMoveVirtualTimeOnly() {
        let real = Date(timeIntervalSince1970: 1_800_000_000)
        let clock = VirtualClock(realNow: { real })
        #expect(clock.now == real)
        clock.advance(by: 7 * 86_400)
        #expect(clock.now == real.addingTimeInterval(7 * 86_400))
        #expect(clock.offset == 7 * 86_400)
        let target = Date(timeIntervalSince1970: 1_900_000_000)
        clock.set(to: target)
        #expect(clock.now == target)
    }

    @Test func subscribersSeeEachMove() async {
        let clock = VirtualClock()
        let changes = clock.changes()
        clock.advance(by: 3600)
        var iterator = changes.makeAsyncIterator()
        let seen = await iterator.next()
        #expect(seen != nil)
        if let seen { #expect(abs(seen.timeIntervalSince(clock.now)) < 1) }
    }
}

@Suite struct TimestampTests {
    @Test func formatsAsAWSDoes() {
        let date = Date(timeIntervalSince1970: 1_255_369_800.5)
        #expect(Timestamp.iso8601Milliseconds(date) == "2009-10-12T17:50:00.500Z")
        #expect(Timestamp.iso8601(date) == "2009-10-12T17:50:00Z")
        #expect(Timestamp.httpDate(date) == "Mon, 12 Oct 2009 17:50:00 GMT")
        #expect(Timestamp.parseISO8601("2009-10-12T17:50:00Z") == Date(timeIntervalSince1970: 1_255_369_800))
        #expect(Timestamp.parseISO8601("2009-10-12T17:50:00.500Z") == date)
        #expect(Timestamp.parseISO8601("yesterday") == nil)
    }
}
