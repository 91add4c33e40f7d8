import Foundation
import RampartCore

/// mix_audit's JSON output (`mix deps.audit --format json`): Elixir dependencies of mix.lock
/// with an advisory (GHSA or CVE), vulnerable ranges and first patched versions.
struct MixAuditImporter: ReportImporter {
    let info = FormatInfo(
        id: "mix-audit-json", name: "mix_audit JSON", tool: "mix_audit", category: .sca, syntax: .json,
        notes: "vulnerable Hex packages of mix.lock with advisory, severity and patched versions", defectDojoScanTypes: ["Mix Audit Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["pass"] != nil, let vulnerabilities = root["vulnerabilities"], vulnerabilities.isArray
        else { return nil }
        guard let first = vulnerabilities.array.first else { return root.entries.count == 2 ? .likely : nil }
        return first["dependency"] != nil && first["advisory"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "mix_audit"))
        for item in root["vulnerabilities"]?.array ?? [] {
            let dependency = item["dependency"]
            let advisory = item["advisory"]
            let name = dependency?["package"]?.text ?? advisory?["package"]?.text ?? "package"
            let ids = [VulnerabilityID].parsing([advisory?["id"]?.text, advisory?["cve"]?.text].compactMap { $0 })
            let patched = advisory?["first_patched_versions"]?.strings ?? []
            let severityText = advisory?["severity"]?.text
            output.findings.append(
                Finding(
                    category: .sca, tool: output.tool, ruleID: ids.canonical?.value ?? advisory?["id"]?.text ?? name,
                    title: "\(name): \(advisory?["title"]?.text ?? "vulnerable dependency")",
                    description: [
                        advisory?["description"]?.text,
                        (advisory?["vulnerable_version_ranges"]?.strings).map { "Vulnerable: \($0.joined(separator: ", "))" },
                    ]
                    .compactMap { $0 }.joined(separator: "\n\n"),
                    toolSeverity: severityText, severity: .from(tool: severityText, default: .medium), vulnerabilityIDs: ids,
                    location: .package(
                        packageLocation(
                            name: name, version: dependency?["version"]?.text, ecosystem: "hex", fixedVersions: patched,
                            manifestPath: dependency?["lockfile"]?.text.map { String($0.split(separator: "/").last ?? "mix.lock") })),
                    remediation: patched.isEmpty ? nil : "Upgrade \(name) to \(patched.joined(separator: " or "))",
                    references: [advisory?["url"]?.text].compactMap { $0 }, raw: .json(item)))
        }
        return output
    }
}
