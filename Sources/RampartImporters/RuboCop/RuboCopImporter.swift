import Foundation
import RampartCore

/// RuboCop's JSON output (`--format json`): offenses per file and cop. Only the Security
/// department's cops (Security/Eval, Security/MarshalLoad, Security/Open, ...) are security
/// findings; style, layout and metrics offenses are counted in a note.
struct RuboCopImporter: ReportImporter {
    let info = FormatInfo(
        id: "rubocop-json", name: "RuboCop JSON", tool: "RuboCop", category: .sast, syntax: .json,
        notes: "Security department offenses per file and line", defectDojoScanTypes: ["Rubocop Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["metadata", "rubocop_version"] != nil, root["files"] != nil else { return nil }
        return .certain
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "RuboCop", version: root["metadata", "rubocop_version"]?.text))
        var other = 0
        for file in root["files"]?.array ?? [] {
            let path = file["path"]?.text ?? "unknown"
            for offense in file["offenses"]?.array ?? [] {
                guard let cop = offense["cop_name"]?.text, cop.hasPrefix("Security/") else {
                    other += 1
                    continue
                }
                let location = offense["location"]
                let severityText = offense["severity"]?.text
                output.findings.append(
                    Finding(
                        category: .sast, tool: output.tool, ruleID: cop, title: offense["message"]?.text ?? cop,
                        description: offense["message"]?.text,
                        toolSeverity: severityText, severity: Self.severity(severityText),
                        location: .code(
                            CodeLocation(
                                file: path, startLine: location?["start_line"]?.int ?? location?["line"]?.int, endLine: location?["last_line"]?.int,
                                startColumn: location?["start_column"]?.int ?? location?["column"]?.int, endColumn: location?["last_column"]?.int)),
                        references: [
                            "https://docs.rubocop.org/rubocop/cops_security.html#\(cop.lowercased().replacingOccurrences(of: "/", with: ""))"
                        ],
                        raw: .json(offense)))
            }
        }
        if other > 0 {
            output.diagnostics.append(Diagnostic("\(other) style, layout and other non-security offense(s) are not imported", level: .note))
        }
        return output
    }

    /// RuboCop's severities: fatal, error, warning, convention, refactor, info. A Security cop's
    /// offense is at least medium.
    static func severity(_ text: String?) -> Severity {
        switch text {
        case "fatal", "error": .high
        default: .medium
        }
    }
}
