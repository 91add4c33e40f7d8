import Foundation

/// A report that is neither JSON, XML nor CSV: the text output some tools write for people and
/// pipelines alike (bundler-audit's default output, for one). Importers read it line by line,
/// and name positions by line number.
package struct TextReport: Sendable {
    /// The lines without their line breaks, decoded as UTF-8 (invalid bytes replaced).
    package let lines: [Substring]

    package init(_ data: Data) {
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
    }

    /// The first lines that hold anything, for detection.
    package func head(_ count: Int) -> [Substring] {
        Array(lines.lazy.filter { !$0.allSatisfy(\.isWhitespace) }.prefix(count))
    }

    /// A block of `Key: value` lines.
    package struct KeyValueBlock {
        /// The lines it spans, 0-based.
        package var lines: Range<Int>
        package var fields: [(key: String, value: String)]
        /// Line numbers count from 1.
        package var position: String { "line \(lines.lowerBound + 1)" }
    }

    /// Blocks of `Key: value` lines separated by blank lines.
    package var keyValueBlocks: [KeyValueBlock] {
        var blocks: [KeyValueBlock] = []
        var current: [(key: String, value: String)] = []
        var start = 0
        for (index, line) in lines.enumerated() {
            if line.allSatisfy(\.isWhitespace) {
                if !current.isEmpty { blocks.append(KeyValueBlock(lines: start..<index, fields: current)) }
                current = []
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            if current.isEmpty { start = index }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            current.append((key, value))
        }
        if !current.isEmpty { blocks.append(KeyValueBlock(lines: start..<lines.count, fields: current)) }
        return blocks
    }

    /// The lines of `range` as written, for a finding's kept record.
    package func text(of range: Range<Int>) -> String {
        lines[range.clamped(to: lines.indices)].joined(separator: "\n")
    }
}
