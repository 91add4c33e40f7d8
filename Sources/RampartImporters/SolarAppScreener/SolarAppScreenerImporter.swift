import Foundation
import RampartCore

/// Solar appScreener's CSV export (`Vulnerability, Language, Description, Recommendations,
/// Links, File, Line, Severity Level, Status, Trace, ...`): one finding per vulnerability at its
/// file and line (`151-152` is a range), with the trace from source to sink when there is one.
/// The CWE is the first CWE page among the links (the others are its related categories). A
/// vulnerability rejected in appScreener is kept as a false positive.
struct SolarAppScreenerImporter: ReportImporter {
    let info = FormatInfo(
        id: "solar-appscreener-csv", name: "Solar appScreener CSV", tool: "Solar appScreener", category: .sast, syntax: .csv,
        notes: "code vulnerabilities with language, file and line range, severity, CWE, trace and status",
        defectDojoScanTypes: ["Solar Appscreener Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["Vulnerability", "Language", "Recommendations", "Severity Level", "Trace"].allSatisfy(header.contains) ? .certain : nil
    }

    /// The first `cwe.mitre.org/data/definitions/N.html` among the links.
    static func firstCWE(_ links: [String]) -> Int? {
        for link in links {
            guard let range = link.range(of: "cwe.mitre.org/data/definitions/") else { continue }
            let digits = link[range.upperBound...].prefix { $0.isNumber }
            if let value = ReportInteger.parse(String(digits)) { return value }
        }
        return nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "Solar appScreener"))
        for record in table.records {
            guard let name = record["Vulnerability"] else {
                if !record.isBlank {
                    output.diagnostics.append(Diagnostic("row without a vulnerability skipped", at: record.position))
                }
                continue
            }
            let links = (record["Links"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("http") }
            let lineRange = (record["Line"] ?? "").split(separator: "-").map { ReportInteger.parse(String($0)) }
            let start = lineRange.first.flatMap { $0 }.flatMap { $0 > 0 ? $0 : nil }
            let end = lineRange.count > 1 ? lineRange[1].flatMap { $0 >= (start ?? 0) ? $0 : nil } : nil
            var lines = [record["Description"]].compactMap { $0 }
            if let trace = record["Trace"], trace != "-" { lines.append("Trace: \(trace)") }
            if let comment = record["Vulnerability Comment"], comment != "-" { lines.append("Comment: \(comment)") }
            if let language = record["Language"] { lines.append("Language: \(language).") }
            let status = record["Status"]
            let severityText = record["Severity Level"]
            output.findings.append(
                Finding(
                    category: .sast, tool: output.tool, ruleID: name, title: name, description: lines.joined(separator: "\n\n"),
                    toolSeverity: severityText, severity: .from(tool: severityText), cwes: Self.firstCWE(links).map { [$0] } ?? [],
                    location: .code(CodeLocation(file: record["File"] ?? "", startLine: start, endLine: end)),
                    remediation: record["Recommendations"], references: links,
                    suppression: status?.lowercased() == "rejected"
                        ? Suppression(kind: .falsePositive, justification: "rejected in appScreener") : nil,
                    raw: .csv(record)))
        }
        return output
    }
}
