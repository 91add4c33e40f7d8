import Foundation
import RampartCore

/// Acunetix's XML export (`ScanGroup/Scan/ReportItems/ReportItem`): each alert with the path it
/// affects (below the scan's start URL), the parameter, CWE and CVE lists, CVSS 2 and 3, and
/// HTML details. One finding per alert and URL and parameter; alerts Acunetix marks false
/// positive are kept as suppressed. (Acunetix 360 writes Invicti's JSON, read by that importer.)
struct AcunetixXMLImporter: ReportImporter {
    let info = FormatInfo(
        id: "acunetix-xml", name: "Acunetix XML", tool: "Acunetix", category: .dast, syntax: .xml,
        notes: "web alerts per path and parameter with CWE, CVE, CVSS 3 vector, details and recommendation", defectDojoScanTypes: ["Acunetix Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot, root.localName == "ScanGroup" else { return nil }
        return root.child("Scan")?.child("ReportItems") != nil || root.child("Scan")?.child("StartURL") != nil ? .certain : .likely
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "Acunetix"))
        for scan in root.children("Scan") {
            let start = scan.childText("StartURL") ?? ""
            if !start.isEmpty, output.scope.target.isEmpty { output.scope = ScanScope(kind: "dast", target: start) }
            for item in scan.child("ReportItems")?.children("ReportItem") ?? [] {
                let name = item.childText("Name") ?? "Acunetix alert"
                let affects = item.childText("Affects") ?? ""
                let parameter = item.childText("Parameter").flatMap { $0 == "<empty>" ? nil : $0.nonBlank }
                let cvss3 = item.child("CVSS3")
                let cvss2 = item.child("CVSS")
                var scores: [CVSSScore] = []
                if let score = CVSSScore(
                    vector: cvss3?.childText("Descriptor"), score: cvss3?.childText("Score").flatMap(Double.init), source: "Acunetix")
                {
                    scores.append(score)
                }
                if let score = CVSSScore(vector: nil, score: cvss2?.childText("Score").flatMap(Double.init), source: "Acunetix (CVSS v2)"),
                    scores.isEmpty
                {
                    scores.append(score)
                }
                let description = [
                    item.childText("Description").map(plainText(fromHTML:)),
                    item.childText("Details").map(plainText(fromHTML:)).map { "Details: \($0)" },
                    item.childText("Impact").map { "Impact: \($0)" }, item.childText("DetailedInformation").map(plainText(fromHTML:)),
                ]
                let severityText = item.childText("Severity")
                var finding = Finding(
                    category: .dast, tool: output.tool, ruleID: item.childText("ModuleName") ?? item.childText("Type") ?? name, title: name,
                    description: description.compactMap { $0?.nonBlank }.joined(separator: "\n\n"), toolSeverity: severityText,
                    severity: Self.severity(severityText),
                    cwes: CWE.parseAll(item.child("CWEList")?.children("CWE").compactMap { $0.attributes["id"] ?? $0.value } ?? []),
                    vulnerabilityIDs: .parsing(item.child("CVEList")?.children("CVE").compactMap { $0.childText("Id") ?? $0.value } ?? []),
                    cvss: scores,
                    location: .endpoint(EndpointLocation(url: endpointURL(base: start, path: affects), parameter: parameter)),
                    remediation: item.childText("Recommendation").map(plainText(fromHTML:)),
                    references: item.child("References")?.children("Reference").compactMap { $0.childText("URL") } ?? [],
                    tags: [item.childText("Type")].compactMap { $0 }, raw: .xml(item))
                if item.childText("IsFalsePositive")?.lowercased() == "true" {
                    finding.suppression = Suppression(kind: .falsePositive, justification: "marked false positive in Acunetix")
                }
                output.findings.append(finding)
            }
        }
        return output
    }

    /// Acunetix's severities: high, medium, low, info (and critical in later releases).
    static func severity(_ text: String?) -> Severity {
        switch text?.lowercased() {
        case "info", "informational": .info
        default: .from(tool: text, default: .medium)
        }
    }
}
