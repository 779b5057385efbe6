import EmulatorCore
import Foundation
import ServiceLifecycle
import SigV4

/// Purges issued temporary credentials once the virtual clock passes their expiry, from memory and from the data
/// folder, so the credential store cannot grow without bound.
///
/// Wakes when the clock is moved and every `interval` of real time. Requests that still carry a purged token are
/// answered `ExpiredToken` (the token is recognised by its issuer tag), so nothing per credential is kept after
/// expiry. `POST /_local/clock` also purges before and after it moves the clock, so setting the clock back never
/// revives credentials that had already expired.
struct IssuedCredentialSweeper: Service {
    let credentials: CredentialStore
    let clock: VirtualClock
    let interval: Duration

    /// Sweeps until graceful shutdown.
    func run() async throws {
        let changes = clock.changes()
        let credentials = self.credentials
        let clock = self.clock
        let interval = self.interval
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await _ in changes { credentials.purgeExpired(now: clock.now) }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        credentials.purgeExpired(now: clock.now)
                    }
                }
            }
        }
    }
}
