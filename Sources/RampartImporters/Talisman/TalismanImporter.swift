import Foundation
import RampartCore

/// Talisman's JSON report (`talisman --scan` writes talisman_report/talisman_reports/data/report.json):
/// per file, the failed checks (file content, file name, file size patterns), warnings and ignores.
struct TalismanImporter: ReportImporter {
    let info = FormatInfo(
        id: "talisman-json", name: "Talisman JSON", tool: "Talisman", category: .secrets, syntax: .json,
        notes: "failed and warned checks per file (content, name and size patterns) with commits; ignores kept as suppressed",
        defectDojoScanTypes: ["Talisman Scan"])

    /// A file content check quotes what it matched after "such as: " (or the pattern's last ": ").
    var secretFields: [SecretFields] { [SecretFields(secret: [], quoting: [["message"]])] }

    static func quotedSecret(_ message: String) -> String? {
        guard let colon = message.range(of: ": ", options: .backwards) else { return nil }
        return String(message[colon.upperBound...]).trimmingCharacters(in: .whitespaces).nonBlank
    }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["summary", "types"] != nil, root["results"] != nil else { return nil }
        return root["summary", "types", "filecontent"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Talisman"))
        for file in root["results"]?.array ?? [] {
            let path = file["filename"]?.text ?? ""
            for (key, suppressed) in [("failure_list", false), ("warning_list", false), ("ignore_list", true)] {
                for check in file[key]?.array ?? [] {
                    let type = check["type"]?.text ?? "check"
                    let severityText = check["severity"]?.text
                    let commits = check["commits"]?.strings ?? []
                    let message = check["message"]?.text
                    var finding =
                        Finding(
                            category: .secrets, tool: output.tool, ruleID: "talisman:\(type)",
                            title: check["message"]?.text ?? "\(type) check failed",
                            description: commits.isEmpty ? nil : "Commits: " + commits.prefix(10).joined(separator: ", "), toolSeverity: severityText,
                            severity: .from(tool: severityText, default: key == "warning_list" ? .low : .medium),
                            location: .code(CodeLocation(file: path)),
                            suppression: suppressed ? Suppression(kind: .inSource, justification: "ignored in .talismanrc") : nil, raw: .json(check))
                    if type == "filecontent", let secret = message.flatMap(Self.quotedSecret) { finding.revealedSecrets = [secret] }
                    output.findings.append(finding)
                }
            }
        }
        return output
    }
}
