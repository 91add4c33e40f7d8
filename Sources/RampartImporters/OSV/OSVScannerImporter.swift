import Foundation
import RampartCore

/// OSV-Scanner JSON (`osv-scanner --format json`): results per source, packages with OSV
/// vulnerabilities (aliases, CVSS severity vectors, database-specific severity and CWEs).
struct OSVScannerImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "osv-scanner-json", name: "OSV-Scanner JSON", tool: "OSV-Scanner", category: .sca, syntax: .json,
        notes: "vulnerabilities per package and source; aliases kept together", defectDojoScanTypes: ["OSV Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let results = root["results"], results.isArray else { return nil }
        guard let first = results.array.first else {
            return root["experimental_config"] != nil ? .likely : root.keys == ["results"] ? .possible : nil
        }
        return first["packages"] != nil && first["source"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "OSV-Scanner"))
        for result in root["results"]?.array ?? [] {
            let source = result["source", "path"]?.text
            for package in result["packages"]?.array ?? [] {
                guard let name = package["package", "name"]?.text else { continue }
                let version = package["package", "version"]?.text
                let ecosystem = package["package", "ecosystem"]?.text
                for vulnerability in package["vulnerabilities"]?.array ?? [] {
                    guard let id = vulnerability["id"]?.text else {
                        output.diagnostics.append(Diagnostic("vulnerability without id skipped", at: vulnerability.position))
                        continue
                    }
                    let cvss = (vulnerability["severity"]?.array ?? []).compactMap {
                        CVSSScore(vector: $0["score"]?.text, score: nil, source: $0["type"]?.text)
                    }
                    let severityText = vulnerability["database_specific", "severity"]?.text
                    var fixed: [String] = []
                    for affected in vulnerability["affected"]?.array ?? [] where affected["package", "name"]?.text == name {
                        for range in affected["ranges"]?.array ?? [] {
                            fixed += (range["events"]?.array ?? []).compactMap { $0["fixed"]?.text }
                        }
                    }
                    output.findings.append(
                        Finding(
                            category: .sca, tool: output.tool, ruleID: id,
                            title: vulnerability["summary"]?.text.map { "\(id): \($0)" } ?? "\(id) in \(name)",
                            description: vulnerability["details"]?.text, toolSeverity: severityText,
                            severity: .from(tool: severityText, score: cvss.first?.score, default: .medium),
                            cwes: CWE.parseAll(vulnerability["database_specific", "cwe_ids"]?.strings ?? []),
                            vulnerabilityIDs: .parsing([id] + (vulnerability["aliases"]?.strings ?? [])), cvss: cvss,
                            location: .package(
                                packageLocation(name: name, version: version, ecosystem: ecosystem, fixedVersions: fixed, manifestPath: source)),
                            references: (vulnerability["references"]?.array ?? []).compactMap { $0["url"]?.text }, raw: .json(vulnerability)))
                }
            }
        }
        return output
    }
}
