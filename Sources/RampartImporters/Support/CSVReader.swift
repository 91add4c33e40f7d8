import Foundation
import RampartCore

/// A CSV report: its header and its records, every field decoded.
package struct CSVTable: Sendable {
    package var header: CSVHeader
    package var records: [CSVRecord]
    /// The field separator the reader settled on (`,`, `;`, tab or `|`).
    package var separator: UInt8
}

extension CSVTable {
    /// The table read from a later header row: some tools (Qualys) write a few lines of report
    /// metadata before the column names. The first of the leading rows that has every one of
    /// `columns` becomes the header; nil when none within `limit` rows has them.
    package func reheaded(containing columns: [String], within limit: Int = 16) -> CSVTable? {
        if columns.allSatisfy(header.contains) { return self }
        for (index, record) in records.prefix(limit).enumerated() {
            let candidate = CSVHeader(record.fields)
            guard columns.allSatisfy(candidate.contains) else { continue }
            let rest = records[(index + 1)...].map { CSVRecord(header: candidate, fields: $0.fields, line: $0.line, rawData: $0.rawData) }
            return CSVTable(header: candidate, records: rest, separator: separator)
        }
        return nil
    }
}

/// Column names, and where each is, found by name in any case and spacing.
package struct CSVHeader: Sendable {
    package let names: [String]
    private let positions: [ColumnName: Int]

    init(_ names: [String]) {
        self.names = names
        var positions: [ColumnName: Int] = [:]
        // The first of two equally named columns wins, as a reader scanning left to right sees it.
        for (index, name) in names.enumerated() where positions[ColumnName(name)] == nil { positions[ColumnName(name)] = index }
        self.positions = positions
    }

    package func index(of name: String) -> Int? { positions[ColumnName(name)] }

    /// Every column named `name`, left to right (some tools repeat a header).
    package func indices(of name: String) -> [Int] { names.indices.filter { ColumnName(names[$0]) == ColumnName(name) } }
    package func contains(_ name: String) -> Bool { index(of: name) != nil }

    /// The column a tool's versions write under any of `names`, resolved once for a table's
    /// records instead of by name for each.
    package func column(_ names: String...) -> CSVColumn { CSVColumn(indices: names.compactMap(index(of:))) }
}

/// The columns of a table that hold one field, in the order a reader prefers them.
package struct CSVColumn: Sendable {
    let indices: [Int]
}

/// A column name as looked up: without surrounding spaces and tabs, in any case. Importers look
/// columns up by name for every field of every record, so a plain ASCII name is hashed and
/// compared on its bytes where it lies, with no lowered copy made (a copy per lookup cost more
/// than the rest of a CSV import); other names are folded once, with Foundation.
struct ColumnName: Hashable {
    private let text: String

    init(_ name: String) {
        text = name.utf8.allSatisfy { $0 < 0x80 } ? name : name.trimmingCharacters(in: .whitespaces).lowercased()
    }

    func hash(into hasher: inout Hasher) {
        Self.withFolded(text) { bytes in
            for byte in bytes { hasher.combine(Self.lowered(byte)) }
            hasher.combine(0xFF as UInt8)
        }
    }

    static func == (lhs: ColumnName, rhs: ColumnName) -> Bool {
        withFolded(lhs.text) { left in
            withFolded(rhs.text) { right in
                left.count == right.count && zip(left, right).allSatisfy { lowered($0) == lowered($1) }
            }
        }
    }

    private static func lowered(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte }

    /// The name's bytes without surrounding ASCII spaces and tabs.
    private static func withFolded<R>(_ text: String, _ body: (Slice<UnsafeBufferPointer<UInt8>>) -> R) -> R {
        var text = text
        return text.withUTF8 { bytes in
            var start = 0
            var end = bytes.count
            while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
            while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
            return body(bytes[start..<end])
        }
    }
}

/// One record, with the line it starts on for diagnostics and its bytes as written.
package struct CSVRecord: Sendable {
    package let header: CSVHeader
    package let fields: [String]
    /// 1-based line of the record's first byte.
    package let line: Int
    /// The record's bytes in the report (a slice sharing its storage): the finding's evidence.
    package let rawData: Data

    /// The field of the column named `name` (any case); nil when the column is absent or the field is blank.
    package subscript(name: String) -> String? {
        guard let index = header.index(of: name), index < fields.count else { return nil }
        return Self.trimmed(fields[index])
    }

    /// The field at column `index`; nil when the row is shorter or the field is blank.
    package func field(at index: Int) -> String? {
        guard index < fields.count else { return nil }
        return Self.trimmed(fields[index])
    }

    /// The first non-blank field of the column's places.
    package subscript(column column: CSVColumn) -> String? {
        for index in column.indices { if let value = field(at: index) { return value } }
        return nil
    }

    /// The first non-blank field among columns named `names`.
    package subscript(first names: String...) -> String? {
        for name in names { if let value = self[name] { return value } }
        return nil
    }

    /// An integer field, checked against `ReportInteger.range` like every integer a report holds.
    package func int(_ name: String) -> Int? {
        guard let text = self[name], let value = Int(text), ReportInteger.range.contains(value) else { return nil }
        return value
    }

    package func double(_ name: String) -> Double? { self[name].flatMap(Double.init).flatMap { $0.isFinite ? $0 : nil } }

    package var position: String { "line \(line)" }

    /// Every field empty or blank: the rows some exports pad themselves with.
    package var isBlank: Bool { fields.allSatisfy { $0.allSatisfy(\.isWhitespace) } }

    /// The field without surrounding spaces and tabs, nil when nothing is left. Most fields have
    /// none: they come back as they are, without Foundation's UTF-16 round trip.
    static func trimmed(_ field: String) -> String? {
        guard let first = field.utf8.first, let last = field.utf8.last else { return nil }
        // Only plain ASCII ends are certain not to be Unicode spaces (NBSP starts with 0xC2).
        let isPlain = { (byte: UInt8) in byte < 0x80 && byte != 0x20 && byte != 0x09 }
        if isPlain(first) && isPlain(last) { return field }
        let value = field.trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }
}

package struct CSVSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    package let line: Int
    package let column: Int
    package let reason: String
    package var description: String { "invalid CSV at line \(line), column \(column): \(reason)" }
}

/// RFC 4180 CSV as tools write it: quoted fields with doubled quotes and line breaks inside,
/// CRLF or LF line ends, a UTF-8 byte order mark, and `;`, tab or `|` where a tool (or a
/// spreadsheet in a comma-decimal locale) separates with them. Read byte by byte in one pass
/// (no dependency: the two CSV packages on this machine neither report the line of a record
/// nor guess the separator, and this is the whole of the format).
package enum CSVReader {
    static let quote: UInt8 = 0x22
    static let candidates: [UInt8] = [0x2C, 0x3B, 0x09, 0x7C]

    /// Whether the content's first line reads as a CSV header: at least two fields, none of
    /// them longer than a column name can be. Plain text reports fail this and get the
    /// "unknown format" error.
    static func looksLikeCSV(_ data: Data) -> Bool {
        let head = data.prefix(8192)
        var line = Array(head.prefix { $0 != 0x0A })
        if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }
        if line.last == 0x0D { line.removeLast() }
        guard !line.isEmpty, let separator = separator(ofHeader: line[...]) else { return false }
        let names = (try? fields(of: line[...], separator: separator)) ?? []
        return names.count >= 2 && names.allSatisfy { $0.utf8.count <= 200 }
    }

    /// The candidate that splits the header line (outside quotes) most often.
    static func separator(ofHeader line: ArraySlice<UInt8>) -> UInt8? {
        var counts = [Int](repeating: 0, count: candidates.count)
        var quoted = false
        for byte in line {
            if byte == quote { quoted.toggle() }
            if !quoted, let index = candidates.firstIndex(of: byte) { counts[index] += 1 }
        }
        guard let best = counts.indices.max(by: { counts[$0] < counts[$1] }), counts[best] > 0 else { return nil }
        return candidates[best]
    }

    /// The fields of one line that holds no line break inside quotes (the header).
    static func fields(of line: ArraySlice<UInt8>, separator: UInt8) throws -> [String] {
        let bytes = Array(line)
        return try bytes.withUnsafeBytes { buffer in
            guard let span = try Layout.spans(of: buffer, separator: separator).first else { return [] }
            return fields(of: span.range, in: buffer, separator: separator)
        }
    }

    /// The table, its records decoded on every core: a pass over the bytes finds where each
    /// record lies (tracking quotes), then the records' fields are decoded apart.
    package static func parseConcurrently(_ data: Data) async throws -> CSVTable {
        let layout = try Layout(data)
        let records = await Concurrently.map(count: max(0, layout.spans.count - 1)) { layout.record($0 + 1) }
        return CSVTable(header: layout.header, records: records.compactMap { $0 }, separator: layout.separator)
    }

    /// Where a report's records lie, and its header.
    struct Layout: Sendable {
        /// A record's bytes (without its line end) as offsets after the byte order mark, and the line it starts on.
        struct Span: Sendable {
            var range: Range<Int>
            var line: Int
        }

        let data: Data
        /// Bytes of byte order mark before the first record.
        let skipped: Int
        let separator: UInt8
        let spans: [Span]
        let header: CSVHeader

        init(_ data: Data) throws {
            self.data = data
            skipped = data.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            let body = data.dropFirst(skipped)
            guard let separator = CSVReader.separator(ofHeader: ArraySlice(body.prefix { $0 != 0x0A && $0 != 0x0D })) else {
                throw CSVSyntaxError(line: 1, column: 1, reason: "the first line has no separator (comma, semicolon, tab or |)")
            }
            self.separator = separator
            let spans = try body.withUnsafeBytes { try Self.spans(of: $0, separator: separator) }
            guard let first = spans.first else { throw CSVSyntaxError(line: 1, column: 1, reason: "no header row") }
            self.spans = spans
            header = CSVHeader(body.withUnsafeBytes { CSVReader.fields(of: first.range, in: $0, separator: separator) })
        }

        /// Record `number` (0 is the header); nil for a blank line, which separates nothing.
        func record(_ number: Int) -> CSVRecord? {
            let span = spans[number]
            let base = data.startIndex + skipped
            let fields = data.withUnsafeBytes { buffer in
                CSVReader.fields(of: span.range, in: UnsafeRawBufferPointer(rebasing: buffer[skipped...]), separator: separator)
            }
            if fields.count == 1 && fields[0].isEmpty { return nil }
            return CSVRecord(
                header: header, fields: fields, line: span.line, rawData: data[(base + span.range.lowerBound)..<(base + span.range.upperBound)])
        }

        /// Every record's span. A quote opens a quoted field only at the start of a field; inside
        /// one, a doubled quote is a quote and line breaks are text; a record ends at LF, CRLF or
        /// a lone CR outside quotes.
        static func spans(of bytes: UnsafeRawBufferPointer, separator: UInt8) throws -> [Span] {
            var spans: [Span] = []
            var position = 0
            var line = 1
            let count = bytes.count
            while position < count {
                let start = position
                let startLine = line
                var end = count
                fields: while true {
                    if position < count && bytes[position] == CSVReader.quote {
                        let open = position
                        let openLine = line
                        position += 1
                        var closed = false
                        while position < count {
                            let byte = bytes[position]
                            if byte == CSVReader.quote {
                                if position + 1 < count && bytes[position + 1] == CSVReader.quote {
                                    position += 2
                                    continue
                                }
                                position += 1
                                closed = true
                                break
                            }
                            if byte == 0x0A { line += 1 }
                            position += 1
                        }
                        guard closed else {
                            throw CSVSyntaxError(line: openLine, column: column(of: open, in: bytes), reason: "a quoted field is never closed")
                        }
                    }
                    while position < count {
                        let byte = bytes[position]
                        if byte == separator || byte == 0x0A || byte == 0x0D { break }
                        position += 1
                    }
                    guard position < count else { break fields }
                    let byte = bytes[position]
                    if byte == separator {
                        position += 1
                        continue
                    }
                    end = position
                    position += 1
                    if byte == 0x0D, position < count, bytes[position] == 0x0A { position += 1 }
                    line += 1
                    break fields
                }
                spans.append(Span(range: start..<min(end, count), line: startLine))
            }
            return spans
        }

        static func column(of offset: Int, in bytes: UnsafeRawBufferPointer) -> Int {
            var start = offset
            while start > 0 && bytes[start - 1] != 0x0A { start -= 1 }
            return offset - start + 1
        }
    }

    /// The fields of the record at `range` (a span `Layout.spans` found, so its quotes close).
    /// Most fields are decoded from the report's bytes where they lie; only one with doubled
    /// quotes is copied to be unescaped. Text after a closing quote is kept, as spreadsheets do.
    static func fields(of range: Range<Int>, in bytes: UnsafeRawBufferPointer, separator: UInt8) -> [String] {
        var fields: [String] = []
        var position = range.lowerBound
        let end = range.upperBound
        func text(_ from: Int, _ to: Int) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[from..<to]), as: UTF8.self) }
        while true {
            var field = ""
            if position < end && bytes[position] == quote {
                position += 1
                let contentStart = position
                var escaped = false
                while position < end {
                    if bytes[position] == quote {
                        if position + 1 < end && bytes[position + 1] == quote {
                            escaped = true
                            position += 2
                            continue
                        }
                        break
                    }
                    position += 1
                }
                if escaped {
                    var unescaped: [UInt8] = []
                    unescaped.reserveCapacity(position - contentStart)
                    var index = contentStart
                    while index < position {
                        unescaped.append(bytes[index])
                        index += bytes[index] == quote ? 2 : 1
                    }
                    field = String(decoding: unescaped, as: UTF8.self)
                } else {
                    field = text(contentStart, position)
                }
                if position < end { position += 1 }  // the closing quote
            }
            let restStart = position
            while position < end && bytes[position] != separator { position += 1 }
            if position > restStart { field += text(restStart, position) }
            fields.append(field)
            guard position < end else { return fields }
            position += 1  // the separator
        }
    }
}
