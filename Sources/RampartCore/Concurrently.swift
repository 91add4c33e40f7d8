import Foundation

/// Data-parallel map over every core, with structured concurrency only: all child tasks end
/// before it returns. Import stages use it for per-record work (reading records, deriving
/// storage rows) that is independent from record to record.
public enum Concurrently {
    /// Below this many items a single task is cheaper than spreading the work.
    static let minimumChunk = 2_000

    public static func map<R: Sendable>(count: Int, _ transform: @escaping @Sendable (Int) throws -> R) async rethrows -> [R] {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count / minimumChunk))
        if workers == 1 { return try (0..<count).map(transform) }
        let chunk = (count + workers - 1) / workers
        // Each worker initializes its own range of one buffer, and the result takes the values
        // over by moving them: joining per-worker arrays copied every element (a retain of each
        // reference a record holds, then a release as the parts died), a tenth of an import's CPU.
        let slots = Slots<R>(capacity: count)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<workers {
                    let range = (worker * chunk)..<min(count, (worker + 1) * chunk)
                    group.addTask { try slots.fill(range, transform) }
                }
                try await group.waitForAll()
            }
        } catch {
            slots.discard()
            throw error
        }
        return slots.take()
    }
}

/// The buffer `Concurrently.map`'s workers fill: each worker writes only its own range, and the
/// buffer is read (taken or discarded) only after every worker has ended, so no slot is shared.
private final class Slots<R>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<R>
    private let capacity: Int
    private let lock = NSLock()
    private var filled: [Range<Int>] = []

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    func fill(_ range: Range<Int>, _ transform: (Int) throws -> R) throws {
        var next = range.lowerBound
        do {
            while next < range.upperBound {
                (base + next).initialize(to: try transform(next))
                next += 1
            }
        } catch {
            (base + range.lowerBound).deinitialize(count: next - range.lowerBound)
            throw error
        }
        lock.withLock { filled.append(range) }
    }

    /// Every slot, moved into an array; the buffer is empty afterwards.
    func take() -> [R] {
        precondition(filled.reduce(0) { $0 + $1.count } == capacity, "a worker's range was not filled")
        filled = []
        return Array(unsafeUninitializedCapacity: capacity) { buffer, count in
            buffer.baseAddress!.moveInitialize(from: base, count: capacity)
            count = capacity
        }
    }

    /// Drops the slots the workers that finished filled (after an error).
    func discard() {
        for range in filled { (base + range.lowerBound).deinitialize(count: range.count) }
        filled = []
    }

    deinit { base.deallocate() }
}
