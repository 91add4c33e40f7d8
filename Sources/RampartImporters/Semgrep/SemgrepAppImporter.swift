import Foundation
import RampartCore

/// Semgrep AppSec Platform's findings API (`GET /api/v1/deployments/{slug}/findings`, what
/// Semgrep Pro users export): findings with rule, location, repository and their triage state
/// in Semgrep (ignored, fixed...). Fixed findings are gone; ignored ones are kept as suppressed.
struct SemgrepAppImporter: ReportImporter {
    let info = FormatInfo(
        id: "semgrep-app-json", name: "Semgrep AppSec Platform findings JSON", tool: "Semgrep", category: .sast, syntax: .json,
        notes: "platform findings with rule, CWE, OWASP, location and triage state (ignored kept as suppressed, fixed skipped)",
        defectDojoScanTypes: ["Semgrep Pro JSON Report"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let findings = root["findings"], findings.isArray else { return nil }
        // A bare `{"findings": []}` names no format (Inspector and HackerOne write the same).
        guard let first = findings.array.first else { return nil }
        return first["match_based_id"] != nil || first["rule_name"] != nil && first["triage_state"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Semgrep"))
        var fixed = 0
        for item in root["findings"]?.array ?? [] {
            if item["status"]?.string == "fixed" || item["state"]?.string == "fixed" {
                fixed += 1
                continue
            }
            let rule = item["rule_name"]?.text ?? item["rule", "name"]?.text ?? "unknown"
            let message = item["rule_message"]?.text ?? item["rule", "message"]?.text ?? rule
            let severityText = item["severity"]?.text
            let location = item["location"]
            let ignored = item["triage_state"]?.string == "ignored" || item["status"]?.string == "ignored"
            output.findings.append(
                Finding(
                    category: .sast, tool: output.tool, ruleID: rule, title: String(message.split(separator: "\n").first ?? Substring(rule)),
                    description: message, toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
                    confidence: item["confidence"]?.text.flatMap(Confidence.init(toolText:)),
                    cwes: CWE.parseAll(item["rule", "cwe_names"]?.strings ?? []),
                    location: .code(
                        CodeLocation(
                            file: location?["file_path"]?.text ?? "", startLine: location?["line"]?.int, endLine: location?["end_line"]?.int,
                            startColumn: location?["column"]?.int, endColumn: location?["end_column"]?.int)),
                    references: [item["line_of_code_url"]?.text].compactMap { $0 },
                    tags: (item["rule", "owasp_names"]?.strings ?? []).map { "owasp:\($0)" },
                    toolFingerprint: item["match_based_id"]?.text,
                    suppression: ignored
                        ? Suppression(kind: .external, justification: item["triage_comment"]?.text ?? item["triage_reason"]?.text) : nil,
                    raw: .json(item)))
        }
        if fixed > 0 { output.diagnostics.append(Diagnostic("\(fixed) fixed finding(s) are not imported", level: .note)) }
        return output
    }
}
