import Foundation
import RampartCore

/// IriusRisk's threats export (CSV: `Component, Use case, Source, Threat, Risk Response,
/// Inherent Risk, Current Risk, Countermeasure progress, Weakness tests, Countermeasure tests,
/// Projected Risk, Owner, MITRE reference, STRIDE-LM`). One finding per threat and component
/// of the model. The current risk, after the countermeasures in place, is the severity ("Very
/// low" is informational): a threat whose countermeasures are all implemented keeps that
/// residual risk. A `CWE-` MITRE reference is the weakness; an ATT&CK technique is kept as a tag.
struct IriusRiskImporter: ReportImporter {
    let info = FormatInfo(
        id: "iriusrisk-csv", name: "IriusRisk threats CSV", tool: "IriusRisk", category: .design, syntax: .csv,
        notes: "threats per model component with current, inherent and projected risk, countermeasure progress and MITRE reference",
        defectDojoScanTypes: ["IriusRisk Threats Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["Component", "Threat", "Current Risk", "Risk Response"].allSatisfy(header.contains) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "IriusRisk"))
        for record in table.records {
            guard let threat = record["Threat"] else {
                if !record.isBlank { output.diagnostics.append(Diagnostic("row without a threat skipped", at: record.position)) }
                continue
            }
            let current = record["Current Risk"]
            var facts: [String] = []
            for (column, label) in [
                ("Use case", "Use case"), ("Source", "Source"), ("Risk Response", "Risk response"), ("Inherent Risk", "Inherent risk"),
                ("Current Risk", "Current risk"), ("Projected Risk", "Projected risk"), ("Countermeasure progress", "Countermeasure progress"),
                ("Weakness tests", "Weakness tests"), ("Countermeasure tests", "Countermeasure tests"), ("Owner", "Owner"),
            ] {
                if let value = record[column] { facts.append("\(label): \(value)") }
            }
            let reference = record["MITRE reference"]
            let referenceIDs = splitIDs(reference)
            let cwes = CWE.parseAll(referenceIDs.filter { $0.uppercased().hasPrefix("CWE-") })
            let techniques = referenceIDs.filter { $0.range(of: #"^T\d{4}(\.\d{3})?$"#, options: .regularExpression) != nil }
            output.findings.append(
                Finding(
                    category: .design, tool: output.tool, ruleID: threat, title: threat,
                    description: ([threat] + [facts.joined(separator: "\n")]).joined(separator: "\n\n"), toolSeverity: current,
                    severity: .from(tool: current), cwes: cwes,
                    location: .design(DesignLocation(element: record["Component"], elementType: "component")),
                    references: techniques.map { "https://attack.mitre.org/techniques/" + $0.replacingOccurrences(of: ".", with: "/") + "/" },
                    tags: techniques.map { "ATT&CK " + $0 } + [record["STRIDE-LM"]].compactMap { $0.map { "STRIDE-LM: " + $0 } },
                    raw: .csv(record)))
        }
        return output
    }
}
