import Foundation
import RampartCore

/// Kubernetes policy reports: OpenReports' `Report` and `ClusterReport` (`openreports.io`) and
/// the Policy WG's `PolicyReport` and `ClusterPolicyReport` (`wgpolicyk8s.io`) they succeed, as
/// `kubectl get -o json` gives one report or a list. Kyverno, Trivy Operator's adapters,
/// kube-bench adapters and image scanners write them.
///
/// A `fail` or `warn` result is a finding; `pass` and `skip` are not, and `error` (the policy
/// could not be evaluated) is counted in a note. A result about a package (a CVE with
/// `pkgName` and `installedVersion` properties) sits at that package in the workload; any other
/// sits at each resource it names, or the report's scope. Severity is the result's, else
/// medium for a failure and low for a warning.
struct PolicyReportImporter: ReportImporter {
    let info = FormatInfo(
        id: "policy-report-json", name: "OpenReports / Kubernetes PolicyReport JSON", tool: "OpenReports", category: .container,
        syntax: .json,
        notes: "failed and warned results per resource; package vulnerabilities at the package; passed, skipped and errored left out",
        defectDojoScanTypes: ["OpenReports"])

    static let kinds: Set<String> = ["Report", "ClusterReport", "PolicyReport", "ClusterPolicyReport"]

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let apiVersion = root["apiVersion"]?.string,
            apiVersion.hasPrefix("openreports.io/") || apiVersion.hasPrefix("wgpolicyk8s.io/") || apiVersion == "v1"
        else { return nil }
        let kind = root["kind"]?.string ?? ""
        if Self.kinds.contains(kind) { return .certain }
        guard kind.hasSuffix("List"), let items = root["items"]?.array else { return nil }
        if let first = items.first { return Self.kinds.contains(first["kind"]?.string ?? "") ? .certain : nil }
        return Self.kinds.contains(String(kind.dropLast(4))) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        let reports = root["items"]?.array ?? [root]
        var output = ImporterOutput(tool: ToolInfo(name: "OpenReports"))
        var errored = 0
        for policyReport in reports {
            let namespace = policyReport["metadata"]?["namespace"]?.text?.nonBlank ?? policyReport["scope"]?["namespace"]?.text?.nonBlank
            let scope = policyReport["scope"].flatMap { Self.resource($0, namespace: namespace) }
            for result in policyReport["results"]?.array ?? [] {
                let status = result["result"]?.text?.lowercased() ?? "fail"
                if status == "error" {
                    errored += 1
                    continue
                }
                guard status == "fail" || status == "warn" else { continue }
                guard let policy = result["policy"]?.text?.nonBlank else {
                    output.diagnostics.append(Diagnostic("result without a policy skipped", at: result.position))
                    continue
                }
                let named = (result["resources"]?.array ?? []).compactMap { Self.resource($0, namespace: namespace) }
                let resources = named.isEmpty ? [scope ?? Resource(kind: nil, name: "cluster", namespace: namespace)] : named
                for resource in resources {
                    output.findings.append(finding(result, policy: policy, status: status, resource: resource, tool: output.tool))
                }
            }
        }
        if errored > 0 { output.diagnostics.append(Diagnostic("\(errored) result(s) whose policy could not be evaluated left out", level: .note)) }
        return output
    }

    struct Resource {
        var kind: String?
        var name: String
        var namespace: String?
        var reference: String { [namespace, kind, name].compactMap { $0 }.joined(separator: "/") }
    }

    static func resource(_ node: JSONNode, namespace: String?) -> Resource? {
        guard let name = node["name"]?.text?.nonBlank else { return nil }
        return Resource(kind: node["kind"]?.text?.nonBlank, name: name, namespace: node["namespace"]?.text?.nonBlank ?? namespace)
    }

    private func finding(_ result: JSONNode, policy: String, status: String, resource: Resource, tool: ToolInfo) -> Finding {
        let properties = result["properties"]
        let rule = result["rule"]?.text?.nonBlank
        let ruleID = rule.map { "\(policy)/\($0)" } ?? policy
        let message = result["message"]?.text?.nonBlank
        let severityText = result["severity"]?.text?.nonBlank
        let severity = severityText.flatMap(Severity.init(toolText:)) ?? (status == "warn" ? .low : .medium)
        // A policy named by an advisory id is a vulnerability; Kyverno's names are rules.
        let ids: [VulnerabilityID] = .parsing(
            ([policy] + (properties?["vulnerabilityID"]?.text.map { [$0] } ?? [])).filter(VulnerabilityID.isAdvisoryLike))
        let package = properties?["pkgName"]?.text?.nonBlank ?? properties?["resource"]?.text?.nonBlank
        let installed = properties?["installedVersion"]?.text?.nonBlank.flatMap { $0 == "N/A" ? nil : $0 }
        var lines = [message].compactMap { $0 }
        lines.append(
            "Policy \(policy)" + (rule.map { ", rule \($0)" } ?? "") + ": \(status) on \(resource.reference)"
                + (result["category"]?.text.map { " (\($0))" } ?? "") + (result["source"]?.text.map { ", reported by \($0)" } ?? "") + ".")
        let otherProperties = (properties?.entries ?? []).filter { !["pkgName", "installedVersion", "fixedVersion", "primaryURL"].contains($0.key) }
        if !otherProperties.isEmpty { lines.append(otherProperties.map { "\($0.key): \($0.value.text ?? "")" }.joined(separator: "\n")) }
        let fixed = properties?["fixedVersion"]?.text?.nonBlank
        let location: Location
        let category: FindingCategory
        if !ids.isEmpty, let package, let installed {
            category = .container
            location = .package(
                packageLocation(
                    name: package, version: installed, ecosystem: nil, fixedVersions: splitVersions(fixed), manifestPath: resource.reference))
        } else {
            category = .iac
            location = .cloud(
                CloudLocation(
                    provider: "kubernetes", region: resource.namespace,
                    resourceID: [resource.kind, resource.name].compactMap { $0 }.joined(separator: "/"),
                    resourceType: resource.kind))
        }
        let title = !ids.isEmpty && package != nil ? "\(policy) in \(package!)" : message.map { "\(policy): \($0)" } ?? ruleID
        return Finding(
            category: category, tool: tool, ruleID: ruleID, title: title, description: lines.joined(separator: "\n\n"), toolSeverity: severityText,
            severity: severity, vulnerabilityIDs: ids, location: location,
            remediation: fixed.map { category == .container ? "Upgrade to \($0)" : $0 },
            references: [properties?["primaryURL"]?.text?.nonBlank].compactMap { $0 }, tags: [result["category"]?.text?.nonBlank].compactMap { $0 },
            raw: .json(result))
    }
}
