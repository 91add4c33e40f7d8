import Foundation
import RampartCore

/// ShellCheck's JSON output: `-f json` (an array of comments) and `-f json1` (the same under
/// `comments`, with columns counted as characters rather than tab stops). Each comment has the
/// file, line, column, end, `level` (`error`, `warning`, `info`, `style`), the check number
/// (`code`, shown as `SC2086`), the message and the fix ShellCheck can apply. Levels rate as
/// hadolint's do (`Severity.fromLinter`), which runs the same rules on Dockerfile `RUN` lines.
struct ShellCheckImporter: ReportImporter {
    let info = FormatInfo(
        id: "shellcheck-json", name: "ShellCheck JSON", tool: "ShellCheck", category: .sast, syntax: .json,
        notes: "-f json and -f json1: comments per file and line with the SC check, level and whether ShellCheck can fix it",
        defectDojoScanTypes: [])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, let comments = Self.comments(root) else { return nil }
        guard let first = comments.array.first else { return root.isObject && root.keys == ["comments"] ? .likely : nil }
        return first["file"] != nil && first["code"]?.int != nil && first["level"] != nil && first["message"] != nil ? .certain : nil
    }

    static func comments(_ root: JSONNode) -> JSONNode? {
        if root.isArray { return root }
        if root.isObject, let comments = root["comments"], comments.isArray { return comments }
        return nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, let comments = Self.comments(root) else { throw ImportError.content("expected ShellCheck JSON comments") }
        var output = ImporterOutput(tool: ToolInfo(name: "ShellCheck"))
        for comment in comments.array {
            guard let file = comment["file"]?.text, let code = comment["code"]?.int else {
                output.diagnostics.append(Diagnostic("comment without a file or check number skipped", at: comment.position))
                continue
            }
            output.findings.append(
                Self.finding(
                    code: "SC\(code)", level: comment["level"]?.text, message: comment["message"]?.text, file: file, line: comment["line"]?.int,
                    endLine: comment["endLine"]?.int, column: comment["column"]?.int, endColumn: comment["endColumn"]?.int,
                    fixable: comment["fix"]?["replacements"]?.array.isEmpty == false, tool: output.tool, raw: .json(comment)))
        }
        return output
    }

    /// A ShellCheck finding, the same from each of its formats (JSON, Checkstyle).
    static func finding(
        code rule: String, level: String?, message: String?, file: String, line: Int?, endLine: Int? = nil, column: Int?, endColumn: Int? = nil,
        fixable: Bool, tool: ToolInfo, raw: RawEvidence
    ) -> Finding {
        let message = message ?? rule
        return Finding(
            category: .sast, tool: tool, ruleID: rule, title: message, description: "\(rule) (\(level ?? "unrated")): \(message)",
            toolSeverity: level,
            // ShellCheck's Checkstyle output writes `style` as `info`: both rate alike, so that
            // the two formats agree.
            severity: .fromLinter(level?.lowercased() == "style" ? "info" : level),
            location: .code(CodeLocation(file: file, startLine: line, endLine: endLine, startColumn: column, endColumn: endColumn)),
            remediation: fixable ? "ShellCheck can apply the fix itself: shellcheck -f diff \(file) | git apply" : nil,
            references: ["https://www.shellcheck.net/wiki/\(rule)"], raw: raw)
    }
}
