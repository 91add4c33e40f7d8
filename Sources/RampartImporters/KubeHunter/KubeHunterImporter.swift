import Foundation
import RampartCore

/// kube-hunter's JSON report (`--report json`): the nodes and services it found, and each
/// vulnerability with its KHV id, category, severity, evidence and the address it was found at.
struct KubeHunterImporter: ReportImporter {
    let info = FormatInfo(
        id: "kube-hunter-json", name: "kube-hunter JSON", tool: "kube-hunter", category: .infra, syntax: .json,
        notes: "Kubernetes cluster weaknesses (KHV ids) per address and port, with evidence and AVD reference",
        defectDojoScanTypes: ["KubeHunter Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["vulnerabilities"] != nil, root["nodes"] != nil, root["services"] != nil else {
            return nil
        }
        return .certain
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "kube-hunter"))
        for item in root["vulnerabilities"]?.array ?? [] {
            // Some hunters' results carry no id (`"vid": "None"`): their name is the rule.
            let vid = item["vid"]?.text.flatMap { $0 == "None" ? nil : $0 } ?? item["vulnerability"]?.text ?? "kube-hunter"
            let place = item["location"]?.text ?? "cluster"
            // `10.0.1.1:10255`, or a name without a port ("Local to Pod (...)").
            let parts = place.split(separator: ":")
            let port = parts.count == 2 ? ReportInteger.parse(String(parts[1])) : nil
            let severityText = item["severity"]?.text
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: vid, title: item["vulnerability"]?.text ?? vid,
                    description: [
                        item["description"]?.text, item["category"]?.text.map { "Category: \($0)" }, item["evidence"]?.text.map { "Evidence: \($0)" },
                        item["hunter"]?.text.map { "Found by: \($0)" },
                    ].compactMap { $0 }.joined(separator: "\n"), toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
                    location: .host(
                        HostLocation(address: port == nil ? place : String(parts[0]), port: port, transport: "tcp", service: "kubernetes")),
                    references: [item["avd_reference"]?.text].compactMap { $0 }, raw: .json(item)))
        }
        return output
    }
}
