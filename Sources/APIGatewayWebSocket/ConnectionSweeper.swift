import EmulatorCore
import Foundation

extension WebSocketAPIService {
    /// The connection sweeper: closes connections past the 10-minute idle timeout or the 2-hour maximum, on the
    /// virtual clock.
    ///
    /// Sweeps when the clock is moved by hand and once a second, so moving the clock closes the connections at
    /// once. On graceful shutdown every connection is closed with its `$disconnect`.
    /// - Returns: The background service (a ``ClockSweeper`` running ``sweep()``).
    package func connectionSweeper() -> ClockSweeper {
        ClockSweeper(name: "websocket-idle", clock: clock, interval: .seconds(1)) { _ in
            await sweep()
        } atShutdown: {
            await closeAll()
        }
    }
}
