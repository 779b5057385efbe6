import EmulatorCore
import Testing

/// `--seed` repeatability: named streams of ``EmulatorRandom``.
@Suite struct EmulatorRandomTests {
    @Test("the same seed and stream name give the same sequence")
    func sameSeedSameSequence() {
        let first = EmulatorRandom(seed: 42).stream("faults")
        let second = EmulatorRandom(seed: 42).stream("faults")
        let a = (0..<32).map { _ in first.next() }
        let b = (0..<32).map { _ in second.next() }
        #expect(a == b)
        #expect(Set(a).count == 32)
    }

    @Test("different seeds and different stream names give different sequences")
    func differentSeedsDiffer() {
        let base = (0..<8).map { _ in EmulatorRandom(seed: 1).stream("faults").next() }
        let otherSeed = EmulatorRandom(seed: 2).stream("faults")
        let random = EmulatorRandom(seed: 1)
        let otherName = random.stream("duplicates")
        #expect(base[0] != otherSeed.next())
        #expect(base[0] != otherName.next())
    }

    @Test("a stream is independent of draws from other streams")
    func streamsIndependent() {
        let quiet = EmulatorRandom(seed: 7)
        let busy = EmulatorRandom(seed: 7)
        for _ in 0..<100 { _ = busy.stream("ids").next() }
        #expect((0..<8).map { _ in quiet.stream("faults").next() } == (0..<8).map { _ in busy.stream("faults").next() })
    }

    @Test("rates: 0 never, 1 always, 0.5 about half")
    func rates() {
        let stream = EmulatorRandom(seed: 3).stream("faults")
        #expect((0..<100).allSatisfy { _ in !stream.happens(rate: 0) })
        #expect((0..<100).allSatisfy { _ in stream.happens(rate: 1) })
        #expect((0..<100).allSatisfy { _ in !stream.happens(rate: .nan) })
        let hits = (0..<10_000).filter { _ in stream.happens(rate: 0.5) }.count
        #expect((4_700...5_300).contains(hits))
    }

    @Test("units stay in 0..<1 and bounded integers in range")
    func ranges() {
        let stream = EmulatorRandom(seed: 9).stream("x")
        for _ in 0..<1_000 {
            let unit = stream.nextUnit()
            #expect(unit >= 0 && unit < 1)
            #expect((0..<7).contains(stream.nextInt(below: 7)))
        }
        #expect(stream.nextInt(below: 0) == 0)
        #expect(stream.nextInt(below: -5) == 0)
        var generator = stream.generator()
        #expect((1...6).contains(Int.random(in: 1...6, using: &generator)))
    }

    @Test("without a seed there is no seed and streams still work")
    func unseeded() {
        let random = EmulatorRandom()
        #expect(random.seed == nil)
        #expect(random.stream("a").next() != random.stream("a").next())
    }
}
