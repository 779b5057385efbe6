import EmulatorCore
import Foundation
import Testing

/// The virtual clock never reports a time that would trap when converted to whole seconds or milliseconds.
@Suite struct ClockBoundsTests {
    private let real = Date(timeIntervalSince1970: 1_800_000_000)

    /// Every integer conversion the services make of `clock.now`; each traps on main after `advance(by: 1e19)`.
    private func convertEverywhere(_ date: Date) {
        _ = Int64(date.timeIntervalSince1970.rounded(.down))
        _ = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        _ = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        _ = Int(date.timeIntervalSince1970)
    }

    @Test("advancing by an absurd interval stops at +100 years", arguments: [1e19, 1e300, Double.infinity, Double.greatestFiniteMagnitude])
    func advanceForwardClamps(interval: Double) {
        let clock = VirtualClock(realNow: { real })
        clock.advance(by: interval)
        #expect(clock.offset == VirtualClock.maximumOffset)
        #expect(clock.now == real.addingTimeInterval(VirtualClock.maximumOffset))
        convertEverywhere(clock.now)
    }

    @Test("advancing backward by an absurd interval stops at -100 years", arguments: [-1e19, -1e300, -Double.infinity])
    func advanceBackwardClamps(interval: Double) {
        let clock = VirtualClock(realNow: { real })
        clock.advance(by: interval)
        #expect(clock.offset == -VirtualClock.maximumOffset)
        convertEverywhere(clock.now)
    }

    @Test("repeated moves cannot walk past the range")
    func repeatedMovesStayBounded() {
        let clock = VirtualClock(realNow: { real })
        for _ in 0..<1_000 { clock.advance(by: 9e18) }
        #expect(clock.offset == VirtualClock.maximumOffset)
        clock.advance(by: -86_400)
        #expect(clock.offset == VirtualClock.maximumOffset - 86_400)
    }

    @Test("a NaN move is ignored")
    func nanIgnored() {
        let clock = VirtualClock(realNow: { real })
        clock.advance(by: 3_600)
        clock.advance(by: .nan)
        #expect(clock.offset == 3_600)
        clock.set(to: Date(timeIntervalSince1970: .nan))
        #expect(clock.offset == 3_600)
    }

    @Test("setting an instant beyond 100 years clamps; within it is exact")
    func setClamps() {
        let clock = VirtualClock(realNow: { real })
        clock.set(to: Date(timeIntervalSince1970: 1e19))
        #expect(clock.offset == VirtualClock.maximumOffset)
        clock.set(to: .distantPast)
        #expect(clock.offset == -VirtualClock.maximumOffset)
        let target = real.addingTimeInterval(50 * 365 * 86_400)
        clock.set(to: target)
        #expect(clock.now == target)
    }

    @Test("an out-of-range initial offset and a hostile real time are clamped")
    func initialAndRealTimeClamp() {
        #expect(VirtualClock(offset: 1e19, realNow: { real }).offset == VirtualClock.maximumOffset)
        #expect(VirtualClock(offset: .nan, realNow: { real }).offset == 0)
        let far = VirtualClock(realNow: { Date(timeIntervalSince1970: 1e300) })
        #expect(far.now == VirtualClock.latest)
        let early = VirtualClock(realNow: { Date(timeIntervalSince1970: -1e300) })
        #expect(early.now == VirtualClock.earliest)
        convertEverywhere(far.now)
    }

    @Test("the wire formatters render any Date within years 0001-9999")
    func formattersClamp() {
        let far = Date(timeIntervalSince1970: 1e24)  // a lifecycle rule of 10^19 days
        #expect(Timestamp.httpDate(far) == "Fri, 31 Dec 9999 23:59:59 GMT")
        #expect(Timestamp.iso8601(far) == "9999-12-31T23:59:59Z")
        // Foundation's calendar is Julian before 1582: the proleptic 0001-01-01 it is given shows as January 3rd.
        #expect(Timestamp.iso8601Milliseconds(Date(timeIntervalSince1970: -1e24)).hasPrefix("0001-01-0"))
        #expect(Timestamp.iso8601(Date(timeIntervalSince1970: .nan)) == "1970-01-01T00:00:00Z")
    }

    @Test("clamped integer conversions of any Date")
    func epochConversions() {
        #expect(Timestamp.epochSeconds(Date(timeIntervalSince1970: 1e300)) == .max)
        #expect(Timestamp.epochSeconds(Date(timeIntervalSince1970: -1e300)) == .min)
        #expect(Timestamp.epochSeconds(Date(timeIntervalSince1970: .nan)) == 0)
        #expect(Timestamp.epochSeconds(Date(timeIntervalSince1970: -1.5)) == -2)
        #expect(Timestamp.epochMilliseconds(Date(timeIntervalSince1970: 1_800_000_000.25)) == 1_800_000_000_250)
        #expect(Timestamp.epochMilliseconds(Date(timeIntervalSince1970: 9.3e15)) == .max)
        #expect(Timestamp.clampedInt64(0x1p63) == .max)
        #expect(Timestamp.clampedInt64(-0x1p63) == .min)
    }
}
