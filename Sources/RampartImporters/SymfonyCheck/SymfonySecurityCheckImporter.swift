import Foundation
import RampartCore

/// The Symfony / SensioLabs security checker's JSON (`symfony check:security --format=json`,
/// `local-php-security-checker --format=json`): per Composer package of composer.lock, its
/// installed version and the advisories of the PHP Security Advisories Database.
struct SymfonySecurityCheckImporter: ReportImporter {
    let info = FormatInfo(
        id: "symfony-security-check-json", name: "Symfony security checker JSON", tool: "Symfony security checker", category: .sca, syntax: .json,
        notes: "vulnerable Composer packages of composer.lock with CVE and advisory link", defectDojoScanTypes: ["PHP Symfony Security Check"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let (_, first) = root.entries.first, first.isObject else { return nil }
        return first["version"] != nil && first["advisories"]?.isArray == true ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Symfony security checker"))
        for (package, entry) in root.entries {
            let version = entry["version"]?.text.map { $0.hasPrefix("v") ? String($0.dropFirst()) : $0 }
            for advisory in entry["advisories"]?.array ?? [] {
                let cve = advisory["cve"]?.text?.nonBlank
                let title = advisory["title"]?.text ?? cve ?? "advisory"
                output.findings.append(
                    Finding(
                        category: .sca, tool: output.tool, ruleID: cve ?? advisory["link"]?.text ?? title, title: "\(package): \(title)",
                        severity: .medium,
                        vulnerabilityIDs: .parsing([cve].compactMap { $0 }),
                        location: .package(packageLocation(name: package, version: version, ecosystem: "composer", manifestPath: "composer.lock")),
                        references: [advisory["link"]?.text].compactMap { $0 }, raw: .json(advisory)))
            }
        }
        return output
    }
}
