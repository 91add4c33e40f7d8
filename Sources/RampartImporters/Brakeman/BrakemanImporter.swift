import Foundation
import RampartCore

/// Brakeman's JSON report (`brakeman -f json`): warnings with type, confidence, CWE, the code
/// and Brakeman's own fingerprint (stable across line changes); warnings ignored in
/// `config/brakeman.ignore` come under `ignored_warnings`; files Brakeman could not parse are
/// listed under `errors`.
struct BrakemanImporter: ReportImporter {
    let info = FormatInfo(
        id: "brakeman-json", name: "Brakeman JSON", tool: "Brakeman", category: .sast, syntax: .json,
        notes:
            "Rails warnings with confidence, CWE, code and Brakeman's fingerprint; ignored warnings kept as suppressed; parse errors block closing",
        defectDojoScanTypes: ["Brakeman Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["warnings"]?.isArray == true else { return nil }
        if root["scan_info", "brakeman_version"] != nil { return .certain }
        return root["scan_info", "rails_version"] != nil || root["ignored_warnings"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Brakeman", version: root["scan_info", "brakeman_version"]?.text))
        let errors = root["errors"]?.array ?? []
        if !errors.isEmpty {
            output.toolReportedError = true
            output.diagnostics.append(
                Diagnostic("Brakeman could not parse \(errors.count) file(s); findings missing from this report are not closed"))
        }
        for warning in root["warnings"]?.array ?? [] { output.findings.append(finding(warning, ignored: false, tool: output.tool)) }
        for warning in root["ignored_warnings"]?.array ?? [] { output.findings.append(finding(warning, ignored: true, tool: output.tool)) }
        return output
    }

    private func finding(_ warning: JSONNode, ignored: Bool, tool: ToolInfo) -> Finding {
        let type = warning["warning_type"]?.text ?? "Warning"
        let check = warning["check_name"]?.text ?? type
        let message = warning["message"]?.text ?? type
        let confidence = warning["confidence"]?.text
        var description = [message]
        if let input = warning["user_input"]?.text { description.append("User input: \(input)") }
        if let location = warning["location"], let kind = location["type"]?.text {
            let place = [location["class"]?.text, location["method"]?.text ?? location["template"]?.text].compactMap { $0 }.joined(separator: "#")
            description.append("Location: \(kind) \(place)")
        }
        // Brakeman's confidence (High, Medium, Weak) is how sure it is, which is also how it ranks them.
        let severity: Severity =
            switch confidence?.lowercased() {
            case "high": .high
            case "medium": .medium
            default: .low
            }
        return Finding(
            category: .sast, tool: tool, ruleID: check, title: "\(type): \(message)", description: description.joined(separator: "\n"),
            toolSeverity: confidence, severity: severity, confidence: confidence.flatMap { Confidence(toolText: $0 == "Weak" ? "low" : $0) },
            cwes: (warning["cwe_id"]?.array ?? []).compactMap(\.int),
            location: .code(CodeLocation(file: warning["file"]?.text ?? "", startLine: warning["line"]?.int, snippet: warning["code"]?.text)),
            references: [warning["link"]?.text].compactMap { $0 }, toolFingerprint: warning["fingerprint"]?.text,
            suppression: ignored ? Suppression(kind: .inSource, justification: warning["note"]?.text?.nonBlank) : nil, raw: .json(warning))
    }
}
