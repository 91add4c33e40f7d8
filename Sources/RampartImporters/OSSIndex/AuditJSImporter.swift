import Foundation
import RampartCore

/// AuditJS' JSON output (`auditjs ossi --json`): npm packages checked against Sonatype OSS
/// Index, each with the vulnerabilities found (CVE, CVSS v3 or v4 vector and score).
struct AuditJSImporter: ReportImporter {
    let info = FormatInfo(
        id: "auditjs-json", name: "AuditJS (OSS Index) JSON", tool: "AuditJS", category: .sca, syntax: .json,
        notes: "npm packages with OSS Index vulnerabilities, CVE and CVSS", defectDojoScanTypes: ["AuditJS Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, first.isObject else { return nil }
        return first["coordinates"]?.string?.hasPrefix("pkg:") == true && first["vulnerabilities"] != nil && first["reference"] != nil
            ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        var output = ImporterOutput(tool: ToolInfo(name: "AuditJS"))
        for component in root.array {
            let coordinates = component["coordinates"]?.text ?? ""
            let purl = PackageURL(parsing: coordinates)
            let name = purl.map { [$0.namespace, $0.name].compactMap { $0 }.joined(separator: "/") } ?? coordinates
            for vulnerability in component["vulnerabilities"]?.array ?? [] {
                let cve = vulnerability["cve"]?.text?.nonBlank
                let id = cve ?? vulnerability["id"]?.text ?? "unknown"
                let cvss = CVSSScore(vector: vulnerability["cvssVector"]?.text, score: vulnerability["cvssScore"]?.double)
                output.findings.append(
                    Finding(
                        category: .sca, tool: output.tool, ruleID: id, title: vulnerability["title"]?.text ?? "\(id) in \(name)",
                        description: vulnerability["description"]?.text, severity: .from(tool: nil, score: cvss?.score),
                        cwes: CWE.parseAll([vulnerability["title"]?.text].compactMap { $0 }),
                        vulnerabilityIDs: .parsing([cve, vulnerability["id"]?.text].compactMap { $0 }), cvss: cvss.map { [$0] } ?? [],
                        location: .package(packageLocation(name: name, version: purl?.version, ecosystem: purl?.type, purl: coordinates)),
                        references: [vulnerability["reference"]?.text].compactMap { $0 }, raw: .json(vulnerability)))
            }
        }
        return output
    }
}
