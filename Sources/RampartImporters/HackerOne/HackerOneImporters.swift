import Foundation
import RampartCore

/// One HackerOne report, whichever export it came from.
struct HackerOneReport {
    var id: String
    var title: String
    var rating: String?
    var score: Double?
    var state: String?
    var substate: String?
    var weakness: String?
    var cwe: Int?
    var asset: String?
    var cves: [String]
    var reportedAt: String?
    var bounty: String?
    var duplicateOf: String?
    var details: String?

    /// Resolved reports are gone: they are counted in a note, not imported. Duplicates,
    /// informative, not-applicable and spam reports are kept as suppressed, with HackerOne's word.
    var isResolved: Bool { substate?.lowercased() == "resolved" }

    func finding(tool: ToolInfo, raw: RawEvidence) -> Finding {
        let severity: Severity =
            switch rating?.lowercased() {
            case "critical": .critical
            case "high": .high
            case "medium": .medium
            case "low": .low
            case "none": .info
            default: .from(tool: nil, score: score, default: .medium)
            }
        let suppression: Suppression? =
            switch substate?.lowercased() {
            case "duplicate": Suppression(kind: .external, justification: "duplicate on HackerOne" + (duplicateOf.map { " of report \($0)" } ?? ""))
            case "informative": Suppression(kind: .accepted, justification: "informative on HackerOne")
            case "not-applicable", "spam": Suppression(kind: .falsePositive, justification: "\(substate!) on HackerOne")
            default: nil
            }
        var lines: [String] = []
        if let details { lines.append(details) }
        if let weakness { lines.append("Weakness: \(weakness)") }
        if let asset { lines.append("Asset: \(asset)") }
        lines.append(
            "HackerOne report \(id), \([state, substate].compactMap { $0 }.joined(separator: ", "))" + (reportedAt.map { ", reported \($0)" } ?? ""))
        if let bounty { lines.append("Bounty: \(bounty)") }
        // A report names the asset in scope when the export has it; else the report is its own place.
        let place = asset.map { $0.contains("://") ? $0 : "https://\($0)" } ?? "https://hackerone.com/reports/\(id)"
        var finding = Finding(
            category: .dast, tool: tool, ruleID: "hackerone-\(id)", title: title, description: lines.joined(separator: "\n\n"),
            toolSeverity: rating, severity: severity, cwes: cwe.map { [$0] } ?? [], vulnerabilityIDs: .parsing(cves),
            cvss: score.flatMap { $0 > 0 ? CVSSScore(vector: nil, score: $0) : nil }.map { [$0] } ?? [],
            location: .endpoint(EndpointLocation(url: place)), references: ["https://hackerone.com/reports/\(id)"],
            tags: weakness.map { [$0] } ?? [], suppression: suppression, raw: raw)
        // Each report is its own problem (two reports on one asset are two findings): its rule
        // is the report; the weakness is a tag and, where the API names it, a CWE.
        finding.toolFingerprint = "hackerone:\(id)"
        return finding
    }
}

extension HackerOneReport {
    /// The export's flat record (`findings[]` of the JSON export, a row of the CSV export).
    init?(flat value: (String) -> String?) {
        guard let id = value("id"), let title = value("title") else { return nil }
        self.init(
            id: id, title: title, rating: value("severity_rating"), score: value("severity_score").flatMap(Double.init), state: value("state"),
            substate: value("substate"), weakness: value("weakness"), cwe: nil,
            asset: value("structured_scope_reference") ?? value("structured_scope").flatMap { $0.allSatisfy(\.isNumber) ? nil : $0 },
            cves: (value("cve_ids") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            reportedAt: value("reported_at"), bounty: value("bounty").flatMap { $0 == "0.0" ? nil : $0 },
            duplicateOf: value("original_report_id"), details: nil)
    }
}

/// HackerOne's report exports: the JSON export (`findings`) and the CSV export of a program's
/// reports, and the API's report list (`GET /v1/reports`: `data[]` of type `report`, with
/// severity, weakness (CWE) and structured scope as relationships). One finding per report,
/// at the asset in scope when the export names it.
struct HackerOneJSONImporter: ReportImporter {
    let info = FormatInfo(
        id: "hackerone-json", name: "HackerOne reports JSON", tool: "HackerOne", category: .dast, syntax: .json,
        notes: "reports of the JSON export and the API (severity, CVSS, weakness and CWE, asset, CVEs, substate); resolved ones left out",
        defectDojoScanTypes: ["HackerOne Cases"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if let first = root["findings"]?.array.first {
            return first["severity_rating"] != nil && first["substate"] != nil && first["reported_at"] != nil ? .certain : nil
        }
        if let data = root["data"], data.isArray {
            if let first = data.array.first { return first["type"]?.text == "report" && first["attributes"] != nil ? .certain : nil }
            return root["links"]?["self"]?.text?.contains("api.hackerone.com") == true ? .certain : nil
        }
        // An empty `findings` export says nothing a generic findings file would not.
        return nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "HackerOne"))
        var resolved = 0
        var reports: [(HackerOneReport, JSONNode)] = []
        for record in root["findings"]?.array ?? [] {
            guard let parsed = HackerOneReport(flat: { record[$0]?.text?.nonBlank }) else {
                output.diagnostics.append(Diagnostic("report without id or title skipped", at: record.position))
                continue
            }
            reports.append((parsed, record))
        }
        for record in root["data"]?.array ?? [] where record["type"]?.text == "report" {
            let attributes = record["attributes"]
            let relationships = record["relationships"]
            let severity = relationships?["severity"]?["data"]?["attributes"]
            let weakness = relationships?["weakness"]?["data"]?["attributes"]
            let scope = relationships?["structured_scope"]?["data"]?["attributes"]
            guard let id = record["id"]?.text, let title = attributes?["title"]?.text else {
                output.diagnostics.append(Diagnostic("report without id or title skipped", at: record.position))
                continue
            }
            let cves = (attributes?["cve_ids"]?.array.compactMap(\.text) ?? [])
            let state = attributes?["state"]?.text
            reports.append(
                (
                    HackerOneReport(
                        id: id, title: title, rating: severity?["rating"]?.text, score: severity?["score"]?.double,
                        state: ["new", "triaged", "needs-more-info", "pending-program-review"].contains(state ?? "") ? "open" : "closed",
                        substate: state, weakness: weakness?["name"]?.text, cwe: weakness?["external_id"]?.text.flatMap(CWE.parse),
                        asset: scope?["asset_identifier"]?.text, cves: cves, reportedAt: attributes?["created_at"]?.text,
                        bounty: nil, duplicateOf: nil, details: attributes?["vulnerability_information"]?.text?.nonBlank), record
                ))
        }
        for (parsed, record) in reports {
            if parsed.isResolved {
                resolved += 1
                continue
            }
            output.findings.append(parsed.finding(tool: output.tool, raw: .json(record)))
        }
        if resolved > 0 { output.diagnostics.append(Diagnostic("\(resolved) resolved report(s) left out", level: .note)) }
        return output
    }
}

/// HackerOne's CSV export of a program's reports (the same columns as the JSON export).
struct HackerOneCSVImporter: ReportImporter {
    let info = FormatInfo(
        id: "hackerone-csv", name: "HackerOne reports CSV", tool: "HackerOne", category: .dast, syntax: .csv,
        notes: "the program's report export: severity, weakness, asset, CVEs, substate; resolved reports left out",
        defectDojoScanTypes: ["HackerOne Cases"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["id", "title", "severity_rating", "substate", "reported_at", "structured_scope"].allSatisfy(header.contains) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected a CSV table") }
        var output = ImporterOutput(tool: ToolInfo(name: "HackerOne"))
        var resolved = 0
        for record in table.records {
            guard let parsed = HackerOneReport(flat: { record[$0]?.nonBlank }) else {
                output.diagnostics.append(Diagnostic("report without id or title skipped", at: record.position))
                continue
            }
            if parsed.isResolved {
                resolved += 1
                continue
            }
            output.findings.append(parsed.finding(tool: output.tool, raw: .csv(record)))
        }
        if resolved > 0 { output.diagnostics.append(Diagnostic("\(resolved) resolved report(s) left out", level: .note)) }
        return output
    }
}
