import Foundation
import RampartCore

/// ESLint's JSON formatter (`eslint -f json`): per file, the messages of every rule that fired
/// (security plugins such as eslint-plugin-security and no-unsanitized among them). Severity 2
/// is an error, 1 a warning; a message without a rule is a parse failure of that file.
struct ESLintImporter: ReportImporter {
    let info = FormatInfo(
        id: "eslint-json", name: "ESLint JSON", tool: "ESLint", category: .sast, syntax: .json,
        notes: "rule messages per file with line and column; parse failures reported and block closing", defectDojoScanTypes: ["ESLint Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, first.isObject else { return nil }
        // Secretlint writes ESLint's shape with the scanned file's content beside it.
        guard first["filePath"] != nil, first["messages"]?.isArray == true, first["sourceContent"] == nil else { return nil }
        return first["errorCount"] != nil && first["warningCount"] != nil ? .likely : .possible
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        var output = ImporterOutput(tool: ToolInfo(name: "ESLint"))
        var unparsed = 0
        for file in root.array {
            let path = file["filePath"]?.text ?? ""
            for message in file["messages"]?.array ?? [] {
                guard let rule = message["ruleId"]?.text else {
                    // A fatal message (no rule) means the file could not be parsed, so it was not checked.
                    unparsed += 1
                    continue
                }
                output.findings.append(
                    Self.finding(
                        rule: rule, message: message["message"]?.text, level: message["severity"]?.int.map { $0 == 2 ? "error" : "warning" },
                        location: CodeLocation(
                            file: path, startLine: message["line"]?.int, endLine: message["endLine"]?.int, startColumn: message["column"]?.int,
                            endColumn: message["endColumn"]?.int), tool: output.tool, raw: .json(message)))
            }
        }
        if unparsed > 0 {
            output.toolReportedError = true
            output.diagnostics.append(Diagnostic("ESLint could not parse \(unparsed) file(s); findings missing from this report are not closed"))
        }
        return output
    }

    /// An ESLint finding, the same from its JSON and its Checkstyle output: `error` is medium,
    /// `warning` low (ESLint's levels say how strictly a rule is enforced, not how serious it is).
    static func finding(rule: String, message: String?, level: String?, location: CodeLocation, tool: ToolInfo, raw: RawEvidence) -> Finding {
        let text = message ?? rule
        return Finding(
            category: .sast, tool: tool, ruleID: rule, title: "\(rule): \(text)", description: text, toolSeverity: level,
            severity: level == "error" ? .medium : .low, location: .code(location), references: reference(rule).map { [$0] } ?? [], raw: raw)
    }

    /// ESLint's own rules have a page; plugin rules ("security/detect-eval-with-expression") are documented by their plugin.
    static func reference(_ rule: String) -> String? {
        rule.contains("/") ? nil : "https://eslint.org/docs/latest/rules/\(rule)"
    }
}
