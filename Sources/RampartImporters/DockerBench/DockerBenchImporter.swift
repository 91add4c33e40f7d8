import Foundation
import RampartCore

/// docker-bench-security's JSON log (`docker-bench-security.sh -l ... ` writes `.json`): the CIS
/// Docker Benchmark checks by section, each with a result. WARN is a finding; PASS, INFO and
/// NOTE are not (INFO and NOTE list facts to review by hand). The benchmark concerns the Docker
/// host, placed by its sections.
struct DockerBenchImporter: ReportImporter {
    let info = FormatInfo(
        id: "docker-bench-json", name: "docker-bench-security JSON", tool: "docker-bench-security", category: .infra, syntax: .json,
        notes: "failed CIS Docker Benchmark checks with details, affected items and remediation", defectDojoScanTypes: ["docker-bench-security Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["dockerbenchsecurity"] != nil, root["tests"] != nil else { return nil }
        return .certain
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "docker-bench-security", version: root["dockerbenchsecurity"]?.text))
        for section in root["tests"]?.array ?? [] {
            for result in section["results"]?.array ?? [] where result["result"]?.string == "WARN" {
                let id = result["id"]?.text ?? "check"
                let scored = !(result["desc"]?.text?.contains("(Manual)") ?? false)
                var description = [result["desc"]?.text, result["details"]?.text.map { "Details: \($0)" }]
                let items = result["items"]?.strings ?? []
                if !items.isEmpty { description.append("Items:\n" + items.joined(separator: "\n")) }
                if let impact = result["remediation-impact"]?.text { description.append("Remediation impact: \(impact)") }
                output.findings.append(
                    Finding(
                        category: .infra, tool: output.tool, ruleID: id, title: "\(id) - \(result["desc"]?.text ?? "CIS Docker check failed")",
                        description: description.compactMap { $0 }.joined(separator: "\n\n"), toolSeverity: "WARN", severity: scored ? .medium : .low,
                        location: .iac(
                            IaCLocation(
                                file: "docker-host", resource: "\(section["id"]?.text ?? "") \(section["desc"]?.text ?? "")", framework: "docker")),
                        remediation: result["remediation"]?.text, tags: ["CIS Docker Benchmark"], raw: .json(result)))
            }
        }
        return output
    }
}
