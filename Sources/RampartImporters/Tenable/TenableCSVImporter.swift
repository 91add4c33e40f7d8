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
        notes:
            "plugin results per host and port from the Nessus, Tenable.sc and Tenable.io exports, with exploit maturity; one finding per plugin, host and port; fixed rows skipped",
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
        let columns = Columns(table.header)
        var slots: [String: Int] = [:]
        var rows: [(record: CSVRecord, cves: [String])] = []
        var fixed = 0
        for record in table.records {
            guard let plugin = record[column: columns.plugin] else {
                output.diagnostics.append(Diagnostic("a row without a plugin id was skipped", at: record.position))
                continue
            }
            // Tenable.io exports list fixed vulnerabilities too (state FIXED): gone, not findings.
            if record[column: columns.state]?.uppercased() == "FIXED" {
                fixed += 1
                continue
            }
            let host = record[column: columns.host] ?? ""
            let key = [plugin, host, record[column: columns.port] ?? "", record[column: columns.transport] ?? ""].joined(separator: "\u{1F}")
            let cves = split(record[column: columns.cves] ?? "", onASCII: { $0 == 0x2C || $0 == 0x20 || $0 == 0x3B })
            if let slot = slots[key] {
                rows[slot].cves += cves.filter { !rows[slot].cves.contains($0) }
            } else {
                slots[key] = rows.count
                rows.append((record, cves))
            }
        }
        if fixed > 0 { output.diagnostics.append(Diagnostic("\(fixed) fixed vulnerability row(s) are not findings", level: .note)) }
        // Rows are grouped in order; each group's finding is made on its own, on every core.
        let grouped = rows
        let tool = output.tool
        output.findings = await Concurrently.map(count: grouped.count) {
            Self.finding(grouped[$0].record, cves: grouped[$0].cves, tool: tool, columns)
        }
        return output
    }

    /// The columns this importer reads, resolved once per table: each field goes by different
    /// names in Nessus, Tenable.sc and Tenable.io exports.
    struct Columns: Sendable {
        let plugin, host, port, transport, cves, name, risk, v3Vector, v3Score, v2Vector, v2Score: CSVColumn
        let synopsis, description, output, seeAlso, cwe, solution, family, state: CSVColumn
        let exploitCodeMaturity, exploitedByMalware, exploitAvailable, exploitEase: CSVColumn
        /// Columns that name an exploit framework's module, or say `true` when one has it.
        let exploitFrameworks: [CSVColumn]

        init(_ header: CSVHeader) {
            plugin = header.column("Plugin ID", "Plugin", "definition.id")
            host = header.column(
                "Host", "DNS Name", "FQDN", "IP Address", "asset.display_fqdn", "asset.host_name", "asset.display_ipv4_address", "asset.name")
            port = header.column("Port")
            transport = header.column("Protocol")
            cves = header.column("CVE", "definition.cve")
            name = header.column("Name", "Plugin Name", "definition.name")
            risk = header.column("Risk", "Severity", "Risk Factor", "definition.severity")
            v3Vector = header.column("CVSS V3 Vector", "CVSS3 Vector", "definition.cvss3.base_vector")
            v3Score = header.column("CVSS v3.0 Base Score", "CVSS V3 Base Score", "CVSS3 Base Score", "CVSSv3", "definition.cvss3.base_score")
            v2Vector = header.column("CVSS V2 Vector", "CVSS Vector", "definition.cvss2.base_vector")
            v2Score = header.column("CVSS v2.0 Base Score", "CVSS V2 Base Score", "CVSS Base Score", "CVSS", "definition.cvss2.base_score")
            synopsis = header.column("Synopsis", "definition.synopsis")
            description = header.column("Description", "definition.description")
            output = header.column("Plugin Output", "Plugin Text", "output")
            seeAlso = header.column("See Also", "definition.see_also")
            cwe = header.column("definition.cwe")
            solution = header.column("Solution", "Steps to Remediate", "definition.solution")
            family = header.column("Family", "Plugin Family", "definition.family")
            state = header.column("Vulnerability State", "state")
            exploitCodeMaturity = header.column("Exploit Code Maturity", "definition.vpr.drivers_exploit_code_maturity")
            exploitedByMalware = header.column("Exploited by Malware", "definition.exploited_by_malware")
            exploitAvailable = header.column("Exploit?", "Exploit Available", "definition.exploit_available")
            exploitEase = header.column("Exploit Ease", "Exploitability Ease", "definition.exploitability_ease")
            exploitFrameworks = ["Exploit Frameworks", "Metasploit", "Core Impact", "CANVAS", "Core Exploits", "ExploitHub"].map { header.column($0) }
        }
    }

    private static func finding(_ record: CSVRecord, cves: [String], tool: ToolInfo, _ columns: Columns) -> Finding {
        let plugin = record[column: columns.plugin] ?? "unknown"
        let name = record[column: columns.name] ?? plugin
        let riskText = record[column: columns.risk]
        var cvss: [CVSSScore] = []
        let v3Vector = record[column: columns.v3Vector]
        let v3Score = record[column: columns.v3Score].flatMap(Double.init)
        if let rating = CVSSScore(vector: v3Vector.map { $0.hasPrefix("CVSS:") ? $0 : "CVSS:3.0/\($0)" }, score: v3Score) { cvss.append(rating) }
        let v2Vector = record[column: columns.v2Vector].map(NessusSeverity.cvssVector)
        let v2Score = record[column: columns.v2Score].flatMap(Double.init)
        if let rating = CVSSScore(vector: v2Vector.flatMap { $0.hasPrefix("CVSS:") ? $0 : nil }, score: v2Score) { cvss.append(rating) }
        let severity: Severity =
            riskText.map { NessusSeverity.from(level: Int($0).map(String.init), riskFactor: Int($0) == nil ? $0 : nil) } ?? .info
        var description = [record[column: columns.synopsis], record[column: columns.description]].compactMap { $0 }
        if let output = record[column: columns.output] { description.append("Plugin output:\n" + output) }
        let references = split(record[column: columns.seeAlso] ?? "", onASCII: { $0 == 0x20 || $0 == 0x2C || (0x0A...0x0D).contains($0) })
            .filter { $0.hasPrefix("http") }
        let port = record[column: columns.port].flatMap(Int.init).flatMap { $0 == 0 || !ReportInteger.range.contains($0) ? nil : $0 }
        var finding = Finding(
            category: .infra, tool: tool, ruleID: plugin, title: name, description: description.joined(separator: "\n\n").nonBlank,
            toolSeverity: riskText, severity: severity, cwes: CWE.parseAll([record[column: columns.cwe]].compactMap { $0 }),
            vulnerabilityIDs: .parsing(cves), cvss: cvss,
            location: .host(
                HostLocation(
                    address: record[column: columns.host] ?? "unknown", port: port, transport: record[column: columns.transport]?.lowercased())),
            remediation: record[column: columns.solution],
            references: references.uniqued(),
            tags: [record[column: columns.family].map { "family:\($0)" }].compactMap { $0 },
            raw: .csv(record))
        finding.exploitMaturity = NessusExploit.maturity(
            codeMaturity: record[column: columns.exploitCodeMaturity], malware: record[column: columns.exploitedByMalware],
            frameworks: columns.exploitFrameworks.map { record[column: $0] }, available: record[column: columns.exploitAvailable],
            ease: record[column: columns.exploitEase])
        return finding
    }
}
