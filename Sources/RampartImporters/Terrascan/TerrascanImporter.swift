import Foundation
import RampartCore

/// Terrascan's JSON output (`terrascan scan -o json`): policy violations per resource and file,
/// skipped violations (kept as suppressed), and scan errors (IaC it could not load).
struct TerrascanImporter: ReportImporter {
    let info = FormatInfo(
        id: "terrascan-json", name: "Terrascan JSON", tool: "Terrascan", category: .iac, syntax: .json,
        notes: "violations per resource with rule, category and line; skipped ones suppressed; scan errors noted",
        defectDojoScanTypes: ["Terrascan Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let results = root["results"], results.isObject else { return nil }
        return results["scan_summary"]?["policies_validated"] != nil || results["violations"] != nil && results["skipped_violations"] != nil
            ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let results = report.jsonRoot?["results"] else { throw ImportError.content("expected Terrascan's results") }
        var output = ImporterOutput(tool: ToolInfo(name: "Terrascan"))
        let errors = results["scan_errors"]?.array ?? []
        if !errors.isEmpty {
            // Terrascan tries every IaC type in a directory; a type it finds nothing of is an error that hides nothing.
            output.diagnostics.append(
                Diagnostic(
                    "Terrascan could not load \(errors.count) IaC source(s): \(errors.compactMap { $0["errMsg"]?.text }.prefix(3).joined(separator: "; "))",
                    level: .note))
        }
        for (key, suppressed) in [("violations", false), ("skipped_violations", true)] {
            for violation in results[key]?.array ?? [] {
                let rule = violation["rule_id"]?.text ?? violation["rule_name"]?.text ?? "unknown"
                let name = violation["rule_name"]?.text ?? rule
                let severityText = violation["severity"]?.text
                let resource = [violation["resource_type"]?.text, violation["resource_name"]?.text].compactMap { $0 }.joined(separator: ".")
                output.findings.append(
                    Finding(
                        category: .iac, tool: output.tool, ruleID: rule,
                        title: violation["category"]?.text.map { "\($0): \(name)" } ?? name, description: violation["description"]?.text,
                        toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
                        location: .iac(
                            IaCLocation(
                                file: violation["file"]?.text ?? "", resource: resource.nonBlank, startLine: violation["line"]?.int,
                                framework: violation["iac_type"]?.text ?? results["scan_summary", "iac_type"]?.text)),
                        tags: [violation["module_name"]?.text.map { "module:\($0)" }].compactMap { $0 },
                        suppression: suppressed ? Suppression(kind: .inSource, justification: violation["skip_comment"]?.text) : nil,
                        raw: .json(violation)))
            }
        }
        return output
    }
}
