import Foundation
import RampartCore

/// Bearer CLI's JSON report (`bearer scan --format json`): findings grouped by severity
/// (critical, high, medium, low, warning), each with rule, CWEs, file, line, the code and
/// Bearer's fingerprint.
struct BearerImporter: ReportImporter {
    let info = FormatInfo(
        id: "bearer-json", name: "Bearer CLI JSON", tool: "Bearer", category: .sast, syntax: .json,
        notes: "findings by severity with rule, CWEs, data categories, code and Bearer's fingerprint", defectDojoScanTypes: ["Bearer CLI"])

    static let levels = ["critical", "high", "medium", "low", "warning"]

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, !root.keys.isEmpty, Set(root.keys).isSubset(of: Set(Self.levels)) else { return nil }
        let first = Self.levels.lazy.compactMap { root[$0]?.array.first }.first
        return first?["documentation_url"] != nil && first?["fingerprint"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Bearer"))
        for level in Self.levels {
            for item in root[level]?.array ?? [] {
                let rule = item["id"]?.text ?? "unknown"
                output.findings.append(
                    Finding(
                        category: .sast, tool: output.tool, ruleID: rule, title: item["title"]?.text ?? rule, description: item["description"]?.text,
                        toolSeverity: level, severity: level == "warning" ? .low : .from(tool: level, default: .medium),
                        cwes: CWE.parseAll(item["cwe_ids"]?.strings ?? []),
                        location: .code(
                            CodeLocation(
                                file: item["full_filename"]?.text ?? item["filename"]?.text ?? "",
                                startLine: item["line_number"]?.int ?? item["source", "start"]?.int,
                                endLine: item["source", "end"]?.int, snippet: item["snippet"]?.text ?? item["code_extract"]?.text)),
                        references: [item["documentation_url"]?.text].compactMap { $0 },
                        tags: (item["category_groups"]?.strings ?? []).map { "data:\($0)" }, toolFingerprint: item["fingerprint"]?.text,
                        raw: .json(item)))
            }
        }
        return output
    }
}
