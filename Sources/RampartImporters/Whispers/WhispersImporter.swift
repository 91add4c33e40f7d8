import Foundation
import RampartCore

/// Whispers' JSON output (`whispers -o json`): hard-coded secrets and dangerous functions per
/// file and line, with the key and the secret value itself.
struct WhispersImporter: ReportImporter {
    let info = FormatInfo(
        id: "whispers-json", name: "Whispers JSON", tool: "Whispers", category: .secrets, syntax: .json,
        notes: "secrets by key and rule per file and line; the value kept only as a keyed hash", defectDojoScanTypes: ["Whispers Scan"])

    static let fields = SecretFields(secret: [["value"]])
    var secretFields: [SecretFields] { [Self.fields] }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, first.isObject else { return nil }
        return first["key"] != nil && first["value"] != nil && first["rule_id"] != nil && first["file"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        var output = ImporterOutput(tool: ToolInfo(name: "Whispers"))
        for item in root.array {
            let rule = item["rule_id"]?.text ?? "secret"
            let severityText = item["severity"]?.text
            var finding = Finding(
                category: .secrets, tool: output.tool, ruleID: rule, title: "\(item["message"]?.text ?? rule) in \(item["file"]?.text ?? "?")",
                description: item["key"]?.text.map { "Key: \($0)" }, toolSeverity: severityText, severity: .from(tool: severityText, default: .high),
                cwes: [798], location: .code(CodeLocation(file: item["file"]?.text ?? "", startLine: item["line"]?.int)), raw: .json(item))
            finding.revealedSecrets = Self.fields.values(in: item)
            output.findings.append(finding)
        }
        return output
    }
}
