import Foundation
import RampartCore

/// Meta's Infer `report.json` (`infer run`): an array of issues with bug type, qualifier,
/// severity (ERROR high, WARNING medium, INFO and ADVICE low), file, line and the bug trace.
/// The issue's `hash` is Infer's own stable id.
struct InferImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "infer-json", name: "Infer report.json", tool: "Infer", category: .sast, syntax: .json,
        notes: "issues (null dereference, leaks, races, ...) with bug type, qualifier, location and trace", defectDojoScanTypes: ["Infer Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first else { return nil }
        return first["bug_type"] != nil && first["qualifier"] != nil && first["procedure"] != nil ? .certain : nil
    }

    /// Weaknesses of Infer's main bug types.
    static let cwes: [String: Int] = [
        "NULLPTR_DEREFERENCE": 476, "NULL_DEREFERENCE": 476, "MEMORY_LEAK": 401, "MEMORY_LEAK_C": 401, "RESOURCE_LEAK": 772,
        "USE_AFTER_FREE": 416, "BUFFER_OVERRUN_L1": 787, "BUFFER_OVERRUN_L2": 787, "BUFFER_OVERRUN_L3": 787, "BUFFER_OVERRUN_S2": 787,
        "INTEGER_OVERFLOW_L1": 190, "INTEGER_OVERFLOW_L2": 190, "UNINITIALIZED_VALUE": 457, "PULSE_UNINITIALIZED_VALUE": 457,
        "NULLPTR_DEREFERENCE_LATENT": 476, "DEAD_STORE": 563, "THREAD_SAFETY_VIOLATION": 362,
        "DEADLOCK": 833, "DIVIDE_BY_ZERO": 369,
    ]

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected Infer's JSON array of issues") }
        var output = ImporterOutput(tool: ToolInfo(name: "Infer"))
        for issue in root.array {
            guard let bugType = issue["bug_type"]?.text else {
                output.diagnostics.append(Diagnostic("issue without a bug type skipped", at: issue.position))
                continue
            }
            let severityText = issue["severity"]?.text
            let severity: Severity =
                switch severityText?.uppercased() {
                case "ERROR": .high
                case "WARNING": .medium
                default: .low
                }
            let trace = (issue["bug_trace"]?.array ?? []).map { step in
                "\(step["filename"]?.text ?? "?"):\(step["line_number"]?.text ?? "?") \(step["description"]?.text ?? "")"
            }
            var details = [issue["qualifier"]?.text ?? bugType]
            if let procedure = issue["procedure"]?.text { details.append("Procedure: \(procedure)") }
            if !trace.isEmpty { details.append("Trace:\n" + trace.joined(separator: "\n")) }
            output.findings.append(
                Finding(
                    category: .sast, tool: output.tool, ruleID: bugType,
                    title:
                        "\(issue["category"]?.text ?? bugType.replacingOccurrences(of: "_", with: " ").capitalized) in \(issue["procedure"]?.text ?? issue["file"]?.text ?? "code")",
                    description: details.joined(separator: "\n\n"), toolSeverity: severityText, severity: severity,
                    cwes: Self.cwes[bugType].map { [$0] } ?? [],
                    location: .code(
                        CodeLocation(
                            file: issue["file"]?.text ?? "", startLine: issue["line"]?.int,
                            startColumn: issue["column"]?.int.flatMap { $0 > 0 ? $0 : nil })),
                    toolFingerprint: issue["hash"]?.text, raw: .json(issue)))
        }
        return output
    }
}
