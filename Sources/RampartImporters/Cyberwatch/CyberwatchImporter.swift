import Foundation
import RampartCore

/// Cyberwatch's vulnerability export as Galeax delivers it (JSON: `cves` and
/// `security_issues`, each with the servers it affects). One finding per CVE or security issue
/// and server still affected; a server where it is fixed (`active` false, `fixed_at` set) is
/// left out and counted, one where it is ignored is kept as accepted. CVEs carry Cyberwatch's
/// score, CVSS v3 vector, CWEs, EPSS and exploit code maturity.
struct CyberwatchImporter: ReportImporter {
    let info = FormatInfo(
        id: "cyberwatch-json", name: "Cyberwatch (Galeax) JSON", tool: "Cyberwatch", category: .infra, syntax: .json,
        notes: "CVEs and security issues per affected server with CVSS v3, CWEs, exploit maturity and fixes; fixed servers left out",
        defectDojoScanTypes: ["Cyberwatch scan (Galeax)"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["cves"]?.isArray == true, root["security_issues"]?.isArray == true else { return nil }
        return .certain
    }

    /// `level_medium` → medium.
    static func severity(_ level: String?, score: Double?) -> Severity {
        let word = level.map { $0.hasPrefix("level_") ? String($0.dropFirst(6)) : $0 }
        return .from(tool: word, score: score)
    }

    static func isActive(_ server: JSONNode) -> Bool {
        if let flag = server["active"]?.bool { return flag }
        return server["active"]?.text?.lowercased() != "inactive" && server["fixed_at"]?.text?.nonBlank == nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Cyberwatch"))
        var fixed = 0
        for cve in root["cves"]?.array ?? [] {
            guard let code = cve["cve_code"]?.text?.nonBlank else {
                output.diagnostics.append(Diagnostic("CVE entry without a code skipped", at: cve.position))
                continue
            }
            let score = cve["cve_score"]?.double
            let cvss = CVSSScore(vector: cve["cvss_v3"]?.text?.nonBlank, score: score)
            let maturity = cve["exploit_code_maturity"]?.text.flatMap { ExploitMaturity(toolText: $0.replacingOccurrences(of: "_", with: " ")) }
            for server in cve["servers"]?.array ?? [] {
                guard Self.isActive(server) else {
                    fixed += 1
                    continue
                }
                let name = server["computer_name"]?.text?.nonBlank ?? server["computer_id"]?.text ?? "unknown server"
                let updates =
                    server["updates"]?.array.compactMap { update -> String? in
                        guard let product = update["product"]?.text ?? update["target"]?["product"]?.text else { return nil }
                        return product + (update["target"]?["version"]?.text.map { " \($0)" } ?? "")
                    } ?? []
                var finding = Finding(
                    category: .infra, tool: output.tool, ruleID: code, title: code,
                    description: "\(code) on \(name)" + (server["computer_os_name"]?.text.map { " (\($0))" } ?? "")
                        + (cve["cve_epss"]?.double.map { ". EPSS \($0)" } ?? "") + ".",
                    toolSeverity: cve["cve_level"]?.text, severity: Self.severity(cve["cve_level"]?.text, score: score),
                    cwes: CWE.parseAll(cve["cwes"]?["cwe_id"]?.array.compactMap(\.text) ?? []), vulnerabilityIDs: .parsing([code]),
                    cvss: cvss.map { [$0] } ?? [], location: .host(HostLocation(address: name)),
                    remediation: updates.isEmpty ? nil : "Install the updates: " + updates.joined(separator: ", "),
                    tags: cve["cwes"]?["attacks"]?.strings ?? [],
                    suppression: server["ignored"]?.bool == true ? Suppression(kind: .accepted, justification: "ignored in Cyberwatch") : nil,
                    raw: .json(cve))
                finding.exploitMaturity = maturity
                output.findings.append(finding)
            }
        }
        for issue in root["security_issues"]?.array ?? [] {
            guard let title = issue["security_issue_title"]?.text?.nonBlank else {
                output.diagnostics.append(Diagnostic("security issue without a title skipped", at: issue.position))
                continue
            }
            let id = issue["security_issue_id"]?.text?.nonBlank ?? title
            for server in issue["servers"]?.array ?? [] {
                guard Self.isActive(server) else {
                    fixed += 1
                    continue
                }
                let name = server["computer_name"]?.text?.nonBlank ?? server["computer_id"]?.text ?? "unknown server"
                output.findings.append(
                    Finding(
                        category: .infra, tool: output.tool, ruleID: id, title: title,
                        description: [issue["security_issue_description"]?.text?.nonBlank, "Security issue \(id) on \(name)."].compactMap { $0 }
                            .joined(separator: "\n\n"),
                        toolSeverity: issue["level"]?.text, severity: Self.severity(issue["level"]?.text, score: nil),
                        vulnerabilityIDs: .parsing(issue["cve_announcements"]?.array.compactMap { $0["cve_code"]?.text ?? $0.text } ?? []),
                        location: .host(HostLocation(address: name)), raw: .json(issue)))
            }
        }
        if fixed > 0 { output.diagnostics.append(Diagnostic("\(fixed) fixed server record(s) left out", level: .note)) }
        return output
    }
}
