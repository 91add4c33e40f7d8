import Foundation
import RampartCore

/// Vulners' agent scan results as its API gives them (`data.report`: one row per vulnerability
/// and agent, `data.vulns`: the bulletins by id). One finding per bulletin and host, with the
/// bulletin's CVEs, CVSS v3, description and references, and the fix command Vulners gives.
struct VulnersImporter: ReportImporter {
    let info = FormatInfo(
        id: "vulners-json", name: "Vulners agent report JSON", tool: "Vulners", category: .infra, syntax: .json,
        notes: "bulletins per agent host with CVEs, CVSS v3, severity and the fix command", defectDojoScanTypes: ["Vulners"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let data = root["data"], let rows = data["report"], rows.isArray else { return nil }
        if let first = rows.array.first { return first["vulnID"] != nil && first["agentip"] != nil ? .certain : nil }
        return data["vulns"] != nil && root["indexName"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Vulners"))
        let bulletins = root["data"]?["vulns"]
        for row in root["data"]?["report"]?.array ?? [] {
            guard let id = row["vulnID"]?.text else {
                output.diagnostics.append(Diagnostic("report row without vulnID skipped", at: row.position))
                continue
            }
            let bulletin = bulletins?[id]
            let cvss3 = bulletin?["cvss3"]?["cvssV3"]
            let cvss = CVSSScore(vector: cvss3?["vectorString"]?.text, score: cvss3?["baseScore"]?.double)
            let host = row["agentip"]?.text?.nonBlank ?? row["agentfqdn"]?.text ?? "unknown"
            let fqdn = row["agentfqdn"]?.text.flatMap { $0 == "unknown" || $0 == "localhost" ? nil : $0 }
            let severityText = row["severityText"]?.text
            var lines = [bulletin?["description"]?.text?.nonBlank].compactMap { $0 }
            lines.append("Agent \(host)" + (fqdn.map { " (\($0))" } ?? "") + (row["family"]?.text.map { ", \($0) bulletin" } ?? ""))
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: id, title: row["title"]?.text ?? id, description: lines.joined(separator: "\n\n"),
                    toolSeverity: severityText, severity: .from(tool: severityText, score: cvss?.score),
                    vulnerabilityIDs: .parsing(bulletin?["cvelist"]?.array.compactMap(\.text) ?? []), cvss: cvss.map { [$0] } ?? [],
                    location: .host(HostLocation(address: host)), remediation: row["cumulativeFix"]?.text?.nonBlank,
                    references: (bulletin?["references"]?.array.compactMap(\.text) ?? []).filter { $0.hasPrefix("http") }, raw: .json(row)))
        }
        return output
    }
}
