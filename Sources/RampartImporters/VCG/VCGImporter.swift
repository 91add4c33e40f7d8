import Foundation
import RampartCore

/// VisualCodeGrepper (VCG) results, as its XML export (`CodeIssueCollection`) or its CSV export
/// (no header: priority, severity, title, description, file, line, code line, checked, colour).
/// One finding per issue at its file and line, with the offending code line.
enum VCG {
    /// VCG's severities, from its priority 1 (critical) to 7 (potential issue).
    static func severity(_ text: String?, priority: Int?) -> Severity {
        switch text?.lowercased().asciiTrimmed {
        case "critical": return .critical
        case "high": return .high
        case "medium": return .medium
        case "standard", "low": return .low
        case "suspicious comment", "potential issue": return .info
        default:
            guard let priority else { return .medium }
            return [.critical, .high, .medium, .low, .low, .info, .info][min(max(priority, 1), 7) - 1]
        }
    }

    static func finding(
        title: String, description: String?, severityText: String?, priority: Int?, file: String, line: Int?, codeLine: String?,
        checked: String?, tool: ToolInfo, raw: RawEvidence
    ) -> Finding {
        // VCG writes Windows paths; the scanned folder is not recorded in the issue.
        let path = file.replacingOccurrences(of: "\\", with: "/")
        var lines = [description?.nonBlank].compactMap { $0 }
        if let priority { lines.append("VCG priority \(priority)" + (severityText.map { " (\($0))" } ?? "") + ".") }
        return Finding(
            category: .sast, tool: tool, ruleID: title, title: title, description: lines.joined(separator: "\n\n").nonBlank,
            toolSeverity: severityText,
            severity: severity(severityText, priority: priority),
            location: .code(CodeLocation(file: path, startLine: line.flatMap { $0 > 0 ? $0 : nil }, snippet: codeLine?.nonBlank)),
            suppression: checked?.lowercased() == "true" ? Suppression(kind: .accepted, justification: "marked as checked in VCG") : nil, raw: raw)
    }
}

struct VCGXMLImporter: ReportImporter {
    let info = FormatInfo(
        id: "vcg-xml", name: "VisualCodeGrepper XML", tool: "VisualCodeGrepper", category: .sast, syntax: .xml,
        notes: "code issues with VCG's severity and priority, file, line and code line; checked issues kept as accepted",
        defectDojoScanTypes: ["VCG Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot, root.localName == "CodeIssueCollection" else { return nil }
        return .certain
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "VisualCodeGrepper"))
        for issue in root.children("CodeIssue") {
            guard let title = issue.childText("Title") else {
                output.diagnostics.append(Diagnostic("issue without a title skipped", at: "line \(issue.line)"))
                continue
            }
            output.findings.append(
                VCG.finding(
                    title: title, description: issue.childText("Description"), severityText: issue.childText("Severity"),
                    priority: ReportInteger.parse(issue.childText("Priority")), file: issue.childText("FileName") ?? "",
                    line: ReportInteger.parse(issue.childText("Line")), codeLine: issue.childText("CodeLine"), checked: issue.childText("Checked"),
                    tool: output.tool, raw: .xml(issue)))
        }
        return output
    }
}

struct VCGCSVImporter: ReportImporter {
    let info = FormatInfo(
        id: "vcg-csv", name: "VisualCodeGrepper CSV", tool: "VisualCodeGrepper", category: .sast, syntax: .csv,
        notes: "the headerless CSV export: priority, severity, title, description, file, line, code line, checked",
        defectDojoScanTypes: ["VCG Scan"])

    static let severities: Set<String> = ["critical", "high", "medium", "standard", "low", "suspicious comment", "potential issue"]

    /// The export has no header: its first row is an issue, read here as the header.
    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header, header.names.count >= 8 else { return nil }
        let names = header.names
        guard let priority = Int(names[0].asciiTrimmed), (1...7).contains(priority) else { return nil }
        return Self.severities.contains(names[1].asciiTrimmed.lowercased()) && Int(names[5].asciiTrimmed) != nil ? .certain : nil
    }

    /// A field written back as CSV, for the first issue's record.
    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "VisualCodeGrepper"))
        // The header row is the first issue.
        let rows: [(fields: [String?], line: Int, raw: RawEvidence)] =
            [
                (
                    table.header.names.map { $0.asciiTrimmed.nonBlank }, 1,
                    RawEvidence(format: "csv", bytes: Data(table.header.names.map(Self.quoted).joined(separator: ",").utf8))
                )
            ]
            + table.records.map { record in ((0..<max(record.fields.count, 8)).map { record.field(at: $0) }, record.line, .csv(record)) }
        for row in rows {
            func field(_ index: Int) -> String? { index < row.fields.count ? row.fields[index] : nil }
            guard let title = field(2) else {
                if row.fields.contains(where: { $0 != nil }) {
                    output.diagnostics.append(Diagnostic("row without a title skipped", at: "line \(row.line)"))
                }
                continue
            }
            output.findings.append(
                VCG.finding(
                    title: title, description: field(3), severityText: field(1), priority: ReportInteger.parse(field(0)), file: field(4) ?? "",
                    line: ReportInteger.parse(field(5)), codeLine: field(6), checked: field(7), tool: output.tool, raw: row.raw))
        }
        return output
    }
}
