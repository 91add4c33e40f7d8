import Foundation
import RampartCore

/// Veracode SCA (SourceClear) issues: the workspace issue CSV export and the SCA API's issue
/// list (`_embedded.issues`). One finding per vulnerability issue on its library (purl from the
/// package manager and coordinates, direct or transitive); license and outdated-library issues
/// are not vulnerabilities and are counted in a note. Issues Veracode marks fixed are kept as
/// suppressed (fixed), ignored ones as accepted.
struct VeracodeSCAImporter: ReportImporter {
    let syntax: ReportSyntax
    let info: FormatInfo

    init(syntax: ReportSyntax) {
        self.syntax = syntax
        info = FormatInfo(
            id: "veracode-sca-\(syntax.rawValue)", name: "Veracode SCA issues \(syntax == .csv ? "CSV" : "API JSON")", tool: "Veracode SCA",
            category: .sca, syntax: syntax, notes: "vulnerability issues per library with CVE, CVSS, CWE, direct or transitive, status",
            defectDojoScanTypes: ["Veracode SourceClear Scan"])
    }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        if syntax == .csv, let header = report.csvTable?.header {
            return header.contains("Issue ID") && header.contains("Library") && header.contains("Vulnerability ID") ? .certain : nil
        }
        guard syntax == .json, let issues = report.jsonRoot?["_embedded", "issues"], issues.isArray else { return nil }
        guard let first = issues.array.first else { return .possible }
        return first["issue_type"] != nil && first["library"] != nil ? .certain : nil
    }

    /// The package manager's ecosystem and the library's name as purls and findings spell it.
    static func package(manager: String?, coordinate1: String?, coordinate2: String?, name: String?) -> (ecosystem: String?, name: String) {
        let ecosystem = manager?.lowercased()
        switch ecosystem {
        case "maven", "gradle":
            if let group = coordinate1, let artifact = coordinate2 { return ("maven", "\(group):\(artifact)") }
        default: break
        }
        return (ecosystem, coordinate1 ?? name ?? "unknown")
    }

    struct Issue {
        var id: String
        var type: String
        var status: String?
        var ignored: Bool
        var library: (ecosystem: String?, name: String)
        var version: String?
        var direct: Bool?
        var vulnerabilityTitle: String?
        var cve: String?
        var cvssVector: String?
        var cvssScore: Double?
        var severityText: String?
        var cwe: String?
        var latest: String?
        var link: String?
    }

    func finding(_ issue: Issue, tool: ToolInfo, raw: RawEvidence) -> Finding {
        let cve = issue.cve.map { $0.uppercased().hasPrefix("CVE-") ? $0 : "CVE-\($0)" }
        let ids = [VulnerabilityID].parsing([cve].compactMap { $0 })
        let title = "\(issue.vulnerabilityTitle ?? "Vulnerability") in \(issue.library.name)\(issue.version.map { " \($0)" } ?? "")"
        let vector = issue.cvssVector?.nonBlank.map { $0.hasPrefix("CVSS:") ? $0 : "CVSS:3.1/" + $0 }
        let suppression: Suppression? =
            issue.status?.lowercased() == "fixed"
            ? Suppression(kind: .fixed, justification: "Veracode marks the issue fixed")
            : issue.ignored ? Suppression(kind: .accepted, justification: "ignored in Veracode") : nil
        return Finding(
            category: .sca, tool: tool, ruleID: ids.canonical?.value ?? "veracode-\(issue.id)", title: title,
            description: ["Veracode issue \(issue.id)", issue.status.map { "Status: \($0)" }, issue.latest.map { "Latest version: \($0)" }]
                .compactMap { $0 }.joined(separator: "\n"),
            toolSeverity: issue.severityText, severity: .from(tool: issue.severityText, score: issue.cvssScore, default: .medium),
            cwes: CWE.parseAll([issue.cwe].compactMap { $0 }), vulnerabilityIDs: ids,
            cvss: [CVSSScore(vector: vector, score: issue.cvssScore, source: "Veracode")].compactMap { $0 },
            location: .package(
                packageLocation(
                    name: issue.library.name, version: issue.version, ecosystem: issue.library.ecosystem,
                    relation: issue.direct.map { $0 ? .direct : .transitive })),
            remediation: issue.latest.map { "Upgrade \(issue.library.name); the latest version is \($0)" },
            references: [issue.link].compactMap { $0 },
            toolFingerprint: issue.id, suppression: suppression, raw: raw)
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        var output = ImporterOutput(tool: ToolInfo(name: "Veracode SCA"))
        var other = 0
        if let table = report.csvTable {
            for row in table.records {
                guard row["Issue type"]?.lowercased() == "vulnerability" else {
                    other += 1
                    continue
                }
                let issue = Issue(
                    id: row["Issue ID"] ?? "", type: "vulnerability", status: row["Status"], ignored: row["Ignored"]?.lowercased() == "true",
                    library: Self.package(
                        manager: row["Package manager"], coordinate1: row["Coordinate 1"], coordinate2: row["Coordinate 2"], name: row["Library"]),
                    version: row["Version in use"], direct: row["Dependency (Transitive or Direct)"].map { $0.lowercased() == "direct" },
                    vulnerabilityTitle: row["Title"], cve: row["CVE"], cvssVector: nil, cvssScore: row.double("CVSS score"),
                    severityText: row["Severity"], cwe: nil, latest: row["Latest version"], link: nil)
                output.findings.append(finding(issue, tool: output.tool, raw: .csv(row)))
            }
        } else if let issues = report.jsonRoot?["_embedded", "issues"] {
            for item in issues.array {
                guard item["issue_type"]?.string == "vulnerability" else {
                    other += 1
                    continue
                }
                // `maven:group:artifact:version:` names the library in the API.
                let parts = (item["library", "id"]?.text ?? "").split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                let library =
                    parts.count >= 3
                    ? Self.package(manager: parts[0], coordinate1: parts[1], coordinate2: parts[2].isEmpty ? nil : parts[2], name: nil)
                    : Self.package(manager: nil, coordinate1: nil, coordinate2: nil, name: item["library", "name"]?.text)
                let vulnerability = item["vulnerability"]
                let issue = Issue(
                    id: item["id"]?.text ?? "", type: "vulnerability", status: item["issue_status"]?.text, ignored: item["ignored"]?.bool == true,
                    library: library, version: item["library", "version"]?.text,
                    direct: item["library", "direct"]?.bool, vulnerabilityTitle: vulnerability?["title"]?.text, cve: vulnerability?["cve"]?.text,
                    cvssVector: vulnerability?["cvss3_vector"]?.text,
                    cvssScore: vulnerability?["cvss3_score"]?.double ?? vulnerability?["cvss2_score"]?.double ?? item["severity"]?.double,
                    severityText: nil, cwe: vulnerability?["cwe_id"]?.text, latest: item["library", "latest_version"]?.text,
                    link: item["_links", "html", "href"]?.text)
                output.findings.append(finding(issue, tool: output.tool, raw: .json(item)))
            }
        }
        if other > 0 {
            output.diagnostics.append(
                Diagnostic("\(other) license or outdated-library issue(s) are not vulnerabilities and were not imported", level: .note))
        }
        return output
    }
}
