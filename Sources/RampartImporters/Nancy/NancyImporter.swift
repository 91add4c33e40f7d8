import Foundation
import RampartCore

/// Nancy's JSON output (`nancy sleuth --output json`): Go modules audited against Sonatype OSS
/// Index, the vulnerable ones with their vulnerabilities; excluded ones are kept as suppressed.
struct NancyImporter: ReportImporter {
    let info = FormatInfo(
        id: "nancy-json", name: "Nancy JSON", tool: "Nancy", category: .sca, syntax: .json,
        notes: "Go modules with OSS Index vulnerabilities, CVSS and CVE; exclusions kept as suppressed", defectDojoScanTypes: ["Nancy Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["vulnerable"] != nil || root["audited"] != nil else { return nil }
        return root["num_audited"] != nil && root["num_vulnerable"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Nancy", version: root["version"]?.text.flatMap { $0 == "development" ? nil : $0 }))
        for module in root["vulnerable"]?.array ?? [] {
            let coordinates = module["Coordinates"]?.text ?? ""
            let purl = PackageURL(parsing: coordinates)
            let name = purl.map { [$0.namespace, $0.name].compactMap { $0 }.joined(separator: "/") } ?? coordinates
            for vulnerability in module["Vulnerabilities"]?.array ?? [] {
                let cve = vulnerability["Cve"]?.text?.nonBlank
                let id = cve ?? vulnerability["Id"]?.text ?? "unknown"
                let cvss = CVSSScore(vector: vulnerability["CvssVector"]?.text?.nonBlank, score: vulnerability["CvssScore"]?.double)
                output.findings.append(
                    Finding(
                        category: .sca, tool: output.tool, ruleID: id, title: vulnerability["Title"]?.text ?? "\(id) in \(name)",
                        description: vulnerability["Description"]?.text, severity: .from(tool: nil, score: cvss?.score),
                        vulnerabilityIDs: .parsing([cve].compactMap { $0 }), cvss: cvss.map { [$0] } ?? [],
                        location: .package(
                            packageLocation(name: name, version: purl?.version, ecosystem: "golang", purl: coordinates, manifestPath: "go.sum")),
                        references: [vulnerability["Reference"]?.text].compactMap { $0 },
                        suppression: vulnerability["Excluded"]?.bool == true ? Suppression(kind: .external, justification: "excluded in Nancy") : nil,
                        raw: .json(vulnerability)))
            }
        }
        let invalid = root["invalid"]?.array.count ?? 0
        if invalid > 0 {
            output.diagnostics.append(
                Diagnostic("Nancy could not audit \(invalid) module(s) with versions that are not semantic versions", level: .note))
        }
        return output
    }
}
