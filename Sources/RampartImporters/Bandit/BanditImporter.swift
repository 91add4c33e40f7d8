import Foundation
import RampartCore

/// Bandit JSON (`bandit -f json`): results with test id, severity, confidence and CWE.
struct BanditImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "bandit-json", name: "Bandit JSON", tool: "Bandit", category: .sast, syntax: .json,
        notes: "results with severity, confidence, CWE and code; errors block closing", defectDojoScanTypes: ["Bandit Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["results"]?.isArray == true else { return nil }
        if let first = root["results"]?.array.first { return first["test_id"] != nil && first["issue_severity"] != nil ? .likely : nil }
        return root["generated_at"] != nil && root["metrics", "_totals"] != nil ? .likely : nil
    }

    /// A hard-coded credential result (B105-B107) quotes the credential in its code.
    var secretFields: [SecretFields] { [SecretFields(secret: [], quoting: [["code"]])] }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Bandit"))
        if let errors = root["errors"]?.array, !errors.isEmpty {
            output.toolReportedError = true
            output.diagnostics.append(Diagnostic("Bandit could not scan \(errors.count) file(s); findings missing from this report are not closed"))
        }
        for result in root["results"]?.array ?? [] {
            guard let testID = result["test_id"]?.text, let file = result["filename"]?.text else {
                output.diagnostics.append(Diagnostic("result without test_id or filename skipped", at: result.position))
                continue
            }
            let text = result["issue_text"]?.text ?? testID
            let numberedCode = result["code"]?.string
            let lineRange = result["line_range"]?.array.compactMap(\.int) ?? []
            // The flagged lines, as Bandit's SARIF gives them: `code` adds a line of context around them.
            let code = numberedCode.map { BanditImporter.flaggedLines($0, lines: Set(lineRange + [result["line_number"]?.int].compactMap { $0 })) }
            var revealed: [String] = []
            if Self.hardcodedPasswordTests.contains(testID) {
                // The quoted password when the message has it; else the code that holds it is hidden whole.
                let quoted = Self.quotedValue(in: text) ?? code.flatMap { quotedLiterals(in: $0).first }
                revealed = ([quoted, code, numberedCode]).compactMap { $0 }
            }
            let severityText = result["issue_severity"]?.text
            var finding =
                Finding(
                    category: .sast, tool: output.tool, ruleID: testID,
                    title: "\(testID) \(result["test_name"]?.text ?? ""): \(text)".trimmingCharacters(in: .whitespaces),
                    description: text, toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
                    confidence: result["issue_confidence"]?.text.flatMap(Confidence.init(toolText:)),
                    cwes: [result["issue_cwe", "id"]?.int].compactMap { $0 },
                    location: .code(
                        CodeLocation(
                            file: file, startLine: result["line_number"]?.int, endLine: lineRange.max(),
                            startColumn: result["col_offset"]?.int.map { $0 + 1 }, endColumn: result["end_col_offset"]?.int,
                            snippet: code)),
                    references: [result["more_info"]?.text].compactMap { $0 }, raw: .json(result))
            finding.revealedSecrets = revealed
            output.findings.append(finding)
        }
        return output
    }

    /// Hard-coded password tests: their finding text and code show the password itself.
    static let hardcodedPasswordTests: Set<String> = ["B105", "B106", "B107"]

    /// The value Bandit quotes in "Possible hardcoded password: 'VALUE'".
    static func quotedValue(in text: String) -> String? {
        guard let first = text.firstIndex(of: "'"), let last = text.lastIndex(of: "'"), first < last else { return nil }
        return String(text[text.index(after: first)..<last])
    }

    /// The lines of Bandit's numbered `code` whose numbers are in `lines`, without their
    /// numbers (all of them when no number matches, as in reports without line ranges).
    static func flaggedLines(_ code: String, lines: Set<Int>) -> String {
        var flagged: [Substring] = []
        for line in code.split(separator: "\n", omittingEmptySubsequences: false) {
            let digits = line.prefix { $0.isNumber }
            if let number = Int(digits), lines.contains(number) { flagged.append(line.dropFirst(digits.count).dropFirst()) }
        }
        return flagged.isEmpty ? stripLineNumbers(code) : flagged.joined(separator: "\n")
    }

    /// Bandit prefixes each code line with its number; those move with the code and must not
    /// reach the fingerprint.
    static func stripLineNumbers(_ code: String) -> String {
        code.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let digits = line.prefix { $0.isNumber }
            return digits.isEmpty ? String(line) : String(line.dropFirst(digits.count).drop { $0 == " " })
        }.joined(separator: "\n")
    }
}
