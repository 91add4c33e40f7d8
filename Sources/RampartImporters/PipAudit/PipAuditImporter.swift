import Foundation
import RampartCore

/// pip-audit JSON (`pip-audit -f json`): the current `{"dependencies": [...], "fixes": [...]}`
/// layout and the older bare array of dependencies.
struct PipAuditImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "pip-audit-json", name: "pip-audit JSON", tool: "pip-audit", category: .sca, syntax: .json,
        notes: "vulnerabilities per dependency with fix versions and aliases; skipped dependencies noted",
        defectDojoScanTypes: ["pip-audit Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        let dependencies = root.isArray ? root : root["dependencies"]
        guard let dependencies, dependencies.isArray else { return nil }
        if let first = dependencies.array.first {
            return first["vulns"] != nil && first["name"] != nil || (first["skip_reason"] != nil && first["name"] != nil) ? .likely : nil
        }
        return root.isObject && (root["fixes"] != nil || root.keys == ["dependencies"]) ? .possible : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "pip-audit"))
        let dependencies = (root.isArray ? root : root["dependencies"])?.array ?? []
        var skipped = 0
        for dependency in dependencies {
            guard let name = dependency["name"]?.text else { continue }
            if dependency["skip_reason"] != nil { skipped += 1 }
            let version = dependency["version"]?.text
            for vulnerability in dependency["vulns"]?.array ?? [] {
                guard let id = vulnerability["id"]?.text else {
                    output.diagnostics.append(Diagnostic("vulnerability without id skipped", at: vulnerability.position))
                    continue
                }
                let fixes = vulnerability["fix_versions"]?.strings ?? []
                output.findings.append(
                    Finding(
                        category: .sca, tool: output.tool, ruleID: id,
                        title: "\(id) in \(name) \(version ?? "")".trimmingCharacters(in: .whitespaces),
                        description: vulnerability["description"]?.text, severity: .medium,
                        vulnerabilityIDs: .parsing([id] + (vulnerability["aliases"]?.strings ?? [])),
                        location: .package(packageLocation(name: name, version: version, ecosystem: "pypi", fixedVersions: fixes)),
                        remediation: fixes.isEmpty ? nil : "Upgrade \(name) to \(fixes.joined(separator: " or "))", raw: .json(vulnerability)))
            }
        }
        if skipped > 0 {
            output.diagnostics.append(Diagnostic("\(skipped) dependenc(ies) were skipped by pip-audit and not audited", level: .note))
        }
        return output
    }
}
