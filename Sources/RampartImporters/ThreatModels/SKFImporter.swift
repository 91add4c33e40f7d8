import Foundation
import RampartCore

/// OWASP Security Knowledge Framework's checklist export (CSV: `title, description,
/// mitigation`): the security requirements (ASVS items) a project's sprint must meet, each with
/// the knowledge-base article on the weakness it prevents and how to build it in. A requirement
/// is an informational finding about the project's design, until the team verifies it; its
/// text is its identity. SKF writes commas inside fields as `\,`, undone here.
struct SKFImporter: ReportImporter {
    let info = FormatInfo(
        id: "skf-csv", name: "Security Knowledge Framework checklist CSV", tool: "Security Knowledge Framework", category: .design,
        syntax: .csv, notes: "a sprint's security requirements (ASVS items) with the weakness each prevents and its mitigation",
        defectDojoScanTypes: ["SKF Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return header.names.map { $0.lowercased() } == ["title", "description", "mitigation"] ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "Security Knowledge Framework"))
        let titleColumn = table.header.column("title")
        let descriptionColumn = table.header.column("description")
        let mitigationColumn = table.header.column("mitigation")
        for record in table.records {
            guard let title = record[column: titleColumn].map(Self.unescaped) else {
                if !record.isBlank { output.diagnostics.append(Diagnostic("row without a title skipped", at: record.position)) }
                continue
            }
            // "Authentication Verification Requirements : Verify that ...": the chapter is a tag.
            let chapter = title.range(of: " : ").map { String(title[..<$0.lowerBound]) }
            output.findings.append(
                Finding(
                    category: .design, tool: output.tool, ruleID: title, title: title,
                    description: record[column: descriptionColumn].map(Self.unescaped), severity: .info, location: .design(DesignLocation()),
                    remediation: record[column: mitigationColumn].map(Self.unescaped), tags: [chapter].compactMap { $0 }, raw: .csv(record)))
        }
        return output
    }

    static func unescaped(_ text: String) -> String { text.replacingOccurrences(of: "\\,", with: ",") }
}
