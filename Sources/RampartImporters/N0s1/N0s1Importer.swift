import Foundation
import RampartCore

/// n0s1's JSON report (`--report-format n0s1`): secrets it found in Jira, Confluence, Linear,
/// Asana, Wrike, Slack, Zendesk or GitHub tickets and pages (or local files), keyed by n0s1's
/// finding id. One secrets finding each, at the ticket's URL (a file and line for a local scan).
///
/// n0s1 writes the matched text with some context around it, the match replaced by
/// `<REDACTED>`, unless it ran with `--show-matched-secret-on-logs`. The context may hold
/// neighbouring credentials, so it is hidden whole like the secret, and so is a masked form.
struct N0s1Importer: ReportImporter {
    let info = FormatInfo(
        id: "n0s1-json", name: "n0s1 JSON", tool: "n0s1", category: .secrets, syntax: .json,
        notes: "secrets found in tickets, pages and chats, at the ticket URL (hidden with their context)",
        defectDojoScanTypes: ["n0s1 Scanner"])

    static let fields = SecretFields(secret: [["mocked_secret"]], quoting: [["secret"], ["sensitive_secret"]])
    var secretFields: [SecretFields] { [Self.fields] }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let findings = root["findings"], findings.isObject else { return nil }
        if root["tool"]?["name"]?.string?.lowercased() == "n0s1" { return .certain }
        guard let first = findings.entries.first?.value else { return nil }
        return first["details"]?["matched_regex_config"] != nil && first["url"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "n0s1", version: root["tool"]?["version"]?.text))
        // The configured rules, for a finding whose match names only the rule id.
        var rules: [String: JSONNode] = [:]
        for rule in root["regex_config"]?["rules"]?.array ?? [] {
            if let id = rule["id"]?.text { rules[id] = rule }
        }
        for (key, record) in root["findings"]?.entries ?? [] {
            let details = record["details"]
            let matched = details?["matched_regex_config"]
            guard let ruleID = matched?["id"]?.text?.nonBlank ?? record["type"]?.text?.nonBlank else {
                output.diagnostics.append(Diagnostic("finding \(key) without a matched rule skipped", at: record.position))
                continue
            }
            let rule = rules[ruleID]
            let label = matched?["description"]?.text?.nonBlank ?? rule?["description"]?.text?.nonBlank ?? ruleID
            let platform = details?["platform"]?.text?.nonBlank
            let field = details?["ticket_field"]?.text?.nonBlank
            let place = record["url"]?.text?.nonBlank ?? ""
            let location: Location
            if place.contains("://") || place.isEmpty {
                location = .endpoint(EndpointLocation(url: place.isEmpty ? "n0s1:\(key)" : place, parameter: field))
            } else {
                // A local scan names a file, with `#L<line>` when n0s1 knows the line.
                let parts = place.split(separator: "#L", maxSplits: 1).map(String.init)
                let line = parts.count == 2 ? ReportInteger.parse(parts[1]) : nil
                location = .code(CodeLocation(file: line == nil ? place : parts[0], startLine: line))
            }
            var lines = ["\(label) found" + (platform.map { " in \($0)" } ?? "") + (field.map { ", field \($0)" } ?? "") + "."]
            if let regex = matched?["regex"]?.text ?? rule?["regex"]?.text { lines.append("Rule \(ruleID), pattern: \(regex)") }
            let tags = (matched?["tags"]?.strings ?? rule?["tags"]?.strings ?? []) + [platform?.lowercased()].compactMap { $0 }
            var finding = Finding(
                category: .secrets, tool: output.tool, ruleID: ruleID, title: "\(label)" + (platform.map { " in \($0)" } ?? ""),
                description: lines.joined(separator: "\n\n"), severity: .high, cwes: [798], location: location,
                remediation: "Rotate the credential, then remove it from the ticket or page and its history.", tags: tags, raw: .json(record))
            finding.revealedSecrets = Self.fields.values(in: record)
            output.findings.append(finding)
        }
        return output
    }
}
