import Foundation
import RampartCore

/// DevAudit's OSS Index JSON (`devaudit ... --output json`): audited packages of a manifest
/// (npm, NuGet, Composer, ...) each with the OSS Index vulnerabilities found for it (CVSS
/// score and vector, CWE, reference).
struct DevAuditImporter: ReportImporter {
    let info = FormatInfo(
        id: "devaudit-json", name: "DevAudit OSS Index JSON", tool: "DevAudit", category: .sca, syntax: .json,
        notes: "package vulnerabilities from OSS Index with CVSS vector and CWE", defectDojoScanTypes: ["OssIndex Devaudit SCA Scan Importer"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["Packages Audited"] != nil || root["Vulnerabilities Found"] != nil,
            root["Packages"] != nil
        else {
            return nil
        }
        return .certain
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "DevAudit"))
        for entry in root["Packages"]?.array ?? [] {
            let package = entry["Package"]
            let name = [package?["group"]?.text.flatMap { $0 == "None" ? nil : $0.nonBlank }, package?["name"]?.text].compactMap { $0 }.joined(
                separator: "/")
            let manager = package?["pm"]?.text
            for vulnerability in entry["Vulnerabilities"]?.array ?? [] {
                let id = vulnerability["id"]?.text ?? "ossindex"
                let score = vulnerability["cvssScore"]?.double ?? vulnerability["cvssScore"]?.text.flatMap(Double.init)
                let cve = vulnerability["cve"]?.text
                output.findings.append(
                    Finding(
                        category: .sca, tool: output.tool, ruleID: cve ?? id,
                        title: "\(name.nonBlank ?? "package"): \(vulnerability["title"]?.text ?? id)",
                        description: vulnerability["description"]?.text, severity: score.map(Severity.init(cvssScore:)) ?? .medium,
                        cwes: CWE.parseAll([vulnerability["cwe"]?.text ?? ""]), vulnerabilityIDs: .parsing([cve].compactMap { $0 } + [id]),
                        cvss: CVSSScore(vector: vulnerability["cvssVector"]?.text, score: score, source: "OSS Index").map { [$0] } ?? [],
                        location: .package(packageLocation(name: name.nonBlank ?? "package", version: package?["version"]?.text, ecosystem: manager)),
                        references: [vulnerability["reference"]?.text?.nonBlank].compactMap { $0 }, raw: .json(vulnerability)))
            }
        }
        return output
    }
}
