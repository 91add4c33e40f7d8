import Foundation
import RampartCore

/// Rapplex's JSON scan report: issues grouped by severity (`Severities.<level>.IssueGroups`), each
/// group a kind of issue with its definition (summary, remediation, CWE and other
/// classifications, references), each issue a URL with the request, response, payload and
/// injection point. One finding per issue at its URL and parameter.
struct RapplexImporter: ReportImporter {
    let info = FormatInfo(
        id: "rapplex-json", name: "Rapplex JSON", tool: "Rapplex", category: .dast, syntax: .json,
        notes: "web issues per URL and injection point with severity, CWE, payload, request and response", defectDojoScanTypes: ["Rapplex Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        return root["ScanId"] != nil && root["Severities"] != nil && root["ScanPolicy"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Rapplex"))
        for (level, severity) in root["Severities"]?.entries ?? [] {
            for group in severity["IssueGroups"]?.array ?? [] {
                let definition = group["Definition"]
                let groupName = group["Group"]?.text?.nonBlank ?? definition?["Title"]?.text?.nonBlank ?? "Rapplex issue"
                let classifications = definition?["Classifications"]?.array ?? []
                let cwes = classifications.filter { $0["Foundation"]?.text == "CWE" }.compactMap {
                    $0["Value"]?.text.flatMap { ReportInteger.parse($0) }
                }
                let sections = definition?["Sections"]
                let summary = sections?["Summary"]?.text.map { plainText(fromHTML: $0) }?.nonBlank
                let remediation = (sections?["Remediation"] ?? sections?["Solution"])?.text.map { plainText(fromHTML: $0) }?.nonBlank
                let references = definition?["References"]?.array.compactMap { $0["Link"]?.text } ?? []
                for issue in group["Issues"]?.array ?? [] {
                    guard let url = issue["Url"]?.text?.nonBlank else {
                        output.diagnostics.append(Diagnostic("issue without a URL skipped", at: issue.position))
                        continue
                    }
                    let severityText = issue["Severity"]?.text ?? group["Severity"]?.text ?? level
                    var lines = [summary].compactMap { $0 }
                    if let payload = issue["Payload"]?.text?.nonBlank { lines.append("Payload: \(payload)") }
                    if let request = issue["HttpRequest"]?.text?.nonBlank { lines.append("Request:\n\(request)") }
                    if let response = issue["HttpResponse"]?.text?.nonBlank {
                        lines.append(
                            "Response:\n\(response.replacingOccurrences(of: "<mark>", with: "").replacingOccurrences(of: "</mark>", with: ""))")
                    }
                    output.findings.append(
                        Finding(
                            category: .dast, tool: output.tool, ruleID: groupName, title: issue["Title"]?.text?.nonBlank ?? groupName,
                            description: lines.joined(separator: "\n\n"), toolSeverity: severityText,
                            severity: severityText.lowercased() == "information" ? .info : .from(tool: severityText),
                            confidence: issue["Exploitable"]?.bool == true ? .high : nil, cwes: cwes,
                            location: .endpoint(EndpointLocation(url: url, parameter: issue["InjectionPoint"]?.text?.nonBlank)),
                            remediation: remediation, references: references,
                            tags: classifications.compactMap { $0["Formatted"]?.text }.filter { !$0.hasPrefix("CWE") }, raw: .json(issue)))
                }
            }
        }
        return output
    }
}
