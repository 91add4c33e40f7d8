import Foundation
import RampartCore

/// Wiz's CSV exports: the Issues report (`Title, Severity, Status, Resource ...`) and the
/// vulnerability findings report (`Name, CVSSSeverity, DetailedName, Version, FixedVersion,
/// AssetName ...`). Resolved issues and findings are not findings; rejected issues are kept as
/// suppressed.
struct WizImporter: ReportImporter {
    let info = FormatInfo(
        id: "wiz-csv", name: "Wiz issues / vulnerability findings CSV", tool: "Wiz", category: .cloud, syntax: .csv,
        notes: "cloud issues per resource (control, severity, remediation) and package vulnerabilities per asset", defectDojoScanTypes: ["Wiz Scan"])

    static let issueColumns = ["Title", "Severity", "Status", "Resource external ID", "Issue ID"]
    static let findingColumns = ["Name", "CVSSSeverity", "DetailedName", "AssetName", "FindingStatus"]

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return Self.issueColumns.allSatisfy(header.contains) || Self.findingColumns.allSatisfy(header.contains) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "Wiz"))
        var resolved = 0
        let isFindings = Self.findingColumns.allSatisfy(table.header.contains)
        for record in table.records {
            let status = (isFindings ? record["FindingStatus"] : record["Status"])?.uppercased() ?? "OPEN"
            if status == "RESOLVED" {
                resolved += 1
                continue
            }
            var finding: Finding
            if isFindings {
                let id = record["Name"] ?? "vulnerability"
                let package = record["DetailedName"] ?? "package"
                let severityText = record[first: "VendorSeverity", "CVSSSeverity"]
                var tags: [String] = []
                if record["HasCisaKevExploit"] == "true" { tags.append("cisa-kev") }
                finding = Finding(
                    category: .container, tool: output.tool, ruleID: id, title: "\(package): \(id)",
                    description: [record["AssetName"].map { "Asset: \($0)" }, record["LocationPath"].map { "Path: \($0)" }].compactMap { $0 }.joined(
                        separator: "\n"),
                    toolSeverity: severityText, severity: .from(tool: severityText, default: .medium), vulnerabilityIDs: .parsing([id]),
                    location: .package(
                        packageLocation(
                            name: package, version: record["Version"], ecosystem: nil, fixedVersions: [record["FixedVersion"]].compactMap { $0 },
                            manifestPath: record["AssetName"], artifactPath: record["LocationPath"])),
                    remediation: record["Remediation"], references: [record["Link"], record["WizURL"]].compactMap { $0 }, tags: tags,
                    raw: .csv(record))
                if record["HasExploit"] == "true" { finding.exploitMaturity = .proofOfConcept }
            } else {
                let title = record["Title"]?.trimmingCharacters(in: .whitespaces) ?? "Wiz issue"
                let severityText = record["Severity"]
                let platform = record["Resource Platform"]?.lowercased()
                finding = Finding(
                    category: .cloud, tool: output.tool, ruleID: record["Control ID"] ?? title, title: title, description: record["Description"],
                    toolSeverity: severityText,
                    severity: severityText?.uppercased() == "INFORMATIONAL" ? .info : .from(tool: severityText, default: .medium),
                    location: .cloud(
                        CloudLocation(
                            provider: platform ?? "cloud", account: record["Subscription ID"], region: record["Resource Region"],
                            resourceID: record["Resource external ID"] ?? record["Resource Name"] ?? "unknown", resourceType: record["Resource Type"])
                    ),
                    remediation: record["Remediation Recommendation"], references: [record["Wiz URL"]].compactMap { $0 }, toolFingerprint: nil,
                    raw: .csv(record))
                if status == "REJECTED" {
                    finding.suppression = Suppression(kind: .accepted, justification: record["Resolution"] ?? "rejected in Wiz")
                }
            }
            output.findings.append(finding)
        }
        if resolved > 0 { output.diagnostics.append(Diagnostic("\(resolved) resolved issue(s) are not findings", level: .note)) }
        return output
    }
}
