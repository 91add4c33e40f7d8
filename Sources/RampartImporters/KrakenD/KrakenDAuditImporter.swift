import Foundation
import RampartCore

/// `krakend audit` output in JSON (`krakend audit -c krakend.json -f "{{ marshal . }}"`): the
/// recommendations its rules make about a gateway configuration, one finding each. The report
/// does not name the configuration file: findings sit in `krakend.json`, the file KrakenD reads
/// by default, at the rule.
struct KrakenDAuditImporter: ReportImporter {
    let info = FormatInfo(
        id: "krakend-audit-json", name: "KrakenD audit JSON", tool: "KrakenD audit", category: .iac, syntax: .json,
        notes: "one finding per recommendation with its rule and severity", defectDojoScanTypes: ["KrakenD Audit Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let recommendations = root["recommendations"], recommendations.isArray else { return nil }
        if let first = recommendations.array.first { return first["rule"] != nil && first["message"] != nil ? .certain : nil }
        return root["stats"] != nil && root.entries.count <= 2 ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "KrakenD audit"))
        for recommendation in root["recommendations"]?.array ?? [] {
            guard let rule = recommendation["rule"]?.text?.nonBlank else {
                output.diagnostics.append(Diagnostic("recommendation without a rule skipped", at: recommendation.position))
                continue
            }
            let message = recommendation["message"]?.text?.nonBlank
            let severityText = recommendation["severity"]?.text
            output.findings.append(
                Finding(
                    category: .iac, tool: output.tool, ruleID: rule, title: message ?? "KrakenD audit rule \(rule)",
                    description: "KrakenD audit rule \(rule)" + (message.map { ": \($0)" } ?? "."),
                    toolSeverity: severityText, severity: severityText.flatMap(Severity.init(toolText:)) ?? .medium,
                    location: .iac(IaCLocation(file: "krakend.json", framework: "KrakenD")), remediation: message,
                    references: ["https://www.krakend.io/docs/configuration/audit/"], raw: .json(recommendation)))
        }
        return output
    }
}
