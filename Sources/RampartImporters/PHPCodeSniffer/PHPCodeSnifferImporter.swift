import Foundation
import RampartCore

/// PHP_CodeSniffer's JSON report (`phpcs --report=json`), as run with a security standard such
/// as phpcs-security-audit v2 (`Security.BadFunctions.EasyXSS.EasyXSSwarn`): per file, the
/// messages of the sniffs that fired, with line and column. One finding per message. An ERROR
/// is high, a WARNING medium (the sniff's 1-10 weight is kept as the tool's severity).
struct PHPCodeSnifferImporter: ReportImporter {
    let info = FormatInfo(
        id: "phpcs-json", name: "PHP_CodeSniffer JSON", tool: "PHP_CodeSniffer", category: .sast, syntax: .json,
        notes: "sniff messages per file and line (phpcs-security-audit and other standards); ERROR high, WARNING medium",
        defectDojoScanTypes: ["PHP Security Audit v2"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let totals = root["totals"], let files = root["files"], files.isObject else { return nil }
        return totals["errors"] != nil && totals["warnings"] != nil ? .certain : nil
    }

    /// `Security.BadFunctions.EasyXSS.EasyXSSwarn` sniffs about injection name their weakness.
    static func weakness(_ source: String) -> [Int] {
        let lower = source.lowercased()
        if lower.contains("xss") { return [79] }
        if lower.contains("sql") || lower.contains("dbquery") { return [89] }
        if lower.contains("systemexec") || lower.contains("exec") { return [78] }
        if lower.contains("filesystem") || lower.contains("fileinclusion") { return [98] }
        if lower.contains("cryptofunctions") { return [327] }
        if lower.contains("typejuggle") { return [697] }
        return []
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "PHP_CodeSniffer"))
        for (file, entry) in root["files"]?.entries ?? [] {
            for message in entry["messages"]?.array ?? [] {
                let source = message["source"]?.text?.nonBlank ?? "Internal"
                guard let text = message["message"]?.text?.nonBlank else {
                    output.diagnostics.append(Diagnostic("message without text skipped", at: message.position))
                    continue
                }
                output.findings.append(
                    Self.finding(
                        source: source, text: text, type: message["type"]?.text, weight: message["severity"]?.int, file: file,
                        line: message["line"]?.int, column: message["column"]?.int, fixable: message["fixable"]?.bool == true, tool: output.tool,
                        raw: .json(message)))
            }
        }
        return output
    }

    /// A PHP_CodeSniffer finding, the same from its JSON and its Checkstyle report.
    static func finding(
        source: String, text: String, type: String?, weight: Int?, file: String, line: Int?, column: Int?, fixable: Bool, tool: ToolInfo,
        raw: RawEvidence
    ) -> Finding {
        let type = type?.uppercased()
        return Finding(
            category: .sast, tool: tool, ruleID: source, title: text, description: "\(source): \(text)",
            toolSeverity: [type, weight.map { "weight \($0)" }].compactMap { $0 }.joined(separator: ", ").nonBlank,
            severity: type == "ERROR" ? .high : .medium, cwes: weakness(source),
            location: .code(
                CodeLocation(file: file, startLine: line.flatMap { $0 > 0 ? $0 : nil }, startColumn: column.flatMap { $0 > 0 ? $0 : nil })),
            tags: fixable ? ["fixable"] : [], raw: raw)
    }
}
