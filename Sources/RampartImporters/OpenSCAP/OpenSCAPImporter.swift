import Foundation
import RampartCore

/// XCCDF results as OpenSCAP writes them (`oscap xccdf eval --results`, XCCDF 1.1 or 1.2, also
/// inside an ARF `asset-report-collection`): one finding per rule whose result is `fail`, on
/// the evaluated target, with the rule's title, description, severity, CVE idents (OVAL
/// patch definitions such as RHSA advisories), other idents (CCE) and references, and its fix
/// text. Rules that could not be evaluated (`error`, `unknown`) are counted in a note: they
/// are neither passed nor failed.
struct OpenSCAPImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "xccdf-results", name: "OpenSCAP XCCDF results", tool: "OpenSCAP", category: .infra, syntax: .xml,
        notes: "failed XCCDF rules (compliance checks and OVAL patch definitions) per target, with CVEs, CCEs and fix text",
        defectDojoScanTypes: ["Openscap Vulnerability Scan"], isStandard: true)

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot else { return nil }
        let namespaces = root.attributes.filter { $0.key.hasPrefix("xmlns") }.map(\.value)
        let isXCCDF = namespaces.contains { $0.contains("checklists.nist.gov/xccdf") }
        switch root.localName {
        case "Benchmark", "TestResult": return isXCCDF ? .certain : nil
        case "asset-report-collection": return namespaces.contains { $0.contains("scap.nist.gov/schema/asset-reporting-format") } ? .certain : nil
        default: return nil
        }
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XCCDF document") }
        var rules: [String: XMLElement] = [:]
        for rule in root.descendants("Rule") { if let id = rule.attributes["id"] { rules[id] = rule } }
        let results = root.localName == "TestResult" ? [root] : root.descendants("TestResult")
        var output = ImporterOutput(
            tool: ToolInfo(
                name: "OpenSCAP", version: results.first?.attributes["test-system"].flatMap { $0.split(separator: ":").last.map(String.init) }))
        guard !results.isEmpty else {
            throw ImportError.content("the document holds a benchmark but no TestResult: it was not evaluated (run `oscap xccdf eval --results`)")
        }
        var unevaluated = 0
        for result in results {
            let target = result.childText("target") ?? "unknown target"
            let addresses = result.children("target-address").compactMap(\.value)
            for ruleResult in result.children("rule-result") {
                let outcome = ruleResult.childText("result") ?? ""
                if outcome == "error" || outcome == "unknown" { unevaluated += 1 }
                guard outcome == "fail" else { continue }
                let id = ruleResult.attributes["idref"] ?? "rule"
                let rule = rules[id]
                let idents = (ruleResult.children("ident") + (rule?.children("ident") ?? [])).compactMap { ident -> (String, String)? in
                    ident.value.map { (ident.attributes["system"] ?? "", $0) }
                }
                let cves = idents.filter { $0.0.contains("cve") || $0.1.hasPrefix("CVE-") }.map(\.1)
                let others = idents.filter { !($0.0.contains("cve") || $0.1.hasPrefix("CVE-")) }.map(\.1).uniqued()
                let severityText = ruleResult.attributes["severity"] ?? rule?.attributes["severity"]
                let title = rule?.childText("title") ?? id
                var details: [String] = []
                if let description = rule?.child("description") { details.append(plainText(fromHTML: Self.text(of: description))) }
                if !others.isEmpty { details.append("Identifiers: " + others.joined(separator: ", ")) }
                if !addresses.isEmpty { details.append("Target addresses: " + addresses.joined(separator: ", ")) }
                let fix = rule?.child("fixtext").map { plainText(fromHTML: Self.text(of: $0)) } ?? rule?.childText("fix")
                output.findings.append(
                    Finding(
                        category: .infra, tool: output.tool, ruleID: id, title: title, description: details.joined(separator: "\n\n").nonBlank,
                        toolSeverity: severityText, severity: .from(tool: severityText, default: .medium), vulnerabilityIDs: .parsing(cves),
                        location: .host(HostLocation(address: target)), remediation: fix?.nonBlank,
                        references: (rule?.children("reference") ?? []).compactMap { $0.attributes["href"] ?? $0.value }.filter {
                            $0.hasPrefix("http")
                        }
                        .uniqued(), tags: others.filter { $0.hasPrefix("CCE-") }, raw: .xml(ruleResult)))
            }
        }
        if unevaluated > 0 {
            output.diagnostics.append(
                Diagnostic("\(unevaluated) rule(s) could not be evaluated (error or unknown): neither passed nor failed", level: .note))
        }
        return output
    }

    /// An element's text with its children's (XCCDF descriptions mix text and XHTML markup).
    static func text(of element: XMLElement) -> String {
        ([element.text] + element.children.map(text(of:))).joined(separator: " ")
    }
}
