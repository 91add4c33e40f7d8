import Foundation
import RampartCore

/// OCSF Detection and Compliance Findings (Open Cybersecurity Schema Framework 1.x, classes 2001-2004):
/// the format Prowler 4+ writes (`-M json-ocsf`) and security data lakes exchange. Each finding
/// names its check (`metadata.event_code`), status (FAIL, PASS, MANUAL), severity, resources and
/// cloud account. Passed and manual checks are not findings; muted ones are kept as suppressed.
struct OCSFImporter: ReportImporter {
    let info = FormatInfo(
        id: "ocsf-json", name: "OCSF findings JSON", tool: "OCSF producer", category: .cloud, syntax: .json,
        notes: "OCSF 1.x detection and compliance findings (Prowler 4+ for AWS, Azure, GCP, Kubernetes): check, resource, account, region",
        defectDojoScanTypes: ["AWS Prowler V3", "Prowler Scan"], isStandard: true)

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, first.isObject else { return nil }
        return first["metadata", "version"] != nil && first["finding_info"] != nil && (first["status_code"] != nil || first["class_uid"] != nil)
            ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array of OCSF findings") }
        let products = Set(root.array.compactMap { $0["metadata", "product", "name"]?.text })
        var output = ImporterOutput(
            tool: ToolInfo(name: products.count == 1 ? products.first! : "OCSF", version: root.array.first?["metadata", "product", "version"]?.text))
        var skipped = 0
        for item in root.array {
            let status = item["status_code"]?.string?.uppercased() ?? item["compliance", "status"]?.string?.uppercased()
            if status == "PASS" || status == "MANUAL" {
                skipped += 1
                continue
            }
            let check = item["metadata", "event_code"]?.text ?? item["finding_info", "uid"]?.text ?? "unknown"
            let resource = item["resources"]?.array.first
            let cloud = item["cloud"]
            let severityText = item["severity"]?.text
            let muted = item["status"]?.string == "Suppressed" || item["unmapped", "muted"]?.bool == true
            var description = [item["status_detail"]?.text, item["finding_info", "desc"]?.text, item["risk_details"]?.text].compactMap {
                $0?.nonBlank
            }
            if let notes = item["unmapped", "notes"]?.text?.nonBlank { description.append(notes) }
            let resourceID = resource?["uid"]?.text ?? resource?["name"]?.text ?? cloud?["account", "uid"]?.text ?? "unknown"
            output.findings.append(
                Finding(
                    category: .cloud, tool: output.tool, ruleID: check, title: item["finding_info", "title"]?.text ?? check,
                    description: description.joined(separator: "\n\n").nonBlank, toolSeverity: severityText,
                    severity: .from(tool: severityText == "Informational" ? "info" : severityText, default: .medium),
                    location: .cloud(
                        CloudLocation(
                            provider: cloud?["provider"]?.text ?? resource?["cloud_partition"]?.text ?? "unknown",
                            account: cloud?["account", "uid"]?.text,
                            region: resource?["region"]?.text ?? cloud?["region"]?.text, resourceID: resourceID, resourceType: resource?["type"]?.text
                        )),
                    remediation: item["remediation", "desc"]?.text,
                    references: (item["remediation", "references"]?.strings ?? [])
                        + [item["unmapped", "related_url"]?.text].compactMap { $0?.nonBlank },
                    tags: (item["unmapped", "categories"]?.strings ?? []).map { "category:\($0)" },
                    suppression: muted ? Suppression(kind: .accepted, justification: "muted") : nil, raw: .json(item)))
        }
        if skipped > 0 { output.diagnostics.append(Diagnostic("\(skipped) passed or manual check(s) are not findings", level: .note)) }
        return output
    }
}
