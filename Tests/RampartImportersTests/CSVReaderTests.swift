import Foundation
import Testing

@testable import RampartImporters

@Suite("CSV reader")
struct CSVReaderTests {
    static func table(_ text: String) throws -> CSVTable { try CSVReader.parse(Data(text.utf8)) }

    @Test("quoted fields keep separators, doubled quotes and line breaks; records know their first line")
    func quoting() throws {
        let table = try Self.table(
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
    func dialects() throws {
        let semicolons = try Self.table("\u{FEFF}host;port;severity\n10.0.0.1;443;High\n\n10.0.0.2;22;Low\n")
        #expect(semicolons.separator == 0x3B)
        #expect(semicolons.header.names.first == "host")
        #expect(semicolons.records.map { $0["port"] } == ["443", "22"])
        #expect(String(decoding: semicolons.records[0].rawData, as: UTF8.self) == "10.0.0.1;443;High")
        let tabs = try Self.table("a\tb\r1\t2\r")
        #expect(tabs.separator == 0x09)
        #expect(tabs.records.first?["b"] == "2")
        let missing = try Self.table("a,b,c\n1,2\n")
        #expect(missing.records.first?["c"] == nil)
        #expect(missing.records.first?["a"] == "1")
    }

    @Test("an unterminated quote is a syntax error naming its line and column")
    func unterminated() throws {
        let error = #expect(throws: CSVSyntaxError.self) { try Self.table("a,b\n1,\"open\nstill open\n") }
        #expect(error?.line == 2)
        #expect(error?.column == 3)
    }

    @Test("integers beyond a report's range are not read")
    func hostileNumbers() throws {
        let table = try Self.table("line,col\n9223372036854775807,-3\n")
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

    mutating func nextRecord() -> (fields: [String], line: Int)? {
        guard position < bytes.count else { return nil }
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        while true {
            if position < bytes.count && bytes[position] == 0x22 {
                position += 1
                while position < bytes.count {
                    let byte = bytes[position]
                    if byte == 0x22 {
                        if position + 1 < bytes.count && bytes[position + 1] == 0x22 {
                            field.append(0x22)
                            position += 2
                            continue
                        }
                        position += 1
                        break
                    }
                    if byte == 0x0A { line += 1 }
                    field.append(byte)
                    position += 1
                }
            }
            while position < bytes.count {
                let byte = bytes[position]
                if byte == separator || byte == 0x0A || byte == 0x0D { break }
                field.append(byte)
                position += 1
            }
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll()
            guard position < bytes.count else { return (fields, startLine) }
            let byte = bytes[position]
            position += 1
            if byte == separator { continue }
            if byte == 0x0D, position < bytes.count, bytes[position] == 0x0A { position += 1 }
            line += 1
            return (fields, startLine)
        }
    }

    /// The records after the header, blank lines left out.
    static func records(_ data: Data, separator: UInt8) -> [(fields: [String], line: Int)] {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var reader = ReferenceCSVReader(bytes: bytes, separator: separator)
        _ = reader.nextRecord()
        var records: [(fields: [String], line: Int)] = []
        while let record = reader.nextRecord() {
            if !(record.fields.count == 1 && record.fields[0].isEmpty) { records.append(record) }
        }
        return records
    }
}

@Suite("CSV reader: records decoded apart")
struct CSVConcurrentReadTests {
    /// Reads `data` both ways and checks each against the reference reader.
    static func expectSameRead(_ data: Data, name: String) async {
        let whole: CSVTable
        do {
            whole = try CSVReader.parse(data)
        } catch {
            let other = await #expect(throws: CSVSyntaxError.self, "\(name)") { try await CSVReader.parseConcurrently(data) }
            #expect(other?.description == (error as? CSVSyntaxError)?.description, "\(name)")
            return
        }
        let apart: CSVTable
        do {
            apart = try await CSVReader.parseConcurrently(data)
        } catch {
            Issue.record("\(name): \(error)")
            return
        }
        let reference = ReferenceCSVReader.records(data, separator: whole.separator)
        #expect(apart.header.names == whole.header.names, "\(name)")
        #expect(whole.records.count == reference.count, "\(name)")
        #expect(apart.records.count == reference.count, "\(name)")
        for (index, expected) in reference.enumerated() where index < min(whole.records.count, apart.records.count) {
            guard whole.records[index].fields == expected.fields, apart.records[index].fields == expected.fields,
                whole.records[index].line == expected.line, apart.records[index].line == expected.line,
                whole.records[index].rawData == apart.records[index].rawData
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

    @Test("an unclosed quote deep in a large report is the same error either way")
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
