import Foundation
import RampartCore

/// QARK's JSON report (`qark --apk app.apk --report-type json`): an array of issues, each with
/// a category (manifest, file, broadcast, crypto, intent, webview...), QARK's severity
/// (INFO, WARNING, ERROR, VULNERABILITY), the file in the decompiled app and its line.
///
/// QARK writes absolute paths into its build directory; the part below that directory is kept,
/// so that a rescan from another checkout finds the same files.
struct QARKImporter: ReportImporter {
    let info = FormatInfo(
        id: "qark-json", name: "QARK JSON", tool: "QARK", category: .sast, syntax: .json,
        notes: "Android app issues with category, severity, file and line", defectDojoScanTypes: ["QARK Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first else { return nil }
        return first["file_object"] != nil && first["name"] != nil && first["severity"] != nil && first["category"] != nil ? .certain : nil
    }

    /// QARK's four levels: a VULNERABILITY is exploitable, an ERROR a serious flaw, a WARNING a
    /// weakness to review, INFO a note.
    static func severity(_ text: String?) -> Severity {
        switch text?.uppercased() {
        case "VULNERABILITY": .high
        case "ERROR": .medium
        case "WARNING": .low
        case "INFO": .info
        default: .from(tool: text)
        }
    }

    /// The path inside QARK's build directory (named `qark`), where it decompiles the app.
    static func appPath(_ path: String) -> String {
        guard let range = path.range(of: "/qark/", options: .backwards) else { return path }
        let rest = path[range.upperBound...]
        return rest.isEmpty ? path : String(rest)
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        var output = ImporterOutput(tool: ToolInfo(name: "QARK"))
        for issue in root.array {
            guard let name = issue["name"]?.text?.nonBlank else {
                output.diagnostics.append(Diagnostic("issue without a name skipped", at: issue.position))
                continue
            }
            let file = issue["file_object"]?.text.map(Self.appPath) ?? "AndroidManifest.xml"
            // `line_number` is `[line, column]` (QARK 4), a number in some versions.
            let lineNode = issue["line_number"]
            let line = (lineNode?.isArray == true ? lineNode?.array.first?.int : lineNode?.int).flatMap { $0 > 0 ? $0 : nil }
            let column = lineNode?.isArray == true ? lineNode?.array.dropFirst().first?.int.flatMap { $0 > 0 ? $0 : nil } : nil
            let severityText = issue["severity"]?.text
            var lines = [issue["description"]?.text?.nonBlank].compactMap { $0 }
            if let exploit = issue["apk_exploit_dict"], exploit.isObject, !exploit.entries.isEmpty {
                lines.append(
                    "QARK can build an exploit APK for this issue: "
                        + exploit.entries.map { "\($0.key)=\($0.value.text ?? "")" }.joined(separator: ", "))
            }
            output.findings.append(
                Finding(
                    category: .sast, tool: output.tool, ruleID: name, title: name, description: lines.joined(separator: "\n\n").nonBlank,
                    toolSeverity: severityText, severity: Self.severity(severityText),
                    location: .code(CodeLocation(file: file, startLine: line, startColumn: column)),
                    tags: [issue["category"]?.text?.nonBlank].compactMap { $0 }, raw: .json(issue)))
        }
        return output
    }
}
