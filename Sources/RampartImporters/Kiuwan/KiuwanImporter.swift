import Foundation
import RampartCore

/// Kiuwan Code Security's defects export (CSV: `Rule code, Rule, Priority, CWE, Software
/// characteristic, Vulnerability type, Language, Effort, File, Line number, Line text, Source
/// file, Source line number, Source line text, Muted, Normative, Status, ...`). One finding per
/// defect at its file and line; a taint rule's source (where the tainted data enters) is named
/// in the description. Defects of other characteristics than Security (maintainability,
/// reliability, efficiency...) are kept, tagged with their characteristic. Muted defects are
/// kept as suppressed. A hard-coded credential's line of code is hidden like every secret.
struct KiuwanImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "kiuwan-csv", name: "Kiuwan defects CSV", tool: "Kiuwan", category: .sast, syntax: .csv,
        notes: "code defects with rule, priority, CWE, file, line, code and taint source; muted defects kept as suppressed",
        defectDojoScanTypes: ["Kiuwan Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["Rule code", "Rule", "Priority", "Software characteristic", "Line number"].allSatisfy(header.contains) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected a CSV table") }
        var output = ImporterOutput(tool: ToolInfo(name: "Kiuwan"))
        for record in table.records {
            guard let rule = record["Rule code"] else {
                output.diagnostics.append(Diagnostic("a defect without a rule code was skipped", at: record.position))
                continue
            }
            let priority = record["Priority"]
            let characteristic = record["Software characteristic"]
            var details = [record["Vulnerability type"].map { "Vulnerability type: \($0)" }, characteristic.map { "Characteristic: \($0)" }]
                .compactMap { $0 }
            if let source = record["Source file"] {
                let line = record.int("Source line number").map { ":\($0)" } ?? ""
                details.append("Tainted data enters at \(source)\(line)" + (record["Source line text"].map { ": \($0)" } ?? ""))
            }
            if let normative = record["Normative"] { details.append("Normative: \(normative)") }
            // The CWE column, and the CWEs the normative references list (`CWE:643`).
            let normativeCWEs = (record["Normative"] ?? "").split(separator: ",").compactMap { reference in
                reference.hasPrefix("CWE:") ? String(reference.dropFirst(4)) : nil
            }
            var finding = Finding(
                category: .sast, tool: output.tool, ruleID: rule, title: record["Rule"] ?? rule, description: details.joined(separator: "\n"),
                toolSeverity: priority, severity: Self.severity(priority), cwes: CWE.parseAll([record["CWE"]].compactMap { $0 } + normativeCWEs),
                location: .code(CodeLocation(file: record["File"] ?? "unknown", startLine: record.int("Line number"), snippet: record["Line text"])),
                tags: [characteristic.map { "characteristic:\($0)" }, record["Language"].map { "language:\($0)" }].compactMap { $0 },
                raw: .csv(record))
            // A hard-coded credential's line quotes the credential: hidden wherever it appears.
            if let line = record["Line text"], !Set(finding.cwes).isDisjoint(with: hardcodedCredentialCWEs) {
                finding.revealedSecrets = quotedLiterals(in: line) + [line]
            }
            if record["Muted"]?.lowercased() == "yes" { finding.suppression = Suppression(kind: .accepted, justification: "muted in Kiuwan") }
            output.findings.append(finding)
        }
        return output
    }

    /// Kiuwan's five priorities.
    static func severity(_ priority: String?) -> Severity {
        switch priority?.lowercased() {
        case "very high": .critical
        case "high": .high
        case "normal", "medium": .medium
        case "low": .low
        case "very low": .info
        default: .from(tool: priority)
        }
    }
}
