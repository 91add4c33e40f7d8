import Foundation
import RampartCore

/// Cloudflare Security Insights (Security Center): the issues Cloudflare found in an account's
/// or zone's configuration and exposed infrastructure (unproxied DNS records, missing
/// security.txt, weak TLS settings...). One finding per insight at its subject (a hostname or
/// zone). A dismissed insight is kept as accepted.
enum CloudflareInsights {
    /// The API's class name (`unproxied_a_records`) from either its own or the dashboard's
    /// wording (`Unproxied 'A' Records`), so both exports name an insight the same way.
    static func ruleID(_ issueClass: String) -> String {
        var id = ""
        for character in issueClass.lowercased() {
            if character.isLetter || character.isNumber {
                id.append(character)
            } else if character != "'", !id.isEmpty, id.last != "_" {
                id.append("_")
            }
        }
        return id.hasSuffix("_") ? String(id.dropLast()) : id
    }

    static func finding(
        issueClass: String, issueType: String?, subject: String, severity: String?, details: [String], remediation: String?, dismissed: Bool,
        tool: ToolInfo, raw: RawEvidence
    ) -> Finding {
        let readable = issueClass.replacingOccurrences(of: "_", with: " ")
        return Finding(
            category: .cloud, tool: tool, ruleID: ruleID(issueClass), title: "\(readable.prefix(1).uppercased() + readable.dropFirst()): \(subject)",
            description: ([issueType.map { "Cloudflare Security Insights (\($0.replacingOccurrences(of: "_", with: " ")))." }]
                + details.map(Optional.some))
                .compactMap { $0 }.joined(separator: "\n\n"),
            toolSeverity: severity, severity: .from(tool: severity), location: .host(HostLocation(address: subject)), remediation: remediation,
            tags: [issueType].compactMap { $0 },
            suppression: dismissed ? Suppression(kind: .accepted, justification: "dismissed in Cloudflare Security Insights") : nil, raw: raw)
    }
}

/// The insights as the API lists them (`GET /accounts/{id}/security-center/insights` or the
/// zone's): the bare array, or the API envelope (`result`, or `result.issues`).
struct CloudflareInsightsJSONImporter: ReportImporter {
    let info = FormatInfo(
        id: "cloudflare-insights-json", name: "Cloudflare Security Insights JSON", tool: "Cloudflare Security Insights", category: .cloud,
        syntax: .json, notes: "configuration and exposure insights per hostname or zone with severity; dismissed ones accepted",
        defectDojoScanTypes: ["Cloudflare Insights"])

    static func issues(_ root: JSONNode) -> [JSONNode]? {
        if root.isArray { return root.array }
        guard let result = root["result"] else { return nil }
        if result.isArray { return result.array }
        return result["issues"]?.array
    }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, let first = Self.issues(root)?.first else { return nil }
        return first["issue_class"] != nil && first["subject"] != nil && first["issue_type"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, let issues = Self.issues(root) else { throw ImportError.content("expected Cloudflare's insights") }
        var output = ImporterOutput(tool: ToolInfo(name: "Cloudflare Security Insights"))
        for issue in issues {
            guard let issueClass = issue["issue_class"]?.text?.nonBlank, let subject = issue["subject"]?.text?.nonBlank else {
                output.diagnostics.append(Diagnostic("insight without a class or subject skipped", at: issue.position))
                continue
            }
            var details: [String] = []
            if let since = issue["since"]?.text?.nonBlank { details.append("Open since \(since).") }
            let payload = issue["payload"]?.entries.map { "\($0.key): \($0.value.text ?? "")" } ?? []
            if !payload.isEmpty { details.append(payload.joined(separator: "\n")) }
            let resolve = [issue["resolve_text"]?.text?.nonBlank, issue["resolve_link"]?.text?.nonBlank].compactMap { $0 }.joined(separator: " ")
            output.findings.append(
                CloudflareInsights.finding(
                    issueClass: issueClass, issueType: issue["issue_type"]?.text?.nonBlank, subject: subject, severity: issue["severity"]?.text,
                    details: details, remediation: resolve.nonBlank, dismissed: issue["dismissed"]?.bool == true, tool: output.tool, raw: .json(issue)
                ))
        }
        return output
    }
}

/// The dashboard's CSV download (`severity, issue_class, subject, issue_type,
/// scan_performed_on, status, insight, detection_method, risk, recommended_action`).
struct CloudflareInsightsCSVImporter: ReportImporter {
    let info = FormatInfo(
        id: "cloudflare-insights-csv", name: "Cloudflare Security Insights CSV", tool: "Cloudflare Security Insights", category: .cloud,
        syntax: .csv, notes: "the dashboard export: insight, subject, severity, risk and recommended action; resolved ones left out",
        defectDojoScanTypes: ["Cloudflare Insights"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["severity", "issue_class", "subject", "issue_type", "recommended_action"].allSatisfy(header.contains) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "Cloudflare Security Insights"))
        var resolved = 0
        for record in table.records {
            guard let issueClass = record["issue_class"], let subject = record["subject"] else {
                if !record.isBlank {
                    output.diagnostics.append(Diagnostic("row without an insight or subject skipped", at: record.position))
                }
                continue
            }
            let status = record["status"]?.lowercased()
            if status == "resolved" {
                resolved += 1
                continue
            }
            let details = [
                record["insight"], record["risk"].map { "Risk: \($0)" }, record["detection_method"].map { "Detected by \($0)." },
                record["scan_performed_on"].map { "Scanned \($0)." },
            ].compactMap { $0 }
            output.findings.append(
                CloudflareInsights.finding(
                    issueClass: issueClass, issueType: record["issue_type"], subject: subject, severity: record["severity"], details: details,
                    remediation: record["recommended_action"], dismissed: status == "dismissed" || status == "archived", tool: output.tool,
                    raw: .csv(record)))
        }
        if resolved > 0 { output.diagnostics.append(Diagnostic("\(resolved) resolved insight(s) left out", level: .note)) }
        return output
    }
}
