import EmulatorCore
import Foundation
import Synchronization
import Testing

@Suite("ClockSweeper: one schedule for every sweeper")
struct ClockSweeperTests {
    /// What a sweep saw.
    final class Record: Sendable {
        let state = Mutex<(sweeps: [Date], running: Int, maximumRunning: Int, shutdowns: Int)>(([], 0, 0, 0))
        var sweeps: [Date] { state.withLock { $0.sweeps } }
    }

    /// Waits (real time, at most `seconds`: generous, since other suites may keep the cooperative pool busy) until
    /// `condition` holds.
    static func eventually(seconds: Double = 60, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test("moving the clock sweeps at once with the new virtual time, long before the timer")
    func clockMoveTriggersSweep() async throws {
        let clock = VirtualClock(realNow: { Date(timeIntervalSince1970: 1_000_000) })
        let record = Record()
        let sweeper = ClockSweeper(name: "test", clock: clock, interval: .seconds(3600)) { now in
            record.state.withLock { $0.sweeps.append(now) }
        }
        let running = Task { try await sweeper.run() }
        defer { running.cancel() }
        let target = Date(timeIntervalSince1970: 1_000_000 + 7 * 86_400)
        // The sweeper subscribes to clock moves when it starts: move the clock until a sweep has seen the move.
        let swept = await Self.eventually {
            clock.set(to: target)
            return record.sweeps.contains(target)
        }
        #expect(swept)
    }

    @Test("the real-time timer sweeps without any clock move")
    func timerSweeps() async throws {
        let clock = VirtualClock()
        let record = Record()
        let sweeper = ClockSweeper(name: "test", clock: clock, interval: .milliseconds(20)) { now in
            record.state.withLock { $0.sweeps.append(now) }
        }
        let running = Task { try await sweeper.run() }
        defer { running.cancel() }
        #expect(await Self.eventually { record.sweeps.count >= 3 })
    }

    @Test("wake-ups during a sweep coalesce: sweeps never overlap")
    func sweepsNeverOverlap() async throws {
        let clock = VirtualClock()
        let record = Record()
        let sweeper = ClockSweeper(name: "test", clock: clock, interval: .milliseconds(5)) { now in
            record.state.withLock {
                $0.running += 1
                $0.maximumRunning = max($0.maximumRunning, $0.running)
            }
            try? await Task.sleep(for: .milliseconds(30))
            record.state.withLock {
                $0.running -= 1
                $0.sweeps.append(now)
            }
        }
        let running = Task { try await sweeper.run() }
        for _ in 0..<50 {
            clock.advance(by: 60)
            try await Task.sleep(for: .milliseconds(2))
        }
        #expect(await Self.eventually { record.sweeps.count >= 3 })
        running.cancel()
        _ = try? await running.value
        #expect(record.state.withLock { $0.maximumRunning } == 1)
    }

    @Test("the shutdown work runs once when the sweeper stops")
    func shutdownWorkRuns() async throws {
        let clock = VirtualClock()
        let record = Record()
        let sweeper = ClockSweeper(name: "test", clock: clock, interval: .seconds(3600)) { _ in
        } atShutdown: {
            record.state.withLock { $0.shutdowns += 1 }
        }
        let running = Task { try await sweeper.run() }
        try await Task.sleep(for: .milliseconds(20))
        running.cancel()
        _ = try? await running.value
        #expect(record.state.withLock { $0.shutdowns } == 1)
    }

    @Test(
        "intervals from settings are clamped",
        arguments: [(0.0, 1), (-5.0, 1), (Double.nan, 1), (0.05, 50), (30.0, 30_000), (1e12, 86_400_000)] as [(Double, Int64)]
    )
    func intervalClamping(seconds: Double, milliseconds: Int64) {
        #expect(ClockSweeper.interval(seconds: seconds) == .milliseconds(milliseconds))
    }
}
