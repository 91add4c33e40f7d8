import Foundation
import Synchronization
import Testing

@testable import RampartCore

/// Counts the instances alive, so a test sees values leaked or freed twice.
private final class Tracked: Sendable {
    static let alive = Mutex(0)
    let value: Int
    init(_ value: Int) {
        self.value = value
        Self.alive.withLock { $0 += 1 }
    }
    deinit { Self.alive.withLock { $0 -= 1 } }
}

private struct Failure: Error {}

/// Tracked is shared by the tests below: they must not overlap.
@Suite("Concurrently.map", .serialized)
struct ConcurrentlyTests {
    @Test("results come back in input order, each made once, none leaked")
    func order() async {
        let count = 50_001
        do {
            let values = await Concurrently.map(count: count) { Tracked($0 * 3) }
            #expect(values.count == count)
            #expect(values.indices.allSatisfy { values[$0].value == $0 * 3 })
            #expect(Tracked.alive.withLock { $0 } == count)
        }
        #expect(Tracked.alive.withLock { $0 } == 0)
    }

    @Test("an error in one worker is thrown, and what the others made is freed")
    func failure() async {
        await #expect(throws: Failure.self) {
            _ = try await Concurrently.map(count: 40_000) { index -> Tracked in
                if index == 30_123 { throw Failure() }
                return Tracked(index)
            }
        }
        #expect(Tracked.alive.withLock { $0 } == 0)
    }

    @Test("small inputs are mapped in place")
    func small() async {
        #expect(await Concurrently.map(count: 0) { $0 }.isEmpty)
        #expect(await Concurrently.map(count: 3) { $0 + 1 } == [1, 2, 3])
    }
}
