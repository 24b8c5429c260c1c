/// Remembers 64-bit record keys to catch a request logged twice: an open-addressing table
/// with linear probing (the keys are already well-mixed hashes). The aggregation keeps one
/// per sixteenth of a second of `timestamp_start`, as a duplicate starts at the same
/// instant: records come roughly in time order, so the table in use stays in cache.
///
/// The table is raw memory the filter owns: as an array in a class, every probe paid for
/// run-time exclusivity and bounds checks.
final class DuplicateFilter {
    private var slots: UnsafeMutablePointer<UInt64>
    /// The number of slots, a power of two.
    private var capacity: Int
    private(set) var count = 0

    /// A filter with room for about `expected` keys before it grows (growing rehashes
    /// every key): the aggregation expects as many as the previous second held.
    init(expected: Int = 0) {
        var capacity = 64
        while capacity * 3 < expected * 4 { capacity *= 2 }
        self.capacity = capacity
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: 0, count: capacity)
    }

    deinit {
        slots.deallocate()
    }

    /// `true` when `key` was seen before; otherwise remembers it when `remember` is set.
    @inline(__always)
    func isDuplicate(_ key: UInt64, remember: Bool) -> Bool {
        let key = key | 1  // 0 marks an empty slot
        var mask = capacity - 1
        var index = Int(truncatingIfNeeded: key >> 7) & mask
        while true {
            let slot = slots[index]
            if slot == key { return true }
            if slot == 0 { break }
            index = (index + 1) & mask
        }
        guard remember else { return false }
        if (count + 1) * 4 > capacity * 3 {
            grow()
            mask = capacity - 1
            index = Int(truncatingIfNeeded: key >> 7) & mask
            while slots[index] != 0 { index = (index + 1) & mask }
        }
        slots[index] = key
        count += 1
        return false
    }

    func contains(_ key: UInt64) -> Bool {
        let key = key | 1
        let mask = capacity - 1
        var index = Int(truncatingIfNeeded: key >> 7) & mask
        while slots[index] != 0 {
            if slots[index] == key { return true }
            index = (index + 1) & mask
        }
        return false
    }

    /// Whether a key remembered by `other` is remembered here too.
    func sharesKey(with other: DuplicateFilter) -> Bool {
        UnsafeBufferPointer(start: other.slots, count: other.capacity).contains { $0 != 0 && contains($0) }
    }

    private func grow() {
        let old = UnsafeBufferPointer(start: slots, count: capacity)
        capacity *= 2
        slots = .allocate(capacity: capacity)
        slots.initialize(repeating: 0, count: capacity)
        let mask = capacity - 1
        for key in old where key != 0 {
            var index = Int(truncatingIfNeeded: key >> 7) & mask
            while slots[index] != 0 { index = (index + 1) & mask }
            slots[index] = key
        }
        old.deallocate()
    }
}
