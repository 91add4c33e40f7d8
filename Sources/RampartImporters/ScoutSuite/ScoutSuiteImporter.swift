import Foundation
import RampartCore

/// Scout Suite's results file (`scoutsuite-results/scoutsuite_results_<account>.js`: a
/// JavaScript assignment `scoutsuite_results = {...}` around JSON), for AWS, Azure, GCP and the
/// other providers it audits: one finding per flagged item of each rule (`services.<service>.
/// findings.<rule>.items`), on the cloud account, with the region when the item's path names
/// one and the item's path as the resource. `danger` is high, `warning` medium.
struct ScoutSuiteImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "scoutsuite-js", name: "Scout Suite results (.js)", tool: "Scout Suite", category: .cloud, syntax: .text,
        notes: "flagged items of every rule per service, account and region (AWS, Azure, GCP, ...)", defectDojoScanTypes: ["Scout Suite Scan"])

    static let prefix = "scoutsuite_results ="

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let first = report.text?.head(1).first else { return nil }
        return first.hasPrefix(Self.prefix) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let text = report.text else { throw ImportError.content("expected a Scout Suite results file") }
        let body = text.lines.joined(separator: "\n")
        guard let start = body.firstIndex(of: "{") else { throw ImportError.content("the results file holds no JSON object after `\(Self.prefix)`") }
        let document: JSONDocument
        do {
            document = try JSONDocument(data: Data(body[start...].utf8))
        } catch let error as JSONSyntaxError {
            // Positions count from the JSON's start, which is on the results file's second line or later.
            throw ImportError.content("the JSON after `\(Self.prefix)` is invalid: \(error.description)")
        }
        guard let root = document.root, root.isObject else { throw ImportError.content("expected a JSON object after `\(Self.prefix)`") }
        let provider = root["provider_code"]?.text ?? "cloud"
        let account = root["account_id"]?.text ?? root["account_id", "id"]?.text
        var output = ImporterOutput(tool: ToolInfo(name: "Scout Suite", version: root["last_run", "version"]?.text))
        output.scope = ScanScope(kind: "cloud-audit", target: [provider, account].compactMap { $0 }.joined(separator: ":"))
        for (serviceName, service) in root["services"]?.entries ?? [] {
            for (ruleID, rule) in service["findings"]?.entries ?? [] where (rule["flagged_items"]?.int ?? 0) > 0 {
                let level = rule["level"]?.text
                let severity: Severity = level == "danger" ? .high : level == "warning" ? .medium : .low
                let references = rule["references"]?.strings ?? []
                for item in rule["items"]?.strings ?? [] {
                    // `ec2.regions.eu-west-1.vpcs.vpc-1.security_groups.sg-2...`: the region follows `regions`.
                    let parts = item.split(separator: ".").map(String.init)
                    let region = parts.firstIndex(of: "regions").flatMap { $0 + 1 < parts.count ? parts[$0 + 1] : nil }
                    output.findings.append(
                        Finding(
                            category: .cloud, tool: output.tool, ruleID: "\(provider):\(ruleID)", title: rule["description"]?.text ?? ruleID,
                            description: [rule["rationale"]?.text, "Item: \(item)"].compactMap { $0 }.joined(separator: "\n\n"),
                            toolSeverity: level, severity: severity,
                            location: .cloud(
                                CloudLocation(
                                    provider: provider, account: account, region: region, resourceID: item,
                                    resourceType: rule["dashboard_name"]?.text ?? serviceName)),
                            remediation: rule["remediation"]?.text, references: references,
                            tags: (rule["compliance"]?.array ?? []).compactMap { compliance in
                                compliance["name"]?.text.map { "\($0) \(compliance["reference"]?.text ?? "")".asciiTrimmed }
                            }, raw: .json(rule)))
                }
            }
        }
        return output
    }
}
