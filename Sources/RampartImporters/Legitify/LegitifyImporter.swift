import Foundation
import RampartCore

/// Legitify's JSON output (`legitify analyze -o json`, the `flattened` form): per policy on
/// GitHub or GitLab organizations, repositories, members and actions, its violations by entity
/// with a status. FAILED is a finding; PASSED and SKIPPED are not, and ERROR closes nothing.
struct LegitifyImporter: ReportImporter {
    let info = FormatInfo(
        id: "legitify-json", name: "Legitify JSON", tool: "Legitify", category: .cloud, syntax: .json,
        notes: "GitHub and GitLab posture policies failed per organization, repository or member, with threat and remediation steps",
        defectDojoScanTypes: ["Legitify Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["type"]?.string == "flattened", let content = root["content"], content.isObject else {
            return nil
        }
        return content.entries.first.map { $0.value["policyInfo"] != nil } ?? true ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let content = report.jsonRoot?["content"] else { throw ImportError.content("expected Legitify's flattened output") }
        var output = ImporterOutput(tool: ToolInfo(name: "Legitify"))
        for (name, policy) in content.entries {
            let info = policy["policyInfo"]
            let policyName = info?["policyName"]?.text ?? name
            let namespace = info?["namespace"]?.text ?? "scm"
            for violation in policy["violations"]?.array ?? [] {
                switch violation["status"]?.text?.uppercased() {
                case "FAILED": break
                case "ERROR":
                    output.toolReportedError = true
                    output.diagnostics.append(Diagnostic("Legitify could not evaluate \(policyName)", at: violation.position))
                    continue
                default: continue
                }
                let entity = violation["canonicalLink"]?.text ?? violation["aux", "entityName"]?.text ?? "unknown"
                let severityText = info?["severity"]?.text
                output.findings.append(
                    Finding(
                        category: .cloud, tool: output.tool, ruleID: policyName,
                        title: "\(namespace.prefix(1).uppercased() + namespace.dropFirst()) | \(info?["title"]?.text ?? policyName)",
                        description: ([info?["description"]?.text] + (info?["threat"]?.strings ?? []).map { Optional("Threat: \($0)") }).compactMap {
                            $0
                        }
                        .joined(separator: "\n\n"),
                        toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
                        location: .cloud(
                            CloudLocation(
                                provider: entity.contains("gitlab") ? "gitlab" : "github", account: nil, region: nil, resourceID: entity,
                                resourceType: violation["violationEntityType"]?.text ?? namespace)),
                        remediation: (info?["remediationSteps"]?.strings ?? []).joined(separator: "\n").nonBlank, raw: .json(violation)))
            }
        }
        return output
    }
}
