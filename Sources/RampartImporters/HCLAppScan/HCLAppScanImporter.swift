import Foundation
import RampartCore

/// HCL AppScan's XML report (`xml-report`), as AppScan Standard writes it for DAST scans and
/// AppScan on Cloud (ASoC) for SAST and mixed scans: one finding per issue (`issue-group/item`),
/// named by its issue type (`issue-type-group`), with severity, CVSS, CWE, and either the
/// affected URL (DAST: `url-group`, the test request's method) or the file and line (SAST:
/// `filename` and the caller `file:line`), plus the fix recommendation and the issue's
/// reasoning.
struct HCLAppScanImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "hcl-appscan-xml", name: "HCL AppScan XML (Standard DAST, on Cloud SAST)", tool: "HCL AppScan", category: .dast, syntax: .xml,
        notes: "issues with type, severity, CVSS, CWE, URL or file and line, fix recommendation",
        defectDojoScanTypes: ["HCLAppScan XML", "HCL AppScan on Cloud SAST XML", "IBM AppScan DAST"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot, root.localName == "xml-report" else { return nil }
        return root.attributes["name"]?.contains("AppScan") == true || root.child("issue-group") != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an AppScan XML report") }
        var output = ImporterOutput(
            tool: ToolInfo(name: "HCL AppScan", version: root.attributes["xmlExportVersion"] ?? root.attributes["AsocXmlExportVersion"]))
        func names(_ group: String) -> [String: XMLElement] {
            var result: [String: XMLElement] = [:]
            for item in root.child(group)?.children("item") ?? [] { if let id = item.attributes["id"] { result[id] = item } }
            return result
        }
        let types = names("issue-type-group")
        let urls = names("url-group")
        let entities = names("entity-group")
        let fixes = names("remediation-group").merging(names("fix-recommendation-group")) { first, _ in first }
        for issue in root.child("issue-group")?.children("item") ?? [] {
            let typeID = issue.path("issue-type", "ref")?.value ?? "appscan-issue"
            let type = types[typeID]
            let title = type?.childText("name") ?? typeID
            let severityText = issue.childText("severity")
            let cwe = issue.path("cwe", "ref")?.value ?? issue.childText("cwe") ?? type?.childText("cwe")
            let cvss = CVSSScore(
                // AppScan writes CVSS 3.x vectors without their `CVSS:3.x/` prefix (the scope metric says which version).
                vector: issue.path("cvss-vector", "vector")?.value.map { !$0.hasPrefix("CVSS:") && $0.contains("/S:") ? "CVSS:3.1/" + $0 : $0 },
                score: issue.childText("cvss-score").flatMap(Double.init), source: "AppScan")
            let variant = issue.child("variant-group")?.child("item")
            var details: [String] = []
            if let reasoning = variant?.childText("reasoning") { details.append(reasoning) }
            if let tip = variant?.path("issue-information", "issue-tip")?.value { details.append(tip) }
            if let context = issue.attributes["context"]?.nonBlank { details.append("Context: \(context)") }
            let location: Location
            var category = FindingCategory.dast
            if let file = issue.attributes["filename"]?.nonBlank {
                // SAST: the caller `file:line` names the line; the context is the code.
                category = .sast
                let caller = variant?.descendants("method-signature2").first?.value ?? issue.attributes["caller"]
                let line = caller.flatMap { $0.split(separator: ":").last.flatMap { ReportInteger.parse(String($0)) } }
                location = .code(CodeLocation(file: file, startLine: line, snippet: issue.attributes["context"]?.nonBlank))
            } else {
                let urlRef = issue.child("url")?.childText("ref")
                let entity = issue.path("entity", "ref")?.value.flatMap { entities[$0] }
                let url = urlRef.flatMap { urls[$0]?.childText("name") } ?? entity?.childText("url-name") ?? ""
                let method = issue.child("url")?.attributes["original_request_method"]
                let parameter = entity.flatMap { $0.childText("entity-type") == "Page" ? nil : $0.childText("name") }
                location = .endpoint(EndpointLocation(url: url, method: method, parameter: parameter))
            }
            let fixRef = issue.path("remediation", "ref")?.value ?? issue.path("fix-recommendation", "ref")?.value
            let fix = fixRef.flatMap { fixes[$0]?.childText("name") } ?? issue.path("fix", "item", "remediation")?.value
            output.findings.append(
                Finding(
                    category: category, tool: output.tool, ruleID: typeID, title: title, description: details.joined(separator: "\n\n").nonBlank,
                    toolSeverity: severityText, severity: .from(tool: severityText, score: cvss?.score, default: .medium),
                    cwes: CWE.parseAll([cwe].compactMap { $0 }),
                    vulnerabilityIDs: .parsing([issue.childText("cve"), type?.childText("cve")].compactMap { $0?.nonBlank }),
                    cvss: [cvss].compactMap { $0 },
                    location: location, remediation: fix,
                    tags: [issue.path("threat-class", "ref")?.value].compactMap { $0 }, toolFingerprint: issue.attributes["id"], raw: .xml(issue)))
        }
        return output
    }
}
