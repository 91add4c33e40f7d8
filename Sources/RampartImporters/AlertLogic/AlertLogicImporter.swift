import Foundation
import RampartCore

/// Alert Logic's vulnerability export (CSV: `Vulnerability, CVSS Score, Severity, Deployment
/// Name, Asset Name, IP Address, Protocol/Port, ..., CVE, ..., Vulnerability Key, ..., CISA
/// Known Exploited`): one finding per vulnerability on an asset's port. The asset's first
/// address is the place (its name and other addresses are in the description); Alert Logic's
/// vulnerability id is the rule. A vulnerability CISA lists as exploited is marked so.
struct AlertLogicImporter: ReportImporter {
    let info = FormatInfo(
        id: "alertlogic-csv", name: "Alert Logic vulnerabilities CSV", tool: "Alert Logic", category: .infra, syntax: .csv,
        notes: "vulnerabilities per asset and port with CVSS score, CVE, evidence, resolution and CISA known-exploited flag",
        defectDojoScanTypes: ["Alert Logic Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["Vulnerability", "Asset Name", "Protocol/Port", "Vulnerability Key", "Deployment Name"].allSatisfy(header.contains) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "Alert Logic"))
        for record in table.records {
            guard let name = record["Vulnerability"] else {
                if !record.isBlank {
                    output.diagnostics.append(Diagnostic("row without a vulnerability skipped", at: record.position))
                }
                continue
            }
            let addresses = (record["IP Address"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let asset = record["Asset Name"]
            // `TCP/8080`; port 0 means the host itself.
            let protocolPort = (record["Protocol/Port"] ?? "").split(separator: "/").map(String.init)
            let port = protocolPort.count == 2 ? ReportInteger.parse(protocolPort[1]).flatMap { $0 > 0 ? $0 : nil } : nil
            let score = record.double("CVSS Score")
            let severityText = record["Severity"]
            var lines = [record["Description"]].compactMap { $0 }
            lines.append(
                "Asset \(asset ?? addresses.first ?? "?")" + (addresses.isEmpty ? "" : " (\(addresses.joined(separator: ", ")))")
                    + (record["Deployment Name"].map { ", deployment \($0)" } ?? "") + (record["VPC/Network"].map { ", network \($0)" } ?? "")
                    + (record["Operating System"].map { ", \($0)" } ?? "") + (record["First Seen"].map { "; first seen \($0)" } ?? "") + ".")
            if let evidence = record["Evidence"] { lines.append("Evidence: \(evidence)") }
            var finding = Finding(
                category: .infra, tool: output.tool, ruleID: record["Vulnerability ID"] ?? name, title: name,
                description: lines.joined(separator: "\n\n"),
                toolSeverity: severityText, severity: .from(tool: severityText, score: score),
                vulnerabilityIDs: .parsing(splitIDs(record["CVE"])),
                cvss: CVSSScore(vector: nil, score: score).map { [$0] } ?? [],
                location: .host(
                    HostLocation(
                        address: addresses.first ?? asset ?? "unknown asset", port: port,
                        transport: protocolPort.count == 2 ? protocolPort[0].lowercased() : nil, service: record["Service"])),
                remediation: record["Resolution"], tags: [record["Category"], record["Asset Type"]].compactMap { $0 },
                toolFingerprint: record["Vulnerability Key"], raw: .csv(record))
            if record["CISA Known Exploited"]?.lowercased() == "yes" { finding.exploitMaturity = .high }
            output.findings.append(finding)
        }
        return output
    }
}
