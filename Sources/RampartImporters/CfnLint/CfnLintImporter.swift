import Foundation
import RampartCore

/// cfn-lint's JSON output (`cfn-lint -f json`): rule matches in CloudFormation templates with
/// level (Error, Warning, Informational) and the template path of the offending element.
struct CfnLintImporter: ReportImporter {
    let info = FormatInfo(
        id: "cfn-lint-json", name: "cfn-lint JSON", tool: "cfn-lint", category: .iac, syntax: .json,
        notes: "rule matches (E, W, I) with template path and lines", defectDojoScanTypes: ["cfn-lint Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, first.isObject else { return nil }
        return first["Filename"] != nil && first["Rule"]?["Id"] != nil && first["Level"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        var output = ImporterOutput(tool: ToolInfo(name: "cfn-lint"))
        for match in root.array {
            let rule = match["Rule", "Id"]?.text ?? "unknown"
            let level = match["Level"]?.text
            let path = (match["Location", "Path"]?.array ?? []).compactMap(\.text).joined(separator: "/")
            output.findings.append(
                Finding(
                    category: .iac, tool: output.tool, ruleID: rule, title: match["Rule", "ShortDescription"]?.text ?? rule,
                    description: [match["Message"]?.text, match["Rule", "Description"]?.text].compactMap { $0 }.joined(separator: "\n\n").nonBlank,
                    toolSeverity: level, severity: Self.severity(level),
                    location: .iac(
                        IaCLocation(
                            file: match["Filename"]?.text ?? "", resource: path.nonBlank, startLine: match["Location", "Start", "LineNumber"]?.int,
                            endLine: match["Location", "End", "LineNumber"]?.int, framework: "cloudformation")),
                    references: [match["Rule", "Source"]?.text].compactMap { $0 }, raw: .json(match)))
        }
        return output
    }

    static func severity(_ level: String?) -> Severity {
        switch level?.lowercased() {
        case "error": .high
        case "warning": .medium
        default: .info
        }
    }
}
