import Foundation
import RampartCore

/// ShellCheck's JSON output: `-f json` (an array of comments) and `-f json1` (the same under
/// `comments`, with columns counted as characters rather than tab stops). Each comment has the
/// file, line, column, end, `level` (`error`, `warning`, `info`, `style`), the check number
/// (`code`, shown as `SC2086`), the message and the fix ShellCheck can apply. ShellCheck is a
/// linter: its levels rate correctness, not exploitability, so an error is medium, a warning
/// low and the rest informational; unquoted expansions and the like are where shell injection
/// starts, which is why a security team imports them at all.
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
            let rule = "SC\(code)"
            let level = comment["level"]?.text
            let message = comment["message"]?.text ?? rule
            let fixable = comment["fix"]?["replacements"]?.array.isEmpty == false
            output.findings.append(
                Finding(
                    category: .sast, tool: output.tool, ruleID: rule, title: message, description: "\(rule) (\(level ?? "unrated")): \(message)",
                    toolSeverity: level, severity: Self.severity(level),
                    location: .code(
                        CodeLocation(
                            file: file, startLine: comment["line"]?.int, endLine: comment["endLine"]?.int, startColumn: comment["column"]?.int,
                            endColumn: comment["endColumn"]?.int)),
                    remediation: fixable ? "ShellCheck can apply the fix itself: shellcheck -f diff \(file) | git apply" : nil,
                    references: ["https://www.shellcheck.net/wiki/\(rule)"], raw: .json(comment)))
        }
        return output
    }

    static func severity(_ level: String?) -> Severity {
        switch level?.lowercased() {
        case "error": .medium
        case "warning": .low
        default: .info
        }
    }
}
