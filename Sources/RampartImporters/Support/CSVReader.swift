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
    private let positions: [String: Int]

    init(_ names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        // The first of two equally named columns wins, as a reader scanning left to right sees it.
        for (index, name) in names.enumerated() where positions[Self.key(name)] == nil { positions[Self.key(name)] = index }
        self.positions = positions
    }

    /// A column name as looked up: trimmed and in lower case. Importers look columns up by name
    /// for every field of every record, so plain ASCII names take a byte path (Foundation's
    /// trimming goes through UTF-16 and cost more than the rest of an import).
    static func key(_ name: String) -> String {
        guard name.utf8.allSatisfy({ $0 < 0x80 }) else { return name.trimmingCharacters(in: .whitespaces).lowercased() }
        let bytes = Array(name.utf8)
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        if start == 0, end == bytes.count, !bytes.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) { return name }
        return String(decoding: bytes[start..<end].map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    package func index(of name: String) -> Int? { positions[Self.key(name)] }

    /// Every column named `name`, left to right (some tools repeat a header).
    package func indices(of name: String) -> [Int] { names.indices.filter { Self.key(names[$0]) == Self.key(name) } }
    package func contains(_ name: String) -> Bool { index(of: name) != nil }
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
        var reader = Reader(bytes: Array(line), separator: separator)
        return try reader.nextRecord()?.fields ?? []
    }

    package static func parse(_ data: Data) throws -> CSVTable {
        var bytes = [UInt8](data)
        var skipped = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            bytes.removeFirst(3)
            skipped = 3
        }
        let headerLine = bytes.prefix { $0 != 0x0A && $0 != 0x0D }
        guard let separator = separator(ofHeader: headerLine) else {
            throw CSVSyntaxError(line: 1, column: 1, reason: "the first line has no separator (comma, semicolon, tab or |)")
        }
        var reader = Reader(bytes: bytes, separator: separator)
        guard let first = try reader.nextRecord() else { throw CSVSyntaxError(line: 1, column: 1, reason: "no header row") }
        let header = CSVHeader(first.fields)
        var records: [CSVRecord] = []
        while let record = try reader.nextRecord() {
            // A blank line (one empty field) separates nothing.
            if record.fields.count == 1 && record.fields[0].isEmpty { continue }
            var end = record.bytes.upperBound
            while end > record.bytes.lowerBound, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
            let base = data.startIndex + skipped
            records.append(
                CSVRecord(header: header, fields: record.fields, line: record.line, rawData: data[(base + record.bytes.lowerBound)..<(base + end)]))
        }
        return CSVTable(header: header, records: records, separator: separator)
    }

    struct Reader {
        let bytes: [UInt8]
        let separator: UInt8
        var position = 0
        var line = 1

        init(bytes: [UInt8], separator: UInt8) {
            self.bytes = bytes
            self.separator = separator
        }

        /// The next record, the line it starts on and its byte range; nil at the end.
        mutating func nextRecord() throws -> (fields: [String], line: Int, bytes: Range<Int>)? {
            guard position < bytes.count else { return nil }
            let startLine = line
            let start = position
            var fields: [String] = []
            var field: [UInt8] = []
            while true {
                if position < bytes.count && bytes[position] == CSVReader.quote {
                    let openLine = line
                    let openColumn = column(of: position)
                    position += 1
                    var closed = false
                    while position < bytes.count {
                        let byte = bytes[position]
                        if byte == CSVReader.quote {
                            if position + 1 < bytes.count && bytes[position + 1] == CSVReader.quote {
                                field.append(CSVReader.quote)
                                position += 2
                                continue
                            }
                            position += 1
                            closed = true
                            break
                        }
                        if byte == 0x0A { line += 1 }
                        field.append(byte)
                        position += 1
                    }
                    guard closed else {
                        throw CSVSyntaxError(line: openLine, column: openColumn, reason: "a quoted field is never closed")
                    }
                }
                // Unquoted text, or what follows a closing quote (kept, as spreadsheets do).
                while position < bytes.count {
                    let byte = bytes[position]
                    if byte == separator || byte == 0x0A || byte == 0x0D { break }
                    field.append(byte)
                    position += 1
                }
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                guard position < bytes.count else { return (fields, startLine, start..<position) }
                let byte = bytes[position]
                position += 1
                if byte == separator { continue }
                // A record ends at LF, CRLF or a lone CR.
                if byte == 0x0D, position < bytes.count, bytes[position] == 0x0A { position += 1 }
                line += 1
                return (fields, startLine, start..<position)
            }
        }

        func column(of offset: Int) -> Int {
            var start = offset
            while start > 0 && bytes[start - 1] != 0x0A { start -= 1 }
            return offset - start + 1
        }
    }
}
