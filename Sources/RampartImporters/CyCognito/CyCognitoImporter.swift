import Foundation
import RampartCore

/// CyCognito's issues export (JSON array, as its API's `issues` endpoint and the platform's
/// export give them): external attack-surface issues, each on an asset (`domain/shop.example`,
/// `ip/203.0.113.7`, `webapp/...`, `cert/<id>`) and port, with severity, CVEs, evidence and
/// remediation steps. One finding per issue and asset; resolved issues are left out and
/// counted; snoozed ones are kept as accepted until the snooze ends.
struct CyCognitoImporter: ReportImporter {
    let info = FormatInfo(
        id: "cycognito-json", name: "CyCognito issues JSON", tool: "CyCognito", category: .dast, syntax: .json,
        notes: "attack-surface issues per asset and port with severity, CVEs, evidence and remediation; resolved ones left out",
        defectDojoScanTypes: ["Cycognito Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first else { return nil }
        return first["affected_asset"] != nil && first["issue_id"] != nil && first["issue_status"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        var output = ImporterOutput(tool: ToolInfo(name: "CyCognito"))
        var resolved = 0
        for issue in root.array {
            guard let title = issue["title"]?.text?.nonBlank, let asset = issue["affected_asset"]?.text?.nonBlank else {
                output.diagnostics.append(Diagnostic("issue without a title or asset skipped", at: issue.position))
                continue
            }
            if issue["issue_status"]?.text?.lowercased() == "resolved" || issue["resolved_at"]?.text?.nonBlank != nil {
                resolved += 1
                continue
            }
            // `domain/shop.example`: the asset's type, then its name.
            let parts = asset.split(separator: "/", maxSplits: 1).map(String.init)
            let kind = parts.count == 2 ? parts[0].lowercased() : nil
            let name = parts.count == 2 && kind != "cert" ? parts[1] : asset
            let port = issue["port"]?.int.flatMap { $0 > 0 ? $0 : nil }
            let location: Location =
                kind == "webapp"
                ? .endpoint(EndpointLocation(url: name.contains("://") ? name : "https://\(name)"))
                : .host(HostLocation(address: name, port: port))
            let severityText = issue["severity"]?.text ?? issue["enhanced_severity"]?.text
            var lines = [issue["summary"]?.text?.nonBlank].compactMap { $0 }
            lines.append(
                "Asset \(asset)" + (port.map { " port \($0)" } ?? "") + (issue["issue_type"]?.text.map { "; \($0)" } ?? "")
                    + (issue["potential_threat"]?.text.map { "; threat: \($0)" } ?? "")
                    + (issue["attractiveness_label"]?.text.map { "; attractiveness \($0)" } ?? "") + ".")
            if let evidence = issue["evidence"],
                let text = evidence.text
                    ?? (evidence.isObject ? evidence.entries.map { "\($0.key): \($0.value.text ?? "")" }.joined(separator: "\n") : nil),
                let evidenceText = text.nonBlank
            {
                lines.append("Evidence:\n\(evidenceText)")
            }
            let snoozed = issue["is_snoozed"]?.bool == true
            var finding = Finding(
                category: .dast, tool: output.tool, ruleID: title, title: title, description: lines.joined(separator: "\n\n"),
                toolSeverity: severityText, severity: .from(tool: severityText, score: issue["base_severity_score"]?.double),
                vulnerabilityIDs: .parsing(issue["cve_ids"]?.strings ?? []), location: location,
                remediation: (issue["remediation_steps"]?.strings ?? []).joined(separator: "\n").nonBlank,
                references: issue["references"]?.strings ?? [],
                tags: (issue["tags"]?.strings ?? []) + (issue["platforms"]?.strings ?? []),
                suppression: snoozed
                    ? Suppression(
                        kind: .accepted,
                        justification: "snoozed in CyCognito" + (issue["snooze_expiration"]?.text?.nonBlank.map { " until \($0)" } ?? ""))
                    : nil,
                raw: .json(issue))
            if let availability = issue["exploitation_availability"]?.text?.lowercased(), availability != "none", availability != "unknown" {
                finding.exploitMaturity = .proofOfConcept
            }
            output.findings.append(finding)
        }
        if resolved > 0 { output.diagnostics.append(Diagnostic("\(resolved) resolved issue(s) left out", level: .note)) }
        return output
    }
}
