import Foundation
import RampartCore

/// Micro Focus (OpenText) WebInspect's XML exports: the scan's sessions (`Sessions/Session`
/// with `Issues/Issue`) and the scan's issues (`Scan/Issues/Issue`, each with its URL, the
/// export DefectDojo reads as a Fortify scan): one finding per issue and URL, with WebInspect's 0-4 severity
/// (informational to critical), its check id, CWE classifications and report sections
/// (summary, implication, execution, fix, references). Issues WebInspect marked false
/// positive are kept as suppressed.
struct WebInspectImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "webinspect-xml", name: "WebInspect XML", tool: "WebInspect", category: .dast, syntax: .xml,
        notes: "issues per URL (sessions or scan export) with check id, severity 0-4, CWE and report sections",
        defectDojoScanTypes: ["Microfocus Webinspect Scan", "Fortify Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot else { return nil }
        if root.localName == "Scan", let issue = root.child("Issues")?.child("Issue") {
            return issue.child("CheckTypeID") != nil && issue.child("VulnerabilityID") != nil ? .certain : nil
        }
        guard root.localName == "Sessions" else { return nil }
        guard let session = root.child("Session") else { return .possible }
        return session.child("Issues") != nil || session.child("RawRequest") != nil ? .certain : .possible
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected a WebInspect XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "WebInspect"))
        let severities: [Int: Severity] = [0: .info, 1: .low, 2: .medium, 3: .high, 4: .critical]
        // Either sessions holding issues, or the scan's issues, each naming its URL.
        let groups: [(session: XMLElement?, issues: [XMLElement])] =
            root.localName == "Scan"
            ? [(nil, root.child("Issues")?.children("Issue") ?? [])]
            : root.children("Session").map { ($0, $0.child("Issues")?.children("Issue") ?? []) }
        for (session, issues) in groups {
            for issue in issues {
                guard let url = issue.childText("URL") ?? session?.childText("URL") else {
                    output.diagnostics.append(Diagnostic("issue without a URL skipped", at: "line \(issue.line)"))
                    continue
                }
                let name = issue.childText("Name") ?? "WebInspect issue"
                let checkID = issue.childText("VulnerabilityID") ?? name
                let level = ReportInteger.parse(issue.childText("Severity"))
                var sections: [String: String] = [:]
                for section in issue.children("ReportSection") {
                    if let title = section.childText("Name"), let text = section.childText("SectionText") {
                        sections[title] = plainText(fromHTML: text)
                    }
                }
                let classifications = issue.child("Classifications")?.children("Classification") ?? []
                let cwes = classifications.filter { $0.attributes["kind"] == "CWE" }.compactMap { $0.attributes["identifier"] ?? $0.value }
                let references = classifications.compactMap { $0.attributes["href"] }.filter { $0.hasPrefix("http") }.uniqued()
                let description = ["Summary", "Implication", "Execution"].compactMap { name in sections[name]?.nonBlank.map { "\(name): \($0)" } }
                    .joined(separator: "\n\n")
                let falsePositive = issue.childText("IsFalsePositive")?.lowercased() == "true" || issue.attributes["falsePositive"] == "true"
                output.findings.append(
                    Finding(
                        category: .dast, tool: output.tool, ruleID: checkID, title: name, description: description.nonBlank,
                        toolSeverity: level.map { "severity \($0)" }, severity: level.flatMap { severities[$0] } ?? .medium,
                        cwes: CWE.parseAll(cwes),
                        location: .endpoint(EndpointLocation(url: url, parameter: session?.childText("AttackParamDescriptor"))),
                        remediation: sections["Fix"]?.nonBlank,
                        references: references + (sections["Reference Info"].map(DefectDojoGeneric.urls) ?? []),
                        tags: [issue.childText("CheckTypeID")].compactMap { $0 },
                        suppression: falsePositive ? Suppression(kind: .falsePositive, justification: "marked false positive in WebInspect") : nil,
                        raw: .xml(issue)))
            }
        }
        return output
    }
}
