import Foundation
import RampartCore

/// cfn_nag's JSON output (`cfn_nag_scan --output-format json`): per CloudFormation template,
/// the rules that failed (FAIL) or warned (WARN), with the resources and lines.
struct CfnNagImporter: ReportImporter {
    let info = FormatInfo(
        id: "cfn-nag-json", name: "cfn_nag JSON", tool: "cfn_nag", category: .iac, syntax: .json,
        notes: "failing and warning rules per template, one finding per resource", defectDojoScanTypes: ["cfn-nag Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first else { return nil }
        return first["filename"] != nil && first["file_results"]?["failure_count"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        var output = ImporterOutput(tool: ToolInfo(name: "cfn_nag"))
        for template in root.array {
            let file = template["filename"]?.text ?? ""
            for violation in template["file_results", "violations"]?.array ?? [] {
                let id = violation["id"]?.text ?? "unknown"
                let type = violation["type"]?.text
                let resources = violation["logical_resource_ids"]?.strings ?? []
                let lines = violation["line_numbers"]?.array.map(\.int) ?? []
                // One finding per resource: each is fixed on its own.
                for (index, resource) in (resources.isEmpty ? [nil] : resources.map { Optional($0) }).enumerated() {
                    output.findings.append(
                        Finding(
                            category: .iac, tool: output.tool, ruleID: id, title: "\(id): \(violation["message"]?.text ?? id)",
                            description: violation["message"]?.text, toolSeverity: type, severity: type == "FAIL" ? .high : .medium,
                            location: .iac(
                                IaCLocation(
                                    file: file, resource: resource, startLine: index < lines.count ? lines[index] : nil, framework: "cloudformation")),
                            tags: (violation["element_types"]?.strings ?? []).map { "element:\($0)" }, raw: .json(violation)))
                }
            }
        }
        return output
    }
}
