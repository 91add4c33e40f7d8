import Foundation
import RampartCore

/// Kubescape JSON (v2 and later, `kubescape scan ... --format json`): one finding per failed
/// control and resource. A control failed when its status says so or any of its rules failed;
/// the failed and fix paths are listed. Severity comes from the control's score factor in
/// `summaryDetails`, as Kubescape maps it (9+ critical, 7+ high, 4+ medium, else low). Resources
/// read from files are IaC findings at the manifest; resources of a live cluster are Kubernetes
/// resources of that cluster.
struct KubescapeImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "kubescape-json", name: "Kubescape JSON", tool: "Kubescape", category: .iac, syntax: .json,
        notes: "failed controls per resource (manifests or a live cluster) with severity, failed and fix paths",
        defectDojoScanTypes: ["Kubescape JSON Importer"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        return root["summaryDetails"] != nil && root["results"] != nil && (root["customerGUID"] != nil || root["clusterAPIServerInfo"] != nil)
            ? .certain : nil
    }

    static func severity(scoreFactor: Double?) -> Severity? {
        guard let factor = scoreFactor else { return nil }
        if factor >= 9 { return .critical }
        if factor >= 7 { return .high }
        if factor >= 4 { return .medium }
        return factor >= 1 ? .low : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a Kubescape JSON object") }
        var output = ImporterOutput(
            tool: ToolInfo(
                name: "Kubescape", version: root["metadata", "scanMetadata", "kubescapeVersion"]?.text ?? root["clientInfo", "version"]?.text))
        let controls = root["summaryDetails", "controls"]
        var objects: [String: JSONNode] = [:]
        for resource in root["resources"]?.array ?? [] {
            if let id = resource["resourceID"]?.text, let object = resource["object"] { objects[id] = object }
        }
        let cluster = root["clusterName"]?.text?.nonBlank
        for result in root["results"]?.array ?? [] {
            guard let resourceID = result["resourceID"]?.text else { continue }
            let object = objects[resourceID]
            for control in result["controls"]?.array ?? [] {
                let rules = control["rules"]?.array ?? []
                let status = control["status"]?.string ?? control["status", "status"]?.string
                guard status == "failed" || rules.contains(where: { $0["status"]?.string == "failed" }) else { continue }
                guard let controlID = control["controlID"]?.text else { continue }
                let summary = controls?[controlID]
                let name = control["name"]?.text ?? summary?["name"]?.text ?? controlID
                let factor = summary?["scoreFactor"]?.double ?? control["scoreFactor"]?.double
                var paths: [String] = []
                for rule in rules where rule["status"]?.string == "failed" {
                    for path in rule["paths"]?.array ?? [] {
                        if let failed = path["failedPath"]?.text?.nonBlank { paths.append("failed: \(failed)") }
                        if let fix = path["fixPath", "path"]?.text?.nonBlank {
                            paths.append("fix: \(fix)" + (path["fixPath", "value"]?.text?.nonBlank.map { " = \($0)" } ?? ""))
                        }
                        if let delete = path["deletePath"]?.text?.nonBlank { paths.append("delete: \(delete)") }
                    }
                }
                let kind = object?["kind"]?.text
                // RBAC subjects (a ServiceAccount and the bindings granting it a role) carry
                // name and namespace at the top and the bindings as related objects.
                let related = object?["relatedObjects"]?.array ?? []
                let resourceName =
                    object?["metadata", "name"]?.text ?? object?["name"]?.text ?? resourceID.split(separator: "/").last.map(String.init) ?? resourceID
                let namespace = (object?["metadata", "namespace"]?.text ?? object?["namespace"]?.text)?.nonBlank
                var resource = [kind, namespace, resourceName].compactMap { $0 }.joined(separator: "/")
                let grants = related.compactMap { item in item["kind"]?.text.map { "\($0)/\(item["metadata", "name"]?.text ?? "")" } }
                if !grants.isEmpty { resource += " via " + grants.joined(separator: ", ") }
                let location: Location
                if let sourcePath = (object?["sourcePath"]?.text ?? related.lazy.compactMap { $0["sourcePath"]?.text }.first)?.nonBlank {
                    // `nginx.yaml:0` names the document within a multi-document file.
                    var file = sourcePath
                    if let colon = file.lastIndex(of: ":"), file[file.index(after: colon)...].allSatisfy(\.isNumber) { file = String(file[..<colon]) }
                    location = .iac(IaCLocation(file: file, resource: resource, framework: "kubernetes"))
                } else {
                    location = .cloud(
                        CloudLocation(provider: "kubernetes", account: cluster, region: namespace, resourceID: resource, resourceType: kind))
                }
                output.findings.append(
                    Finding(
                        category: location.kind == "iac" ? .iac : .cloud, tool: output.tool, ruleID: controlID, title: "\(name): \(resource)",
                        description: ([name] + paths).joined(separator: "\n"), toolSeverity: factor.map { "scoreFactor \($0)" },
                        severity: Self.severity(scoreFactor: factor) ?? .medium, location: location,
                        remediation: paths.contains { $0.hasPrefix("fix: ") }
                            ? paths.filter { $0.hasPrefix("fix: ") }.map { String($0.dropFirst(5)) }.joined(separator: "\n") : nil,
                        references: ["https://hub.armosec.io/docs/\(controlID.lowercased())"],
                        tags: [summary?["category", "name"]?.text].compactMap { $0 }, raw: .json(control)))
            }
        }
        return output
    }
}
