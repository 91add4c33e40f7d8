import Foundation
import RampartCore

/// Gitleaks JSON, version 8 (`RuleID`, `Secret`, `Match`, `File`, `Commit`...) and version 7
/// (`rule`, `offender`, `file`, `lineNumber`). Secrets are hashed and redacted before they
/// leave the importer, in the finding and in the kept record.
public struct GitleaksImporter: ReportImporter {
    public init() {}

    public let info = FormatInfo(
        id: "gitleaks-json", name: "Gitleaks JSON", tool: "Gitleaks", category: .secrets, syntax: .json,
        notes: "v7 and v8 reports; secrets stored only as salted hash and redacted preview")

    public func matches(_ report: ParsedReport) -> Bool {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, first.isObject else { return false }
        return (first["RuleID"] != nil && (first["Secret"] != nil || first["Match"] != nil))
            || (first["offender"] != nil && first["rule"] != nil)
    }

    public func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray || root.isNull else { throw ImportError.content("expected a JSON array of leaks") }
        var output = ImporterOutput(tool: ToolInfo(name: "Gitleaks"))
        for leak in root.array {
            let isV8 = leak["RuleID"] != nil
            let rule = (isV8 ? leak["RuleID"]?.text : leak["rule"]?.text) ?? "secret"
            let secretText = (isV8 ? (leak["Secret"]?.string ?? leak["Match"]?.string) : leak["offender"]?.string) ?? ""
            if secretText.isEmpty {
                output.diagnostics.append(Diagnostic("leak without secret text; identity falls back to its line", at: leak.position))
            }
            let secret = SecretEvidence(secret: secretText, salt: context.secretSalt)
            let file = (isV8 ? leak["File"]?.text : leak["file"]?.text) ?? ""
            let line = isV8 ? leak["StartLine"]?.int : leak["lineNumber"]?.int
            let commit = isV8 ? leak["Commit"]?.text : leak["commit"]?.text
            let description = isV8 ? leak["Description"]?.text : nil
            var details = ["Secret \(secret.preview) found in \(file)\(line.map { " line \($0)" } ?? "")"]
            if let commit { details.append("Commit: \(commit)") }
            if let author = (isV8 ? leak["Author"]?.text : leak["author"]?.text) { details.append("Author: \(author)") }
            let redactions = [
                "Secret": secret.preview, "Match": secret.preview, "offender": secret.preview, "line": "[redacted]", "Line": "[redacted]",
            ]
            output.findings.append(
                Finding(
                    category: .secrets, tool: output.tool, ruleID: rule, title: "\(description ?? rule) secret in \(file)",
                    description: details.joined(separator: "\n"), severity: .high,
                    cwes: [798],
                    location: .code(
                        CodeLocation(
                            file: file, startLine: line, endLine: isV8 ? leak["EndLine"]?.int : line,
                            startColumn: isV8 ? leak["StartColumn"]?.int : nil)),
                    secret: secretText.isEmpty ? nil : secret,
                    tags: (isV8
                        ? leak["Tags"]?.strings : leak["tags"]?.text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
                        ?? [],
                    raw: .jsonRedacting(leak, members: redactions)))
        }
        return output
    }
}
