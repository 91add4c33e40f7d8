import Foundation
import RampartCore

/// StackHawk's HawkScan results (the `scanCompleted` webhook payload and `hawk scan` JSON
/// output): per plugin (ZAP's alert ids), the paths it found on the scanned host, each with
/// its triage status in StackHawk (NEW, RISK_ACCEPTED, FALSE_POSITIVE...).
struct StackHawkImporter: ReportImporter {
    let info = FormatInfo(
        id: "stackhawk-json", name: "StackHawk HawkScan JSON", tool: "StackHawk", category: .dast, syntax: .json,
        notes: "findings per plugin and path with method and StackHawk's triage status (accepted and false positive kept as suppressed)",
        defectDojoScanTypes: ["StackHawk HawkScan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        return root["service"]?.string == "StackHawk" && root["scanCompleted"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let completed = report.jsonRoot?["scanCompleted"] else { throw ImportError.content("expected StackHawk's scanCompleted results") }
        let scan = completed["scan"]
        var output = ImporterOutput(tool: ToolInfo(name: "StackHawk", version: scan?["hawkscanVersion"]?.text))
        if let application = scan?["application"]?.text {
            output.scope = ScanScope(kind: "dast", target: [application, scan?["env"]?.text].compactMap { $0 }.joined(separator: "/"))
        }
        for item in completed["findings"]?.array ?? [] {
            let plugin = item["pluginId"]?.text ?? "unknown"
            let host = item["host"]?.text ?? ""
            let severityText = item["severity"]?.text
            for path in item["paths"]?.array ?? [] {
                let status = path["status"]?.string
                let suppression: Suppression? =
                    switch status {
                    case "FALSE_POSITIVE": Suppression(kind: .falsePositive, justification: "triaged in StackHawk")
                    case "RISK_ACCEPTED": Suppression(kind: .accepted, justification: "triaged in StackHawk")
                    default: nil
                    }
                output.findings.append(
                    Finding(
                        category: .dast, tool: output.tool, ruleID: plugin, title: item["pluginName"]?.text ?? plugin, toolSeverity: severityText,
                        severity: .from(tool: severityText, default: .medium),
                        location: .endpoint(EndpointLocation(url: host + (path["path"]?.text ?? ""), method: path["method"]?.text)),
                        references: [path["pathURL"]?.text, "https://www.zaproxy.org/docs/alerts/\(plugin)/"].compactMap { $0 },
                        tags: status.map { ["status:\($0.lowercased())"] } ?? [], suppression: suppression, raw: .json(path)))
            }
        }
        return output
    }
}
