import Foundation
import RampartCore

/// KICS' JSON report (`kics scan --report-formats json`): queries that failed, each with the
/// files and lines where it did. One finding per query and place.
struct KICSImporter: ReportImporter {
    let info = FormatInfo(
        id: "kics-json", name: "KICS JSON", tool: "KICS", category: .iac, syntax: .json,
        notes: "failed queries per file and line (Terraform, Kubernetes, CloudFormation, Docker, Ansible...), with expected and actual values",
        defectDojoScanTypes: ["KICS Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["queries"]?.isArray == true || root["queries"]?.isNull == true else { return nil }
        if root["kics_version"] != nil { return .certain }
        return root["queries_total"] != nil || root["files_scanned"] != nil && root["severity_counters"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "KICS", version: root["kics_version"]?.text))
        if let failed = root["files_failed_to_scan"]?.int, failed > 0 {
            output.toolReportedError = true
            output.diagnostics.append(Diagnostic("KICS failed to scan \(failed) file(s); findings missing from this report are not closed"))
        }
        for query in root["queries"]?.array ?? [] {
            let id = query["query_id"]?.text ?? query["query_name"]?.text ?? "unknown"
            let name = query["query_name"]?.text ?? id
            let severityText = query["severity"]?.text
            let platform = query["platform"]?.text
            let category = query["category"]?.text
            for file in query["files"]?.array ?? [] {
                var description = [query["description"]?.text].compactMap { $0 }
                if let expected = file["expected_value"]?.text { description.append("Expected: \(expected)") }
                if let actual = file["actual_value"]?.text { description.append("Actual: \(actual)") }
                output.findings.append(
                    Finding(
                        category: .iac, tool: output.tool, ruleID: id, title: category.map { "\($0): \(name)" } ?? name,
                        description: description.joined(separator: "\n\n").nonBlank, toolSeverity: severityText,
                        severity: .from(tool: severityText == "TRACE" ? "info" : severityText, default: .medium),
                        cwes: CWE.parseAll([query["cwe"]?.text].compactMap { $0 }),
                        location: .iac(
                            IaCLocation(
                                file: file["file_name"]?.text ?? "", resource: file["resource_name"]?.text?.nonBlank ?? file["search_key"]?.text,
                                startLine: file["line"]?.int, framework: platform?.lowercased())),
                        remediation: file["expected_value"]?.text, references: [query["query_url"]?.text].compactMap { $0 },
                        tags: [platform, query["cloud_provider"]?.text, file["issue_type"]?.text].compactMap { $0?.nonBlank }.map { "kics:\($0)" },
                        raw: .json(file)))
            }
        }
        return output
    }
}
