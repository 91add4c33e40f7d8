import Foundation
import RampartCore

/// Arachni's JSON report (`arachni_reporter --reporter=json`, from an `.afr`): each issue with
/// its check, the element and input it affects (the vector), proof, CWE, severity, and whether
/// Arachni trusts it. Untrusted issues (Arachni's own "may be a false positive") get low
/// confidence. One finding per check, URL and input.
struct ArachniImporter: ReportImporter {
    let info = FormatInfo(
        id: "arachni-json", name: "Arachni JSON", tool: "Arachni", category: .dast, syntax: .json,
        notes: "web issues per URL, element and input, with proof, CWE, severity and trust", defectDojoScanTypes: ["Arachni Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["issues"] != nil, root["sitemap"] != nil, root["seed"] != nil else { return nil }
        return .certain
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Arachni", version: root["version"]?.text))
        if let site = root["options", "url"]?.text { output.scope = ScanScope(kind: "dast", target: site) }
        for issue in root["issues"]?.array ?? [] {
            let vector = issue["vector"]
            let check = issue["check", "shortname"]?.text ?? issue["name"]?.text ?? "arachni"
            let url = vector?["action"]?.text ?? vector?["url"]?.text ?? issue["page", "dom", "url"]?.text ?? root["options", "url"]?.text ?? ""
            let severityText = issue["severity"]?.text
            let trusted = issue["trusted"]?.bool ?? true
            var description = [issue["description"]?.text?.trimmingCharacters(in: .whitespacesAndNewlines)]
            if let proof = issue["proof"]?.text?.nonBlank { description.append("Proof: \(proof)") }
            if let element = vector?["type"]?.text { description.append("Element: \(element)") }
            if let remarks = issue["remarks"], !remarks.entries.isEmpty {
                description.append("Remarks: " + remarks.entries.flatMap { $0.value.strings }.joined(separator: " "))
            }
            output.findings.append(
                Finding(
                    category: .dast, tool: output.tool, ruleID: check, title: issue["name"]?.text ?? check,
                    description: description.compactMap { $0?.nonBlank }.joined(separator: "\n\n"), toolSeverity: severityText,
                    severity: Self.severity(severityText), confidence: trusted ? nil : .low, cwes: CWE.parseAll([issue["cwe"]?.text ?? ""]),
                    location: .endpoint(
                        EndpointLocation(
                            url: url, method: vector?["method"]?.text?.uppercased(), parameter: vector?["affected_input_name"]?.text,
                            evidence: issue["signature"]?.text ?? issue["proof"]?.text)),
                    remediation: issue["remedy_guidance"]?.text?.trimmingCharacters(in: .whitespacesAndNewlines),
                    references: issue["references"]?.entries.compactMap { $0.value.text } ?? [], tags: issue["tags"]?.strings ?? [],
                    toolFingerprint: nil, raw: .json(issue)))
        }
        return output
    }

    /// Arachni's severities: high, medium, low, informational.
    static func severity(_ text: String?) -> Severity {
        text?.lowercased() == "informational" ? .info : .from(tool: text, default: .medium)
    }
}
