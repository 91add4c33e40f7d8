import Foundation
import RampartCore

/// KubeLinter's JSON output (`kube-linter lint --format json`): failed checks per Kubernetes
/// object, with the check's remediation.
struct KubeLinterImporter: ReportImporter {
    let info = FormatInfo(
        id: "kubelinter-json", name: "KubeLinter JSON", tool: "KubeLinter", category: .iac, syntax: .json,
        notes: "failed checks per Kubernetes object (kind, namespace, name) with remediation", defectDojoScanTypes: ["KubeLinter Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["Reports"] != nil || root["Checks"] != nil else { return nil }
        return root["Summary", "KubeLinterVersion"] != nil || root["Summary", "ChecksStatus"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "KubeLinter", version: root["Summary", "KubeLinterVersion"]?.text))
        var descriptions: [String: String] = [:]
        for check in root["Checks"]?.array ?? [] {
            if let name = check["name"]?.text, let description = check["description"]?.text { descriptions[name] = description }
        }
        for item in root["Reports"]?.array ?? [] {
            let check = item["Check"]?.text ?? "unknown"
            let object = item["Object", "K8sObject"]
            let kind = object?["GroupVersionKind", "Kind"]?.text
            let name = object?["Name"]?.text
            let namespace = object?["Namespace"]?.text?.nonBlank
            let resource = [kind, [namespace, name].compactMap { $0 }.joined(separator: "/")].compactMap { $0?.nonBlank }.joined(separator: "/")
            let message = item["Diagnostic", "Message"]?.text
            output.findings.append(
                Finding(
                    category: .iac, tool: output.tool, ruleID: check, title: message.map { "\(check): \($0)" } ?? check,
                    description: [descriptions[check], message].compactMap { $0 }.joined(separator: "\n\n").nonBlank, severity: .medium,
                    location: .iac(
                        IaCLocation(file: item["Object", "Metadata", "FilePath"]?.text ?? "", resource: resource.nonBlank, framework: "kubernetes")),
                    remediation: item["Remediation"]?.text, raw: .json(item)))
        }
        return output
    }
}
