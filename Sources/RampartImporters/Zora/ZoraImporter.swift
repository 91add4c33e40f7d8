import Foundation
import RampartCore

/// Zora's vulnerability export (CSV: `source, image, id, title, severity, status, description,
/// fixVersion`): the vulnerabilities its scanner plugin (Trivy) found in each cluster image.
/// One finding per vulnerability and image. Zora names no package: the image is the place, the
/// vulnerability the rule. `status` is the scanner's fix status (`fixed`: a fix exists,
/// `affected`, `will_not_fix`, `fix_deferred`, `end_of_life`); it is kept in the description.
struct ZoraImporter: ReportImporter {
    let info = FormatInfo(
        id: "zora-csv", name: "Zora vulnerabilities CSV", tool: "Zora", category: .container, syntax: .csv,
        notes: "image vulnerabilities with the plugin that found them, severity, fix status and fix version",
        defectDojoScanTypes: ["Zora Parser"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["source", "image", "id", "title", "severity", "status", "fixVersion"].allSatisfy(header.contains) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "Zora"))
        let source = table.header.column("source")
        let image = table.header.column("image")
        let id = table.header.column("id")
        let title = table.header.column("title")
        let severity = table.header.column("severity")
        let status = table.header.column("status")
        let description = table.header.column("description")
        let fixVersion = table.header.column("fixVersion")
        for record in table.records {
            guard let vulnerability = record[column: id], let reference = record[column: image] else {
                if !record.isBlank {
                    output.diagnostics.append(Diagnostic("row without an id or image skipped", at: record.position))
                }
                continue
            }
            let severityText = record[column: severity]
            let fix = record[column: fixVersion]
            var lines = [record[column: description]].compactMap { $0 }
            lines.append(
                "Found in \(reference)" + (record[column: source].map { " by \($0)" } ?? "")
                    + (record[column: status].map { "; fix status \($0)" } ?? "") + ".")
            output.findings.append(
                Finding(
                    category: .container, tool: output.tool, ruleID: vulnerability, title: record[column: title] ?? vulnerability,
                    description: lines.joined(separator: "\n\n"), toolSeverity: severityText, severity: .from(tool: severityText, default: .info),
                    vulnerabilityIDs: .parsing([vulnerability]), location: .containerImage(ImageLocation(reference: reference)),
                    remediation: fix.map { "Upgrade the affected package to \($0)." }, raw: .csv(record)))
        }
        return output
    }
}

/// Zora's misconfiguration export (CSV: `source, checkID, title, severity, status,
/// remediation`): the checks its plugins (Popeye, Marvin) ran against the cluster. A check
/// whose status is not `Passed` is a finding at the cluster; the export names no resource.
struct ZoraMisconfigurationImporter: ReportImporter {
    let info = FormatInfo(
        id: "zora-misconfiguration-csv", name: "Zora misconfigurations CSV", tool: "Zora", category: .iac, syntax: .csv,
        notes: "cluster checks (Popeye, Marvin) with severity, status and remediation; passed checks left out",
        defectDojoScanTypes: ["Zora Parser"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["source", "checkID", "title", "severity", "status", "remediation"].allSatisfy(header.contains) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "Zora"))
        var passed = 0
        for record in table.records {
            guard let check = record["checkID"] else {
                if !record.isBlank {
                    output.diagnostics.append(Diagnostic("row without a check id skipped", at: record.position))
                }
                continue
            }
            let status = record["status"]
            if status?.lowercased() == "passed" || status?.lowercased() == "pass" {
                passed += 1
                continue
            }
            let severityText = record["severity"]
            output.findings.append(
                Finding(
                    category: .iac, tool: output.tool, ruleID: check, title: record["title"] ?? check,
                    description: "Zora check \(check)" + (record["source"].map { " (\($0))" } ?? "") + (status.map { ": \($0)" } ?? "") + ".",
                    toolSeverity: severityText, severity: .from(tool: severityText),
                    location: .cloud(CloudLocation(provider: "kubernetes", resourceID: "cluster", resourceType: "Cluster")),
                    remediation: record["remediation"], tags: [record["source"]].compactMap { $0 }, raw: .csv(record)))
        }
        if passed > 0 { output.diagnostics.append(Diagnostic("\(passed) passed check(s) left out", level: .note)) }
        return output
    }
}
