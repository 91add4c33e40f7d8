import Foundation
import RampartCore

/// Where each line of a document starts, found once, so that every diagnostic's line and
/// column is a binary search instead of a rescan of the document from its start (which made an
/// import with many diagnostics quadratic in the report's size).
struct LineIndex: Sendable {
    /// Offsets of the bytes just after each newline.
    private let lineStarts: [Int]

    init(_ bytes: UnsafeRawBufferPointer) {
        var starts: [Int] = []
        guard let base = bytes.baseAddress else {
            lineStarts = []
            return
        }
        var offset = 0
        while offset < bytes.count,
            let found = memchr(base + offset, 0x0A, bytes.count - offset)
        {
            let newline = base.distance(to: UnsafeRawPointer(found))
            starts.append(newline + 1)
            offset = newline + 1
        }
        lineStarts = starts
    }

    /// 1-based line and column of one byte offset, by one pass over the bytes before it: for a
    /// single error, where building the index would cost as much.
    static func lineAndColumn(ofOffset offset: Int, in bytes: UnsafeRawBufferPointer) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        let limit = min(max(offset, 0), bytes.count)
        for index in 0..<limit where bytes[index] == 0x0A {
            line += 1
            lineStart = index + 1
        }
        return (line, limit - lineStart + 1)
    }

    /// 1-based line and column of a byte offset.
    func lineAndColumn(ofOffset offset: Int) -> (line: Int, column: Int) {
        // The number of lines that start at or before `offset`.
        var low = 0
        var high = lineStarts.count
        while low < high {
            let middle = (low + high) / 2
            if lineStarts[middle] <= offset { low = middle + 1 } else { high = middle }
        }
        let lineStart = low == 0 ? 0 : lineStarts[low - 1]
        return (low + 1, offset - lineStart + 1)
    }
}

/// A line index made the first time a position is asked for, shared by every core reading the
/// document: most reports never need one.
final class LazyLineIndex: @unchecked Sendable {
    private let lock = NSLock()
    private var index: LineIndex?

    func lineAndColumn(ofOffset offset: Int, in bytes: UnsafeRawBufferPointer) -> (line: Int, column: Int) {
        lock.lock()
        defer { lock.unlock() }
        if index == nil { index = LineIndex(bytes) }
        return index!.lineAndColumn(ofOffset: offset)
    }
}

/// The integers a report may carry: lines, columns, indices, ports, ids. Values beyond 32 bits
/// are no real line or index, and arithmetic on them (a column + 1) would trap.
package enum ReportInteger {
    package static let range = -Int(Int32.max)...Int(Int32.max)

    /// Digits in text (XML attributes and elements, which pretty printers wrap in blanks and
    /// line breaks), within `range`. Trimmed byte by byte: Foundation's trimming was a twentieth
    /// of a large XML import.
    static func parse(_ text: String?) -> Int? {
        guard let text, let value = Int(text.asciiTrimmed), range.contains(value) else { return nil }
        return value
    }
}

/// Out-of-range numbers met while importers read a document, from any core.
final class OutOfRangeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var offsets: [Int] = []

    func outOfRange(at offset: Int) {
        lock.lock()
        defer { lock.unlock() }
        count += 1
        if offsets.count < 5, !offsets.contains(offset) { offsets.append(offset) }
    }

    var snapshot: (count: Int, offsets: [Int]) {
        lock.lock()
        defer { lock.unlock() }
        return (count, offsets.sorted())
    }
}
