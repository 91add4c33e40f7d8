import Foundation
import RampartCore

/// Picus Security Validation Platform's simulation results (CSV export of a simulation run: one
/// row per attack action of each threat, with whether the security controls prevented, logged
/// and alerted on it). An action that was not blocked is a finding: a gap in the controls, at
/// the platform the simulation targeted (`affectedPlatforms`, else the attack module), with the
/// threat's severity, MITRE ATT&CK tactic and technique, CVE and CWE. Blocked actions are counted.
struct PicusImporter: ReportImporter {
    let info = FormatInfo(
        id: "picus-csv", name: "Picus simulation results CSV", tool: "Picus", category: .infra, syntax: .csv,
        notes: "attack actions not blocked, per threat, with severity, ATT&CK technique, detection results, CVE and CWE",
        defectDojoScanTypes: ["PICUS Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["simulationRunId", "threatId", "actionId", "threatPreventionResult", "actionMitreTechnique"].allSatisfy(header.contains)
            ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "Picus"))
        var blocked = 0
        for record in table.records {
            guard let action = record["actionId"], let threat = record["threatName"] ?? record["threatId"] else {
                if !record.isBlank {
                    output.diagnostics.append(Diagnostic("row without an action or threat skipped", at: record.position))
                }
                continue
            }
            let prevention = (record["actionPreventionResult"] ?? record["threatPreventionResult"])?.lowercased()
            if prevention == "blocked" {
                blocked += 1
                continue
            }
            let name = record["actionName"] ?? "action \(action)"
            let severityText = record["threatSeverity"] ?? record["severity"]
            var lines = [record["actionDescription"]].compactMap { $0 }
            lines.append(
                "Threat \(threat) (\(record["attackCategory"] ?? record["attackModules"] ?? "simulation")): prevention \(prevention ?? "unknown"), "
                    + "log \(record["actionDetectionLogResult"] ?? record["threatDetectionLogResult"] ?? "unknown"), "
                    + "alert \(record["actionDetectionAlertResult"] ?? record["threatDetectionAlertResult"] ?? "unknown").")
            if let os = record["affectedOs"] { lines.append("Affected: \(os)" + (record["affectedProducts"].map { ", \($0)" } ?? "") + ".") }
            let target = record["affectedPlatforms"] ?? record["platform"] ?? record["attackModules"] ?? "simulation target"
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: action, title: "\(threat) - \(name)", description: lines.joined(separator: "\n\n"),
                    toolSeverity: severityText, severity: .from(tool: severityText), cwes: CWE.parseAll([record["cwe"]].compactMap { $0 }),
                    vulnerabilityIDs: .parsing(splitIDs(record["cve"])),
                    location: .host(HostLocation(address: target, service: record["attackModules"]?.lowercased())),
                    references: [record["genericMitigationsTabLink"]].compactMap { $0 }.filter { $0.hasPrefix("http") && !$0.contains("[.]") },
                    tags: [record["actionMitreTactic"], record["actionMitreTechnique"], record["actionMitreSubtechnique"], record["attackCategory"]]
                        .compactMap { $0 },
                    raw: .csv(record)))
        }
        if blocked > 0 { output.diagnostics.append(Diagnostic("\(blocked) blocked action(s) left out", level: .note)) }
        return output
    }
}
