import Foundation
import RampartCore

/// Burp Suite's XML issue report (Report selected issues > XML): per issue, its type, host and
/// path, severity and confidence, Burp's background and detail texts (HTML), CWE references,
/// and the request and response (base64 or plain) that show it.
struct BurpXMLImporter: ReportImporter {
    let info = FormatInfo(
        id: "burp-xml", name: "Burp Suite XML", tool: "Burp Suite", category: .dast, syntax: .xml,
        notes: "issues per URL with type id, severity, confidence, CWEs and the request/response evidence", defectDojoScanTypes: ["Burp Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot, root.localName == "issues" else { return nil }
        if root.attributes["burpVersion"] != nil { return .certain }
        return root.child("issue")?.child("serialNumber") != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "Burp Suite", version: root.attributes["burpVersion"]))
        for issue in root.children("issue") {
            let type = issue.childText("type") ?? "unknown"
            let name = issue.childText("name") ?? type
            let host = issue.childText("host") ?? ""
            let path = issue.childText("path") ?? ""
            let severityText = issue.childText("severity")
            let confidence = issue.childText("confidence")
            let classifications = issue.childText("vulnerabilityClassifications") ?? ""
            let detail = issue.childText("issueDetail").map(plainText(fromHTML:))
            let method = issue.child("requestresponse")?.child("request")?.attributes["method"]
            var description = [issue.childText("issueBackground").map(plainText(fromHTML:)), detail].compactMap { $0?.nonBlank }
            let items = issue.child("issueDetailItems")?.children("issueDetailItem").compactMap(\.value) ?? []
            if !items.isEmpty { description.append(items.joined(separator: "\n")) }
            output.findings.append(
                Finding(
                    category: .dast, tool: output.tool, ruleID: type, title: name, description: description.joined(separator: "\n\n").nonBlank,
                    toolSeverity: severityText, severity: .from(tool: severityText == "Information" ? "info" : severityText, default: .info),
                    confidence: confidence.flatMap(Confidence.init(toolText:)), cwes: CWE.parseAll(Self.cweReferences(classifications)),
                    location: .endpoint(EndpointLocation(url: host + path, method: method, evidence: detail.map { String($0.prefix(500)) })),
                    remediation: [issue.childText("remediationBackground"), issue.childText("remediationDetail")].compactMap {
                        $0.map(plainText(fromHTML:))?.nonBlank
                    }
                    .joined(separator: "\n\n").nonBlank,
                    references: Self.links(issue.childText("references") ?? "") + Self.links(classifications),
                    tags: [issue.childText("location").map { "location:\($0)" }].compactMap { $0 }, raw: .xml(issue)))
        }
        return output
    }

    /// "CWE-79: Improper Neutralization..." entries of Burp's classification list.
    static func cweReferences(_ html: String) -> [String] {
        html.components(separatedBy: "CWE-").dropFirst().compactMap { part in
            let digits = part.prefix { $0.isASCII && $0.isNumber }
            return digits.isEmpty ? nil : "CWE-\(digits)"
        }
    }

    /// The href targets of an HTML fragment.
    static func links(_ html: String) -> [String] {
        html.components(separatedBy: "href=\"").dropFirst().compactMap { part in part.split(separator: "\"", maxSplits: 1).first.map(String.init) }
            .filter { $0.hasPrefix("http") }.uniqued()
    }
}
