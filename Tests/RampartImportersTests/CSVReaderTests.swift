import Foundation
import Testing

@testable import RampartImporters

@Suite("CSV reader")
struct CSVReaderTests {
    static func table(_ text: String) async throws -> CSVTable { try await CSVReader.parseConcurrently(Data(text.utf8)) }

    @Test("quoted fields keep separators, doubled quotes and line breaks; records know their first line")
    func quoting() async throws {
        let table = try await Self.table(
            "Plugin ID,Name,Description\r\n19506,\"Nessus, Scan Information\",\"line one\r\nline \"\"two\"\"\"\r\n10287,Traceroute,plain\r\n")
        #expect(table.header.names == ["Plugin ID", "Name", "Description"])
        #expect(table.records.count == 2)
        #expect(table.records[0]["name"] == "Nessus, Scan Information")
        #expect(table.records[0]["Description"] == "line one\r\nline \"two\"")
        #expect(table.records[0].line == 2)
        #expect(table.records[1].line == 4)
        #expect(table.records[1].int("plugin id") == 10287)
        // Each record keeps its bytes as written, the finding's evidence.
        #expect(String(decoding: table.records[0].rawData, as: UTF8.self) == "19506,\"Nessus, Scan Information\",\"line one\r\nline \"\"two\"\"\"")
        #expect(String(decoding: table.records[1].rawData, as: UTF8.self) == "10287,Traceroute,plain")
    }

    @Test("a byte order mark, semicolons, tabs, LF or lone CR line ends, blank lines")
    func dialects() async throws {
        let semicolons = try await Self.table("\u{FEFF}host;port;severity\n10.0.0.1;443;High\n\n10.0.0.2;22;Low\n")
        #expect(semicolons.separator == 0x3B)
        #expect(semicolons.header.names.first == "host")
        #expect(semicolons.records.map { $0["port"] } == ["443", "22"])
        #expect(String(decoding: semicolons.records[0].rawData, as: UTF8.self) == "10.0.0.1;443;High")
        let tabs = try await Self.table("a\tb\r1\t2\r")
        #expect(tabs.separator == 0x09)
        #expect(tabs.records.first?["b"] == "2")
        let missing = try await Self.table("a,b,c\n1,2\n")
        #expect(missing.records.first?["c"] == nil)
        #expect(missing.records.first?["a"] == "1")
    }

    @Test("an unterminated quote is a syntax error naming its line and column")
    func unterminated() async throws {
        let error = await #expect(throws: CSVSyntaxError.self) { try await Self.table("a,b\n1,\"open\nstill open\n") }
        #expect(error?.line == 2)
        #expect(error?.column == 3)
    }

    @Test("integers beyond a report's range are not read")
    func hostileNumbers() async throws {
        let table = try await Self.table("line,col\n9223372036854775807,-3\n")
        #expect(table.records.first?.int("line") == nil)
        #expect(table.records.first?.int("col") == -3)
    }

    @Test("CSV is recognized by its header line; prose is not")
    func recognition() {
        #expect(CSVReader.looksLikeCSV(Data("Plugin ID,CVE,CVSS v2.0 Base Score,Risk,Host\n1,2,3,4,5\n".utf8)))
        #expect(CSVReader.looksLikeCSV(Data("\"id\";\"title\"\n".utf8)))
        #expect(!CSVReader.looksLikeCSV(Data("just some text\n".utf8)))
        #expect(
            !CSVReader.looksLikeCSV(
                Data("Starting Nmap 7.94 ( https://nmap.org ) at 2024-01-01, a long line of prose \(String(repeating: "x", count: 300))\n".utf8)))
    }

    @Test("a CSV report that no importer claims gets the unknown-format error listing its columns")
    func unknownCSV() async throws {
        let error = await #expect(throws: ImportError.self) {
            try await ImportPipeline().normalize(Data("alpha,beta\n1,2\n".utf8), file: "x.csv", context: ImportContext(secretSalt: [1]))
        }
        #expect(error?.kind == .unknownFormat)
        #expect(error?.description.contains("CSV table with columns [alpha, beta]") == true)
    }
}

/// The one-pass reader `CSVReader` used before records were found first and decoded apart: the
/// reference the split reading must agree with, field for field.
private struct ReferenceCSVReader {
    let bytes: [UInt8]
    let separator: UInt8
    var position = 0
    var line = 1

    /// The next record, the line it starts on and its bytes without the line end; nil at the end.
    mutating func nextRecord() throws -> (fields: [String], line: Int, bytes: Range<Int>)? {
        guard position < bytes.count else { return nil }
        let startLine = line
        let start = position
        var fields: [String] = []
        var field: [UInt8] = []
        while true {
            if position < bytes.count && bytes[position] == 0x22 {
                let openLine = line
                var lineStart = position
                while lineStart > 0 && bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
                let openColumn = position - lineStart + 1
                position += 1
                var closed = false
                while position < bytes.count {
                    let byte = bytes[position]
                    if byte == 0x22 {
                        if position + 1 < bytes.count && bytes[position + 1] == 0x22 {
                            field.append(0x22)
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
                guard closed else { throw CSVSyntaxError(line: openLine, column: openColumn, reason: "a quoted field is never closed") }
            }
            while position < bytes.count {
                let byte = bytes[position]
                if byte == separator || byte == 0x0A || byte == 0x0D { break }
                field.append(byte)
                position += 1
            }
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll()
            guard position < bytes.count else { return (fields, startLine, start..<position) }
            let end = position
            let byte = bytes[position]
            position += 1
            if byte == separator { continue }
            if byte == 0x0D, position < bytes.count, bytes[position] == 0x0A { position += 1 }
            line += 1
            return (fields, startLine, start..<end)
        }
    }

    /// The records after the header, blank lines left out, with their bytes as the report holds them.
    static func records(_ data: Data, separator: UInt8) throws -> [(fields: [String], line: Int, raw: Data)] {
        var bytes = [UInt8](data)
        let skipped = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        bytes.removeFirst(skipped)
        var reader = ReferenceCSVReader(bytes: bytes, separator: separator)
        _ = try reader.nextRecord()
        var records: [(fields: [String], line: Int, raw: Data)] = []
        while let record = try reader.nextRecord() {
            if record.fields.count == 1 && record.fields[0].isEmpty { continue }
            let base = data.startIndex + skipped
            records.append((record.fields, record.line, data[(base + record.bytes.lowerBound)..<(base + record.bytes.upperBound)]))
        }
        return records
    }
}

@Suite("CSV reader: records decoded apart")
struct CSVConcurrentReadTests {
    /// Reads `data` and checks the table, or the error, against the reference reader.
    static func expectSameRead(_ data: Data, name: String) async {
        let separator = CSVReader.separator(
            ofHeader: ArraySlice(data.dropFirst(data.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0).prefix { $0 != 0x0A && $0 != 0x0D }))
        let reference: [(fields: [String], line: Int, raw: Data)]
        do {
            reference = try ReferenceCSVReader.records(data, separator: try #require(separator, "\(name)"))
        } catch {
            let read = await #expect(throws: CSVSyntaxError.self, "\(name)") { try await CSVReader.parseConcurrently(data) }
            #expect(read?.description == (error as? CSVSyntaxError)?.description, "\(name)")
            return
        }
        let apart: CSVTable
        do {
            apart = try await CSVReader.parseConcurrently(data)
        } catch {
            Issue.record("\(name): \(error)")
            return
        }
        #expect(apart.separator == separator, "\(name)")
        #expect(apart.records.count == reference.count, "\(name)")
        for (index, expected) in reference.enumerated() where index < apart.records.count {
            guard apart.records[index].fields == expected.fields, apart.records[index].line == expected.line,
                apart.records[index].rawData == expected.raw
            else {
                Issue.record("\(name): record \(index) (line \(expected.line)) differs: \(apart.records[index].fields) vs \(expected.fields)")
                return
            }
        }
    }

    @Test("generated records with quotes, separators, line breaks and every line end read as the reference does")
    func generated() async {
        // A linear congruential sequence: the same cases on every run.
        var state: UInt64 = 7
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let pieces = ["a", "b c", ",", ";", "\"", "\"\"", "\n", "\r\n", "\r", "é", "x\"y", " ", "\t"]
        for (round, separator) in [",", ";", "\t", ","].enumerated() {
            var text = round == 3 ? "\u{FEFF}" : ""
            text += ["id", "name", "text"].joined(separator: separator) + "\r\n"
            for row in 0..<6_000 {
                var fields: [String] = ["\(row)"]
                for _ in 0..<2 {
                    let content = (0..<Int(next() % 4)).map { _ in pieces[Int(next() % UInt64(pieces.count))] }.joined()
                    let needsQuotes = content.contains(where: { "\n\r\"".contains($0) }) || content.contains(separator)
                    fields.append(needsQuotes ? "\"" + content.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : content)
                }
                if next() % 50 == 0 { fields.append("\"quoted\"trailing") }
                text += fields.joined(separator: separator) + (next() % 3 == 0 ? "\n" : "\r\n")
                if next() % 200 == 0 { text += "\n" }
            }
            await Self.expectSameRead(Data(text.utf8), name: "round \(round)")
        }
    }

    @Test("an unclosed quote deep in a large report is the error the reference reader gives")
    func unclosed() async {
        let text = "a,b\n" + String(repeating: "1,\"two\nlines\"\n", count: 5_000) + "3,\"open\n4,5\n"
        await Self.expectSameRead(Data(text.utf8), name: "unclosed")
        let error = await #expect(throws: CSVSyntaxError.self) { try await CSVReader.parseConcurrently(Data(text.utf8)) }
        #expect(error?.line == 10_002)
        #expect(error?.column == 3)
    }

    @Test("every CSV report of the corpus reads as the reference does", .enabled(if: CorpusConformanceTests.corpusDirectory != nil))
    func corpus() async throws {
        let corpus = try #require(CorpusConformanceTests.corpusDirectory)
        let files = FileManager.default.enumerator(at: corpus, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        let csv = files.filter { $0.pathExtension == "csv" }
        #expect(csv.count > 50)
        for file in csv {
            let data = try Data(contentsOf: file)
            guard CSVReader.looksLikeCSV(data) else { continue }
            await Self.expectSameRead(data, name: file.lastPathComponent)
        }
    }
}
