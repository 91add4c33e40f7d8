import Foundation
import RampartCore

/// Kiuwan Insights (SCA) vulnerabilities as its API gives them (`GET /insights/analysis/security`):
/// an array of vulnerabilities, each with the components (`artifact` as group:artifact, and
/// version) it affects. One finding per vulnerability and component, with the CVE, CWE, CVSS v3
/// (or v2) base score and Kiuwan's risk; muted vulnerabilities are kept as suppressed.
struct KiuwanSCAImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "kiuwan-sca-json", name: "Kiuwan Insights SCA JSON", tool: "Kiuwan", category: .sca, syntax: .json,
        notes: "vulnerabilities per affected component with CVE, CWE, CVSS score and risk; muted kept as suppressed",
        defectDojoScanTypes: ["Kiuwan SCA Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first else { return nil }
        return first["components"]?.array.first?["artifact"] != nil && first["securityRisk"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        var output = ImporterOutput(tool: ToolInfo(name: "Kiuwan"))
        for vulnerability in root.array {
            let cve = vulnerability["cve"]?.text?.nonBlank
            let id = cve ?? vulnerability["id"]?.text ?? "unknown"
            let risk = vulnerability["securityRisk"]?.text
            let score = vulnerability["cVSSv3BaseScore"]?.double ?? vulnerability["cVSSv3BaseScore"]?.text.flatMap(Double.init)
            let scoreV2 = vulnerability["cVSSv2BaseScore"]?.double ?? vulnerability["cVSSv2BaseScore"]?.text.flatMap(Double.init)
            let cvss = [
                score.flatMap { CVSSScore(vector: nil, score: $0, source: "CVSS v3 base score (Kiuwan)") },
                score == nil ? scoreV2.flatMap { CVSSScore(vector: nil, score: $0, source: "CVSS v2 base score (Kiuwan)") } : nil,
            ].compactMap { $0 }
            let components = vulnerability["components"]?.array ?? []
            if components.isEmpty {
                output.diagnostics.append(Diagnostic("vulnerability \(id) names no component: skipped", at: vulnerability.position))
            }
            for component in components {
                let artifact = component["artifact"]?.text ?? "unknown"
                let version = component["version"]?.text
                output.findings.append(
                    Finding(
                        category: .sca, tool: output.tool, ruleID: id, title: "\(id) in \(artifact)\(version.map { " \($0)" } ?? "")",
                        description: vulnerability["description"]?.text, toolSeverity: risk, severity: .from(tool: risk, score: score ?? scoreV2),
                        cwes: CWE.parseAll([vulnerability["cwe"]?.text].compactMap { $0 }), vulnerabilityIDs: .parsing([cve].compactMap { $0 }),
                        cvss: cvss,
                        location: .package(packageLocation(name: artifact, version: version, ecosystem: artifact.contains(":") ? "maven" : nil)),
                        suppression: vulnerability["muted"]?.bool == true ? Suppression(kind: .accepted, justification: "muted in Kiuwan") : nil,
                        raw: .json(vulnerability)))
            }
        }
        return output
    }
}
