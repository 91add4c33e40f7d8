import Foundation
import RampartCore

/// What a database writer consumes during one import (the findings' storage rows, then the
/// report's archive chunks), made on one core while the writer, holding its write transaction
/// on its own thread, works on another: the write starts with the first rows instead of after
/// the last.
///
/// Rows are made in the order the writer takes them (the order the stream's plan predicts).
/// The writer blocks only when it catches up with the maker; it blocks its own thread, never
/// one of the task pool's, and the maker depends on nothing the writer does, so the wait always
/// ends. A finding the prediction missed (the stream changed between the prediction and the
/// transaction) gets its row made by the writer itself.
public final class ImportFeed: @unchecked Sendable {
    public let findings: [Finding]
    /// Content hashes known before the write (those of findings the stream already holds);
    /// nil where the row computes its own.
    public let hashes: [Int64?]
    /// The report as imported, when it is archived (see `ScanSubmission.archivedReport`).
    public let report: Data?
    public let chunkCount: Int
    private let order: [Int]
    private let slotOfFinding: [Int32]
    // Guarded by `condition`: what has been made and not yet taken.
    private let condition = NSCondition()
    private var rows: [StorageRow?]
    private var rowsMade = 0
    private var chunks: [Data?]
    private var chunksMade = 0

    /// - Parameter order: indices of the findings that need rows, in the order the writer takes them.
    public init(findings: [Finding], hashes: [Int64?], order: [Int], report: Data?) {
        self.findings = findings
        self.hashes = hashes
        self.report = report
        self.order = order
        var slotOfFinding = [Int32](repeating: -1, count: findings.count)
        for (slot, index) in order.enumerated() { slotOfFinding[index] = Int32(slot) }
        self.slotOfFinding = slotOfFinding
        rows = [StorageRow?](repeating: nil, count: order.count)
        chunkCount = report.map { ReportArchive.chunkCount(byteCount: $0.count) } ?? 0
        chunks = [Data?](repeating: nil, count: chunkCount)
    }

    /// Makes every row, then every archive chunk, handing them over a batch at a time. Run it
    /// beside the writer (`async let`); it runs to the end even if cancelled, since the writer
    /// may be waiting for what it makes.
    public func make() {
        withReport { report in
            findings.withUnsafeBufferPointer { findings in
                var start = 0
                while start < order.count {
                    let end = min(order.count, start + 256)
                    let batch = (start..<end).map { slot in Self.row(findings[order[slot]], hash: hashes[order[slot]], report: report) }
                    condition.lock()
                    for (offset, row) in batch.enumerated() { rows[start + offset] = row }
                    rowsMade = end
                    condition.broadcast()
                    condition.unlock()
                    start = end
                }
            }
            var scratch: [UInt8] = []
            for number in 0..<chunkCount {
                let chunk = ReportArchive.compressedChunk(number, of: report, scratch: &scratch)
                condition.lock()
                chunks[number] = chunk
                chunksMade = number + 1
                condition.broadcast()
                condition.unlock()
            }
        }
    }

    /// The row of the finding at `index`: the one made for it (handed over once), or made now.
    public func row(_ index: Int) -> StorageRow {
        let slot = Int(slotOfFinding[index])
        if slot >= 0 {
            condition.lock()
            defer { condition.unlock() }
            while rowsMade <= slot { condition.wait() }
            if let row = rows[slot] {
                rows[slot] = nil
                return row
            }
        }
        return withReport { report in Self.row(findings[index], hash: hashes[index], report: report) }
    }

    /// The content hash of the finding at `index`.
    public func contentHash(_ index: Int) -> Int64 {
        hashes[index] ?? findings.withUnsafeBufferPointer { StorageRow.contentHash($0[index]) }
    }

    /// Archive chunk `number`, compressed (handed over once).
    public func chunk(_ number: Int) -> Data {
        condition.lock()
        defer { condition.unlock() }
        while chunksMade <= number { condition.wait() }
        defer { chunks[number] = nil }
        return chunks[number] ?? Data()
    }

    private func withReport<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard let report else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return report.withUnsafeBytes(body)
    }

    private static func row(_ finding: borrowing Finding, hash: Int64?, report: UnsafeRawBufferPointer) -> StorageRow {
        var row = StorageRow(finding, contentHash: hash)
        row.evidenceSpan = finding.raw.flatMap { ReportArchive.span(of: $0.bytes, in: report) }
        return row
    }
}
