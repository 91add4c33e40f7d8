import Foundation
import RampartCore

/// mobsfscan's JSON output (`mobsfscan --json`): MobSF's source rules for Android (Java,
/// Kotlin) and iOS (Swift, Objective-C) code, per rule the matched files with CWE, OWASP
/// Mobile and MASVS references; app-wide checks carry no file.
struct MobsfscanImporter: ReportImporter {
    let info = FormatInfo(
        id: "mobsfscan-json", name: "mobsfscan JSON", tool: "mobsfscan", category: .sast, syntax: .json,
        notes: "mobile source rule matches (Android, iOS) with CWE, OWASP Mobile and MASVS", defectDojoScanTypes: ["Mobsfscan Scan", "MobSF Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if root["mobsfscan_version"] != nil { return .certain }
        return nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "mobsfscan", version: root["mobsfscan_version"]?.text))
        if let errors = root["errors"]?.array, !errors.isEmpty {
            output.toolReportedError = true
            output.diagnostics.append(Diagnostic("mobsfscan reported \(errors.count) error(s); findings missing from this report are not closed"))
        }
        NjsscanImporter.readRules(root, groups: ["results"], tagKey: "owasp-mobile", into: &output)
        return output
    }
}
