import Foundation
import RampartCore

/// Trustwave's vulnerability scan export (CSV: `Status, IP, Target Name, Domain, Vulnerability
/// Name, Description, Remediation, Protocol, Port, Severity, CVE, Service, Evidence`): one
/// finding per vulnerability on a target's port. Severity is Trustwave's letter (C, H, M, L,
/// I). A row whose status says it is resolved or fixed is left out and counted.
struct TrustwaveCSVImporter: ReportImporter {
    let info = FormatInfo(
        id: "trustwave-csv", name: "Trustwave scan CSV", tool: "Trustwave", category: .infra, syntax: .csv,
        notes: "vulnerabilities per target and port with severity letter, CVE, service and evidence", defectDojoScanTypes: ["Trustwave Scan (CSV)"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["IP", "Target Name", "Vulnerability Name", "Severity", "CVE", "Evidence", "Service"].allSatisfy(header.contains) ? .certain : nil
    }

    static func severity(_ letter: String?) -> Severity {
        switch letter?.uppercased() {
        case "C": .critical
        case "H": .high
        case "M": .medium
        case "L": .low
        case "I": .info
        default: .from(tool: letter)
        }
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "Trustwave"))
        var resolved = 0
        for record in table.records {
            guard let name = record["Vulnerability Name"], let address = record["IP"] ?? record["Domain"] ?? record["Target Name"] else {
                if !record.isBlank {
                    output.diagnostics.append(Diagnostic("row without a vulnerability or target skipped", at: record.position))
                }
                continue
            }
            if let status = record["Status"]?.lowercased(), status.contains("resolved") || status.contains("fixed") || status.contains("closed") {
                resolved += 1
                continue
            }
            let port = record.int("Port").flatMap { $0 > 0 ? $0 : nil }
            var lines = [record["Description"]].compactMap { $0 }
            lines.append(
                "Target \(record["Target Name"] ?? address)" + (record["Domain"].map { " (\($0))" } ?? "") + ", \(address)"
                    + (port.map { " port \($0)" } ?? "") + (record["Service"].map { ", service \($0)" } ?? "") + ".")
            if let evidence = record["Evidence"] { lines.append("Evidence: \(evidence)") }
            let severityText = record["Severity"]
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: name, title: name, description: lines.joined(separator: "\n\n"),
                    toolSeverity: severityText, severity: Self.severity(severityText),
                    vulnerabilityIDs: .parsing(splitIDs(record["CVE"])),
                    location: .host(
                        HostLocation(address: address, port: port, transport: record["Protocol"]?.lowercased(), service: record["Service"])),
                    remediation: record["Remediation"], raw: .csv(record)))
        }
        if resolved > 0 { output.diagnostics.append(Diagnostic("\(resolved) resolved row(s) left out", level: .note)) }
        return output
    }
}
