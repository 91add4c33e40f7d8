import Foundation
import RampartCore

/// Horusec's JSON report (`horusec start -o json`): one analysis with the vulnerabilities every
/// engine it orchestrated found (HorusecEngine, GoSec, Bandit, npm audit...), each with file,
/// line, code, CWE in its details, and Horusec's own hash. An analysis whose status is "error"
/// may have missed files.
struct HorusecImporter: ReportImporter {
    let info = FormatInfo(
        id: "horusec-json", name: "Horusec JSON", tool: "Horusec", category: .sast, syntax: .json,
        notes: "vulnerabilities of every engine Horusec ran, with file, line, code, confidence and Horusec's hash; errors block closing",
        defectDojoScanTypes: ["Horusec Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["analysisVulnerabilities"] != nil else { return nil }
        return root["repositoryID"] != nil || root["workspaceID"] != nil ? .certain : .likely
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Horusec", version: root["version"]?.text))
        if root["status"]?.string == "error" {
            output.toolReportedError = true
            output.diagnostics.append(
                Diagnostic("Horusec reported: \(String((root["errors"]?.text ?? "an error").prefix(300))); findings missing from it are not closed"))
        }
        for entry in root["analysisVulnerabilities"]?.array ?? [] {
            guard let item = entry["vulnerabilities"] else { continue }
            let details = item["details"]?.text ?? ""
            let title = details.split(separator: "\n").first.map(String.init) ?? "Horusec finding"
            let rule = item["rule_id"]?.text?.nonBlank ?? "\(item["securityTool"]?.text ?? "Horusec"):\(title)"
            let severityText = item["severity"]?.text
            let line = item["line"]?.int.flatMap { $0 > 0 ? $0 : nil }
            output.findings.append(
                Finding(
                    category: item["type"]?.string == "Vulnerability" && item["securityTool"]?.string?.contains("Audit") == true ? .sca : .sast,
                    tool: output.tool, ruleID: rule, title: title, description: details.nonBlank, toolSeverity: severityText,
                    severity: .from(tool: severityText == "UNKNOWN" ? nil : severityText, default: .medium),
                    confidence: item["confidence"]?.text.flatMap(Confidence.init(toolText:)), cwes: CWE.parseAll([details]),
                    location: .code(
                        CodeLocation(
                            file: item["file"]?.text ?? "", startLine: line, startColumn: item["column"]?.int.flatMap { $0 > 0 ? $0 : nil },
                            snippet: item["code"]?.text?.nonBlank)),
                    tags: [item["securityTool"]?.text.map { "engine:\($0)" }, item["language"]?.text.map { "language:\($0)" }].compactMap { $0 },
                    toolFingerprint: item["vulnHash"]?.text, raw: .json(item)))
        }
        return output
    }
}
