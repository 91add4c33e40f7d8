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
            let level = item["level"]?.text
            let message = item["message"]?.text ?? code
            let wiki = code.hasPrefix("SC") ? "https://www.shellcheck.net/wiki/\(code)" : "https://github.com/hadolint/hadolint/wiki/\(code)"
            output.findings.append(
                Finding(
                    category: .iac, tool: output.tool, ruleID: code, title: "\(code): \(message)", description: message, toolSeverity: level,
                    severity: Self.severity(level),
                    location: .iac(IaCLocation(file: item["file"]?.text ?? "Dockerfile", startLine: item["line"]?.int, framework: "dockerfile")),
                    references: [wiki], raw: .json(item)))
        }
        return output
    }

    /// hadolint's levels: error, warning, info, style.
    static func severity(_ level: String?) -> Severity {
        switch level?.lowercased() {
        case "error": .high
        case "warning": .medium
        case "info": .low
        default: .info
        }
    }
}
