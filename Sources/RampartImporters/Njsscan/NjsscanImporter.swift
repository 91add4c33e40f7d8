import Foundation
import RampartCore

/// njsscan's JSON output (`njsscan --json`): matches per rule, grouped by rule set (nodejs,
/// templates), each rule with its CWE, OWASP category and severity.
struct NjsscanImporter: ReportImporter {
    let info = FormatInfo(
        id: "njsscan-json", name: "njsscan JSON", tool: "njsscan", category: .sast, syntax: .json,
        notes: "Node.js and template rule matches with CWE, OWASP category and lines", defectDojoScanTypes: ["njsscan Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if root["njsscan_version"] != nil { return .certain }
        return root["nodejs"]?.isObject == true && root["templates"]?.isObject == true ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "njsscan", version: root["njsscan_version"]?.text))
        if let errors = root["errors"]?.array, !errors.isEmpty {
            output.toolReportedError = true
            output.diagnostics.append(Diagnostic("njsscan reported \(errors.count) error(s); findings missing from this report are not closed"))
        }
        Self.readRules(root, groups: ["nodejs", "templates"], tagKey: "owasp-web", into: &output)
        return output
    }

    /// njsscan and mobsfscan (both by OpenSecurity, on libsast) write one shape: rule id →
    /// `{files: [{file_path, match_lines, match_position, match_string}], metadata: {...}}`.
    /// A rule without files concerns the whole project (mobsfscan's app-wide checks).
    static func readRules(_ root: JSONNode, groups: [String], tagKey: String, into output: inout ImporterOutput) {
        for group in groups {
            for (rule, entry) in root[group]?.entries ?? [] {
                let metadata = entry["metadata"]
                let severityText = metadata?["severity"]?.text
                func finding(_ location: CodeLocation, raw: RawEvidence) -> Finding {
                    Finding(
                        category: .sast, tool: output.tool, ruleID: rule, title: rule, description: metadata?["description"]?.text,
                        toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
                        cwes: CWE.parseAll([metadata?["cwe"]?.text].compactMap { $0 }), location: .code(location),
                        remediation: nil, references: [metadata?["reference"]?.text].compactMap { $0 },
                        tags: [metadata?[tagKey]?.text, metadata?["masvs"]?.text].compactMap { $0 }, raw: raw)
                }
                let files = entry["files"]?.array ?? []
                if files.isEmpty {
                    output.findings.append(finding(CodeLocation(file: "."), raw: .json(entry)))
                }
                for file in files {
                    let lines = file["match_lines"]?.array.compactMap(\.int) ?? []
                    let columns = file["match_position"]?.array.compactMap(\.int) ?? []
                    output.findings.append(
                        finding(
                            CodeLocation(
                                file: file["file_path"]?.text ?? "", startLine: lines.first, endLine: lines.last, startColumn: columns.first,
                                endColumn: columns.last, snippet: file["match_string"]?.text), raw: .json(file)))
                }
            }
        }
    }
}
