import Foundation
import RampartCore

/// GitHub's security alerts as its APIs return them: Dependabot alerts (GraphQL
/// `vulnerabilityAlerts`, from a repository or a search, and the REST `dependabot/alerts`),
/// code scanning alerts (REST `code-scanning/alerts`) and secret scanning alerts (REST
/// `secret-scanning/alerts`, which carry the secret itself). Dismissed and resolved alerts are
/// kept as suppressed with their reason; fixed ones are GitHub saying the problem is gone and
/// are not findings.
struct GitHubAlertsImporter: ReportImporter {
    let info = FormatInfo(
        id: "github-alerts-json", name: "GitHub security alerts JSON", tool: "GitHub", category: .sca, syntax: .json,
        notes: "Dependabot (GraphQL and REST), code scanning and secret scanning alerts; dismissals kept as suppressions, fixed alerts skipped",
        defectDojoScanTypes: ["Github Vulnerability Scan", "Github SAST Scan", "Github Secrets Detection Report Scan"])

    static let secretScanning = SecretFields(secret: [["secret"]])
    var secretFields: [SecretFields] { [Self.secretScanning] }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        if root.isObject,
            root["data", "repository", "vulnerabilityAlerts"] != nil || root["data", "search", "nodes"] != nil
                || root["data", "repository", "search", "nodes"] != nil
        {
            return .certain
        }
        guard root.isArray, let first = root.array.first, first["number"] != nil, first["html_url"] != nil else { return nil }
        if first["security_advisory"] != nil || first["rule"] != nil && first["most_recent_instance"] != nil || first["secret_type"] != nil {
            return .certain
        }
        return nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "GitHub"))
        var fixed = 0
        if root.isObject {
            var alerts = root["data", "repository", "vulnerabilityAlerts", "nodes"]?.array ?? []
            let searched = (root["data", "search", "nodes"]?.array ?? []) + (root["data", "repository", "search", "nodes"]?.array ?? [])
            for node in searched { alerts += node["vulnerabilityAlerts", "nodes"]?.array ?? [] }
            for alert in alerts {
                if alert["state"]?.string == "FIXED" || alert["fixedAt"]?.string != nil {
                    fixed += 1
                    continue
                }
                output.findings.append(graphQLDependabot(alert, tool: output.tool))
            }
        } else {
            for alert in root.array {
                let state = alert["state"]?.string?.lowercased()
                if state == "fixed" {
                    fixed += 1
                    continue
                }
                if alert["security_advisory"] != nil {
                    output.findings.append(restDependabot(alert, tool: output.tool))
                } else if alert["rule"] != nil {
                    output.findings.append(codeScanning(alert, tool: output.tool))
                } else if alert["secret_type"] != nil {
                    output.findings.append(secretScanning(alert, tool: output.tool))
                }
            }
        }
        if fixed > 0 { output.diagnostics.append(Diagnostic("\(fixed) alert(s) GitHub marks fixed were not imported as findings", level: .note)) }
        return output
    }

    /// GitHub's dismissal reasons: Dependabot's (fix_started, inaccurate, no_bandwidth, not_used,
    /// tolerable_risk), code scanning's (false positive, won't fix, used in tests), secret
    /// scanning's resolutions (false_positive, wont_fix, revoked, used_in_tests).
    static func suppression(reason: String?, comment: String?) -> Suppression? {
        guard let reason = reason?.nonBlank, reason != "None" else { return nil }
        let note = comment.flatMap { $0 == "None" ? nil : $0.nonBlank } ?? reason
        switch reason.lowercased().replacingOccurrences(of: " ", with: "_") {
        case "inaccurate", "false_positive": return Suppression(kind: .falsePositive, justification: note)
        case "not_used", "used_in_tests": return Suppression(kind: .notAffected, justification: note)
        default: return Suppression(kind: .accepted, justification: note)
        }
    }

    private func graphQLDependabot(_ alert: JSONNode, tool: ToolInfo) -> Finding {
        let vulnerability = alert["securityVulnerability"]
        let advisory = vulnerability?["advisory"]
        let ids = (advisory?["identifiers"]?.array ?? []).compactMap { $0["value"]?.text } + [advisory?["ghsaId"]?.text].compactMap { $0 }
        let name = vulnerability?["package", "name"]?.text ?? "unknown"
        let patched = vulnerability?["firstPatchedVersion", "identifier"]?.text
        let severityText = vulnerability?["severity"]?.text
        let cvss = CVSSScore(vector: advisory?["cvss", "vectorString"]?.text, score: advisory?["cvss", "score"]?.double)
        let requirement = alert["vulnerableRequirements"]?.text
        return Finding(
            category: .sca, tool: tool, ruleID: [VulnerabilityID].parsing(ids).canonical?.value ?? alert["id"]?.text ?? "unknown",
            title: advisory?["summary"]?.text ?? "Vulnerability in \(name)", description: advisory?["description"]?.text,
            toolSeverity: severityText, severity: .from(tool: severityText, score: cvss?.score),
            cwes: CWE.parseAll((advisory?["cwes", "nodes"]?.array ?? []).compactMap { $0["cweId"]?.text }), vulnerabilityIDs: .parsing(ids),
            cvss: cvss.map { [$0] } ?? [],
            location: .package(
                packageLocation(
                    name: name, version: requirement.flatMap(Self.pinnedVersion), ecosystem: vulnerability?["package", "ecosystem"]?.text,
                    fixedVersions: patched.map { [$0] } ?? [],
                    manifestPath: alert["vulnerableManifestPath"]?.text ?? alert["vulnerableManifestFilename"]?.text)),
            remediation: patched.map { "Upgrade \(name) to \($0)" },
            references: (advisory?["references"]?.array ?? []).compactMap { $0["url"]?.text } + [advisory?["permalink"]?.text].compactMap { $0 },
            tags: [alert["dependencyScope"]?.text.map { "scope:\($0.lowercased())" }].compactMap { $0 },
            suppression: Self.suppression(reason: alert["dismissReason"]?.text, comment: alert["dismissComment"]?.text), raw: .json(alert))
    }

    private func restDependabot(_ alert: JSONNode, tool: ToolInfo) -> Finding {
        let advisory = alert["security_advisory"]
        let vulnerability = alert["security_vulnerability"]
        let ids =
            [advisory?["ghsa_id"]?.text, advisory?["cve_id"]?.text].compactMap { $0 }
            + (advisory?["identifiers"]?.array ?? []).compactMap { $0["value"]?.text }
        let name = alert["dependency", "package", "name"]?.text ?? vulnerability?["package", "name"]?.text ?? "unknown"
        let patched = vulnerability?["first_patched_version", "identifier"]?.text
        let severityText = vulnerability?["severity"]?.text ?? advisory?["severity"]?.text
        let cvss = CVSSScore(vector: advisory?["cvss", "vector_string"]?.text, score: advisory?["cvss", "score"]?.double)
        return Finding(
            category: .sca, tool: tool, ruleID: [VulnerabilityID].parsing(ids).canonical?.value ?? "dependabot:\(alert["number"]?.text ?? "?")",
            title: advisory?["summary"]?.text ?? "Vulnerability in \(name)", description: advisory?["description"]?.text,
            toolSeverity: severityText, severity: .from(tool: severityText, score: cvss?.score),
            cwes: CWE.parseAll((advisory?["cwes"]?.array ?? []).compactMap { $0["cwe_id"]?.text }), vulnerabilityIDs: .parsing(ids),
            cvss: cvss.map { [$0] } ?? [],
            location: .package(
                packageLocation(
                    name: name, version: nil, ecosystem: alert["dependency", "package", "ecosystem"]?.text, fixedVersions: patched.map { [$0] } ?? [],
                    manifestPath: alert["dependency", "manifest_path"]?.text)),
            remediation: patched.map { "Upgrade \(name) to \($0)" },
            references: [alert["html_url"]?.text].compactMap { $0 } + (advisory?["references"]?.array ?? []).compactMap { $0["url"]?.text },
            tags: [alert["dependency", "scope"]?.text.map { "scope:\($0)" }].compactMap { $0 },
            suppression: Self.suppression(reason: alert["dismissed_reason"]?.text, comment: alert["dismissed_comment"]?.text), raw: .json(alert))
    }

    private func codeScanning(_ alert: JSONNode, tool: ToolInfo) -> Finding {
        let rule = alert["rule"]
        let instance = alert["most_recent_instance"]
        let ruleID = rule?["id"]?.text ?? rule?["name"]?.text ?? "unknown"
        let severityText = rule?["security_severity_level"]?.text ?? rule?["severity"]?.text
        let scanner = alert["tool", "name"]?.text
        return Finding(
            category: .sast, tool: tool, ruleID: ruleID, title: rule?["description"]?.text.map { "\($0) (\(ruleID))" } ?? ruleID,
            description: instance?["message", "text"]?.text ?? rule?["full_description"]?.text, toolSeverity: severityText,
            severity: .from(tool: severityText, default: .medium), cwes: CWE.parseAll(rule?["tags"]?.strings.filter { $0.contains("cwe") } ?? []),
            location: .code(
                CodeLocation(
                    file: instance?["location", "path"]?.text ?? "", startLine: instance?["location", "start_line"]?.int,
                    endLine: instance?["location", "end_line"]?.int, startColumn: instance?["location", "start_column"]?.int,
                    endColumn: instance?["location", "end_column"]?.int)),
            references: [alert["html_url"]?.text].compactMap { $0 }, tags: scanner.map { ["scanner:\($0)"] } ?? [],
            suppression: Self.suppression(reason: alert["dismissed_reason"]?.text, comment: alert["dismissed_comment"]?.text), raw: .json(alert))
    }

    private func secretScanning(_ alert: JSONNode, tool: ToolInfo) -> Finding {
        let type = alert["secret_type_display_name"]?.text ?? alert["secret_type"]?.text ?? "Secret"
        let location = alert["first_location_detected"]
        let validity = alert["validity"]?.text
        var finding = Finding(
            category: .secrets, tool: tool, ruleID: alert["secret_type"]?.text ?? "secret", title: "Exposed secret: \(type)",
            description: [validity.map { "Validity: \($0)" }, alert["publicly_leaked"]?.bool == true ? "Publicly leaked" : nil].compactMap { $0 }
                .joined(separator: "\n").nonBlank,
            severity: validity == "active" ? .critical : .high, cwes: [798],
            location: .code(
                CodeLocation(file: location?["path"]?.text ?? "", startLine: location?["start_line"]?.int, endLine: location?["end_line"]?.int)),
            references: [alert["html_url"]?.text].compactMap { $0 },
            suppression: Self.suppression(reason: alert["resolution"]?.text, comment: alert["resolution_comment"]?.text), raw: .json(alert))
        finding.revealedSecrets = Self.secretScanning.values(in: alert)
        return finding
    }

    /// "= 1.5.0" → "1.5.0": only an exact requirement names the installed version.
    static func pinnedVersion(_ requirement: String) -> String? {
        let trimmed = requirement.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("=") else { return nil }
        return trimmed.dropFirst().trimmingCharacters(in: .whitespaces).nonBlank
    }
}
