import Foundation
import RampartCore

/// What a database writer consumes during one import (the findings' storage rows, with each new
/// finding's correlation keys and score, then the report's archive chunks), made on the other
/// cores while the writer, holding its write transaction on its own thread, works: the write
/// starts with the first rows instead of after the last.
///
/// The work is cut into units (a batch of rows, or one archive chunk) in the order the writer
/// takes them (the order the stream's plan predicts), and the makers take turns: with two, one
/// makes units 0, 2, 4... and the other 1, 3, 5.... A rescan that finds most rows unchanged
/// writes little and waits on the makers, so they use every core; a first import is bound by
/// the writer, which they leave alone once done.
///
/// The writer blocks only when it catches up with the makers; it blocks its own thread, never
/// one of the task pool's, and the makers depend on nothing the writer does, so the wait always
/// ends. A finding the prediction missed (the stream changed between the prediction and the
/// transaction) gets its row made by the writer itself.
package final class ImportFeed: @unchecked Sendable {
    package let findings: [Finding]
    /// The report as imported, when it is archived (see `ScanSubmission.archivedReport`).
    package let report: Data?
    package let chunkCount: Int
    private static let batchSize = 256
    private let order: [Int]
    private let textSlots: Int
    private let slotOfFinding: [Int32]
    private let batchCount: Int
    // Guarded by `condition`: what has been made and not yet taken.
    private let condition = NSCondition()
    private var rows: [StorageRow?]
    /// What `predict` made for each new finding's slot, kept until the writer asks (after all rows).
    private var predicted: [PredictedIssue?]
    private let predict: (@Sendable (borrowing Finding) -> PredictedIssue)?
    /// How many slots, from the first, get a prediction (read outside the lock, so a constant).
    private let predictedSlots: Int
    private var batchMade: [Bool]
    private var chunks: [Data?]
    private var chunkMade: [Bool]

    /// - Parameters:
    ///   - order: indices of the findings that need rows, in the order the writer takes them.
    ///   - textSlots: how many rows, from the first, are written for sure (new findings) and get
    ///     their JSON texts made here; the writer makes the others' texts only if they changed.
    ///   - predict: what else a new finding needs (its correlation keys and the score of the
    ///     issue it would open), made with its row.
    package init(
        findings: [Finding], order: [Int], report: Data?, textSlots: Int = .max,
        predict: (@Sendable (borrowing Finding) -> PredictedIssue)? = nil
    ) {
        self.predict = predict
        self.findings = findings
        self.report = report
        self.order = order
        self.textSlots = textSlots
        var slotOfFinding = [Int32](repeating: -1, count: findings.count)
        for (slot, index) in order.enumerated() { slotOfFinding[index] = Int32(slot) }
        self.slotOfFinding = slotOfFinding
        rows = [StorageRow?](repeating: nil, count: order.count)
        predictedSlots = predict == nil ? 0 : min(textSlots, order.count)
        predicted = [PredictedIssue?](repeating: nil, count: predictedSlots)
        batchCount = (order.count + Self.batchSize - 1) / Self.batchSize
        batchMade = [Bool](repeating: false, count: batchCount)
        chunkCount = report.map { ReportArchive.chunkCount(byteCount: $0.count) } ?? 0
        chunks = [Data?](repeating: nil, count: chunkCount)
        chunkMade = [Bool](repeating: false, count: chunkCount)
    }

    /// Makes every row, then every archive chunk, handing them over a unit at a time. Run it
    /// beside the writer (`async let`); it runs to the end even if cancelled, since the writer
    /// may be waiting for what it makes.
    package func make() async {
        let units = batchCount + chunkCount
        let makers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, units))
        await withTaskGroup(of: Void.self) { group in
            for maker in 0..<makers {
                group.addTask { self.makeUnits(from: maker, every: makers) }
            }
        }
    }

    private func makeUnits(from first: Int, every step: Int) {
        withReport { report in
            var compressor = ChunkCompressor()
            for unit in stride(from: first, to: batchCount + chunkCount, by: step) {
                if unit < batchCount {
                    let slots = (unit * Self.batchSize)..<min(order.count, (unit + 1) * Self.batchSize)
                    let batch = findings.withUnsafeBufferPointer { findings in
                        slots.map { slot in StorageRow(findings[order[slot]], report: report, withText: slot < textSlots) }
                    }
                    let made = findings.withUnsafeBufferPointer { findings in
                        slots.map { slot in slot < predictedSlots ? predict?(findings[order[slot]]) : nil }
                    }
                    condition.lock()
                    for (slot, row) in zip(slots, batch) { rows[slot] = row }
                    for (slot, issue) in zip(slots, made) where issue != nil { predicted[slot] = issue }
                    batchMade[unit] = true
                    condition.broadcast()
                    condition.unlock()
                } else {
                    let number = unit - batchCount
                    let chunk = ReportArchive.compressedChunk(number, of: report, with: &compressor)
                    condition.lock()
                    chunks[number] = chunk
                    chunkMade[number] = true
                    condition.broadcast()
                    condition.unlock()
                }
            }
        }
    }

    /// The row of the finding at `index`: the one made for it (handed over once), or made now.
    package func row(_ index: Int) -> StorageRow {
        let slot = Int(slotOfFinding[index])
        if slot >= 0 {
            condition.lock()
            defer { condition.unlock() }
            while !batchMade[slot / Self.batchSize] { condition.wait() }
            if let row = rows[slot] {
                rows[slot] = nil
                return row
            }
        }
        return withReport { report in StorageRow(findings[index], report: report) }
    }

    /// What `predict` made for the finding at `index` (handed over once), or nil if it made nothing.
    package func predictedIssue(_ index: Int) -> PredictedIssue? {
        let slot = Int(slotOfFinding[index])
        guard slot >= 0, slot < predictedSlots else { return nil }
        condition.lock()
        defer { condition.unlock() }
        while !batchMade[slot / Self.batchSize] { condition.wait() }
        defer { predicted[slot] = nil }
        return predicted[slot]
    }

    /// Archive chunk `number`, compressed (handed over once).
    package func chunk(_ number: Int) -> Data {
        condition.lock()
        defer { condition.unlock() }
        while !chunkMade[number] { condition.wait() }
        defer { chunks[number] = nil }
        return chunks[number] ?? Data()
    }

    private func withReport<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        guard let report else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return report.withUnsafeBytes(body)
    }
}

/// A new finding's correlation keys and the score of the issue it would open, made beside the
/// write (`ImportFeed`); the writer uses them only if what they were made from still holds.
package struct PredictedIssue: Sendable {
    package var keys: [CorrelationKey]
    /// The score of the issue the finding would open; nil when its keys meet a stored finding's,
    /// so that it most likely joins an issue (which is then scored from all its members).
    package var score: ScoredIssue?

    package init(keys: [CorrelationKey], score: ScoredIssue?) {
        self.keys = keys
        self.score = score
    }
}

/// An issue's score as an issue row stores it: the columns and the assessment's stored text (the
/// model's value is not kept, so that 100k scores made ahead of the write stay small).
package struct ScoredIssue: Sendable {
    package var score: Double
    package var ssvc: SSVCAssessment.Decision
    package var kev: Bool
    package var epss: Double?
    package var json: String

    package init(_ stored: StoredAssessment) {
        score = stored.assessment.score
        ssvc = stored.assessment.ssvc.decision
        kev = stored.kev != nil
        epss = stored.epss?.probability
        json = stored.jsonText
    }

    /// The risk model's assessment of `input` at `date`, with the KEV entry and EPSS score it read.
    package init(assessing input: RiskInput, at date: Date) {
        self.init(StoredAssessment(assessment: RiskModel.assess(input, now: date), kev: input.kev, epss: input.epss))
    }
}
