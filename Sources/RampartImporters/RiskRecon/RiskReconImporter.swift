import Foundation
import RampartCore

/// RiskRecon's findings, as its API returns them for a target of evaluation
/// (`GET /v1/findings/{toe_id}`: an array), or wrapped in `findings` as DefectDojo's importer
/// keeps them. Each finding is an issue RiskRecon observed from outside on a host of the
/// organisation (`host_name`, `domain_name`, `ip_address`): its security criterion (the rule),
/// security domain, severity and priority, the observed value and context, the asset's value
/// and hosting provider. One finding per criterion and host.
///
/// DefectDojo's "RiskRecon API importer" file holds API settings (an endpoint and a key) for
/// DefectDojo to fetch findings with: it carries no findings, and Rampart reads reports rather
/// than calling APIs, so it is refused with what to import instead (the key is not repeated).
struct RiskReconImporter: ReportImporter {
    let info = FormatInfo(
        id: "riskrecon-json", name: "RiskRecon findings JSON", tool: "RiskRecon", category: .infra, syntax: .json,
        notes: "externally observed issues per host with security criterion, domain, severity, priority and observed value",
        defectDojoScanTypes: ["Risk Recon API Importer"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        if root.isObject, root["api_key"] != nil, root["url_endpoint"] != nil { return .certain }
        guard let first = Self.findings(root)?.array.first else { return nil }
        return first["finding_id"] != nil && (first["security_criteria"] != nil || first["toe_id"] != nil) ? .certain : nil
    }

    static func findings(_ root: JSONNode) -> JSONNode? {
        if root.isArray { return root }
        if root.isObject, let findings = root["findings"], findings.isArray { return findings }
        return nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected RiskRecon findings") }
        if root.isObject, root["api_key"] != nil, root["url_endpoint"] != nil {
            throw ImportError.content(
                "this is DefectDojo's RiskRecon API importer settings (an endpoint and an API key), not findings: save what RiskRecon's API returns for a target of evaluation (GET /v1/findings/{toe_id}) and import that file"
            )
        }
        guard let findings = Self.findings(root) else { throw ImportError.content("expected an array of RiskRecon findings") }
        var output = ImporterOutput(tool: ToolInfo(name: "RiskRecon"))
        let targets = Set(findings.array.compactMap { $0["toe_id"]?.text })
        if targets.count == 1, let target = targets.first { output.scope = ScanScope(target: target) }
        for item in findings.array {
            guard let address = item["host_name"]?.text ?? item["domain_name"]?.text ?? item["ip_address"]?.text,
                let rule = item["security_criteria"]?.text ?? item["finding"]?.text
            else {
                output.diagnostics.append(Diagnostic("finding without a host or a security criterion skipped", at: item.position))
                continue
            }
            let name = item["finding"]?.text ?? rule
            var facts: [String] = []
            for (key, label) in [
                ("finding_id", "RiskRecon id"), ("security_domain", "Security domain"), ("security_criteria", "Security criterion"),
                ("finding_context", "Context"), ("finding_data_value", "Observed value"), ("domain_name", "Domain"),
                ("ip_address", "IP address"), ("hosting_provider", "Hosting provider"), ("country_name", "Country"),
                ("asset_value", "Asset value"), ("priority", "Priority"), ("first_seen", "First seen"), ("vendor", "Organisation"),
            ] {
                if let value = item[key]?.text { facts.append("\(label): \(value)") }
            }
            let severityText = item["severity"]?.text
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: rule, title: name,
                    description: ([name + (address == name ? "" : " on \(address)") + "."] + [facts.joined(separator: "\n")]).joined(
                        separator: "\n\n"),
                    toolSeverity: severityText, severity: .from(tool: severityText, default: .info), location: .host(HostLocation(address: address)),
                    tags: [item["security_domain"]?.text].compactMap { $0 }, raw: .json(item)))
        }
        return output
    }
}
