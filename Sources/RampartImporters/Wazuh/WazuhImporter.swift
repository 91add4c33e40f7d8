import Foundation
import RampartCore

/// Wazuh's vulnerability detection, as its APIs return it:
/// - the 4.8+ indexer search (`hits.hits[]._source` of `wazuh-states-vulnerabilities-*`: agent,
///   host, package and vulnerability),
/// - the 4.7 manager API (`/vulnerability/{agent}`: `data.affected_items[]`).
/// One finding per vulnerability, package and agent; the agent is the host.
struct WazuhImporter: ReportImporter {
    let info = FormatInfo(
        id: "wazuh-json", name: "Wazuh vulnerabilities JSON", tool: "Wazuh", category: .infra, syntax: .json,
        notes: "package vulnerabilities per agent (CVE, CVSS, severity, condition); 4.8+ indexer search and 4.7 API", defectDojoScanTypes: ["Wazuh"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if let hits = root["hits", "hits"], hits.isArray {
            guard let first = hits.array.first else { return root["_shards"] != nil ? .possible : nil }
            return first["_index"]?.string?.hasPrefix("wazuh-states-vulnerabilities") == true || first["_source", "vulnerability"] != nil
                ? .certain : nil
        }
        guard let items = root["data", "affected_items"], items.isArray else { return nil }
        guard let first = items.array.first else { return .possible }
        return first["cve"] != nil && first["condition"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Wazuh"))
        for hit in root["hits", "hits"]?.array ?? [] {
            guard let source = hit["_source"], let vulnerability = source["vulnerability"] else { continue }
            let package = source["package"]
            let score = vulnerability["score", "base"]?.double
            output.findings.append(
                finding(
                    id: vulnerability["id"]?.text, title: nil, description: vulnerability["description"]?.text,
                    severity: vulnerability["severity"]?.text,
                    score: score, vector: nil, package: package?["name"]?.text, version: package?["version"]?.text, type: package?["type"]?.text,
                    condition: vulnerability["scanner", "condition"]?.text,
                    references: (vulnerability["reference"]?.text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                        .filter { !$0.isEmpty },
                    agent: source["agent", "name"]?.text ?? source["agent", "id"]?.text, raw: .json(source), tool: output.tool))
        }
        for item in root["data", "affected_items"]?.array ?? [] {
            let score3 = item["cvss3_score"]?.double.flatMap { $0 > 0 ? $0 : nil }
            output.findings.append(
                finding(
                    id: item["cve"]?.text, title: item["title"]?.text, description: nil, severity: item["severity"]?.text,
                    score: score3 ?? item["cvss2_score"]?.double, vector: nil, package: item["name"]?.text, version: item["version"]?.text,
                    type: item["type"]?.text, condition: item["condition"]?.text, references: item["external_references"]?.strings ?? [],
                    agent: item["agent_name"]?.text ?? item["agent_ip"]?.text, raw: .json(item), tool: output.tool))
        }
        return output
    }

    private func finding(
        id: String?, title: String?, description: String?, severity: String?, score: Double?, vector: String?, package: String?, version: String?,
        type: String?, condition: String?, references: [String], agent: String?, raw: RawEvidence, tool: ToolInfo
    ) -> Finding {
        let name = package ?? "package"
        let ecosystems = ["deb": "deb", "rpm": "rpm", "apk": "apk", "pypi": "pypi", "npm": "npm", "win": nil, "PACKAGE": nil]
        var text = [description, condition.map { "Condition: \($0)" }].compactMap { $0 }
        if let agent { text.append("Agent: \(agent)") }
        return Finding(
            category: .infra, tool: tool, ruleID: id ?? title ?? "wazuh", title: title ?? "\(id ?? "Vulnerability") in \(name)",
            description: text.joined(separator: "\n\n").nonBlank, toolSeverity: severity,
            severity: .from(tool: severity, score: score, default: .medium),
            vulnerabilityIDs: .parsing([id].compactMap { $0 }), cvss: CVSSScore(vector: vector, score: score, source: "Wazuh").map { [$0] } ?? [],
            // The package is installed on the agent's host, its place (as a manifest is a package's
            // place in code): the same package on two hosts is two findings.
            location: .package(packageLocation(name: name, version: version, ecosystem: type.flatMap { ecosystems[$0] ?? nil }, manifestPath: agent)),
            references: references, raw: raw)
    }
}
