import Foundation
import RampartCore

/// kube-bench's JSON output (`kube-bench --json`): CIS Kubernetes Benchmark controls per node
/// type (master, etcd, controlplane, node, policies), each section's checks with a status. A
/// FAIL is a finding. WARN asks for a manual check and INFO states a fact: neither says the
/// node is misconfigured, so they are counted in a note, not imported.
struct KubeBenchImporter: ReportImporter {
    let info = FormatInfo(
        id: "kube-bench-json", name: "kube-bench JSON", tool: "kube-bench", category: .iac, syntax: .json,
        notes: "failed CIS Kubernetes Benchmark checks per node type, with audit command, expected and actual value, remediation",
        defectDojoScanTypes: ["kube-bench Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let first = Self.controls(report).first, first.isObject else { return nil }
        guard first["tests"] != nil, first["node_type"] != nil || first["text"] != nil, first["id"] != nil else { return nil }
        return report.jsonRoot?["Totals"] != nil || first["node_type"] != nil ? .certain : .likely
    }

    /// `{"Controls": [...], "Totals": {...}}` since 0.6, an array of controls before, or one control.
    static func controls(_ report: ParsedReport) -> [JSONNode] {
        guard let root = report.jsonRoot else { return [] }
        if root.isArray { return root.array }
        if let controls = root["Controls"] { return controls.array }
        return root["tests"] != nil ? [root] : []
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        var output = ImporterOutput(tool: ToolInfo(name: "kube-bench"))
        var manual = 0
        for control in Self.controls(report) {
            let nodeType = control["node_type"]?.text ?? control["type"]?.text ?? "node"
            let benchmark = control["version"]?.text.map { "CIS \($0)" } ?? "CIS"
            for section in control["tests"]?.array ?? [] {
                for result in section["results"]?.array ?? [] {
                    let status = result["status"]?.text?.uppercased()
                    guard status == "FAIL" else {
                        if status == "WARN" { manual += 1 }
                        continue
                    }
                    guard let number = result["test_number"]?.text else {
                        output.diagnostics.append(Diagnostic("a failed check without a number was skipped", at: result.position))
                        continue
                    }
                    let scored = result["scored"]?.bool ?? true
                    var description = [result["test_desc"]?.text, section["desc"]?.text.map { "Section \(section["section"]?.text ?? ""): \($0)" }]
                    if let audit = result["audit"]?.text?.nonBlank { description.append("Audit: \(audit)") }
                    if let expected = result["expected_result"]?.text?.nonBlank { description.append("Expected: \(expected)") }
                    if let actual = result["actual_value"]?.text?.nonBlank { description.append("Actual: \(actual)") }
                    if let reason = result["reason"]?.text?.nonBlank { description.append("Reason: \(reason)") }
                    output.findings.append(
                        Finding(
                            category: .iac, tool: output.tool, ruleID: number,
                            title: "\(number) - \(result["test_desc"]?.text ?? "CIS check failed")",
                            description: description.compactMap { $0 }.joined(separator: "\n"),
                            toolSeverity: scored ? "scored" : "not scored", severity: scored ? .medium : .low,
                            location: .iac(
                                IaCLocation(
                                    file: nodeType,
                                    resource: "\(control["id"]?.text ?? "") \(control["text"]?.text ?? nodeType)".trimmingCharacters(
                                        in: .whitespaces), framework: "kubernetes")),
                            remediation: result["remediation"]?.text, tags: [benchmark], raw: .json(result)))
                }
            }
        }
        if manual > 0 {
            output.diagnostics.append(Diagnostic("\(manual) check(s) need a manual review (WARN) and are not imported", level: .note))
        }
        return output
    }
}
