import Foundation
import RampartCore

/// Scantist SCA's JSON export: one row per issue in a library (`Public ID`, `Library`,
/// `Library Version`, `Issue Type`, `Score`, `File Path`, `Patched Version`...). One finding per
/// row at the library in the file that declares it. Scantist writes a Maven library as
/// `group artifact`; it is read as `group:artifact` when the file is a Maven or Gradle build.
struct ScantistImporter: ReportImporter {
    let info = FormatInfo(
        id: "scantist-json", name: "Scantist SCA JSON", tool: "Scantist", category: .sca, syntax: .json,
        notes: "library issues (CVEs and others) with severity, declaring file, patched and latest versions",
        defectDojoScanTypes: ["Scantist Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first else { return nil }
        return first["Public ID"] != nil && first["Library"] != nil && first["Library Version"] != nil ? .certain : nil
    }

    static func ecosystem(forFile file: String?) -> String? {
        let name = (file?.split(separator: "/").last.map(String.init) ?? "").lowercased()
        if name == "pom.xml" || name.hasSuffix(".gradle") || name.hasSuffix(".gradle.kts") { return "maven" }
        if name == "package.json" || name == "package-lock.json" || name == "yarn.lock" { return "npm" }
        if name.hasPrefix("requirements") || name == "pipfile.lock" || name == "poetry.lock" { return "pypi" }
        if name == "go.mod" || name == "go.sum" { return "go" }
        if name == "gemfile.lock" { return "rubygems" }
        if name == "composer.lock" || name == "composer.json" { return "composer" }
        return nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        var output = ImporterOutput(tool: ToolInfo(name: "Scantist"))
        for row in root.array {
            guard let id = row["Public ID"]?.text?.nonBlank, let library = row["Library"]?.text?.nonBlank else {
                output.diagnostics.append(Diagnostic("row without an id or library skipped", at: row.position))
                continue
            }
            let file = row["File Path"]?.text?.nonBlank
            let ecosystem = Self.ecosystem(forFile: file)
            let parts = library.split(separator: " ").map(String.init)
            let name = ecosystem == "maven" && parts.count == 2 ? "\(parts[0]):\(parts[1])" : library
            let severityText = row["Score"]?.text
            let patched = row["Patched Version"]?.text?.nonBlank
            var lines = [row["Description"]?.text?.nonBlank].compactMap { $0 }
            lines.append(
                "\(row["Issue Type"]?.text ?? "issue") from \(row["Issue Source"]?.text ?? "the scan")"
                    + (row["Latest Component Version"]?.text?.nonBlank.map { "; latest version \($0)" } ?? "") + ".")
            if let comments = row["Comments"]?.text?.nonBlank { lines.append(comments) }
            output.findings.append(
                Finding(
                    category: .sca, tool: output.tool, ruleID: id, title: "\(id) in \(name)", description: lines.joined(separator: "\n\n"),
                    toolSeverity: severityText, severity: .from(tool: severityText),
                    vulnerabilityIDs: .parsing([id].filter(VulnerabilityID.isAdvisoryLike)),
                    location: .package(
                        packageLocation(
                            name: name, version: row["Library Version"]?.text?.nonBlank, ecosystem: ecosystem, fixedVersions: splitVersions(patched),
                            manifestPath: file)),
                    remediation: patched.map { "Upgrade \(name) to \($0)." }, raw: .json(row)))
        }
        return output
    }
}
