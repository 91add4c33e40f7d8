import Foundation
import RampartCore
import Testing

@testable import RampartImporters

@Suite("Diagnostics")
struct DiagnosticsTests {
    /// A Bandit report whose `count` results all lack their test id, one result per line.
    static func banditWithoutIDs(count: Int) -> Data {
        let results = (0..<count).map { index in
            #"  {"filename":"app/m\#(index).py","issue_severity":"HIGH","issue_text":"x","line_number":\#(index + 1)}"#
        }
        return Data(
            ("{\"generated_at\":\"2026-01-01\",\"metrics\":{},\"errors\":[],\"results\":[\n" + results.joined(separator: ",\n") + "\n]}").utf8)
    }

    @Test("a report full of bad records gives bounded diagnostics whose positions name the right lines")
    func boundedAndPositioned() async throws {
        let report = try await ImportPipeline().normalize(
            Self.banditWithoutIDs(count: 5_000), file: "bandit.json", formatID: "bandit-json", context: ImportContext(secretSalt: [1]))
        #expect(report.findings.isEmpty)
        #expect(report.diagnostics.count == 1_001)
        // Result n sits on line n + 2.
        #expect(report.diagnostics[0].position == "line 2, column 3")
        #expect(report.diagnostics[999].position == "line 1001, column 3")
        #expect(report.diagnostics.last?.message.hasPrefix("4000 more diagnostic(s) not listed") == true)
    }

    @Test("API settings handed over as a report are refused with what to import instead, and the key is not repeated")
    func apiSettingsRefused() async throws {
        let settings = Data(#"{"url_endpoint": "https://api.riskrecon.com/v1", "api_key": "rr-7Hq2PLANTEDkey", "companies": [], "filters": {}}"#.utf8)
        do {
            _ = try await ImportPipeline().normalize(settings, file: "riskrecon.json", context: ImportContext(secretSalt: [1]))
            Issue.record("the settings file was imported")
        } catch let error as ImportError {
            #expect(error.description.contains("not findings"))
            #expect(error.description.contains("/v1/findings/"))
            #expect(!error.description.contains("rr-7Hq2PLANTEDkey"))
        }
    }

    @Test("a line index gives the line and column of any offset")
    func lineIndex() {
        let text = Array("ab\ncd\n\nef".utf8)
        text.withUnsafeBytes { bytes in
            let index = LineIndex(bytes)
            #expect(index.lineAndColumn(ofOffset: 0) == (1, 1))
            #expect(index.lineAndColumn(ofOffset: 2) == (1, 3))
            #expect(index.lineAndColumn(ofOffset: 3) == (2, 1))
            #expect(index.lineAndColumn(ofOffset: 6) == (3, 1))
            #expect(index.lineAndColumn(ofOffset: 8) == (4, 2))
        }
    }
}

@Suite("Hostile numbers")
struct HostileNumberTests {
    static let huge = "9223372036854775807"

    static func normalize(_ text: String, format: String? = nil) async throws -> NormalizedReport {
        try await ImportPipeline().normalize(Data(text.utf8), file: "hostile", formatID: format, context: ImportContext(secretSalt: [1]))
    }

    @Test("Bandit columns and lines at the edge of Int64 import as absent, with a diagnostic")
    func banditColumn() async throws {
        let report = try await Self.normalize(
            """
            {"generated_at":"2026-01-01","metrics":{},"errors":[],"results":[{"test_id":"B101","test_name":"assert_used","filename":"a.py",
             "issue_severity":"LOW","issue_confidence":"HIGH","issue_text":"assert","line_number":\(Self.huge),"col_offset":\(Self.huge),
             "end_col_offset":-\(Self.huge),"line_range":[\(Self.huge), 99999999999999999999],"code":"assert x"}]}
            """)
        #expect(report.findings.count == 1)
        #expect(report.findings.first?.location.line == nil)
        #expect(report.diagnostics.contains { $0.message.contains("out of range") && $0.position?.contains("line 2") == true })
    }

    @Test("a SARIF rule reference with an extreme tool component index imports without its rule")
    func sarifIndex() async throws {
        let report = try await Self.normalize(
            """
            {"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"r1"}]}},"results":[
             {"ruleIndex":\(Self.huge),"rule":{"index":\(Self.huge),"toolComponent":{"index":\(Self.huge)}},"message":{"text":"m"},
              "locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.c","index":\(Self.huge)},"region":{"startLine":\(Self.huge),"startColumn":1e999}}}]}]}]}
            """)
        #expect(report.findings.count == 1)
        #expect(report.diagnostics.contains { $0.message.contains("out of range") })
    }

    @Test(
        "numbers a report cannot mean (infinite, NaN as text, beyond 64 bits) never trap",
        arguments: ["1e999", "-1e999", "\"NaN\"", "123456789012345678901234567890"])
    func extremeLiterals(literal: String) async throws {
        let report = try await Self.normalize(
            """
            {"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"r","properties":{"security-severity":\(literal)}}]}},
             "results":[{"ruleId":"r","level":"error","properties":{"security-severity":\(literal)},"message":{"text":"m"},
              "locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.c"},"region":{"startLine":\(literal),"endLine":\(literal)}}}]}]}]}
            """)
        #expect(report.findings.count == 1)
    }
}
