import Foundation
import RampartCore

/// Black Duck's security report CSV (`security_*.csv` of a project version's report export):
/// one row per vulnerability of a component version, with its origin (ecosystem and
/// coordinates), CVSS base score, Black Duck's security risk and the remediation status.
/// Remediated vulnerabilities are not findings; ignored ones, and those marked not affected
/// (or as mitigated), are kept as suppressed.
struct BlackDuckImporter: ReportImporter {
    let info = FormatInfo(
        id: "blackduck-csv", name: "Black Duck security CSV", tool: "Black Duck", category: .sca, syntax: .csv,
        notes: "component vulnerabilities (CVE or BDSA, CVSS, security risk) with origin coordinates and remediation status",
        defectDojoScanTypes: ["Blackduck Hub Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["Vulnerability id", "Channel version origin id", "Security Risk"].allSatisfy(header.contains) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "Black Duck"))
        var remediated = 0
        for record in table.records {
            guard let id = record["Vulnerability id"] else { continue }
            let status = record["Remediation status"]?.uppercased() ?? "NEW"
            if status == "REMEDIATION_COMPLETE" || status == "PATCHED" {
                remediated += 1
                continue
            }
            // `maven` and `commons-beanutils:commons-beanutils:1.8.3`: the origin's coordinates end with the version.
            let originName = record["Channel version origin"]?.lowercased()
            let origin = originName == "npmjs" ? "npm" : originName == "pypi" ? "pypi" : originName
            let coordinates = record["Channel version origin id"]
            let version = record["Version"] ?? record["Channel version origin name"]
            var name = record["Project name"] ?? "component"
            if let coordinates, let version, coordinates.hasSuffix(":\(version)") || coordinates.hasSuffix("/\(version)") {
                name = String(coordinates.dropLast(version.count + 1))
            }
            let source = record["Vulnerability source"]?.uppercased()
            let advisory = source == "NVD" && !id.hasPrefix("CVE-") ? "CVE-\(id)" : source == "BDSA" && !id.hasPrefix("BDSA-") ? "BDSA-\(id)" : id
            let score = record.double("Base score")
            let risk = record["Security Risk"]
            var finding = Finding(
                category: .sca, tool: output.tool, ruleID: advisory,
                title: "\(advisory) in \(record["Project name"] ?? name) \(version ?? "")".trimmingCharacters(in: .whitespaces),
                description: [record["Description"], record["Remediation comment"].map { "Comment: \($0)" }].compactMap { $0 }.joined(
                    separator: "\n\n"),
                toolSeverity: risk, severity: .from(tool: risk, score: score, default: .medium), vulnerabilityIDs: .parsing([advisory]),
                cvss: CVSSScore(vector: nil, score: score, source: "Black Duck (\(source ?? "vulnerability source"))").map { [$0] } ?? [],
                location: .package(packageLocation(name: name, version: version, ecosystem: origin)), references: [record["URL"]].compactMap { $0 },
                raw: .csv(record))
            switch status {
            case "IGNORED":
                finding.suppression = Suppression(kind: .accepted, justification: record["Remediation comment"] ?? "ignored in Black Duck")
            case "NOT_AFFECTED": finding.suppression = Suppression(kind: .notAffected, justification: record["Remediation comment"] ?? "not affected")
            case "MITIGATED":
                finding.suppression = Suppression(kind: .accepted, justification: record["Remediation comment"] ?? "mitigated in Black Duck")
            default: break
            }
            output.findings.append(finding)
        }
        if remediated > 0 { output.diagnostics.append(Diagnostic("\(remediated) remediated vulnerability(ies) are not findings", level: .note)) }
        return output
    }
}
