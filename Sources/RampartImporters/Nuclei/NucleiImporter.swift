import Foundation
import RampartCore

/// Nuclei JSON Lines (`-jsonl`, formerly `-json`) and JSON array (`-json-export`) output:
/// one result per template match, with classification (CVE, CWE, CVSS).
struct NucleiImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "nuclei-json", name: "Nuclei JSON / JSON Lines", tool: "Nuclei", category: .dast, syntax: .json,
        notes: "JSON Lines or JSON array; http matches become endpoints, others hosts", defectDojoScanTypes: ["Nuclei Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard case .json(let document) = report, let root = document.root else { return nil }
        let first = root.isArray ? root.array.first : root
        guard let first, first.isObject else { return nil }
        return (first["template-id"] != nil || first["templateID"] != nil) && first["info"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard case .json(let document) = report else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "Nuclei"))
        let items = document.roots.flatMap { $0.isArray ? $0.array : [$0] }
        for item in items {
            guard let template = item["template-id"]?.text ?? item["templateID"]?.text else {
                output.diagnostics.append(Diagnostic("result without template-id skipped", at: item.position))
                continue
            }
            let info = item["info"]
            let classification = info?["classification"]
            let matched = item["matched-at"]?.text ?? item["matched"]?.text ?? item["url"]?.text ?? item["host"]?.text ?? ""
            let type = item["type"]?.string ?? "http"
            let matcher = item["matcher-name"]?.text ?? item["matcher_name"]?.text
            let ruleID = matcher.map { "\(template):\($0)" } ?? template
            let location: Location
            if type == "http" || matched.hasPrefix("http://") || matched.hasPrefix("https://") {
                location = .endpoint(
                    EndpointLocation(
                        url: matched, method: item["request"]?.string.flatMap { $0.split(separator: " ").first.map(String.init) },
                        evidence: item["extracted-results"]?.strings.joined(separator: ", ").nonBlank))
            } else {
                // Prefer the name the user scanned over the address it resolved to.
                let target = item["host"]?.text ?? matched
                let parts = target.split(separator: ":")
                let address = parts.count == 2 ? String(parts[0]) : (item["host"]?.text ?? item["ip"]?.text ?? matched)
                let port =
                    parts.count == 2
                    ? ReportInteger.parse(String(parts[1]))
                    : (item["port"]?.int ?? ReportInteger.parse(matched.split(separator: ":").last.map(String.init)))
                location = .host(HostLocation(address: address, port: port, transport: type))
            }
            let cvss = CVSSScore(vector: classification?["cvss-metrics"]?.text, score: classification?["cvss-score"]?.double)
            let severityText = info?["severity"]?.text
            output.findings.append(
                Finding(
                    category: .dast, tool: output.tool, ruleID: ruleID, title: info?["name"]?.text ?? template,
                    description: info?["description"]?.text,
                    toolSeverity: severityText, severity: .from(tool: severityText, score: cvss?.score, default: .info),
                    cwes: CWE.parseAll(classification?["cwe-id"]?.strings ?? []),
                    vulnerabilityIDs: .parsing(classification?["cve-id"]?.strings ?? []), cvss: cvss.map { [$0] } ?? [], location: location,
                    remediation: info?["remediation"]?.text, references: info?["reference"]?.strings ?? [],
                    tags: info?["tags"]?.string.map { $0.split(separator: ",").map(String.init) } ?? info?["tags"]?.strings ?? [], raw: .json(item)))
        }
        return output
    }
}
