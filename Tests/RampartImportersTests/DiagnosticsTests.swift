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
        return Data(("{\"generated_at\":\"2026-01-01\",\"metrics\":{},\"errors\":[],\"results\":[\n" + results.joined(separator: ",\n") + "\n]}").utf8)
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
