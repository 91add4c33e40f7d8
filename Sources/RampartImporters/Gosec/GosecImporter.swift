import Foundation
import RampartCore

/// gosec's JSON report (`gosec -fmt json`): issues with rule, CWE, severity and confidence, the
/// flagged code with its line numbers, and suppressions (`#nosec`) since 2.10. Packages gosec
/// could not type-check are listed under "Golang errors": their files went unchecked.
struct GosecImporter: ReportImporter {
    let info = FormatInfo(
        id: "gosec-json", name: "gosec JSON", tool: "gosec", category: .sast, syntax: .json,
        notes: "issues with rule, CWE, severity, confidence and code; #nosec suppressions kept; type-check errors block closing",
        defectDojoScanTypes: ["Gosec Scanner"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let issues = root["Issues"], issues.isArray || issues.isNull else { return nil }
        if root["GosecVersion"] != nil || root["Golang errors"] != nil { return .certain }
        if let first = issues.array.first { return first["rule_id"] != nil && first["details"] != nil ? .likely : nil }
        return root["Stats"]?["nosec"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "gosec", version: root["GosecVersion"]?.text.flatMap { $0 == "dev" ? nil : $0 }))
        let errors = root["Golang errors"]?.entries ?? []
        if !errors.isEmpty {
            output.toolReportedError = true
            output.diagnostics.append(
                Diagnostic(
                    "gosec could not type-check \(errors.count) file(s); findings missing from this report are not closed",
                    at: root["Golang errors"]?.position))
        }
        for issue in root["Issues"]?.array ?? [] {
            let rule = issue["rule_id"]?.text ?? "unknown"
            let details = issue["details"]?.text ?? rule
            let (startLine, endLine) = Self.lines(issue["line"]?.text)
            let severityText = issue["severity"]?.text
            let suppressions = issue["suppressions"]?.array ?? []
            var suppression: Suppression?
            if issue["nosec"]?.bool == true || !suppressions.isEmpty {
                let justification = suppressions.compactMap { $0["justification"]?.text?.nonBlank }.first
                suppression = Suppression(
                    kind: suppressions.first?["kind"]?.string == "external" ? .external : .inSource, justification: justification)
            }
            output.findings.append(
                Finding(
                    category: .sast, tool: output.tool, ruleID: rule, title: "\(rule): \(details)", description: details,
                    toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
                    confidence: issue["confidence"]?.text.flatMap(Confidence.init(toolText:)),
                    cwes: CWE.parseAll([issue["cwe", "id"]?.text].compactMap { $0 }),
                    location: .code(
                        CodeLocation(
                            file: issue["file"]?.text ?? "", startLine: startLine, endLine: endLine, startColumn: issue["column"]?.int,
                            snippet: Self.code(issue["code"]?.text, line: startLine))),
                    references: [issue["cwe", "url"]?.text].compactMap { $0 }, suppression: suppression, raw: .json(issue)))
        }
        return output
    }

    /// "79" or "79-81", each within a report's integer range.
    static func lines(_ text: String?) -> (Int?, Int?) {
        guard let text else { return (nil, nil) }
        let parts = text.split(separator: "-").map {
            Int($0.trimmingCharacters(in: .whitespaces)).flatMap { ReportInteger.range.contains($0) ? $0 : nil }
        }
        return (parts.first ?? nil, parts.count > 1 ? parts[1] : parts.first ?? nil)
    }

    /// gosec's `code` prefixes each line with its number ("79: s.ListenAndServe()"); the
    /// snippet is the flagged line's text, which survives code moving around it.
    static func code(_ text: String?, line: Int?) -> String? {
        guard let text else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let numbered = lines.compactMap { line -> (Int, Substring)? in
            guard let colon = line.firstIndex(of: ":"), let number = Int(line[..<colon].trimmingCharacters(in: .whitespaces)) else { return nil }
            return (number, line[line.index(after: colon)...].drop { $0 == " " })
        }
        if let line, let match = numbered.first(where: { $0.0 == line }) { return String(match.1).nonBlank }
        return text.trimmingCharacters(in: .whitespacesAndNewlines).nonBlank
    }
}
