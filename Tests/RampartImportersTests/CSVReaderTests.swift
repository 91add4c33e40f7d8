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
