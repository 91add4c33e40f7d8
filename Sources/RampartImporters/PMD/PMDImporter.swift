import Foundation
import RampartCore

/// PMD's reports: CSV (`-f csv`), XML (`-f xml`) and JSON (`-f json`); one violation per rule
/// and place, with PMD's priority (1 high to 5 low), rule set and a link to the rule's
/// documentation. Processing errors are diagnostics, and a run that failed on some files closes
/// nothing (their violations are missing from the report, not fixed).
struct PMDImporter: ReportImporter {
    let info = FormatInfo(
        id: "pmd", name: "PMD CSV / XML / JSON", tool: "PMD", category: .sast, syntax: .csv,
        notes: "rule violations with priority, rule set, lines and columns; CSV, XML and JSON reports", defectDojoScanTypes: ["PMD Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        if let header = report.csvTable?.header {
            return ["Problem", "Package", "File", "Priority", "Line", "Description", "Rule set", "Rule"].allSatisfy(header.contains) ? .certain : nil
        }
        if let root = report.xmlRoot {
            return root.localName == "pmd" && (root.attributes["version"] != nil || !root.children("file").isEmpty) ? .certain : nil
        }
        guard let root = report.jsonRoot, root.isObject else { return nil }
        return root["pmdVersion"] != nil && root["files"] != nil ? .certain : nil
    }

    /// One violation, whichever format carried it.
    struct Violation {
        var file: String
        var rule: String
        var ruleSet: String?
        var priority: String?
        var message: String
        var beginLine: Int?
        var endLine: Int?
        var beginColumn: Int?
        var endColumn: Int?
        var url: String?
        var scope: String?
        var raw: RawEvidence
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        var output = ImporterOutput(tool: ToolInfo(name: "PMD"))
        var violations: [Violation] = []
        if let table = report.csvTable {
            for record in table.records {
                guard let rule = record["Rule"], let file = record["File"] else {
                    output.diagnostics.append(Diagnostic("a row without a rule or file was skipped", at: record.position))
                    continue
                }
                violations.append(
                    Violation(
                        file: file, rule: rule, ruleSet: record["Rule set"], priority: record["Priority"], message: record["Description"] ?? rule,
                        beginLine: record.int("Line"), scope: record["Package"], raw: .csv(record)))
            }
        } else if let root = report.xmlRoot {
            output.tool.version = root.attributes["version"]
            for file in root.children("file") {
                for violation in file.children("violation") {
                    let attributes = violation.attributes
                    violations.append(
                        Violation(
                            file: file.attributes["name"] ?? "unknown", rule: attributes["rule"] ?? "pmd", ruleSet: attributes["ruleset"],
                            priority: attributes["priority"], message: violation.value ?? attributes["rule"] ?? "violation",
                            beginLine: attributes["beginline"].flatMap(ReportInteger.parse),
                            endLine: attributes["endline"].flatMap(ReportInteger.parse),
                            beginColumn: attributes["begincolumn"].flatMap(ReportInteger.parse),
                            endColumn: attributes["endcolumn"].flatMap(ReportInteger.parse),
                            url: attributes["externalInfoUrl"],
                            scope: [attributes["package"], attributes["class"], attributes["method"]].compactMap { $0 }.joined(separator: ".")
                                .nonBlank,
                            raw: .xml(violation)))
                }
            }
            for error in root.children("error") {
                output.toolReportedError = true
                output.diagnostics.append(
                    Diagnostic("PMD could not analyse \(error.attributes["filename"] ?? "a file"): \(error.attributes["msg"] ?? "error")"))
            }
        } else if let root = report.jsonRoot {
            output.tool.version = root["pmdVersion"]?.text
            for file in root["files"]?.array ?? [] {
                for violation in file["violations"]?.array ?? [] {
                    violations.append(
                        Violation(
                            file: file["filename"]?.text ?? "unknown", rule: violation["rule"]?.text ?? "pmd", ruleSet: violation["ruleset"]?.text,
                            priority: violation["priority"]?.text, message: violation["description"]?.text ?? "violation",
                            beginLine: violation["beginline"]?.int, endLine: violation["endline"]?.int, beginColumn: violation["begincolumn"]?.int,
                            endColumn: violation["endcolumn"]?.int, url: violation["externalInfoUrl"]?.text, raw: .json(violation)))
                }
            }
            for error in root["processingErrors"]?.array ?? [] {
                output.toolReportedError = true
                output.diagnostics.append(
                    Diagnostic(
                        "PMD could not analyse \(error["filename"]?.text ?? "a file"): \(error["message"]?.text ?? "error")", at: error.position))
            }
        }
        for violation in violations {
            output.findings.append(
                Finding(
                    category: .sast, tool: output.tool, ruleID: violation.rule, title: "\(violation.rule): \(violation.message)",
                    description: [violation.message, violation.ruleSet.map { "Rule set: \($0)" }, violation.scope.map { "In \($0)" }].compactMap {
                        $0
                    }
                    .joined(separator: "\n"),
                    toolSeverity: violation.priority.map { "priority \($0)" }, severity: Self.severity(violation.priority),
                    location: .code(
                        CodeLocation(
                            file: violation.file, startLine: violation.beginLine, endLine: violation.endLine, startColumn: violation.beginColumn,
                            endColumn: violation.endColumn)),
                    references: [violation.url].compactMap { $0 }, tags: [violation.ruleSet].compactMap { $0 }, raw: violation.raw))
        }
        return output
    }

    /// PMD's priorities: 1 high, 2 medium-high, 3 medium, 4 medium-low, 5 low.
    static func severity(_ priority: String?) -> Severity {
        switch priority {
        case "1": .high
        case "2", "3": .medium
        case "4", "5": .low
        default: .low
        }
    }
}
