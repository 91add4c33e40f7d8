import Foundation
import RampartCore

/// PingCastle's Active Directory health check XML (`ad_hc_<domain>.xml`, root
/// `HealthcheckData`): one finding per risk rule that matched (`RiskRules/HealthcheckRiskRule`),
/// at the domain it audited.
///
/// PingCastle weighs each rule in points (0 to 100; a category's score is their sum, capped at
/// 100). The severity follows the points: 0 informational, under 10 low, under 30 medium, under
/// 50 high, 50 and over critical.
struct PingCastleImporter: ReportImporter {
    let info = FormatInfo(
        id: "pingcastle-xml", name: "PingCastle health check XML", tool: "PingCastle", category: .infra, syntax: .xml,
        notes: "matched risk rules with points, category and model, at the audited domain", defectDojoScanTypes: ["PingCastle"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot, root.localName == "HealthcheckData" else { return nil }
        return root.child("DomainFQDN") != nil || root.child("RiskRules") != nil ? .certain : .likely
    }

    static func severity(points: Int?) -> Severity {
        guard let points else { return .medium }
        switch points {
        case ..<1: return .info
        case ..<10: return .low
        case ..<30: return .medium
        case ..<50: return .high
        default: return .critical
        }
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "PingCastle", version: root.childText("EngineVersion")))
        let domain = root.childText("DomainFQDN") ?? root.childText("NetBIOSName") ?? "unnamed domain"
        for rule in root.child("RiskRules")?.children("HealthcheckRiskRule") ?? [] {
            guard let id = rule.childText("RiskId") else {
                output.diagnostics.append(Diagnostic("risk rule without RiskId skipped", at: "line \(rule.line)"))
                continue
            }
            let points = ReportInteger.parse(rule.childText("Points"))
            let category = rule.childText("Category")
            let model = rule.childText("Model")
            let rationale = rule.childText("Rationale")
            var lines = [rationale].compactMap { $0 }
            lines.append(
                "PingCastle rule \(id) on \(domain): \(points.map(String.init) ?? "?") point(s), category \(category ?? "?"), model \(model ?? "?").")
            let details = rule.child("Details")?.children.compactMap(\.value) ?? []
            if !details.isEmpty { lines.append("Details:\n" + details.map { "- \($0)" }.joined(separator: "\n")) }
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: id, title: rationale.map { "\(id): \($0)" } ?? id,
                    description: lines.joined(separator: "\n\n"), toolSeverity: points.map { "\($0) points" },
                    severity: Self.severity(points: points), location: .host(HostLocation(address: domain, service: "active directory")),
                    tags: [category, model].compactMap { $0 }, raw: .xml(rule)))
        }
        return output
    }
}
