import EmulatorCore
import Synchronization
import Testing

@Suite("RequestGate: requests held off while the state is replaced")
struct RequestGateTests {
    @Test("an open gate lets requests pass and counts them")
    func openGateCounts() async {
        let gate = RequestGate()
        await gate.enter()
        await gate.enter()
        #expect(gate.running == 2)
        gate.leave()
        gate.leave()
        #expect(gate.running == 0)
        #expect(await gate.close(drainingFor: .milliseconds(10)) == 0)
        gate.open()
    }

    @Test("a closed gate holds new requests until it opens")
    func closedGateHolds() async {
        let gate = RequestGate()
        await gate.close(drainingFor: .zero)
        let passed = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    await gate.enter()
                    passed.value.withLock { $0 += 1 }
                    gate.leave()
                }
            }
            try? await Task.sleep(for: .milliseconds(50))
            #expect(passed.value.withLock { $0 } == 0)
            gate.open()
            await group.waitForAll()
        }
        #expect(passed.value.withLock { $0 } == 3)
    }

    @Test("closing waits for running requests, at most the limit")
    func closeDrainsBoundedly() async {
        let gate = RequestGate()
        await gate.enter()
        #expect(await gate.close(drainingFor: .milliseconds(20)) == 1)
        gate.leave()
        gate.open()
    }
}

/// A count shared by tasks.
private final class Counter: Sendable {
    let value = Mutex(0)
}
