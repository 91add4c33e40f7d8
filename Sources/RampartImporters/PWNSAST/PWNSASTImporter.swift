import Foundation
import RampartCore

/// PWN's SAST report (`pwn_sast -d REPO -o report.json`): per SAST module and file, the lines
/// its test case matched, with the CWE and NIST 800-53 control the module maps to. One finding
/// per module, file and line, with the line's contents as its snippet; a hard-coded
/// credential's line (CWE-259, 321, 798) is hidden like any secret.
struct PWNSASTImporter: ReportImporter {
    let info = FormatInfo(
        id: "pwn-sast-json", name: "PWN SAST JSON", tool: "PWN", category: .sast, syntax: .json,
        notes: "matched lines per SAST module and file with CWE and NIST 800-53 section", defectDojoScanTypes: ["PWN SAST"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["report_name"] != nil, let data = root["data"], data.isArray else { return nil }
        // An empty report still names itself, and holds nothing else.
        guard let first = data.array.first else { return root.entries.count == 2 ? .likely : nil }
        return first["security_references"]?["sast_module"] != nil && first["line_no_and_contents"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "PWN"))
        for item in root["data"]?.array ?? [] {
            let references = item["security_references"]
            guard let module = references?["sast_module"]?.text else {
                output.diagnostics.append(Diagnostic("result without a SAST module skipped", at: item.position))
                continue
            }
            let file = item["filename"]?["entry"]?.text ?? ""
            let section = references?["section"]?.text
            let name = module.split(separator: ":").last.map(String.init) ?? module
            for line in item["line_no_and_contents"]?.array ?? [] {
                let number = line["line_no"]?.int ?? line["line_no"]?.text.flatMap { ReportInteger.parse($0) }
                var details = [section.map { "NIST 800-53 section: \($0)" }, line["author"]?.text?.nonBlank.map { "Last changed by: \($0)" }]
                    .compactMap { $0 }
                if let filter = item["test_case_filter"]?.text?.nonBlank { details.append("Test case: \(filter)") }
                var finding =
                    Finding(
                        category: .sast, tool: output.tool, ruleID: module, title: "\(name) match in \(file)",
                        description: details.joined(separator: "\n"), severity: .medium,
                        cwes: CWE.parseAll([references?["cwe_id"]?.text].compactMap { $0 }),
                        location: .code(CodeLocation(file: file, startLine: number, snippet: line["contents"]?.text?.nonBlank)),
                        references: [references?["nist_800_53_uri"]?.text, references?["cwe_uri"]?.text].compactMap { $0?.nonBlank },
                        tags: [section].compactMap { $0 }, raw: .json(item))
                // A hard-coded credential's line quotes the credential: hidden wherever it
                // appears (the raw content lists every matched line, so all of them).
                if !Set(finding.cwes).isDisjoint(with: hardcodedCredentialCWEs) {
                    let lines = (item["line_no_and_contents"]?.array ?? []).compactMap { $0["contents"]?.text?.nonBlank }
                    finding.revealedSecrets = (line["contents"]?.text).map(quotedLiterals(in:)) ?? []
                    finding.revealedSecrets += lines.flatMap(quotedLiterals(in:)) + lines
                }
                output.findings.append(finding)
            }
        }
        return output
    }
}
