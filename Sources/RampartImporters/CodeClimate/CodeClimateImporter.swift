import Foundation
import RampartCore

/// Code Climate issues, as GitLab's Code Quality report (`gl-code-quality-report.json`, an
/// array) and Code Climate engines (one object per issue) write them: `check_name`,
/// `description`, `severity` (`info`, `minor`, `major`, `critical`, `blocker`), `fingerprint`
/// and `location` (`path` with `lines.begin` or `positions.begin.line`). Many linters write it
/// for GitLab's merge request widget (hadolint, ShellCheck through wrappers, ESLint, PHPStan).
///
/// Its `engine_name`, when present, names the tool. hadolint's output has none, but its rule ids
/// (`DL3008`, and `SC2086` on `RUN` lines, in Dockerfiles) say it is hadolint's: those are read as
/// hadolint's JSON is, severities mapped back to its levels (`blocker` error, `major` warning,
/// `info` info, `minor` style), so that either format gives the same findings. Other unnamed
/// reports get a note to give them a stream name (`--stream`), or two linters' reports into one
/// component close each other's findings.
struct CodeClimateImporter: ReportImporter {
    let info = FormatInfo(
        id: "codeclimate-json", name: "Code Climate / GitLab Code Quality JSON", tool: "any Code Climate writer", category: .sast, syntax: .json,
        notes: "code quality issues per file and line with severity and fingerprint; hadolint's recognized and read as its JSON",
        defectDojoScanTypes: [])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard case .json(let document) = report, let first = document.roots.first.flatMap(Self.issues)?.first else { return nil }
        return first["check_name"] != nil && first["location"] != nil && (first["type"]?.text?.lowercased() == "issue" || first["fingerprint"] != nil)
            ? .certain : nil
    }

    /// The issues: a GitLab array, or the objects of an engine's stream.
    static func issues(_ root: JSONNode) -> [JSONNode]? {
        if root.isArray { return root.array }
        if root.isObject, root["check_name"] != nil { return [root] }
        return nil
    }

    static let hadolintLevels = ["blocker": "error", "critical": "error", "major": "warning", "info": "info", "minor": "style"]

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard case .json(let document) = report else { throw ImportError.content("expected Code Climate JSON") }
        // An engine writes one object per issue (separated by NUL bytes, which the reader takes as
        // blanks); GitLab one array.
        let issues = document.roots.flatMap { Self.issues($0) ?? [] }
        let engines = Set(issues.compactMap { $0["engine_name"]?.text })
        let place = { (issue: JSONNode) in issue["location", "path"]?.text ?? issue["location", "file"]?.text }
        let hadolint =
            engines.isEmpty && !issues.isEmpty
            && issues.allSatisfy { issue in
                HadolintImporter.isRuleID(issue["check_name"]?.text ?? "") && (place(issue)?.lowercased().contains("dockerfile") ?? false)
            }
        let toolName = hadolint ? "hadolint" : engines.count == 1 ? engines.first! : "Code Quality"
        var output = ImporterOutput(tool: ToolInfo(name: toolName))
        if !hadolint && engines.count != 1 {
            output.diagnostics.append(
                Diagnostic(
                    "the report does not name one tool: import each tool's report with its own --stream name, or one closes the other's findings",
                    level: .note))
        }
        for issue in issues {
            guard let rule = issue["check_name"]?.text, let path = place(issue) else {
                output.diagnostics.append(Diagnostic("issue without a check name or a path skipped", at: issue.position))
                continue
            }
            let line = issue["location", "lines", "begin"]?.int ?? issue["location", "positions", "begin", "line"]?.int
            let severityText = issue["severity"]?.text
            let message = issue["description"]?.text
            if hadolint {
                output.findings.append(
                    HadolintImporter.finding(
                        code: rule, level: severityText.flatMap { Self.hadolintLevels[$0.lowercased()] }, message: message, file: path, line: line,
                        tool: output.tool, raw: .json(issue)))
                continue
            }
            let categories = (issue["categories"]?.array ?? []).compactMap(\.text)
            output.findings.append(
                Finding(
                    category: .sast, tool: output.tool, ruleID: rule, title: message ?? rule,
                    description: [message, issue["content", "body"]?.text].compactMap { $0 }.joined(separator: "\n\n").nonBlank,
                    toolSeverity: severityText,
                    severity: Self.severity(severityText),
                    location: .code(
                        CodeLocation(
                            file: path, startLine: line,
                            endLine: issue["location", "lines", "end"]?.int ?? issue["location", "positions", "end", "line"]?.int,
                            startColumn: issue["location", "positions", "begin", "column"]?.int)),
                    tags: categories + (engines.count > 1 ? [issue["engine_name"]?.text].compactMap { $0 } : []),
                    toolFingerprint: issue["fingerprint"]?.text, raw: .json(issue)))
        }
        return output
    }

    /// Code Climate's scale: info, minor, major, critical, blocker.
    static func severity(_ text: String?) -> Severity {
        switch text?.lowercased() {
        case "blocker": .critical
        case "critical": .high
        case "major": .medium
        case "minor": .low
        default: .info
        }
    }
}
