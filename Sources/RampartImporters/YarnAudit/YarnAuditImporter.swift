import Foundation
import RampartCore

/// `yarn audit --json` (Yarn 1): JSON Lines of typed events, one `auditAdvisory` per advisory
/// and dependency path, then an `auditSummary`; and `yarn npm audit --json` (Yarn 4): one line
/// per vulnerable package and advisory (`value` and `children`). Yarn 2 and 3 write npm 6's
/// report, which the npm audit importer reads.
struct YarnAuditImporter: ReportImporter {
    let info = FormatInfo(
        id: "yarn-audit-json", name: "Yarn audit JSON Lines", tool: "Yarn audit", category: .sca, syntax: .json,
        notes: "Yarn 1 audit events (advisories merged across paths) and Yarn 4 npm audit lines; deprecations kept as findings",
        defectDojoScanTypes: ["Yarn Audit Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard case .json(let document) = report, let first = document.roots.first, first.isObject else { return nil }
        if first["type"]?.string != nil, first["data"] != nil {
            // Yarn 1 events; a run that failed before auditing writes only info, warning and error events.
            let types = document.roots.prefix(64).map { $0["type"]?.string ?? "" }
            if types.contains(where: { $0.hasPrefix("audit") }) { return .likely }
            return types.allSatisfy { ["info", "warning", "error"].contains($0) } && types.contains("error") ? .possible : nil
        }
        return first["value"]?.string != nil && first["children", "Severity"] != nil && first["children", "Issue"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard case .json(let document) = report else { throw ImportError.content("expected JSON Lines") }
        var output = ImporterOutput(tool: ToolInfo(name: "Yarn audit"))
        // Yarn 1 repeats an advisory once per dependency path: one finding per advisory and package version.
        var classic: [(advisory: JSONNode, key: String, versions: [String], paths: [String])] = []
        var classicIndex: [String: Int] = [:]
        for line in document.roots {
            if let type = line["type"]?.string {
                switch type {
                case "auditAdvisory":
                    guard let advisory = line["data", "advisory"] else {
                        output.diagnostics.append(Diagnostic("an auditAdvisory without its advisory was skipped", at: line.position))
                        continue
                    }
                    let key = advisory["id"]?.text ?? advisory["github_advisory_id"]?.text ?? "unknown"
                    let versions = (advisory["findings"]?.array ?? []).compactMap { $0["version"]?.text }
                    let paths = [line["data", "resolution", "path"]?.text].compactMap { $0 }
                    let slot = key + "\u{1F}" + (advisory["module_name"]?.text ?? "")
                    if let index = classicIndex[slot] {
                        classic[index].paths += paths.filter { !classic[index].paths.contains($0) }
                    } else {
                        classicIndex[slot] = classic.count
                        classic.append((advisory, key, versions, paths))
                    }
                case "error":
                    output.toolReportedError = true
                    output.diagnostics.append(Diagnostic("Yarn reported an error: \(line["data"]?.text ?? "unknown")", at: line.position))
                default:
                    continue
                }
            } else if let package = line["value"]?.text, let advisory = line["children"] {
                output.findings.append(modernFinding(package: package, advisory: advisory, line: line, tool: output.tool))
            }
        }
        for entry in classic {
            output.findings.append(
                NPMAuditImporter.advisoryFinding(
                    entry.advisory, key: entry.key, versions: entry.versions, paths: entry.paths, manifest: "yarn.lock", tool: output.tool))
        }
        return output
    }

    /// A Yarn 4 line: an advisory (numeric ID, GitHub advisory URL) or a deprecation ("name (deprecation)").
    private func modernFinding(package: String, advisory: JSONNode, line: JSONNode, tool: ToolInfo) -> Finding {
        let url = advisory["URL"]?.text
        let ghsa = url.flatMap { $0.split(separator: "/").last.map(String.init) }.flatMap { VulnerabilityID($0)?.scheme == .ghsa ? $0 : nil }
        let id = ghsa ?? advisory["ID"]?.text ?? package
        let issue = advisory["Issue"]?.text
        let severityText = advisory["Severity"]?.text
        let vulnerable = advisory["Vulnerable Versions"]?.text
        let installed = advisory["Tree Versions"]?.strings ?? []
        let dependents = advisory["Dependents"]?.strings ?? []
        var description: [String] = [issue, vulnerable.map { "Vulnerable versions: \($0)" }].compactMap { $0 }
        if !dependents.isEmpty { description.append("Dependents:\n" + dependents.prefix(20).map { "- \($0)" }.joined(separator: "\n")) }
        let isDeprecation = advisory["ID"]?.string?.hasSuffix("(deprecation)") == true
        return Finding(
            category: .sca, tool: tool, ruleID: id,
            title: isDeprecation ? (advisory["ID"]?.text ?? package) : NPMAuditImporter.title(issue ?? id, package: package),
            description: description.joined(separator: "\n\n").nonBlank, toolSeverity: severityText,
            severity: .from(tool: severityText, default: .medium), vulnerabilityIDs: .parsing([ghsa].compactMap { $0 }),
            location: .package(packageLocation(name: package, version: installed.first, ecosystem: "npm", manifestPath: "yarn.lock")),
            references: [url].compactMap { $0 }, tags: isDeprecation ? ["deprecated"] : [], raw: .json(line))
    }
}
