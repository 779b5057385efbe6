import Foundation
import Synchronization

/// The most recent IAM denials (and, in audit mode, would-be denials), newest last: what the dashboard's IAM view
/// shows beside the log lines ``PolicyAuthorizer`` writes. Bounded: the oldest entries are dropped.
package final class DecisionLog: Sendable {
    /// One denial.
    package struct Entry: Sendable, Equatable {
        /// When it was decided (virtual clock).
        package var time: Date
        /// The caller's principal ARN, or nil for anonymous callers.
        package var principal: String?
        /// The IAM action.
        package var action: String
        /// The resource ARNs.
        package var resources: [String]
        /// The message the caller received (or would have, in audit mode).
        package var message: String
        /// The deciding statement, as the log line names it ("explicit deny by ...", "implicit deny ...").
        package var statement: String
        /// Whether the request was let through (audit mode).
        package var auditOnly: Bool
    }

    private let entries = Mutex<[Entry]>([])
    /// How many entries are kept.
    package let capacity: Int

    /// Creates an empty log.
    /// - Parameter capacity: How many entries are kept (at least 1).
    package init(capacity: Int = 200) {
        self.capacity = max(1, capacity)
    }

    /// Adds one denial, dropping the oldest beyond ``capacity``.
    /// - Parameter entry: The denial.
    package func record(_ entry: Entry) {
        entries.withLock { list in
            list.append(entry)
            if list.count > capacity { list.removeFirst(list.count - capacity) }
        }
    }

    /// The kept denials, oldest first.
    package var all: [Entry] { entries.withLock { $0 } }
}
