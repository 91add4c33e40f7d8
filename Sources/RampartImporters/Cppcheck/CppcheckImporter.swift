import Foundation
import RampartCore

/// Cppcheck's XML output, version 2 (`cppcheck --xml`: `results/errors/error` with id,
/// severity, message, CWE and locations; its SARIF output is read by the SARIF importer). One
/// finding per error at its first location; the other locations (a data flow's steps) are
/// listed. Style, performance and portability checks are code quality: they are kept at info
/// unless they carry a CWE; `information` messages (missing includes, checks not run) become
/// diagnostics.
struct CppcheckImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "cppcheck-xml", name: "Cppcheck XML (v2)", tool: "Cppcheck", category: .sast, syntax: .xml,
        notes: "errors with severity, CWE, message and locations (C and C++)", defectDojoScanTypes: ["Cppcheck Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot, root.localName == "results" else { return nil }
        return root.child("cppcheck") != nil ? .certain : root.child("errors") != nil && root.attributes["version"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected a Cppcheck XML report") }
        guard root.attributes["version"] != "1" else {
            throw ImportError.content("Cppcheck's XML version 1 is not read; run cppcheck with --xml (version 2)")
        }
        var output = ImporterOutput(tool: ToolInfo(name: "Cppcheck", version: root.child("cppcheck")?.attributes["version"]))
        for error in root.child("errors")?.children("error") ?? [] {
            let id = error.attributes["id"] ?? "cppcheck"
            let severityText = error.attributes["severity"] ?? ""
            let message = error.attributes["verbose"] ?? error.attributes["msg"] ?? id
            if severityText == "information" {
                output.diagnostics.append(Diagnostic("Cppcheck: \(error.attributes["msg"] ?? message)", at: "line \(error.line)", level: .note))
                continue
            }
            let locations = error.children("location")
            let cwe = error.attributes["cwe"].flatMap { Int($0) }
            let severity: Severity =
                switch severityText {
                case "error": .high
                case "warning": .medium
                default: cwe == nil ? .info : .low
                }
            let first = locations.first
            var details = [message]
            if locations.count > 1 {
                details.append(
                    "Locations:\n"
                        + locations.map {
                            "\($0.attributes["file"] ?? "?"):\($0.attributes["line"] ?? "?")" + ($0.attributes["info"].map { " \($0)" } ?? "")
                        }.joined(separator: "\n"))
            }
            output.findings.append(
                Finding(
                    category: .sast, tool: output.tool, ruleID: id, title: error.attributes["msg"] ?? id,
                    description: details.joined(separator: "\n\n"), toolSeverity: severityText, severity: severity,
                    confidence: error.attributes["inconclusive"] == "true" ? .low : nil, cwes: cwe.map { [$0] } ?? [],
                    location: .code(
                        CodeLocation(
                            file: first?.attributes["file"] ?? error.attributes["file0"] ?? "",
                            startLine: ReportInteger.parse(first?.attributes["line"]),
                            startColumn: ReportInteger.parse(first?.attributes["column"]))),
                    tags: [error.attributes["certainty"]].compactMap { $0 }, raw: .xml(error)))
        }
        return output
    }
}
