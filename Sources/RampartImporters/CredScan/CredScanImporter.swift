import Foundation
import RampartCore

/// Microsoft CredScan's CSV output: one row per credential found, with the searcher (the rule),
/// the file and line, the hash CredScan keys the match by, its suppression and matching score.
/// In triage mode (`-t`) the Description column quotes the matched text, the secret itself: it
/// is redacted. CredScan's `HashKey` is its own identity of a match.
struct CredScanImporter: ReportImporter {
    let info = FormatInfo(
        id: "credscan-csv", name: "CredScan CSV", tool: "CredScan", category: .secrets, syntax: .csv,
        notes: "credentials per file and line with searcher, matching score and suppression; matched text redacted",
        defectDojoScanTypes: ["CredScan Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["Source", "Searcher", "HashKey", "MatchingScore"].allSatisfy(header.contains) ? .certain : nil
    }

    /// What CredScan writes in Description outside triage mode.
    static let placeholder = "[Use Triage Mode (-t) to output matching details.]"

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "CredScan"))
        for record in table.records {
            guard let source = record["Source"], let searcher = record["Searcher"] else {
                output.diagnostics.append(Diagnostic("a row without a source or searcher was skipped", at: record.position))
                continue
            }
            // `CSCAN-GENERAL0060 General Password`: the searcher's id, then its name.
            let parts = searcher.split(separator: " ", maxSplits: 1).map(String.init)
            // `E:sample/dir/App.config`: a drive letter before the scanned path.
            let file = source.count > 2 && source.dropFirst().first == ":" ? String(source.dropFirst(2)) : source
            let matched = record["Description"].flatMap { $0 == Self.placeholder ? nil : $0 }
            var finding = Finding(
                category: .secrets, tool: output.tool, ruleID: parts[0], title: parts.count > 1 ? parts[1] : searcher,
                description:
                    "CredScan found \(parts.count > 1 ? parts[1].lowercased() : "a credential") (matching score \(record["MatchingScore"] ?? "?")).",
                severity: .high, cwes: [798], location: .code(CodeLocation(file: file, startLine: record.int("Line"))),
                toolFingerprint: record["HashKey"], raw: .csv(record))
            if let matched { finding.revealedSecrets = [matched] }
            if record["IsSuppressed"]?.uppercased() == "YES" {
                finding.suppression = Suppression(kind: .inSource, justification: record["SuppressJustification"] ?? "suppressed in CredScan")
            }
            output.findings.append(finding)
        }
        return output
    }
}
