import Foundation
import RampartCore

/// Meterian's JSON report (`--report-json`): per language, each dependency with its security
/// advices (CVE, CWE, CVSS, severity, vulnerable range) and the safe versions to upgrade to.
struct MeterianImporter: ReportImporter {
    let info = FormatInfo(
        id: "meterian-json", name: "Meterian JSON", tool: "Meterian", category: .sca, syntax: .json,
        notes: "dependency security advices per language with CVE, CWE, CVSS and safe versions", defectDojoScanTypes: ["Meterian Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["reports", "security"] != nil, root["scores"] != nil else { return nil }
        return root["url"]?.string?.contains("meterian") == true ? .certain : .likely
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Meterian"))
        let ecosystems = [
            "nodejs": "npm", "java": "maven", "python": "pypi", "dotnet": "nuget", "ruby": "rubygems", "golang": "golang", "php": "composer",
            "rust": "cargo",
        ]
        for language in root["reports", "security", "reports"]?.array ?? [] {
            let ecosystem = language["language"]?.text.flatMap { ecosystems[$0] }
            for entry in language["reports"]?.array ?? [] {
                let dependency = entry["dependency"]
                let name = dependency?["name"]?.text ?? "dependency"
                let safe = [
                    entry["safeVersions", "latestPatch"]?.text, entry["safeVersions", "latestMinor"]?.text,
                    entry["safeVersions", "latestMajor"]?.text,
                ]
                .compactMap { $0 }.uniqued().filter { $0 != dependency?["version"]?.text }
                for advice in entry["advices"]?.array ?? [] {
                    let cve = advice["cve"]?.text?.nonBlank
                    let ids = [VulnerabilityID].parsing(
                        [cve].compactMap { $0 } + (advice["links"]?.array ?? []).filter { $0["type"]?.string == "CVE" }.compactMap { $0["url"]?.text }
                    )
                    let score = advice["cvss"]?.double
                    let severityText = advice["severity"]?.text
                    output.findings.append(
                        Finding(
                            category: .sca, tool: output.tool, ruleID: ids.canonical?.value ?? advice["id"]?.text ?? name,
                            title: "\(name):\(dependency?["version"]?.text ?? "")",
                            description: [advice["description"]?.text, advice["versionRange"]?.text.map { "Vulnerable range: \($0)" }].compactMap {
                                $0
                            }.joined(separator: "\n\n"),
                            toolSeverity: severityText, severity: .from(tool: severityText, score: score, default: .medium),
                            cwes: CWE.parseAll([advice["cwe"]?.text ?? ""]), vulnerabilityIDs: ids,
                            cvss: CVSSScore(vector: nil, score: score, source: "Meterian").map { [$0] } ?? [],
                            location: .package(
                                packageLocation(
                                    name: name, version: dependency?["version"]?.text, ecosystem: ecosystem, fixedVersions: safe,
                                    relation: entry["transitive"]?.bool.map { $0 ? .transitive : .direct })),
                            remediation: safe.isEmpty ? nil : "Upgrade \(name) to \(safe.joined(separator: " or "))",
                            references: (advice["links"]?.array ?? []).compactMap { $0["url"]?.text }.filter { $0.hasPrefix("http") },
                            tags: [language["language"]?.text].compactMap { $0 }, raw: .json(advice)))
                }
            }
        }
        return output
    }
}
