import Foundation
import RampartCore

/// Storage rows built on one core while a database writer, holding its write transaction on its
/// own thread, consumes them on another: the write starts with the first rows instead of after
/// the last, and neither core waits for the other for long.
///
/// Rows are built in the order the writer will ask for them (the order the stream's plan
/// predicts). The writer blocks only when it catches up with the builder; it blocks its own
/// thread, never one of the task pool's, and the builder depends on nothing the writer does, so
/// the wait always ends. A finding the prediction missed (the stream changed between the
/// prediction and the transaction) gets no row here, and the writer builds that one itself.
public final class RowFeed: @unchecked Sendable {
    // `slots` and `built` are guarded by `condition`; `order` and `slotOfFinding` never change.
    private let condition = NSCondition()
    private var slots: [StorageRow?]
    private var built = 0
    private let order: [Int]
    private let slotOfFinding: [Int32]

    /// - Parameters:
    ///   - order: indices of the findings that need rows, in the order the writer takes them.
    ///   - findingCount: how many findings the import holds.
    public init(order: [Int], findingCount: Int) {
        self.order = order
        var slotOfFinding = [Int32](repeating: -1, count: findingCount)
        for (slot, index) in order.enumerated() { slotOfFinding[index] = Int32(slot) }
        self.slotOfFinding = slotOfFinding
        slots = [StorageRow?](repeating: nil, count: order.count)
    }

    /// Builds every row, publishing them a batch at a time. Run it beside the writer (`async let`);
    /// it runs to the end even if cancelled, since a writer may still be waiting for its rows.
    public func build(_ findings: [Finding], hashes: [Int64]) {
        let batchSize = 256
        var start = 0
        findings.withUnsafeBufferPointer { findings in
            while start < order.count {
                let end = min(order.count, start + batchSize)
                var batch: [StorageRow] = []
                batch.reserveCapacity(end - start)
                for slot in start..<end {
                    let index = order[slot]
                    batch.append(StorageRow(findings[index], contentHash: hashes[index]))
                }
                condition.lock()
                for (offset, row) in batch.enumerated() { slots[start + offset] = row }
                built = end
                condition.broadcast()
                condition.unlock()
                start = end
            }
        }
    }

    /// The row built for the finding at `index`, handed over once (the feed lets go of it), or
    /// nil when the prediction did not include that finding.
    public func take(_ index: Int) -> StorageRow? {
        let slot = Int(slotOfFinding[index])
        guard slot >= 0 else { return nil }
        condition.lock()
        defer { condition.unlock() }
        while built <= slot { condition.wait() }
        defer { slots[slot] = nil }
        return slots[slot]
    }
}
