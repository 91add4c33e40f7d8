import Foundation
import RampartCore

/// IntSights (Rapid7 Threat Command) alerts: what external threat intelligence found about the
/// organization's assets (vulnerable technology on its domains, exposed data, phishing, attack
/// indications). One finding per alert (its id is the rule: each alert is its own problem),
/// at the asset it concerns; the source the alert came from is a reference. Closed alerts are
/// gone and counted in a note.
enum IntSights {
    /// A domain or address asset is a host; anything else is named by the alert's source.
    static func location(asset: String?, source: String?, alertID: String) -> Location {
        if let asset = asset?.nonBlank { return .host(HostLocation(address: asset)) }
        return .endpoint(EndpointLocation(url: source?.nonBlank ?? "intsights:\(alertID)"))
    }

    static func finding(
        id: String, title: String, description: String?, severity: String?, type: String?, subType: String?, asset: String?, source: String?,
        link: String?, tags: [String], tool: ToolInfo, raw: RawEvidence
    ) -> Finding {
        var lines = [description?.nonBlank].compactMap { $0 }
        lines.append(
            "IntSights alert \(id)"
                + ([type, subType].compactMap { $0?.nonBlank }.isEmpty
                    ? "" : " (\([type, subType].compactMap { $0?.nonBlank }.joined(separator: ", ")))"))
        if let source = source?.nonBlank { lines.append("Source: \(source)") }
        return Finding(
            category: .infra, tool: tool, ruleID: id, title: title,
            description: lines.joined(separator: "\n\n"), toolSeverity: severity, severity: .from(tool: severity, default: .medium),
            location: location(asset: asset, source: source, alertID: id), references: [link, source].compactMap { $0?.nonBlank },
            tags: [type, subType].compactMap { $0?.nonBlank } + tags, raw: raw)
    }
}

/// IntSights alerts JSON (`{"Alerts": [...]}`, the API's alert details).
struct IntSightsJSONImporter: ReportImporter {
    let info = FormatInfo(
        id: "intsights-json", name: "IntSights alerts JSON", tool: "IntSights", category: .infra, syntax: .json,
        notes: "threat intelligence alerts per asset with type, severity, source and tags; closed alerts left out",
        defectDojoScanTypes: ["IntSights Report"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let alerts = root["Alerts"], alerts.isArray else { return nil }
        guard let first = alerts.array.first else { return root.entries.count == 1 ? .likely : nil }
        return first["Details"]?["Severity"] != nil && first["_id"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "IntSights"))
        var closed = 0
        for alert in root["Alerts"]?.array ?? [] {
            let details = alert["Details"]
            guard let id = alert["_id"]?.text, let title = details?["Title"]?.text else {
                output.diagnostics.append(Diagnostic("alert without id or title skipped", at: alert.position))
                continue
            }
            if alert["Closed"]?["IsClosed"]?.bool == true {
                closed += 1
                continue
            }
            let assets = alert["Assets"]?.array.compactMap { $0["Value"]?.text } ?? []
            var finding = IntSights.finding(
                id: id, title: title, description: details?["Description"]?.text, severity: details?["Severity"]?.text, type: details?["Type"]?.text,
                subType: details?["SubType"]?.text, asset: assets.first, source: details?["Source"]?["URL"]?.text, link: nil,
                tags: details?["Tags"]?.array.compactMap { $0["Name"]?.text } ?? [], tool: output.tool, raw: .json(alert))
            if assets.count > 1 { finding.description = (finding.description ?? "") + "\n\nAssets: " + assets.joined(separator: ", ") }
            output.findings.append(finding)
        }
        if closed > 0 { output.diagnostics.append(Diagnostic("\(closed) closed alert(s) left out", level: .note)) }
        return output
    }
}

/// IntSights alerts CSV export (`Alert ID, Title, Description, Severity, Type, ..., Assets,
/// Tags, Assignees, Remediation, Status, Closed Reason, ..., Alert Link`).
struct IntSightsCSVImporter: ReportImporter {
    let info = FormatInfo(
        id: "intsights-csv", name: "IntSights alerts CSV", tool: "IntSights", category: .infra, syntax: .csv,
        notes: "the alert export: asset, type, severity, source, tags and status; closed alerts left out",
        defectDojoScanTypes: ["IntSights Report"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["Alert ID", "Title", "Severity", "Source URL", "Assets", "Alert Link"].allSatisfy(header.contains) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected a CSV table") }
        var output = ImporterOutput(tool: ToolInfo(name: "IntSights"))
        var closed = 0
        for record in table.records {
            // The export pads itself with rows of empty fields.
            if record.isBlank { continue }
            guard let id = record["Alert ID"]?.nonBlank, let title = record["Title"]?.nonBlank else {
                output.diagnostics.append(Diagnostic("alert without id or title skipped", at: record.position))
                continue
            }
            if record["Status"]?.lowercased() == "closed" {
                closed += 1
                continue
            }
            let assets = (record["Assets"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            var finding = IntSights.finding(
                id: id, title: title, description: record["Description"], severity: record["Severity"], type: record["Type"], subType: nil,
                asset: assets.first, source: record["Source URL"], link: record["Alert Link"],
                tags: (record["Tags"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                tool: output.tool, raw: .csv(record))
            if assets.count > 1 { finding.description = (finding.description ?? "") + "\n\nAssets: " + assets.joined(separator: ", ") }
            if let status = record["Status"]?.nonBlank { finding.description = (finding.description ?? "") + "\n\nStatus: \(status)" }
            output.findings.append(finding)
        }
        if closed > 0 { output.diagnostics.append(Diagnostic("\(closed) closed alert(s) left out", level: .note)) }
        return output
    }
}
