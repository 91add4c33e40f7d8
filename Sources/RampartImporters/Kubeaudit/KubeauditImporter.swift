import Foundation
import RampartCore

/// kubeaudit's JSON Lines output (`kubeaudit all -p json`): one line per audit result, with
/// its level (error, warning, info), the resource's kind, name and namespace, and the auditor's
/// own fields (container, metadata). One finding per audit result and resource.
struct KubeauditImporter: ReportImporter {
    let info = FormatInfo(
        id: "kubeaudit-jsonl", name: "kubeaudit JSON Lines", tool: "kubeaudit", category: .iac, syntax: .json,
        notes: "Kubernetes resource audit results (security context, capabilities, host namespaces, deprecated APIs) per resource",
        defectDojoScanTypes: ["Kubeaudit Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard case .json(let document) = report, let first = document.roots.first, first.isObject else { return nil }
        return first["AuditResultName"] != nil && first["ResourceKind"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard case .json(let document) = report else { throw ImportError.content("expected JSON Lines") }
        var output = ImporterOutput(tool: ToolInfo(name: "kubeaudit"))
        for line in document.roots.flatMap({ $0.isArray ? $0.array : [$0] }) where line.isObject {
            guard let audit = line["AuditResultName"]?.text else {
                output.diagnostics.append(Diagnostic("a line without an audit result was skipped", at: line.position))
                continue
            }
            let kind = line["ResourceKind"]?.text ?? "Resource"
            let name = line["ResourceName"]?.text ?? "unknown"
            let namespace = line["ResourceNamespace"]?.text
            let container = line["Container"]?.text
            let resource = [namespace, "\(kind)/\(name)", container.map { "container \($0)" }].compactMap { $0 }.joined(separator: " ")
            let level = line["level"]?.text
            output.findings.append(
                Finding(
                    category: .iac, tool: output.tool, ruleID: audit, title: "\(audit): \(resource)", description: line["msg"]?.text,
                    toolSeverity: level,
                    severity: Self.severity(level),
                    // A resource of the cluster (or of a manifest, named by its file): the resource
                    // tells two results of one auditor apart, where a file and line cannot.
                    location: .cloud(
                        CloudLocation(
                            provider: "kubernetes", account: line["FilePath"]?.text, region: namespace,
                            resourceID: [kind, name, container].compactMap { $0 }.joined(separator: "/"), resourceType: kind)),
                    references: ["https://github.com/Shopify/kubeaudit#auditors"], raw: .json(line)))
        }
        return output
    }

    static func severity(_ level: String?) -> Severity {
        switch level?.lowercased() {
        case "error": .high
        case "warning": .medium
        default: .info
        }
    }
}
