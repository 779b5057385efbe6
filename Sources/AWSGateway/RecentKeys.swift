/// A set of at most ``capacity`` strings that forgets the oldest one when a new one arrives and it is full.
///
/// The authenticator remembers which unknown access keys it has already logged; any client can send any number of
/// made-up keys, so the memory must have a bound. A key forgotten and seen again is simply logged again.
package struct RecentKeys: Sendable {
    /// The most keys remembered.
    package let capacity: Int
    private var members: Set<String> = []
    /// Insertion order as a ring: `ring[oldest]` is evicted next once the ring is full.
    private var ring: [String] = []
    private var oldest = 0

    /// Creates an empty set.
    /// - Parameter capacity: The most keys remembered (at least 1).
    package init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The number of keys remembered.
    package var count: Int { members.count }

    /// Whether a key is remembered.
    /// - Parameter key: The key.
    /// - Returns: `true` when it is.
    package func contains(_ key: String) -> Bool { members.contains(key) }

    /// Remembers a key, forgetting the oldest one when full.
    /// - Parameter key: The key.
    /// - Returns: `true` when the key was not remembered before.
    @discardableResult
    package mutating func insert(_ key: String) -> Bool {
        guard !members.contains(key) else { return false }
        if ring.count < capacity {
            ring.append(key)
        } else {
            members.remove(ring[oldest])
            ring[oldest] = key
            oldest = (oldest + 1) % capacity
        }
        members.insert(key)
        return true
    }
}
