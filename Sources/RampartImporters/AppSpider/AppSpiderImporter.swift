import Foundation
import RampartCore

/// Rapid7 AppSpider's `VulnerabilitiesSummary.xml` (`VulnSummary/VulnList/Vuln`): one finding
/// per vulnerability and URL, with AppSpider's attack score (`1-Informational` to
/// `4-High`), its confidence, CWE, parameter, matched evidence, description and
/// recommendation (HTML made plain).
struct AppSpiderImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "appspider-xml", name: "AppSpider VulnerabilitiesSummary XML", tool: "AppSpider", category: .dast, syntax: .xml,
        notes: "vulnerabilities per URL and parameter with attack score, confidence, CWE and evidence",
        defectDojoScanTypes: ["AppSpider Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot, root.localName == "VulnSummary" else { return nil }
        return root.child("VulnList") != nil || root.child("AppVersion") != nil ? .certain : .possible
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an AppSpider XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "AppSpider", version: root.childText("AppVersion")))
        for vuln in root.child("VulnList")?.children("Vuln") ?? [] {
            let type = vuln.childText("VulnType") ?? vuln.childText("AttackType") ?? "AppSpider finding"
            guard let url = vuln.childText("VulnUrl") ?? vuln.childText("Url") ?? vuln.childText("WebSite") else {
                output.diagnostics.append(Diagnostic("vulnerability without a URL skipped", at: "line \(vuln.line)"))
                continue
            }
            // "2-Low": the level number, then its name.
            let score = vuln.childText("AttackScore")
            let level = score.flatMap { ReportInteger.parse(String($0.prefix { $0.isNumber })) }
            let severity: Severity =
                [0: .info, 1: .info, 2: .low, 3: .medium, 4: .high, 5: .critical][level ?? -1] ?? .from(tool: score, default: .medium)
            let parameter = vuln.childText("VulnParam") ?? vuln.childText("ParameterName").flatMap { $0 == "N/A" ? nil : $0 }
            let method = vuln.childText("Method").flatMap { $0 == "N/A" ? nil : $0 }
            let matched = vuln.childText("MatchedString")
            let confidence = vuln.childText("Confidence")
            output.findings.append(
                Finding(
                    category: .dast, tool: output.tool, ruleID: vuln.childText("ModuleId") ?? type, title: type,
                    description: [vuln.childText("Description").map(plainText(fromHTML:)), matched.map { "Matched: \($0)" }].compactMap { $0 }
                        .joined(separator: "\n\n").nonBlank,
                    toolSeverity: score, severity: severity, confidence: confidence.flatMap(Confidence.init(toolText:)),
                    cwes: CWE.parseAll([vuln.childText("CweId")].compactMap { $0 }.filter { $0 != "0" }),
                    location: .endpoint(EndpointLocation(url: url, method: method, parameter: parameter, evidence: matched)),
                    remediation: vuln.childText("Recommendation").map(plainText(fromHTML:)), tags: [vuln.childText("AttackClass")].compactMap { $0 },
                    toolFingerprint: vuln.childText("FindingDbId") ?? vuln.childText("DbId"), raw: .xml(vuln)))
        }
        return output
    }
}
