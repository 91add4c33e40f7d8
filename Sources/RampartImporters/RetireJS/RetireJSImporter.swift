import Foundation
import RampartCore

/// Retire.js JSON (`retire --outputformat json`): per scanned file, the JavaScript libraries it
/// recognized and their known vulnerabilities. Retire.js 2+ wraps the results in `data`;
/// earlier versions wrote the array of files itself.
struct RetireJSImporter: ReportImporter {
    let info = FormatInfo(
        id: "retirejs-json", name: "Retire.js JSON", tool: "Retire.js", category: .sca, syntax: .json,
        notes: "vulnerable JavaScript libraries per file with CVE, GHSA and fix range (1.x arrays and 2+ reports)",
        defectDojoScanTypes: ["Retire.js Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        let files = root.isObject ? root["data"] : root
        if root.isObject, root["data"]?.isArray == true, root["start"] != nil, root["messages"] != nil { return .certain }
        guard let first = files?.array.first, first["file"] != nil || first["component"] != nil, let results = first["results"] else { return nil }
        return results.array.first?["detection"] != nil || results.array.first?["component"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "Retire.js", version: root["version"]?.text))
        if let errors = root["errors"]?.array, !errors.isEmpty {
            output.toolReportedError = true
            output.diagnostics.append(Diagnostic("Retire.js reported \(errors.count) error(s); findings missing from this report are not closed"))
        }
        for file in (root.isObject ? root["data"]?.array : root.array) ?? [] {
            let path = file["file"]?.text
            for result in file["results"]?.array ?? [] {
                let component = result["component"]?.text ?? "unknown"
                let version = result["version"]?.text
                for vulnerability in result["vulnerabilities"]?.array ?? [] {
                    let identifiers = vulnerability["identifiers"]
                    let ids = (identifiers?["CVE"]?.strings ?? []) + [identifiers?["githubID"]?.text].compactMap { $0 }
                    let summary = identifiers?["summary"]?.text ?? ids.first ?? "Vulnerability"
                    let below = vulnerability["below"]?.text
                    let severityText = vulnerability["severity"]?.text
                    let ruleID = [VulnerabilityID].parsing(ids).canonical?.value ?? "retire:\(component):\(summary)"
                    output.findings.append(
                        Finding(
                            category: .sca, tool: output.tool, ruleID: ruleID, title: "\(summary) (\(component), \(version ?? "?"))",
                            description: [
                                summary, vulnerability["atOrAbove"]?.text.map { "Affected from \($0)" }, below.map { "Fixed in \($0)" },
                                result["detection"]?.text.map { "Detected by \($0)" },
                            ].compactMap { $0 }.joined(separator: "\n"),
                            toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
                            cwes: CWE.parseAll(vulnerability["cwe"]?.strings ?? []), vulnerabilityIDs: .parsing(ids),
                            location: .package(
                                packageLocation(
                                    name: component, version: version, ecosystem: "npm", fixedVersions: below.map { [$0] } ?? [], artifactPath: path)),
                            remediation: below.map { "Upgrade \(component) to \($0) or later" }, references: vulnerability["info"]?.strings ?? [],
                            raw: .json(vulnerability)))
                }
            }
        }
        return output
    }
}
