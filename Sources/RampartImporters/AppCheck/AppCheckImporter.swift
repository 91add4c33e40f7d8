import Foundation
import RampartCore

/// AppCheck's vulnerability export (JSON, `{"items": [...]}` as its API lists a scan's or
/// application's vulnerabilities): web application findings at their URL, infrastructure
/// findings at their host and port. Severity follows the CVSS v4 or v3 score when AppCheck gives
/// one, else its priority (`3.0-medium`). Fixed and trashed vulnerabilities are left out and
/// counted; disabled ones (suppressed in AppCheck) are kept as accepted.
struct AppCheckImporter: ReportImporter {
    let info = FormatInfo(
        id: "appcheck-json", name: "AppCheck vulnerabilities JSON", tool: "AppCheck", category: .dast, syntax: .json,
        notes: "web findings at their URL, infrastructure findings at host and port, with CVSS v2/v3/v4, CVEs, details and solution",
        defectDojoScanTypes: ["AppCheck Web Application Scanner"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let items = root["items"], items.isArray else { return nil }
        guard let first = items.array.first else { return root["hosts"] != nil && root.entries.count <= 3 ? .likely : nil }
        return first["mss_confirmed"] != nil && first["results_set_id"] != nil ? .certain : nil
    }

    /// `cpe:2.3:a:apache:tomcat:8.0.32:...` → tomcat 8.0.32.
    static func product(cpe: String) -> (product: String, version: String?)? {
        let parts = cpe.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 5, parts[0] == "cpe", parts[1] == "2.3", !parts[4].isEmpty, parts[4] != "*" else { return nil }
        let version = parts.count > 5 && parts[5] != "*" && parts[5] != "-" ? parts[5] : nil
        return (parts[4], version)
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "AppCheck"))
        var gone = 0
        for item in root["items"]?.array ?? [] {
            guard let title = item["title"]?.text?.nonBlank else {
                output.diagnostics.append(Diagnostic("vulnerability without a title skipped", at: item.position))
                continue
            }
            if item["fixed"]?.bool == true || item["status"]?.text?.lowercased() == "fixed" || item["trashed"]?.bool == true {
                gone += 1
                continue
            }
            let v4 = CVSSScore(vector: item["cvss_v4_vector"]?.text?.nonBlank, score: item["cvss_v4_base_score"]?.double)
            let v3 = CVSSScore(vector: item["cvss_v3_vector"]?.text?.nonBlank, score: item["cvss_v3_base_score"]?.double)
            var cvss = [v4, v3].compactMap { $0 }
            if let v2 = CVSSScore(vector: item["cvss_vector"]?.text?.nonBlank.map { "CVSS:2.0/\($0)" }, score: item["cvss_base_score"]?.double) {
                cvss.append(v2)
            }
            // `3.0-medium`: AppCheck's priority, as a number and a word.
            let priority = item["priority"]?.text?.split(separator: "-").last.map(String.init)
            let score = v4?.score ?? v3?.score
            let severity = score.map { Severity(cvssScore: $0) } ?? .from(tool: priority, default: .medium)
            let host = item["host"]?.text?.nonBlank ?? item["ipv4_address"]?.text?.nonBlank ?? "unknown host"
            let port = item["port"]?.int.flatMap { $0 > 0 ? $0 : nil }
            // A finding about a product's version names it by CPE: it sits at that component,
            // on the host that serves it, where SCA findings about it land too.
            let cpe = item["cpe"]?.strings.first.flatMap(Self.product(cpe:))
            let location: Location =
                if let cpe, !(item["cves"]?.strings ?? []).isEmpty {
                    .package(
                        PackageLocation(
                            name: cpe.product, version: cpe.version,
                            manifestPath: (item["web_app"]?.text ?? item["url"]?.text).flatMap { URLComponents(string: $0)?.host } ?? host))
                } else if let url = item["url"]?.text?.nonBlank {
                    .endpoint(EndpointLocation(url: url, method: item["method"]?.text?.nonBlank, parameter: item["parameter"]?.text?.nonBlank))
                } else {
                    .host(HostLocation(address: host, port: port))
                }
            var lines = [item["description"]?.text?.nonBlank ?? item["synopsis"]?.text?.nonBlank].compactMap { $0 }
            // Details are text for infrastructure findings, sections (`Messages`, `Technical Details`) for web ones.
            if let details = item["details"] {
                let text =
                    details.isObject
                    ? details.entries.compactMap { entry in entry.value.text.map { "\(entry.key):\n\($0)" } }.joined(separator: "\n\n") : details.text
                if let text = text?.nonBlank { lines.append("Technical details:\n\(text)") }
            }
            if let notes = item["notes"]?.text?.nonBlank { lines.append("Notes: \(notes)") }
            output.findings.append(
                Finding(
                    category: item["type"]?.text?.uppercased() == "INFRA" ? .infra : .dast, tool: output.tool, ruleID: title, title: title,
                    description: lines.joined(separator: "\n\n"), toolSeverity: item["priority"]?.text, severity: severity,
                    confidence: item["mss_confirmed"]?.bool == true ? .high : nil, vulnerabilityIDs: .parsing(item["cves"]?.strings ?? []),
                    cvss: cvss,
                    location: location, remediation: item["solution"]?.text?.nonBlank, references: item["references"]?.strings ?? [],
                    tags: (item["tags"]?.strings ?? []) + (item["OWASP"]?.strings ?? []),
                    suppression: item["disabled"]?.bool == true ? Suppression(kind: .accepted, justification: "disabled in AppCheck") : nil,
                    raw: .json(item)))
        }
        if gone > 0 { output.diagnostics.append(Diagnostic("\(gone) fixed or trashed vulnerability record(s) left out", level: .note)) }
        return output
    }
}
