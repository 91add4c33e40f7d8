import Foundation
import RampartCore

/// Secretlint's JSON output (`secretlint --format json`): ESLint's shape, per file the messages
/// of the rules that found a secret, and the file's whole content (`sourceContent`). The secret
/// is the content's `range` of each message (masked in the message itself); the content is
/// never kept: the record stored is the message.
struct SecretlintImporter: ReportImporter {
    let info = FormatInfo(
        id: "secretlint-json", name: "Secretlint JSON", tool: "Secretlint", category: .secrets, syntax: .json,
        notes: "secrets per file and rule with line and column; the scanned file's content is never stored", defectDojoScanTypes: ["Secretlint Scan"])

    var secretFields: [SecretFields] { [SecretFields(secret: [], quoting: [["data", "*"]])] }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, first.isObject else { return nil }
        guard first["filePath"] != nil, first["messages"]?.isArray == true else { return nil }
        if first["sourceContentType"] != nil { return .certain }
        return first["messages"]?.array.first?["ruleId"]?.string?.hasPrefix("@secretlint/") == true ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        var output = ImporterOutput(tool: ToolInfo(name: "Secretlint"))
        for file in root.array {
            let path = file["filePath"]?.text ?? ""
            let content = file["sourceContent"]?.string
            for message in file["messages"]?.array ?? [] {
                let rule = message["ruleId"]?.text ?? "secretlint"
                let kind = message["messageId"]?.text ?? rule
                let severityText = message["severity"]?.text
                var finding = Finding(
                    category: .secrets, tool: output.tool, ruleID: "\(rule)/\(kind)", title: "\(kind) in \(path)",
                    description: message["message"]?.text,
                    toolSeverity: severityText, severity: severityText == "error" ? .high : .medium, cwes: [798],
                    location: .code(
                        CodeLocation(
                            file: path, startLine: message["loc", "start", "line"]?.int, endLine: message["loc", "end", "line"]?.int,
                            startColumn: message["loc", "start", "column"]?.int.map { $0 + 1 })),
                    references: [message["docsUrl"]?.text].compactMap { $0 }, raw: .json(message))
                var revealed: [String] = []
                if let content, let range = message["range"]?.array.compactMap(\.int), range.count == 2 {
                    revealed += Self.slice(content, utf16: range[0]..<range[1]).map { [$0] } ?? []
                }
                finding.revealedSecrets = revealed + secretFields[0].values(in: message)
                output.findings.append(finding)
            }
        }
        return output
    }

    /// A JavaScript string range (UTF-16 offsets) of `text`, if it lies inside it.
    static func slice(_ text: String, utf16 range: Range<Int>) -> String? {
        let units = text.utf16
        guard range.lowerBound >= 0, range.upperBound <= units.count, !range.isEmpty else { return nil }
        let start = units.index(units.startIndex, offsetBy: range.lowerBound)
        let end = units.index(units.startIndex, offsetBy: range.upperBound)
        return String(units[start..<end])
    }
}
