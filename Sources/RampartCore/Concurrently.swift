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
        return try await withThrowingTaskGroup(of: (Int, [R]).self) { group in
            for worker in 0..<workers {
                let range = (worker * chunk)..<min(count, (worker + 1) * chunk)
                group.addTask { (worker, try range.map(transform)) }
            }
            var parts = [[R]](repeating: [], count: workers)
            for try await (worker, part) in group { parts[worker] = part }
            // Join part by part, freeing each as it is copied: a large result is never held twice.
            var result: [R] = []
            result.reserveCapacity(count)
            for worker in parts.indices {
                result.append(contentsOf: parts[worker])
                parts[worker] = []
            }
            return result
        }
    }
}
