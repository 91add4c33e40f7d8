import Foundation
import RampartCore

/// Burp Suite's other machine outputs:
/// - the REST API's scan status (`GET /v0.1/scan/{id}`: `issue_events[]` of type `issue_found`),
/// - Burp Suite DAST's (Enterprise) GraphQL `issues` query (`Issues[]` with `issue_type`).
/// Both name an issue by origin and path, with Burp's severity and confidence; the issue type
/// (`type_index`) is the rule, as in Burp's XML export, so the three formats keep one identity.
struct BurpAPIImporter: ReportImporter {
    let info = FormatInfo(
        id: "burp-api-json", name: "Burp Suite REST API / DAST GraphQL JSON", tool: "Burp Suite", category: .dast, syntax: .json,
        notes: "issues per origin and path with type, severity, confidence, CWE; REST scan status and Burp Suite DAST GraphQL",
        defectDojoScanTypes: ["Burp REST API", "Burp GraphQL API"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if root["issue_events"] != nil, root["task_id"] != nil || root["scan_status"] != nil { return .certain }
        guard let issues = root["Issues"], issues.isArray, root.entries.count == 1 else { return nil }
        guard let first = issues.array.first else { return .likely }
        return first["issue_type"] != nil && first["origin"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Burp Suite"))
        for event in root["issue_events"]?.array ?? [] where event["type"]?.string ?? "issue_found" == "issue_found" {
            guard let issue = event["issue"] else { continue }
            let name = issue["name"]?.text ?? "Burp issue"
            output.findings.append(
                finding(
                    rule: issue["type_index"]?.text ?? name, name: name, origin: issue["origin"]?.text, path: issue["path"]?.text,
                    severity: issue["severity"]?.text, confidence: issue["confidence"]?.text,
                    description: [issue["description"]?.text, issue["caption"]?.text.map { "At \($0)" }], remediation: issue["remediation"]?.text,
                    classifications: issue["vulnerability_classifications"]?.text ?? "", references: issue["references"]?.text ?? "",
                    raw: .json(issue), tool: output.tool))
        }
        for issue in root["Issues"]?.array ?? [] {
            let type = issue["issue_type"]
            let name = type?["name"]?.text ?? "Burp issue"
            output.findings.append(
                finding(
                    rule: type?["type_index"]?.text ?? issue["type_index"]?.text ?? name, name: name, origin: issue["origin"]?.text,
                    path: issue["path"]?.text, severity: issue["severity"]?.text, confidence: issue["confidence"]?.text,
                    description: [type?["description_html"]?.text, issue["description_html"]?.text],
                    remediation: [type?["remediation_html"]?.text, issue["remediation_html"]?.text].compactMap { $0 }.joined(separator: "\n\n")
                        .nonBlank,
                    classifications: type?["vulnerability_classifications_html"]?.text ?? "", references: type?["references_html"]?.text ?? "",
                    raw: .json(issue), tool: output.tool))
        }
        return output
    }

    private func finding(
        rule: String, name: String, origin: String?, path: String?, severity: String?, confidence: String?, description: [String?],
        remediation: String?,
        classifications: String, references: String, raw: RawEvidence, tool: ToolInfo
    ) -> Finding {
        Finding(
            category: .dast, tool: tool, ruleID: rule, title: name,
            description: description.compactMap { $0.map(plainText(fromHTML:))?.nonBlank }.joined(separator: "\n\n").nonBlank, toolSeverity: severity,
            severity: .from(tool: severity?.lowercased() == "information" ? "info" : severity, default: .info),
            confidence: confidence.flatMap(Confidence.init(toolText:)), cwes: CWE.parseAll(BurpXMLImporter.cweReferences(classifications)),
            location: .endpoint(EndpointLocation(url: (origin ?? "") + (path ?? ""))), remediation: remediation.map(plainText(fromHTML:)),
            references: BurpXMLImporter.links(references) + BurpXMLImporter.links(classifications), raw: raw)
    }
}
