import Foundation
import RampartCore

/// Orca Security alert exports, JSON (an array of alerts) and CSV (the same columns, nested
/// names dotted: `CloudAccount.Name`, `Inventory.Name`). One finding per alert on its cloud
/// asset. Severity follows the Orca score, banded as CVSS scores are (0-10: 9+ critical, 7+
/// high, 4+ medium, 0.1+ low, 0 informational); alerts that are no longer open (closed, dismissed, snoozed) are kept
/// as suppressed, since Orca decided them.
struct OrcaSecurityImporter: ReportImporter {
    let syntax: ReportSyntax
    let info: FormatInfo

    init(syntax: ReportSyntax) {
        self.syntax = syntax
        info = FormatInfo(
            id: "orca-security-\(syntax.rawValue)", name: "Orca Security alerts \(syntax == .csv ? "CSV" : "JSON")", tool: "Orca Security",
            category: .cloud, syntax: syntax, notes: "alerts with Orca score, category, cloud account, asset, status and labels",
            defectDojoScanTypes: ["Orca Security Alerts"])
    }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        if syntax == .csv, let header = report.csvTable?.header {
            return header.contains("OrcaScore") && header.contains("Title") ? .certain : nil
        }
        guard syntax == .json, let root = report.jsonRoot else { return nil }
        if root.isArray, let first = root.array.first { return first["OrcaScore"] != nil && first["Title"] != nil ? .certain : nil }
        return nil
    }

    struct Alert {
        var title: String
        var score: Double?
        var category: String?
        var status: String?
        var account: String?
        var asset: String?
        var source: String?
        var labels: [String]
        var createdAt: String?
    }

    func finding(_ alert: Alert, tool: ToolInfo, raw: RawEvidence) -> Finding {
        let status = alert.status?.lowercased()
        let resource = alert.asset ?? alert.source ?? "unknown"
        return Finding(
            category: .cloud, tool: tool, ruleID: alert.title, title: alert.title,
            description: [alert.category.map { "Category: \($0)" }, alert.source.map { "Source: \($0)" }, alert.createdAt.map { "Created: \($0)" }]
                .compactMap { $0 }.joined(separator: "\n").nonBlank,
            toolSeverity: alert.score.map { "OrcaScore \($0)" }, severity: alert.score.map(Severity.init(cvssScore:)) ?? .medium,
            location: .cloud(CloudLocation(provider: "orca", account: alert.account, resourceID: resource)), tags: alert.labels,
            suppression: status == nil || status == "open" || status == "in_progress" || status == "in progress"
                ? nil : Suppression(kind: .external, justification: "Orca status: \(alert.status ?? "")"), raw: raw)
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        var output = ImporterOutput(tool: ToolInfo(name: "Orca Security"))
        if let table = report.csvTable {
            for row in table.records {
                guard let title = row["Title"] else {
                    output.diagnostics.append(Diagnostic("alert without a title skipped", at: row.position))
                    continue
                }
                // Labels are written as a JSON array inside the cell.
                let labelsText = row["Labels"] ?? ""
                let labels: [String] =
                    (try? JSONDocument(data: Data(labelsText.utf8), allowMultipleRoots: false).root?.strings)
                    ?? labelsText.split(separator: ",").map {
                        $0.trimmingCharacters(in: .whitespaces)
                    }.filter { !$0.isEmpty }
                let alert = Alert(
                    title: title, score: row.double("OrcaScore"), category: row["Category"], status: row["Status"], account: row["CloudAccount.Name"],
                    asset: row["Inventory.Name"], source: row["Source"], labels: labels, createdAt: row["CreatedAt"])
                output.findings.append(finding(alert, tool: output.tool, raw: .csv(row)))
            }
        } else if let root = report.jsonRoot {
            for item in root.array {
                guard let title = item["Title"]?.text else {
                    output.diagnostics.append(Diagnostic("alert without a title skipped", at: item.position))
                    continue
                }
                let alert = Alert(
                    title: title, score: item["OrcaScore"]?.double, category: item["Category"]?.text, status: item["Status"]?.text,
                    account: item["CloudAccount", "Name"]?.text, asset: item["Inventory", "Name"]?.text, source: item["Source"]?.text,
                    labels: item["Labels"]?.strings ?? [], createdAt: item["CreatedAt"]?.text)
                output.findings.append(finding(alert, tool: output.tool, raw: .json(item)))
            }
        }
        return output
    }
}
