import Foundation
import RampartCore

/// hadolint's JSON output (`hadolint -f json`): one entry per rule violation in a Dockerfile,
/// hadolint's own rules (DL) and ShellCheck's on `RUN` lines (SC).
struct HadolintImporter: ReportImporter {
    let info = FormatInfo(
        id: "hadolint-json", name: "hadolint JSON", tool: "hadolint", category: .iac, syntax: .json,
        notes: "Dockerfile rule violations (DL and ShellCheck SC rules) with line and level", defectDojoScanTypes: ["Hadolint Dockerfile check"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, first.isObject else { return nil }
        guard let code = first["code"]?.string, first["level"] != nil, first["file"] != nil, first["line"] != nil else { return nil }
        return code.hasPrefix("DL") || code.hasPrefix("SC") ? .likely : .possible
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        var output = ImporterOutput(tool: ToolInfo(name: "hadolint"))
        for item in root.array {
            guard let code = item["code"]?.text else {
                output.diagnostics.append(Diagnostic("an entry without a rule code was skipped", at: item.position))
                continue
            }
            output.findings.append(
                Self.finding(
                    code: code, level: item["level"]?.text, message: item["message"]?.text, file: item["file"]?.text, line: item["line"]?.int,
                    tool: output.tool, raw: .json(item)))
        }
        return output
    }

    /// A rule id hadolint writes: its own `DL` rules and ShellCheck's `SC` ones on `RUN` lines.
    /// Formats that do not name their tool (Checkstyle, Code Climate) are told to be hadolint's by it.
    static func isRuleID(_ id: String) -> Bool {
        (id.hasPrefix("DL") || id.hasPrefix("SC")) && id.count > 2 && id.dropFirst(2).allSatisfy(\.isNumber)
    }

    /// A hadolint finding, the same from each of its formats (JSON, Checkstyle, Code Climate).
    static func finding(code: String, level: String?, message: String?, file: String?, line: Int?, tool: ToolInfo, raw: RawEvidence) -> Finding {
        let message = message ?? code
        let wiki = code.hasPrefix("SC") ? "https://www.shellcheck.net/wiki/\(code)" : "https://github.com/hadolint/hadolint/wiki/\(code)"
        return Finding(
            category: .iac, tool: tool, ruleID: code, title: "\(code): \(message)", description: message, toolSeverity: level,
            severity: .fromLinter(level),
            location: .iac(IaCLocation(file: file ?? "Dockerfile", startLine: line, framework: "dockerfile")), references: [wiki], raw: raw)
    }
}
