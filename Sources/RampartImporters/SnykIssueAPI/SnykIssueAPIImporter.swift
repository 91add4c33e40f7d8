import Foundation
import RampartCore

/// Snyk's REST Issues API (`GET /rest/orgs/{org}/issues`, JSON:API): the issues of an
/// organization or project, whatever Snyk product found them. Code issues (`code`) are placed
/// at their source region, package vulnerabilities (`package_vulnerability`) and license issues
/// (`license`) at their package. Vulnerability ids and aliases come from `problems`, CWEs from
/// `classes`, CVSS from `severities` (Snyk's first), exploit maturity from `exploit_details`.
/// Resolved issues are gone (counted in a note); ignored ones are kept as suppressed.
struct SnykIssueAPIImporter: ReportImporter {
    let info = FormatInfo(
        id: "snyk-issues-api-json", name: "Snyk REST Issues API JSON", tool: "Snyk", category: .sca, syntax: .json,
        notes: "code, package and license issues with problems (ids), CWEs, CVSS, exploit maturity, fixability; ignored kept as suppressed",
        defectDojoScanTypes: ["Snyk Issue API Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["jsonapi"] != nil, let first = root["data"]?.array.first else { return nil }
        guard first["type"]?.text == "issue", let attributes = first["attributes"] else { return nil }
        return attributes["effective_severity_level"] != nil && attributes["coordinates"] != nil ? .certain : nil
    }

    /// The ecosystem a Snyk vulnerability id names: `SNYK-PYTHON-PILLOW-5918878` → python.
    static func ecosystem(ofSnykID id: String) -> String? {
        let parts = id.split(separator: "-")
        guard parts.count >= 3, parts[0] == "SNYK" else { return nil }
        switch parts[1] {
        case "JS": return "npm"
        case "PYTHON": return "pypi"
        case "JAVA": return "maven"
        case "GOLANG": return "golang"
        case "RUBY": return "gem"
        case "PHP": return "composer"
        case "DOTNET": return "nuget"
        case "RUST": return "cargo"
        case "HEX": return "hex"
        case "SWIFT", "COCOAPODS": return nil
        default: return String(parts[1]).lowercased()
        }
    }

    static func maturity(_ details: JSONNode?) -> ExploitMaturity? {
        let levels = (details?["maturity_levels"]?.array ?? []).compactMap { $0["level"]?.text?.lowercased() }
        // Snyk also writes "No Known Exploit" for what the other scales call unproven.
        return levels.compactMap { $0 == "no known exploit" ? .unproven : ExploitMaturity(toolText: $0) }.max()
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Snyk"))
        var resolved = 0
        for issue in root["data"]?.array ?? [] where issue["type"]?.text == "issue" {
            guard let attributes = issue["attributes"], let title = attributes["title"]?.text else {
                output.diagnostics.append(Diagnostic("issue without a title skipped", at: issue.position))
                continue
            }
            if attributes["status"]?.text == "resolved" {
                resolved += 1
                continue
            }
            let kind = attributes["type"]?.text ?? "unknown"
            let problems = attributes["problems"]?.array.compactMap { $0["id"]?.text } ?? []
            let cwes = CWE.parseAll((attributes["classes"]?.array ?? []).filter { $0["source"]?.text == "CWE" }.compactMap { $0["id"]?.text })
            var cvss: [CVSSScore] = []
            for severity in attributes["severities"]?.array ?? [] {
                if let made = CVSSScore(vector: severity["vector"]?.text, score: severity["score"]?.double, source: severity["source"]?.text) {
                    cvss.append(made)
                }
            }
            let coordinate = attributes["coordinates"]?.array.first
            let representations = coordinate?["representations"]?.array ?? []
            let level = attributes["effective_severity_level"]?.text
            let ruleID = problems.first ?? attributes["key"]?.text ?? issue["id"]?.text ?? "unknown"
            var location: Location
            var category: FindingCategory
            var vulnerabilityIDs: [VulnerabilityID] = []
            if let dependency = representations.lazy.compactMap({ $0["dependency"] }).first {
                let name = dependency["package_name"]?.text ?? "unknown"
                category = .sca
                vulnerabilityIDs = .parsing(problems)
                location = .package(
                    packageLocation(
                        name: name, version: dependency["package_version"]?.text, ecosystem: problems.lazy.compactMap(Self.ecosystem).first))
            } else if let source = representations.lazy.compactMap({ $0["sourceLocation"] }).first {
                category = kind == "code" ? .sast : .iac
                location = .code(
                    CodeLocation(
                        file: source["file"]?.text ?? "", startLine: source["region"]?["start"]?["line"]?.int,
                        endLine: source["region"]?["end"]?["line"]?.int, startColumn: source["region"]?["start"]?["column"]?.int,
                        endColumn: source["region"]?["end"]?["column"]?.int))
            } else {
                output.diagnostics.append(Diagnostic("\(kind) issue \(title) names no package or source location: skipped", at: issue.position))
                continue
            }
            var fixes: [String] = []
            for (flag, words) in [
                ("is_upgradeable", "upgrade"), ("is_pinnable", "pin"), ("is_patchable", "patch"), ("is_fixable_snyk", "Snyk fix PR"),
            ]
            where coordinate?[flag]?.bool == true {
                fixes.append(words)
            }
            var finding = Finding(
                category: category, tool: output.tool, ruleID: ruleID, title: title,
                description: (attributes["description"]?.text.flatMap { $0 == title ? nil : $0 } ?? "")
                    + "\n\nSnyk \(kind) issue \(attributes["key"]?.text ?? "")",
                toolSeverity: level, severity: .from(tool: level, score: cvss.first?.score), cwes: cwes, vulnerabilityIDs: vulnerabilityIDs,
                cvss: cvss, location: location, remediation: fixes.isEmpty ? nil : "Fixable by Snyk: " + fixes.joined(separator: ", "),
                tags: [kind] + (coordinate?["reachability"]?.text.map { ["reachability:\($0)"] } ?? []),
                suppression: attributes["ignored"]?.bool == true ? Suppression(kind: .accepted, justification: "ignored in Snyk") : nil,
                raw: .json(issue))
            finding.description = finding.description?.trimmingCharacters(in: .whitespacesAndNewlines)
            finding.exploitMaturity = Self.maturity(attributes["exploit_details"])
            finding.toolFingerprint = kind == "code" ? attributes["key"]?.text : nil
            output.findings.append(finding)
        }
        if resolved > 0 { output.diagnostics.append(Diagnostic("\(resolved) resolved issue(s) left out", level: .note)) }
        return output
    }
}
