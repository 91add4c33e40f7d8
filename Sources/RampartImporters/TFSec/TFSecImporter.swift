import Foundation
import RampartCore

/// tfsec's JSON output (`tfsec --format json`): failed checks with their rule (AVD ids and
/// long ids since 1.0, the legacy AWS002-style ids before), resource and file range. Passed
/// and ignored checks appear with `--include-passed` or `--include-ignored`: passed ones are
/// not findings, ignored ones are kept as suppressed.
struct TFSecImporter: ReportImporter {
    let info = FormatInfo(
        id: "tfsec-json", name: "tfsec JSON", tool: "tfsec", category: .iac, syntax: .json,
        notes: "failed checks with rule ids (AVD, long and legacy), resource and lines; passed checks skipped, ignored ones suppressed",
        defectDojoScanTypes: ["TFSec Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let results = root["results"], results.isArray || results.isNull else { return nil }
        guard let first = results.array.first else { return root.keys == ["results"] && results.isNull ? .possible : nil }
        guard first["rule_id"] != nil, first["location", "filename"] != nil else { return nil }
        return first["rule_provider"] != nil || first["long_id"] != nil || first["legacy_rule_id"] != nil ? .likely : .possible
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "tfsec"))
        for result in root["results"]?.array ?? [] {
            // status: "failed"/"passed"/"ignored" (0.5x), 0/1/2 (1.x: failed, passed, ignored); legacy `passed`.
            let status = result["status"]?.text?.lowercased()
            if status == "passed" || status == "1" || result["passed"]?.bool == true { continue }
            let ignored = status == "ignored" || status == "2"
            let rule = result["long_id"]?.text ?? result["rule_id"]?.text ?? "unknown"
            let ids = [result["rule_id"]?.text, result["legacy_rule_id"]?.text].compactMap { $0?.nonBlank }.filter { $0 != rule }
            let severityText = result["severity"]?.text
            var references = result["links"]?.strings ?? []
            if let link = result["link"]?.text, let url = link.split(separator: " ").first(where: { $0.hasPrefix("http") }) {
                references.append(String(url))
            }
            let description = [result["description"]?.text, result["impact"]?.text.map { "Impact: \($0)" }].compactMap { $0 }
            output.findings.append(
                Finding(
                    category: .iac, tool: output.tool, ruleID: rule, title: result["rule_description"]?.text ?? result["description"]?.text ?? rule,
                    description: description.joined(separator: "\n\n").nonBlank, toolSeverity: severityText,
                    severity: .from(tool: severityText, default: .medium),
                    location: .iac(
                        IaCLocation(
                            file: result["location", "filename"]?.text ?? "", resource: result["resource"]?.text?.nonBlank,
                            startLine: result["location", "start_line"]?.int, endLine: result["location", "end_line"]?.int,
                            framework: result["rule_provider"]?.text.map { "terraform/\($0)" } ?? "terraform")),
                    remediation: result["resolution"]?.text, references: references, tags: ids.map { "id:\($0)" },
                    suppression: ignored ? Suppression(kind: .inSource) : nil, raw: .json(result)))
        }
        return output
    }
}
