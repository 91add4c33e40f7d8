import Foundation
import RampartCore

/// Conftest's JSON output (`conftest test -o json`): per file and policy namespace, the
/// messages of failing (deny, violation) and warning (warn) rules; exceptions are kept as
/// suppressed.
struct ConftestImporter: ReportImporter {
    let info = FormatInfo(
        id: "conftest-json", name: "Conftest JSON", tool: "Conftest", category: .iac, syntax: .json,
        notes: "failures and warnings of Rego policies per file and namespace; exceptions suppressed", defectDojoScanTypes: ["Conftest Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, first.isObject else { return nil }
        return first["filename"] != nil && first["namespace"] != nil && first["successes"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        var output = ImporterOutput(tool: ToolInfo(name: "Conftest"))
        for file in root.array {
            let path = file["filename"]?.text ?? ""
            let namespace = file["namespace"]?.text ?? "main"
            for (key, severity, suppressed) in [
                ("failures", Severity.high, false), ("warnings", Severity.medium, false), ("exceptions", Severity.high, true),
            ] {
                for result in file[key]?.array ?? [] {
                    let message = result["msg"]?.text ?? "policy violation"
                    // The policy's own id, when its metadata gives one; else the namespace and message, which is what identifies a Rego rule's output.
                    let rule = result["metadata", "details", "id"]?.text ?? result["metadata", "id"]?.text ?? "\(namespace): \(message)"
                    output.findings.append(
                        Finding(
                            category: .iac, tool: output.tool, ruleID: rule, title: message,
                            description: result["metadata", "query"]?.text.map { "Query: \($0)" },
                            severity: severity, location: .iac(IaCLocation(file: path, framework: namespace)),
                            suppression: suppressed ? Suppression(kind: .external, justification: "conftest exception") : nil, raw: .json(result)))
                }
            }
        }
        return output
    }
}
