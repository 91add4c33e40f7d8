import Foundation
import RampartCore

/// Black Duck's project-version report as it downloads: a zip of CSVs, of which two are read.
/// `security_<date>.csv` lists each vulnerability of each component version (one finding each,
/// as Black Duck's security CSV is read: remediated ones left out, ignored and mitigated ones
/// accepted, not-affected ones so marked); `components_<date>.csv` gives each component's
/// license policy status, and a component in violation is a license finding, high.
struct BlackDuckReportArchiveImporter: ReportImporter {
    let info = FormatInfo(
        id: "blackduck-report-zip", name: "Black Duck project report (zip of CSVs)", tool: "Black Duck", category: .sca, syntax: .zip,
        notes: "the report download: component vulnerabilities from security_*.csv, license policy violations from components_*.csv",
        defectDojoScanTypes: ["Blackduck Component Risk"])

    static func isSecurity(_ name: String) -> Bool { name.hasPrefix("security_") && name.hasSuffix(".csv") }
    static func isComponents(_ name: String) -> Bool { name.hasPrefix("components_") && name.hasSuffix(".csv") }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let archive = report.archive else { return nil }
        return !archive.entries(named: Self.isSecurity).isEmpty || !archive.entries(named: Self.isComponents).isEmpty ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let archive = report.archive else { throw ImportError.content("expected a zip archive") }
        var output = ImporterOutput(tool: ToolInfo(name: "Black Duck"))
        var remediated = 0
        for entry in archive.entries(named: Self.isSecurity) {
            let table: CSVTable
            do { table = try await CSVReader.parseConcurrently(entry.data) } catch {
                throw ImportError.content("\(entry.name): \(error)")
            }
            for record in table.records {
                guard let id = record["Vulnerability id"], let component = record["Component name"] else {
                    if !record.isBlank {
                        output.diagnostics.append(Diagnostic("\(entry.name): row without a vulnerability or component skipped", at: record.position))
                    }
                    continue
                }
                let status = record["Remediation status"]?.uppercased() ?? "NEW"
                if status == "REMEDIATION_COMPLETE" || status == "PATCHED" {
                    remediated += 1
                    continue
                }
                let version = record["Component version name"] ?? record["Component origin version name"]
                let origin = record["Component origin name"].flatMap { $0 == "unknown" ? nil : $0 }
                let purl = BlackDuckAPIImporter.purl(origin: origin, originID: record["Component origin id"], version: version)
                let name =
                    purl == nil
                    ? component
                    : BlackDuckAPIImporter.coordinates(origin: origin, originID: record["Component origin id"], version: version) ?? component
                let source = record["Vulnerability source"]?.uppercased()
                let advisory = source == "BDSA" && !id.hasPrefix("BDSA-") ? "BDSA-\(id)" : id
                let score = record.double("Base score")
                let risk = record["Security Risk"]
                let suppression: Suppression? =
                    switch status {
                    case "IGNORED": Suppression(kind: .accepted, justification: record["Remediation comment"] ?? "ignored in Black Duck")
                    case "MITIGATED": Suppression(kind: .accepted, justification: record["Remediation comment"] ?? "mitigated in Black Duck")
                    case "NOT_AFFECTED": Suppression(kind: .notAffected, justification: record["Remediation comment"] ?? "not affected")
                    default: nil
                    }
                output.findings.append(
                    Finding(
                        category: .sca, tool: output.tool, ruleID: advisory, title: "\(advisory) in \(component)" + (version.map { " \($0)" } ?? ""),
                        description: [record["Description"], record["Project path"].map { "Project: \($0)." }].compactMap { $0 }.joined(
                            separator: "\n\n"),
                        toolSeverity: risk, severity: .from(tool: risk, score: score), vulnerabilityIDs: .parsing([advisory]),
                        cvss: CVSSScore(vector: nil, score: score).map { [$0] } ?? [],
                        location: .package(
                            packageLocation(name: name, version: version, ecosystem: BlackDuckAPIImporter.purlType(origin: origin), purl: purl)),
                        references: [record["URL"]].compactMap { $0 }, suppression: suppression, raw: .csv(record)))
            }
        }
        for entry in archive.entries(named: Self.isComponents) {
            let table: CSVTable
            do { table = try await CSVReader.parseConcurrently(entry.data) } catch {
                throw ImportError.content("\(entry.name): \(error)")
            }
            for record in table.records where record["Component policy status"]?.lowercased() == "in violation" {
                guard let component = record["Component name"] else { continue }
                let version = record["Component version name"]
                let origin = record["Origin name"].flatMap { $0 == "unknown" ? nil : $0 }
                let purl = BlackDuckAPIImporter.purl(origin: origin, originID: record["Origin id"], version: version)
                let name =
                    purl == nil
                    ? component : BlackDuckAPIImporter.coordinates(origin: origin, originID: record["Origin id"], version: version) ?? component
                let licenses = record["License names"] ?? "its license"
                output.findings.append(
                    Finding(
                        category: .sca, tool: output.tool, ruleID: "license-policy-violation",
                        title: "License Risk: \(component)" + (version.map { ":\($0)" } ?? ""),
                        description: "\(component) \(version ?? "") is used under \(licenses)" + (record["License families"].map { " (\($0))" } ?? "")
                            + ", which the project's license policy does not allow" + (record["Usage"].map { "; usage \($0)" } ?? "") + ".",
                        toolSeverity: "In Violation", severity: .high,
                        location: .package(
                            packageLocation(name: name, version: version, ecosystem: BlackDuckAPIImporter.purlType(origin: origin), purl: purl)),
                        remediation: "Replace \(component) with a component under an allowed license, or have the policy reviewed.",
                        tags: ["license"], raw: .csv(record)))
            }
        }
        if remediated > 0 { output.diagnostics.append(Diagnostic("\(remediated) remediated vulnerability record(s) left out", level: .note)) }
        return output
    }
}
