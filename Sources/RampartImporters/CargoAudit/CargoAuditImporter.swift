import Foundation
import RampartCore

/// cargo-audit's JSON report (`cargo audit --json`): vulnerabilities from the RustSec advisory
/// database per crate in Cargo.lock, and warnings (unmaintained, unsound, yanked crates),
/// which are findings of their own kind.
struct CargoAuditImporter: ReportImporter {
    let info = FormatInfo(
        id: "cargo-audit-json", name: "cargo-audit JSON", tool: "cargo-audit", category: .sca, syntax: .json,
        notes: "RustSec vulnerabilities with aliases, CVSS and patched versions; unmaintained, unsound and yanked warnings",
        defectDojoScanTypes: ["CargoAudit Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["vulnerabilities"]?["list"] != nil else { return nil }
        return root["database"]?["advisory-count"] != nil || root["lockfile"]?["dependency-count"] != nil ? .certain : .likely
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "cargo-audit"))
        for vulnerability in root["vulnerabilities", "list"]?.array ?? [] {
            output.findings.append(finding(vulnerability, kind: nil, tool: output.tool))
        }
        for (kind, warnings) in root["warnings"]?.entries ?? [] {
            for warning in warnings.array { output.findings.append(finding(warning, kind: warning["kind"]?.text ?? kind, tool: output.tool)) }
        }
        return output
    }

    /// A vulnerability (`kind` nil) or a warning of `kind`; a yanked crate has no advisory.
    private func finding(_ item: JSONNode, kind: String?, tool: ToolInfo) -> Finding {
        let advisory = item["advisory"]
        let name = item["package", "name"]?.text ?? advisory?["package"]?.text ?? "unknown"
        let version = item["package", "version"]?.text
        let id = advisory?["id"]?.text ?? "\(kind ?? "warning"):\(name)"
        let vector = advisory?["cvss"]?.text
        let cvss = CVSSScore(vector: vector, score: nil)
        let severity: Severity
        switch kind {
        case nil: severity = cvss?.score.map(Severity.init(cvssScore:)) ?? .medium
        case "unsound": severity = .medium
        default: severity = .low
        }
        let patched = item["versions", "patched"]?.strings ?? []
        let title = advisory?["title"]?.text.map { "\(id): \($0)" } ?? (kind == "yanked" ? "\(name) \(version ?? "") is yanked" : id)
        return Finding(
            category: .sca, tool: tool, ruleID: id, title: title, description: advisory?["description"]?.text, severity: severity,
            vulnerabilityIDs: .parsing([advisory?["id"]?.text].compactMap { $0 } + (advisory?["aliases"]?.strings ?? [])),
            cvss: cvss.map { [$0] } ?? [],
            location: .package(packageLocation(name: name, version: version, ecosystem: "cargo", fixedVersions: patched, manifestPath: "Cargo.lock")),
            remediation: patched.isEmpty ? nil : "Upgrade \(name) to \(patched.joined(separator: " or "))",
            references: ([advisory?["url"]?.text].compactMap { $0 } + (advisory?["references"]?.strings ?? [])).uniqued(),
            tags: (kind.map { ["warning:\($0)"] } ?? []) + (advisory?["categories"]?.strings ?? []).map { "category:\($0)" }, raw: .json(item))
    }
}
