import Foundation
import RampartCore

/// ClamAV's scan output (`clamscan` or `clamdscan`, with or without `--infected`): one finding
/// per `path: Signature FOUND` line, the file and the signature that matched; the summary's
/// engine version is kept. `ERROR` lines (unreadable files) become diagnostics.
struct ClamAVImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "clamav-text", name: "ClamAV scan output", tool: "ClamAV", category: .infra, syntax: .text,
        notes: "infected files with the matching signature; unreadable files as diagnostics", defectDojoScanTypes: ["ClamAV Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let text = report.text else { return nil }
        if text.lines.contains(where: { $0.hasPrefix("----------- SCAN SUMMARY -----------") }) { return .certain }
        let head = text.head(8)
        return !head.isEmpty && head.allSatisfy({ $0.hasSuffix(" FOUND") || $0.hasSuffix(": OK") || $0.hasSuffix(" ERROR") }) ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let text = report.text else { throw ImportError.content("expected ClamAV output") }
        let version = text.lines.lazy.compactMap { line -> String? in
            line.hasPrefix("Engine version:") ? line.dropFirst("Engine version:".count).trimmingCharacters(in: .whitespaces) : nil
        }.first
        var output = ImporterOutput(tool: ToolInfo(name: "ClamAV", version: version))
        for (index, line) in text.lines.enumerated() {
            // `path: Signature FOUND`: the path may itself hold ": ", so the last one separates.
            if line.hasSuffix(" FOUND"), let colon = line.range(of: ": ", options: .backwards) {
                let path = String(line[..<colon.lowerBound])
                let signature = line[colon.upperBound...].dropLast(" FOUND".count).trimmingCharacters(in: .whitespaces)
                output.findings.append(
                    Finding(
                        category: .infra, tool: output.tool, ruleID: signature, title: "Malware detected: \(signature) in \(path)",
                        description: "ClamAV matched the signature \(signature) in \(path).", severity: .high, confidence: .high, cwes: [506],
                        location: .code(CodeLocation(file: path)), remediation: "Quarantine or remove the file and find how it got there.",
                        raw: .text(text, lines: index..<(index + 1))))
            } else if line.hasSuffix(" ERROR"), let colon = line.range(of: ": ", options: .backwards) {
                output.diagnostics.append(Diagnostic("ClamAV could not scan \(line[..<colon.lowerBound])", at: "line \(index + 1)"))
            }
        }
        return output
    }
}
