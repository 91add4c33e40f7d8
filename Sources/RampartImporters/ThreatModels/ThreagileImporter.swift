import Foundation
import RampartCore

/// Threagile's `risks.json`: the risks its rules derive from a YAML model of the system, one
/// object per risk with its rule (`category`), severity, likelihood, impact, the model elements
/// it is most about, and the status the model's risk tracking gives it.
///
/// A risk sits at the element Threagile names first among the most relevant ones (a
/// communication link is more precise than the asset it leaves); its `synthetic_id` (rule and
/// elements) is Threagile's own identity of the risk, and Rampart's. A `mitigated` risk is gone
/// and left out (a note counts it); `accepted` and `false-positive` ones are kept as such.
/// The file does not carry the model's title: the stream stands for the model.
struct ThreagileImporter: ReportImporter {
    let info = FormatInfo(
        id: "threagile-json", name: "Threagile risks JSON", tool: "Threagile", category: .design, syntax: .json,
        notes: "risks.json: risks of the modelled system at the elements they are about, with likelihood, impact and tracking status",
        defectDojoScanTypes: ["Threagile risks report"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first else { return nil }
        return first["synthetic_id"] != nil && first["category"] != nil && (first["exploitation_likelihood"] != nil || first["severity"] != nil)
            ? .certain : nil
    }

    /// The most relevant elements, most precise first, with what Threagile calls them.
    static let elementKeys: [(key: String, type: String)] = [
        ("most_relevant_communication_link", "communication link"), ("most_relevant_data_asset", "data asset"),
        ("most_relevant_technical_asset", "technical asset"), ("most_relevant_trust_boundary", "trust boundary"),
        ("most_relevant_shared_runtime", "shared runtime"),
    ]

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array of Threagile risks") }
        var output = ImporterOutput(tool: ToolInfo(name: "Threagile"))
        let plain = ConvertedTexts(plainText(fromHTML:))
        var mitigated = 0
        for risk in root.array {
            guard risk.isObject, let rule = risk["category"]?.text, let syntheticID = risk["synthetic_id"]?.text else {
                output.diagnostics.append(Diagnostic("risk without a category or synthetic_id skipped", at: risk.position))
                continue
            }
            let status = risk["risk_status"]?.text?.lowercased()
            if status == "mitigated" {
                mitigated += 1
                continue
            }
            let element = Self.elementKeys.lazy.compactMap { entry in risk[entry.key]?.text.map { (name: $0, type: entry.type) } }.first
            let severityText = risk["severity"]?.text
            let title = risk["title"]?.text.map(plain.callAsFunction) ?? rule
            var facts: [String] = []
            if let likelihood = risk["exploitation_likelihood"]?.text { facts.append("exploitation likelihood \(likelihood)") }
            if let impact = risk["exploitation_impact"]?.text { facts.append("impact \(impact)") }
            if let breach = risk["data_breach_probability"]?.text {
                let assets = (risk["data_breach_technical_assets"]?.array ?? []).compactMap(\.text)
                facts.append("data breach \(breach)" + (assets.isEmpty ? "" : " (technical assets: \(assets.joined(separator: ", ")))"))
            }
            var lines = [title + "."]
            if !facts.isEmpty { lines.append("Threagile rates the " + facts.joined(separator: ", ") + ".") }
            let others = Self.elementKeys.compactMap { entry in
                risk[entry.key]?.text.flatMap { $0 == element?.name ? nil : "\(entry.type) \($0)" }
            }
            if !others.isEmpty { lines.append("Also concerns the " + others.joined(separator: ", ") + ".") }
            if let status { lines.append("Risk tracking status: \(status).") }
            output.findings.append(
                Finding(
                    category: .design, tool: output.tool, ruleID: rule, title: title, description: lines.joined(separator: "\n\n"),
                    toolSeverity: severityText, severity: .from(tool: severityText),
                    location: .design(DesignLocation(element: element?.name, elementType: element?.type)),
                    references: ["https://github.com/Threagile/threagile"], toolFingerprint: syntheticID,
                    suppression: Self.suppression(status), raw: .json(risk)))
        }
        if mitigated > 0 { output.diagnostics.append(Diagnostic("\(mitigated) mitigated risk(s) left out", level: .note)) }
        return output
    }

    static func suppression(_ status: String?) -> Suppression? {
        switch status {
        case "accepted": Suppression(kind: .accepted, justification: "accepted in the model's risk tracking")
        case "false-positive": Suppression(kind: .falsePositive, justification: "false positive in the model's risk tracking")
        default: nil
        }
    }
}
