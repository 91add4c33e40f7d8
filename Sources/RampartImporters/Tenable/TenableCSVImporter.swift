import Foundation
import RampartCore

/// Tenable's CSV exports, whose columns differ by product and version: Nessus ("Plugin ID,
/// CVE, CVSS v2.0 Base Score, Risk, Host, Protocol, Port, Name, ..."), Tenable.sc ("Plugin,
/// Plugin Name, Family, Severity, IP Address, ..."), Tenable.io (the Nessus columns and asset
/// fields), Tenable.io's vulnerability export (`definition.*`, `asset.*`, semicolons) and Nessus
/// WAS (the Nessus columns with `CVSSv3`).
/// Nessus writes one row per CVE of a plugin: rows of one plugin, host and port are one finding.
struct TenableCSVImporter: ReportImporter {
    let info = FormatInfo(
        id: "tenable-csv", name: "Tenable CSV (Nessus, Tenable.sc, Tenable.io)", tool: "Nessus", category: .infra, syntax: .csv,
        notes: "plugin results per host and port from the Nessus, Tenable.sc and Tenable.io exports; one finding per plugin, host and port",
        defectDojoScanTypes: ["Tenable Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        let plugin = header.contains("Plugin ID") || header.contains("Plugin") || header.contains("definition.id")
        let host =
            header.contains("Host") || header.contains("IP Address") || header.contains("asset.display_ipv4_address")
            || header.contains("asset.host_name")
        guard plugin, host else { return nil }
        return header.contains("Plugin Output") || header.contains("Plugin Name") || header.contains("definition.name") ? .certain : .likely
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected a CSV table") }
        var output = ImporterOutput(tool: ToolInfo(name: table.header.contains("definition.id") ? "Tenable.io" : "Nessus"))
        var slots: [String: Int] = [:]
        var rows: [(record: CSVRecord, cves: [String])] = []
        for record in table.records {
            guard let plugin = record[first: "Plugin ID", "Plugin", "definition.id"] else {
                output.diagnostics.append(Diagnostic("a row without a plugin id was skipped", at: record.position))
                continue
            }
            let host = Self.host(record) ?? ""
            let key = [plugin, host, record[first: "Port", "port"] ?? "", record[first: "Protocol", "protocol"] ?? ""].joined(separator: "\u{1F}")
            let cves = (record[first: "CVE", "definition.cve"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }).map(String.init)
            if let slot = slots[key] {
                rows[slot].cves += cves.filter { !rows[slot].cves.contains($0) }
            } else {
                slots[key] = rows.count
                rows.append((record, cves))
            }
        }
        for (record, cves) in rows { output.findings.append(finding(record, cves: cves, tool: output.tool)) }
        return output
    }

    static func host(_ record: CSVRecord) -> String? {
        record[first: "Host", "DNS Name", "FQDN", "IP Address", "asset.display_fqdn", "asset.host_name", "asset.display_ipv4_address", "asset.name"]
    }

    private func finding(_ record: CSVRecord, cves: [String], tool: ToolInfo) -> Finding {
        let plugin = record[first: "Plugin ID", "Plugin", "definition.id"] ?? "unknown"
        let name = record[first: "Name", "Plugin Name", "definition.name"] ?? plugin
        let riskText = record[first: "Risk", "Severity", "Risk Factor", "definition.severity", "severity"]
        var cvss: [CVSSScore] = []
        let v3Vector = record[first: "CVSS V3 Vector", "CVSS3 Vector", "definition.cvss3.base_vector"]
        let v3Score = record[first: "CVSS v3.0 Base Score", "CVSS V3 Base Score", "CVSS3 Base Score", "CVSSv3", "definition.cvss3.base_score"]
            .flatMap(Double.init)
        if let rating = CVSSScore(vector: v3Vector.map { $0.hasPrefix("CVSS:") ? $0 : "CVSS:3.0/\($0)" }, score: v3Score) { cvss.append(rating) }
        let v2Vector = record[first: "CVSS V2 Vector", "CVSS Vector", "definition.cvss2.base_vector"].map(NessusSeverity.cvssVector)
        let v2Score = record[first: "CVSS v2.0 Base Score", "CVSS V2 Base Score", "CVSS Base Score", "CVSS", "definition.cvss2.base_score"].flatMap(
            Double.init)
        if let rating = CVSSScore(vector: v2Vector.flatMap { $0.hasPrefix("CVSS:") ? $0 : nil }, score: v2Score) { cvss.append(rating) }
        let severity: Severity =
            riskText.map { NessusSeverity.from(level: Int($0).map(String.init), riskFactor: Int($0) == nil ? $0 : nil) } ?? .info
        var description = [record[first: "Synopsis", "definition.synopsis"], record[first: "Description", "definition.description"]].compactMap { $0 }
        if let output = record[first: "Plugin Output", "Plugin Text", "output"] { description.append("Plugin output:\n" + output) }
        let references = (record[first: "See Also", "definition.see_also"] ?? "").split(whereSeparator: { $0.isNewline || $0 == " " || $0 == "," })
            .map(String.init).filter { $0.hasPrefix("http") }
        let port = record[first: "Port", "port"].flatMap(Int.init).flatMap { $0 == 0 || !ReportInteger.range.contains($0) ? nil : $0 }
        return Finding(
            category: .infra, tool: tool, ruleID: plugin, title: name, description: description.joined(separator: "\n\n").nonBlank,
            toolSeverity: riskText, severity: severity, cwes: CWE.parseAll([record["definition.cwe"]].compactMap { $0 }),
            vulnerabilityIDs: .parsing(cves), cvss: cvss,
            location: .host(
                HostLocation(address: Self.host(record) ?? "unknown", port: port, transport: record[first: "Protocol", "protocol"]?.lowercased())),
            remediation: record[first: "Solution", "Steps to Remediate", "definition.solution"],
            references: references.uniqued(),
            tags: [record[first: "Family", "Plugin Family", "definition.family"].map { "family:\($0)" }].compactMap { $0 },
            raw: .csv(record))
    }
}
