import Foundation
import RampartCore

/// Gitleaks JSON, version 8 (`RuleID`, `Secret`, `Match`, `File`, `Commit`...) and version 7
/// (`rule`, `offender`, `file`, `lineNumber`). Secrets are hashed and redacted before they
/// leave the importer, in the finding and in the kept record.
struct GitleaksImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "gitleaks-json", name: "Gitleaks JSON", tool: "Gitleaks", category: .secrets, syntax: .json,
        notes: "v7 and v8 reports; secrets stored only as salted hash and redacted preview", defectDojoScanTypes: ["Gitleaks Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, first.isObject else { return nil }
        if first["RuleID"] != nil && (first["Secret"] != nil || first["Match"] != nil) && first["Fingerprint"] != nil { return .likely }
        return (first["RuleID"] != nil && (first["Secret"] != nil || first["Match"] != nil)) || (first["offender"] != nil && first["rule"] != nil)
            ? .possible : nil
    }

    var secretFields: [SecretFields] { [Self.secretFieldsV8, Self.secretFieldsV7] }

    /// Where v8 and v7 records carry the secret (the secret itself, and lines quoting it).
    static let secretFieldsV8 = SecretFields(secret: [["Secret"], ["Match"]], quoting: [["Match"], ["Line"]])
    static let secretFieldsV7 = SecretFields(secret: [["offender"]], quoting: [["line"]])

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray || root.isNull else { throw ImportError.content("expected a JSON array of leaks") }
        var output = ImporterOutput(tool: ToolInfo(name: "Gitleaks"))
        for leak in root.array {
            let isV8 = leak["RuleID"] != nil
            let rule = (isV8 ? leak["RuleID"]?.text : leak["rule"]?.text) ?? "secret"
            let revealed = (isV8 ? Self.secretFieldsV8 : Self.secretFieldsV7).values(in: leak)
            if revealed.isEmpty {
                output.diagnostics.append(Diagnostic("leak without secret text; identity falls back to its line", at: leak.position))
            }
            let file = (isV8 ? leak["File"]?.text : leak["file"]?.text) ?? ""
            let line = isV8 ? leak["StartLine"]?.int : leak["lineNumber"]?.int
            let commit = isV8 ? leak["Commit"]?.text : leak["commit"]?.text
            let description = isV8 ? leak["Description"]?.text : nil
            var details = ["Secret found in \(file)\(line.map { " line \($0)" } ?? "")"]
            if let commit { details.append("Commit: \(commit)") }
            if let author = (isV8 ? leak["Author"]?.text : leak["author"]?.text) { details.append("Author: \(author)") }
            var finding =
                Finding(
                    category: .secrets, tool: output.tool, ruleID: rule, title: "\(description ?? rule) secret in \(file)",
                    description: details.joined(separator: "\n"), severity: .high,
                    cwes: [798],
                    location: .code(
                        CodeLocation(
                            file: file, startLine: line, endLine: isV8 ? leak["EndLine"]?.int : line,
                            startColumn: isV8 ? leak["StartColumn"]?.int : nil)),
                    tags: (isV8
                        ? leak["Tags"]?.strings : leak["tags"]?.text.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
                        ?? [],
                    raw: .json(leak))
            finding.revealedSecrets = revealed
            output.findings.append(finding)
        }
        return output
    }
}
