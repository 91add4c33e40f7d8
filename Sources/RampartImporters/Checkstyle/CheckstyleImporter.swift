import Foundation
import RampartCore

/// Checkstyle XML (`<checkstyle><file name><error line column severity message source/>`), the
/// report many linters write besides their own formats: ShellCheck (`-f checkstyle`), hadolint,
/// ESLint, PHP_CodeSniffer, golangci-lint, tflint. The format does not name its tool, so the
/// rule ids (`source`) say which wrote it:
/// - `ShellCheck.SC2086`: ShellCheck, read as its JSON is (same rule, place, message, level);
/// - `DL3008` and bare `SC2086` in Dockerfiles: hadolint, as its JSON is;
/// - `eslint.rules.no-eval`: ESLint, rule `no-eval`;
/// - sniff codes (`Standard.Category.Sniff.Code`) in PHP files: PHP_CodeSniffer, as its JSON is;
/// - anything else: a linter the report does not name, its rule the whole `source`. A note says
///   to give such reports a stream name (`--stream`), so that two unnamed linters' reports
///   into one component do not close each other's findings.
/// Levels rate on the linters' common scale (`Severity.fromLinter`).
struct CheckstyleImporter: ReportImporter {
    let info = FormatInfo(
        id: "checkstyle-xml", name: "Checkstyle XML", tool: "any Checkstyle writer", category: .sast, syntax: .xml,
        notes: "linter results per file and line; ShellCheck, hadolint and ESLint recognized by their rule ids and read as their own formats",
        defectDojoScanTypes: [])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot, root.localName == "checkstyle" else { return nil }
        return .certain
    }

    enum Writer {
        case shellCheck, hadolint, eslint, phpCodeSniffer
        case unnamed(String)

        var name: String {
            switch self {
            case .shellCheck: "ShellCheck"
            case .hadolint: "hadolint"
            case .eslint: "ESLint"
            case .phpCodeSniffer: "PHP_CodeSniffer"
            case .unnamed(let name): name
            }
        }
    }

    /// Which linter wrote these rule ids (and file names), if they say.
    static func writer(sources: [String], files: [String]) -> Writer {
        guard !sources.isEmpty else { return .unnamed("Checkstyle") }
        if sources.allSatisfy({ $0.hasPrefix("ShellCheck.") }) { return .shellCheck }
        if sources.allSatisfy({ $0.hasPrefix("eslint.rules.") }) { return .eslint }
        if sources.allSatisfy(HadolintImporter.isRuleID),
            files.allSatisfy({ $0.lowercased().contains("dockerfile") || $0.lowercased().hasSuffix(".docker") })
        {
            return .hadolint
        }
        let sniffCode = { (source: String) in
            source.split(separator: ".", omittingEmptySubsequences: false).count >= 4
                && source.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" }
        }
        let phpFile = { (file: String) in [".php", ".inc", ".phtml"].contains { file.lowercased().hasSuffix($0) } }
        if sources.allSatisfy(sniffCode), files.allSatisfy(phpFile) { return .phpCodeSniffer }
        return .unnamed("Checkstyle")
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected a Checkstyle XML document") }
        let files = root.children("file")
        let writer = Self.writer(
            sources: files.flatMap { $0.children("error").compactMap { $0.attributes["source"]?.nonBlank } },
            files: files.compactMap { $0.attributes["name"] })
        var output = ImporterOutput(tool: ToolInfo(name: writer.name))
        if case .unnamed = writer {
            output.diagnostics.append(
                Diagnostic(
                    "the report does not say which linter wrote it: import each linter's report with its own --stream name, or one closes the other's findings",
                    level: .note))
        }
        var unparsed = 0
        for file in files {
            guard let path = file.attributes["name"]?.nonBlank else {
                output.diagnostics.append(Diagnostic("file without a name skipped", at: "line \(file.line)"))
                continue
            }
            for error in file.children("error") {
                let attributes = error.attributes
                let level = attributes["severity"]
                let message = attributes["message"]
                let line = attributes["line"].flatMap(ReportInteger.parse)
                let column = attributes["column"].flatMap(ReportInteger.parse)
                let source = attributes["source"]?.nonBlank ?? "checkstyle"
                switch writer {
                case .shellCheck:
                    output.findings.append(
                        ShellCheckImporter.finding(
                            code: String(source.dropFirst("ShellCheck.".count)), level: level, message: message, file: path, line: line,
                            column: column,
                            fixable: false, tool: output.tool, raw: .xml(error)))
                case .hadolint:
                    output.findings.append(
                        HadolintImporter.finding(
                            code: source, level: level, message: message, file: path, line: line, tool: output.tool, raw: .xml(error)))
                case .eslint:
                    // A message without a rule is a file ESLint could not parse, as in its JSON.
                    guard source.hasPrefix("eslint.rules.") else {
                        unparsed += 1
                        continue
                    }
                    let rule = String(source.dropFirst("eslint.rules.".count))
                    // ESLint's Checkstyle formatter appends " (rule)" to the message its JSON gives.
                    let text = message.map { $0.hasSuffix(" (\(rule))") ? String($0.dropLast(rule.count + 3)) : $0 }
                    output.findings.append(
                        ESLintImporter.finding(
                            rule: rule, message: text, level: level,
                            location: CodeLocation(file: path, startLine: line, startColumn: column), tool: output.tool, raw: .xml(error)))
                case .phpCodeSniffer:
                    output.findings.append(
                        PHPCodeSnifferImporter.finding(
                            source: source, text: message ?? source, type: level, weight: nil, file: path, line: line, column: column, fixable: false,
                            tool: output.tool, raw: .xml(error)))
                case .unnamed:
                    let rule = source
                    output.findings.append(
                        Finding(
                            category: .sast, tool: output.tool, ruleID: rule, title: message ?? rule, description: message, toolSeverity: level,
                            severity: .fromLinter(level), location: .code(CodeLocation(file: path, startLine: line, startColumn: column)),
                            raw: .xml(error)))
                }
            }
        }
        if unparsed > 0 {
            output.toolReportedError = true
            output.diagnostics.append(Diagnostic("ESLint could not parse \(unparsed) file(s); findings missing from this report are not closed"))
        }
        return output
    }
}
