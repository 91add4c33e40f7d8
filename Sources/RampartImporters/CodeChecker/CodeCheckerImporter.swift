import Foundation
import RampartCore

/// CodeChecker's JSON export (`CodeChecker parse --export json`): reports of the analyzers it
/// drives (Clang Static Analyzer, clang-tidy, cppcheck, GCC, ...) with checker, severity,
/// file, line and the bug path, and its review status. `report_hash` is CodeChecker's own
/// identity of a report across runs. Reports reviewed as false positive or intentional are
/// kept as suppressed; confirmed ones are open.
struct CodeCheckerImporter: ReportImporter {
    let info = FormatInfo(
        id: "codechecker-json", name: "CodeChecker JSON", tool: "CodeChecker", category: .sast, syntax: .json,
        notes: "C/C++ analyzer reports (clang-sa, clang-tidy, cppcheck, gcc) with checker, severity, bug path and review status",
        defectDojoScanTypes: ["Codechecker Report native"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let reports = root["reports"], reports.isArray, root["version"] != nil else { return nil }
        guard let first = reports.array.first else { return root.entries.count == 2 ? .likely : nil }
        return first["checker_name"] != nil && first["report_hash"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "CodeChecker"))
        for item in root["reports"]?.array ?? [] {
            let checker = item["checker_name"]?.text ?? "checker"
            let severityText = item["severity"]?.text
            let path = (item["bug_path_events"]?.array ?? []).compactMap { event -> String? in
                guard let message = event["message"]?.text else { return nil }
                return "\(event["file", "path"]?.text ?? "?"):\(event["line"]?.text ?? "?") \(message)"
            }
            var finding = Finding(
                category: .sast, tool: output.tool, ruleID: checker, title: item["message"]?.text ?? checker,
                description: ([item["message"]?.text, item["analyzer_name"]?.text.map { "Analyzer: \($0)" }]
                    + (path.count > 1 ? ["Path:\n" + path.joined(separator: "\n")] : []))
                    .compactMap { $0 }.joined(separator: "\n\n"),
                toolSeverity: severityText,
                severity: severityText == "UNSPECIFIED" || severityText == "STYLE" ? .low : .from(tool: severityText, default: .medium),
                location: .code(
                    CodeLocation(file: item["file", "path"]?.text ?? "unknown", startLine: item["line"]?.int, startColumn: item["column"]?.int)),
                tags: [item["category"]?.text].compactMap { $0 }, toolFingerprint: item["report_hash"]?.text, raw: .json(item))
            switch item["review_status"]?.text {
            case "false_positive": finding.suppression = Suppression(kind: .falsePositive, justification: "reviewed as false positive in CodeChecker")
            case "intentional", "suppressed":
                finding.suppression = Suppression(kind: .accepted, justification: "reviewed as intentional in CodeChecker")
            default: break
            }
            output.findings.append(finding)
        }
        return output
    }
}
