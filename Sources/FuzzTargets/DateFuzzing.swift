import EmulatorCore
import Foundation
import SigV4

/// Fuzzing of the date and duration parsers and of everything that formats or converts an instant.
enum DateFuzzing {
    private static let real = Date(timeIntervalSince1970: 1_704_067_200)

    /// Parses each line every way a date or duration reaches the emulator, then formats what came out.
    static func run(_ bytes: [UInt8]) {
        let clock = VirtualClock(realNow: { real })
        for line in FuzzInput.lines(bytes).prefix(64) {
            var instants: [Date] = []
            if let date = SigV4Encoding.parseHTTPDate(line) { instants.append(date) }
            if let date = SigV4Encoding.parseAmzDate(line) { instants.append(date) }
            if let date = Timestamp.parseISO8601(line) {
                instants.append(date)
                clock.set(to: date)
            }
            if let seconds = DurationText.seconds(line) { clock.advance(by: seconds) }
            if let number = Double(line) {
                // A number as seconds since 1970 (SigV2 `Expires`, TTL attributes, JSON timestamps).
                instants.append(Date(timeIntervalSince1970: number))
                clock.advance(by: number)
            }
            instants.append(clock.now)
            for instant in instants { format(instant) }
        }
    }

    /// Every conversion of an instant the services make.
    static func format(_ date: Date) {
        FuzzInput.consume(SigV4Encoding.amzDate(date))
        FuzzInput.consume(SigV4Encoding.isoDate(date))
        FuzzInput.consume(Timestamp.epochSeconds(date))
        FuzzInput.consume(Timestamp.epochMilliseconds(date))
        FuzzInput.consume(Timestamp.httpDate(date))
        FuzzInput.consume(Timestamp.iso8601(date))
        FuzzInput.consume(Timestamp.iso8601Milliseconds(date))
    }
}
