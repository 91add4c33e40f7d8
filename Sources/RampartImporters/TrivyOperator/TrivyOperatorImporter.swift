import Foundation
import RampartCore

/// Trivy Operator's Kubernetes reports (`kubectl get vulnerabilityreports -o json` and its
/// siblings): VulnerabilityReport (an image's packages), ConfigAuditReport, RbacAssessmentReport
/// and InfraAssessmentReport (failed checks of a workload or role), ExposedSecretReport, and
/// ClusterComplianceReport (failed checks of a benchmark). One report, a `List` of them, an
/// array, or a dictionary keyed by their resource names (`kubectl get ... -o json` of several kinds).
struct TrivyOperatorImporter: ReportImporter {
    let info = FormatInfo(
        id: "trivy-operator-json", name: "Trivy Operator reports JSON", tool: "Trivy Operator", category: .container, syntax: .json,
        notes: "vulnerability, config audit, RBAC, infra, exposed secret and compliance reports per workload; single, List or dictionary",
        defectDojoScanTypes: ["Trivy Operator Scan"])

    static let secretFields = SecretFields(secret: [], quoting: [["match"]])
    var secretFields: [SecretFields] { [Self.secretFields] }

    static func reports(_ root: JSONNode) -> [JSONNode] {
        if root.isArray { return root.array.flatMap(reports) }
        guard root.isObject else { return [] }
        if root["kind"]?.string == "List" || root["items"]?.isArray == true { return (root["items"]?.array ?? []).flatMap(reports) }
        if root["apiVersion"]?.string?.hasPrefix("aquasecurity.github.io") == true { return [root] }
        return root.entries.filter { $0.key.hasSuffix(".aquasecurity.github.io") }.flatMap { reports($0.value) }
    }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        if root.isObject, root.keys.contains(where: { $0.hasSuffix(".aquasecurity.github.io") }) { return .certain }
        let first = root.isArray ? root.array.first : root["items"]?.array.first ?? root
        return first?["apiVersion"]?.string?.hasPrefix("aquasecurity.github.io") == true ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "Trivy Operator"))
        for item in Self.reports(root) {
            let labels = item["metadata", "labels"]
            let namespace = labels?["trivy-operator.resource.namespace"]?.text ?? item["metadata", "namespace"]?.text
            let workload = [labels?["trivy-operator.resource.kind"]?.text, labels?["trivy-operator.resource.name"]?.text].compactMap { $0 }.joined(
                separator: "/")
            let place = [namespace, workload.nonBlank ?? item["metadata", "name"]?.text].compactMap { $0 }.joined(separator: "/")
            let container = labels?["trivy-operator.container.name"]?.text
            switch item["kind"]?.string {
            case "VulnerabilityReport":
                output.findings += vulnerabilities(item["report"], place: place, container: container, tool: output.tool)
            case "ExposedSecretReport":
                output.findings += secrets(item["report"], place: place, tool: output.tool)
            case "ClusterComplianceReport":
                // The summary form lists each control with how many checks failed; the detail form, the checks.
                let benchmark = item["status", "summaryReport", "title"]?.text ?? item["metadata", "name"]?.text ?? "compliance"
                for control in item["status", "summaryReport", "controlCheck"]?.array ?? [] where (control["totalFail"]?.int ?? 0) > 0 {
                    let id = control["id"]?.text ?? "control"
                    let severityText = control["severity"]?.text
                    output.findings.append(
                        Finding(
                            category: .iac, tool: output.tool, ruleID: "\(benchmark) \(id)", title: control["name"]?.text ?? id,
                            description: "\(control["totalFail"]?.text ?? "?") failed check(s)", toolSeverity: severityText,
                            severity: .from(tool: severityText, default: .medium),
                            location: .iac(IaCLocation(file: "cluster", resource: benchmark, framework: "kubernetes")),
                            tags: ["control:\(id)"], raw: .json(control)))
                }
                for result in item["status", "detailReport", "results"]?.array ?? [] {
                    for entry in result["checks"]?.array ?? [] where entry["success"]?.bool == false {
                        output.findings.append(
                            check(
                                entry, place: entry["target"]?.text ?? "cluster", control: result["id"]?.text,
                                fallbackSeverity: result["severity"]?.text, tool: output.tool))
                    }
                }
            default:
                // ConfigAudit, RbacAssessment, InfraAssessment and their cluster kinds: checks.
                for entry in item["report", "checks"]?.array ?? [] where entry["success"]?.bool != true {
                    output.findings.append(check(entry, place: place, control: nil, fallbackSeverity: nil, tool: output.tool))
                }
            }
        }
        return output
    }

    private func vulnerabilities(_ report: JSONNode?, place: String, container: String?, tool: ToolInfo) -> [Finding] {
        let repository = report?["artifact", "repository"]?.text
        let registry = report?["registry", "server"]?.text.flatMap { $0 == "index.docker.io" ? nil : $0 }
        var image = repository.map {
            ImageLocation(
                reference: [registry, $0].compactMap { $0 }.joined(separator: "/") + (report?["artifact", "tag"]?.text.map { ":\($0)" } ?? ""))
        }
        image?.digest = report?["artifact", "digest"]?.text
        return (report?["vulnerabilities"]?.array ?? []).map { item in
            let id = item["vulnerabilityID"]?.text ?? "unknown"
            let name = item["resource"]?.text ?? "unknown"
            let fixed = item["fixedVersion"]?.text?.nonBlank
            let severityText = item["severity"]?.text
            return Finding(
                category: .container, tool: tool, ruleID: id, title: item["title"]?.text.map { "\(id): \($0)" } ?? "\(id) in \(name)",
                description: ["Workload: \(place)" + (container.map { " (container \($0))" } ?? ""), item["description"]?.text].compactMap { $0 }
                    .joined(separator: "\n\n"),
                toolSeverity: severityText, severity: .from(tool: severityText, score: item["score"]?.double),
                vulnerabilityIDs: .parsing([id]), cvss: CVSSScore(vector: nil, score: item["score"]?.double).map { [$0] } ?? [],
                location: .package(
                    packageLocation(
                        name: name, version: item["installedVersion"]?.text, ecosystem: nil, purl: item["packagePURL"]?.text,
                        fixedVersions: fixed.map { [$0] } ?? [], artifactPath: item["target"]?.text?.nonBlank, image: image)),
                remediation: fixed.map { "Upgrade \(name) to \($0)" },
                references: ([item["primaryLink"]?.text].compactMap { $0 } + (item["links"]?.strings ?? [])).uniqued(), raw: .json(item))
        }
    }

    private func secrets(_ report: JSONNode?, place: String, tool: ToolInfo) -> [Finding] {
        (report?["secrets"]?.array ?? []).map { item in
            let rule = item["ruleID"]?.text ?? "secret"
            let severityText = item["severity"]?.text
            var finding = Finding(
                category: .secrets, tool: tool, ruleID: rule, title: item["title"]?.text ?? rule, description: "Workload: \(place)",
                toolSeverity: severityText, severity: .from(tool: severityText, default: .high),
                location: .code(CodeLocation(file: item["target"]?.text ?? place)), raw: .json(item))
            finding.revealedSecrets = Self.secretFields.values(in: item)
            return finding
        }
    }

    private func check(_ item: JSONNode, place: String, control: String?, fallbackSeverity: String?, tool: ToolInfo) -> Finding {
        let id = item["checkID"]?.text?.nonBlank ?? item["title"]?.text ?? "unknown"
        let severityText = item["severity"]?.text?.nonBlank ?? fallbackSeverity
        var description = [item["description"]?.text].compactMap { $0 }
        let messages = item["messages"]?.strings ?? []
        if !messages.isEmpty { description.append(messages.joined(separator: "\n")) }
        return Finding(
            category: .iac, tool: tool, ruleID: id, title: item["title"]?.text ?? id, description: description.joined(separator: "\n\n").nonBlank,
            toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
            location: .iac(IaCLocation(file: place, resource: place, framework: "kubernetes")), remediation: item["remediation"]?.text,
            tags: [item["category"]?.text.map { "category:\($0)" }, control.map { "control:\($0)" }].compactMap { $0 }, raw: .json(item))
    }
}
