import Foundation
import RampartCore

/// Fairwinds Polaris audit JSON (`polaris audit --format json`): one finding per failed check
/// of a workload, its pod spec or one of its containers. `danger` is high and `warning`
/// medium; `ignore` checks are not reported by Polaris. An audit of manifests (`SourceType`
/// `Path`) gives IaC findings at the audited path; an audit of a cluster gives Kubernetes
/// resources of that cluster.
struct PolarisImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "polaris-json", name: "Polaris audit JSON", tool: "Polaris", category: .iac, syntax: .json,
        notes: "failed checks per workload, pod and container, manifests or live cluster", defectDojoScanTypes: ["Polaris Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        return root["PolarisOutputVersion"] != nil && root["Results"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a Polaris JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Polaris", version: root["PolarisOutputVersion"]?.text))
        let isCluster = root["SourceType"]?.string == "Cluster"
        let source = root["SourceName"]?.text?.nonBlank ?? root["DisplayName"]?.text ?? ""
        output.scope = ScanScope(kind: isCluster ? "cluster" : "", target: isCluster ? source : "")
        for workload in root["Results"]?.array ?? [] {
            let kind = workload["Kind"]?.text ?? "Object"
            let name = workload["Name"]?.text ?? "unnamed"
            let namespace = workload["Namespace"]?.text?.nonBlank
            func report(_ checks: JSONNode?, container: String?) {
                guard let checks, checks.isObject else { return }
                for (key, check) in checks.entries where check["Success"]?.bool == false {
                    let id = check["ID"]?.text ?? key
                    let severityText = check["Severity"]?.text
                    guard severityText?.lowercased() != "ignore" else { continue }
                    let resource = [kind, namespace, name, container].compactMap { $0 }.joined(separator: "/")
                    let location: Location =
                        isCluster
                        ? .cloud(CloudLocation(provider: "kubernetes", account: source, region: namespace, resourceID: resource, resourceType: kind))
                        : .iac(IaCLocation(file: source, resource: resource, framework: "kubernetes"))
                    let details = check["Details"]?.array.compactMap(\.text) ?? [check["Details"]?.text].compactMap { $0 }
                    output.findings.append(
                        Finding(
                            category: isCluster ? .cloud : .iac, tool: output.tool, ruleID: id, title: check["Message"]?.text ?? id,
                            description: ([check["Category"]?.text.map { "Category: \($0)" }] + details.map { Optional($0) }).compactMap { $0 }
                                .joined(separator: "\n").nonBlank,
                            toolSeverity: severityText,
                            severity: severityText?.lowercased() == "danger" ? .high : severityText?.lowercased() == "warning" ? .medium : .low,
                            location: location, references: ["https://polaris.docs.fairwinds.com/checks/"],
                            tags: [check["Category"]?.text].compactMap { $0 },
                            raw: .json(check)))
                }
            }
            report(workload["Results"], container: nil)
            report(workload["PodResult", "Results"], container: nil)
            for container in workload["PodResult", "ContainerResults"]?.array ?? [] {
                report(container["Results"], container: container["Name"]?.text)
            }
        }
        return output
    }
}
