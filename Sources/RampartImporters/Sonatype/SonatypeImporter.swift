import Foundation
import RampartCore

/// Sonatype's component scan JSON (Nexus IQ / Lifecycle application evaluation, the `components[]`
/// of a report's raw data): each component's identifier and purl, where it was found, and its
/// security issues (CVE or Sonatype id, CVSS score, threat category, status).
/// One finding per security issue and component; issues a policy waived or marked not
/// applicable are kept as suppressed.
struct SonatypeImporter: ReportImporter {
    let info = FormatInfo(
        id: "sonatype-json", name: "Sonatype IQ component report JSON", tool: "Sonatype IQ", category: .sca, syntax: .json,
        notes: "component security issues (CVE or sonatype id, CVSS, threat category) with purl and paths",
        defectDojoScanTypes: ["Sonatype Application Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let components = root["components"], components.isArray else { return nil }
        guard let first = components.array.first else { return root["matchSummary"] != nil ? .likely : nil }
        return first["componentIdentifier"] != nil && (first["securityData"] != nil || first["matchState"] != nil) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Sonatype IQ"))
        for component in root["components"]?.array ?? [] {
            let identifier = component["componentIdentifier"]
            let coordinates = identifier?["coordinates"]
            let format = identifier?["format"]?.text
            let name =
                [coordinates?["groupId"]?.text, coordinates?["artifactId"]?.text].compactMap { $0?.nonBlank }.joined(separator: ":").nonBlank
                ?? coordinates?["packageId"]?.text ?? coordinates?["name"]?.text ?? component["displayName"]?.text ?? "component"
            let version = coordinates?["version"]?.text
            let paths = component["pathnames"]?.strings ?? []
            for issue in component["securityData", "securityIssues"]?.array ?? [] {
                let reference = issue["reference"]?.text ?? "sonatype"
                let score = issue["severity"]?.double
                let status = issue["status"]?.text
                var finding = Finding(
                    category: .sca, tool: output.tool, ruleID: reference, title: "\(reference) in \(name)",
                    description: [
                        issue["threatCategory"]?.text.map { "Threat category: \($0)" }, status.map { "Status: \($0)" },
                        paths.isEmpty
                            ? nil
                            : "Found at:\n" + paths.prefix(20).joined(separator: "\n") + (paths.count > 20 ? "\n(and \(paths.count - 20) more)" : ""),
                    ].compactMap { $0 }.joined(separator: "\n"),
                    toolSeverity: issue["threatCategory"]?.text, severity: score.map(Severity.init(cvssScore:)) ?? .medium,
                    cwes: CWE.parseAll([issue["cwe"]?.text ?? ""]), vulnerabilityIDs: .parsing([reference]),
                    cvss: CVSSScore(vector: issue["vector"]?.text, score: score, source: issue["source"]?.text ?? "Sonatype").map { [$0] } ?? [],
                    location: .package(
                        packageLocation(
                            name: name, version: version, ecosystem: format, purl: component["packageUrl"]?.text,
                            manifestPath: nil)),
                    references: [issue["url"]?.text].compactMap { $0 }, raw: .json(issue))
                switch status?.lowercased() {
                case "not applicable": finding.suppression = Suppression(kind: .notAffected, justification: "marked not applicable in Sonatype IQ")
                case "waived", "legacy violation": finding.suppression = Suppression(kind: .accepted, justification: "waived in Sonatype IQ")
                default: break
                }
                output.findings.append(finding)
            }
        }
        return output
    }
}
