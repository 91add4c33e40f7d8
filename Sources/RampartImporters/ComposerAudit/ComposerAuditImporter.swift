import Foundation
import RampartCore

/// `composer audit --format=json`: advisories per package from Packagist's security advisories
/// (GitHub and FriendsOfPHP sources), and abandoned packages.
struct ComposerAuditImporter: ReportImporter {
    let info = FormatInfo(
        id: "composer-audit-json", name: "Composer audit JSON", tool: "Composer audit", category: .sca, syntax: .json,
        notes: "advisories per package with CVE, affected range and severity; abandoned packages", defectDojoScanTypes: ["Composer Audit Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let advisories = root["advisories"] else { return nil }
        guard advisories.isObject || (advisories.isArray && advisories.array.isEmpty) else { return nil }
        if root["abandoned"] != nil { return .certain }
        return advisories.entries.first?.value.array.first?["advisoryId"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Composer audit"))
        for (package, advisories) in root["advisories"]?.entries ?? [] {
            for advisory in advisories.array {
                let cve = advisory["cve"]?.text?.nonBlank
                let ghsa = advisory["link"]?.text.flatMap { $0.split(separator: "/").last.map(String.init) }
                    .flatMap { VulnerabilityID($0)?.scheme == .ghsa ? $0 : nil }
                let sources = (advisory["sources"]?.array ?? []).compactMap { $0["remoteId"]?.text }
                let ids = [cve, ghsa].compactMap { $0 } + sources
                let name = advisory["packageName"]?.text ?? package
                let severityText = advisory["severity"]?.text
                output.findings.append(
                    Finding(
                        category: .sca, tool: output.tool,
                        ruleID: [VulnerabilityID].parsing(ids).canonical?.value ?? advisory["advisoryId"]?.text ?? "unknown",
                        title: advisory["title"]?.text ?? "Advisory for \(name)",
                        description: advisory["affectedVersions"]?.text.map { "Affected versions: \($0)" }, toolSeverity: severityText,
                        severity: .from(tool: severityText, default: .medium), vulnerabilityIDs: .parsing(ids),
                        location: .package(packageLocation(name: name, version: nil, ecosystem: "composer", manifestPath: "composer.lock")),
                        references: [advisory["link"]?.text].compactMap { $0 },
                        tags: [advisory["advisoryId"]?.text.map { "advisory:\($0)" }].compactMap { $0 },
                        raw: .json(advisory)))
            }
        }
        // Abandoned packages: { "vendor/name": "replacement" or null }.
        for (package, replacement) in root["abandoned"]?.entries ?? [] {
            output.findings.append(
                Finding(
                    category: .sca, tool: output.tool, ruleID: "abandoned", title: "\(package) is abandoned", severity: .low,
                    location: .package(packageLocation(name: package, version: nil, ecosystem: "composer", manifestPath: "composer.lock")),
                    remediation: replacement.text.map { "Use \($0) instead" }, tags: ["abandoned"], raw: .json(replacement)))
        }
        return output
    }
}
