import Foundation
import RampartCore

/// Trustwave Fusion's findings API (`{"items": [...]}`): one finding per item at its URL, or
/// its IP and port when it has none, with Trustwave's severity, classification, CVEs, CVSS v2
/// and v3 base scores and knowledge-base id. Fusion writes the text `None` for absent values.
struct TrustwaveFusionImporter: ReportImporter {
    let info = FormatInfo(
        id: "trustwave-fusion-json", name: "Trustwave Fusion API JSON", tool: "Trustwave", category: .infra, syntax: .json,
        notes: "findings per URL or IP and port with severity, classification, CVEs, CVSS scores and application CPE",
        defectDojoScanTypes: ["Trustwave Fusion API Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let items = root["items"]?.array, let first = items.first else { return nil }
        return first["assetId"] != nil && first["kb"] != nil && first["location"] != nil ? .certain : nil
    }

    static func value(_ node: JSONNode?) -> String? {
        guard let text = node?.text?.nonBlank, text != "None" else { return nil }
        return text
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Trustwave"))
        for item in root["items"]?.array ?? [] {
            guard let name = Self.value(item["name"]) else {
                output.diagnostics.append(Diagnostic("finding without a name skipped", at: item.position))
                continue
            }
            let place = item["location"]
            let kb = item["kb"]
            let ip = Self.value(place?["ip"]) ?? Self.value(place?["domain"]) ?? "unknown host"
            let port = place?["port"]?.int.flatMap { $0 > 0 ? $0 : nil }
            let location: Location =
                if let url = Self.value(place?["url"]) {
                    .endpoint(EndpointLocation(url: url))
                } else {
                    .host(
                        HostLocation(
                            address: ip, port: port, transport: Self.value(place?["transportProtocol"]),
                            service: Self.value(place?["applicationProtocol"])))
                }
            let v3 = kb?["cvssV3BaseScore"]?.double
            let severityText = item["severity"]?.text
            var lines = ["\(item["classification"]?.text ?? "Finding") on \(ip)" + (port.map { ":\($0)" } ?? "") + "."]
            if let application = Self.value(place?["applicationName"]) {
                lines.append("Application \(application)" + (Self.value(place?["applicationCpe"]).map { " (\($0))" } ?? "") + ".")
            }
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: Self.value(kb?["id"]) ?? name, title: name,
                    description: lines.joined(separator: "\n\n"),
                    toolSeverity: severityText, severity: .from(tool: severityText, score: v3),
                    vulnerabilityIDs: .parsing(kb?["cves"]?.strings ?? []),
                    cvss: [CVSSScore(vector: nil, score: v3)].compactMap { $0 }, location: location,
                    tags: [item["classification"]?.text].compactMap { $0 }, raw: .json(item)))
        }
        return output
    }
}
