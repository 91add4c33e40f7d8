import Foundation
import RampartCore

/// Rusty Hog's JSON reports, one per hog: Choctaw Hog (git history: commit, blob ids, both
/// sides' lines), Duroc Hog (files: path and line), Gottingen Hog (Jira issues) and Essex Hog
/// (Confluence pages). Each finding has the strings found (the secrets) and a reason.
struct RustyHogImporter: ReportImporter {
    let info = FormatInfo(
        id: "rusty-hog-json", name: "Rusty Hog JSON", tool: "Rusty Hog", category: .secrets, syntax: .json,
        notes: "Choctaw (git), Duroc (files), Gottingen (Jira) and Essex (Confluence) hogs; strings found kept only as keyed hashes",
        defectDojoScanTypes: ["Rusty Hog Scan", "Choctaw Hog Scan", "Duroc Hog Scan", "Gottingen Hog Scan", "Essex Hog Scan"])

    static let fields = SecretFields(secret: [["stringsFound"]], quoting: [["diff"]])
    var secretFields: [SecretFields] { [Self.fields] }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, first.isObject, first["stringsFound"] != nil,
            first["reason"] != nil
        else { return nil }
        if first["old_file_id"] != nil || first["parent_commit_hash"] != nil { return .certain }
        if first["linenum"] != nil || first["issue_id"] != nil || first["page_id"] != nil { return .certain }
        return nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        let hog =
            root.array.first.map { first in
                first["commitHash"] != nil
                    ? "Choctaw Hog" : first["issue_id"] != nil ? "Gottingen Hog" : first["page_id"] != nil ? "Essex Hog" : "Duroc Hog"
            } ?? "Rusty Hog"
        var output = ImporterOutput(tool: ToolInfo(name: hog))
        for item in root.array {
            let reason = item["reason"]?.text ?? "secret"
            let file = item["path"]?.text ?? item["url"]?.text ?? item["issue_id"]?.text ?? item["page_id"]?.text ?? ""
            let line = item["new_line_num"]?.int.flatMap { $0 == 0 ? nil : $0 } ?? item["old_line_num"]?.int ?? item["linenum"]?.int
            var description = ["Reason: \(reason)"]
            if let commit = item["commitHash"]?.text { description.append("Commit: \(commit)") }
            if let location = item["location"]?.text { description.append("Location: \(location)") }
            var finding = Finding(
                category: .secrets, tool: output.tool, ruleID: reason, title: "\(reason) in \(file)",
                description: description.joined(separator: "\n"),
                severity: .high, cwes: [798], location: .code(CodeLocation(file: file, startLine: line)),
                references: [item["url"]?.text].compactMap { $0 }, raw: .json(item))
            finding.revealedSecrets = Self.fields.values(in: item)
            output.findings.append(finding)
        }
        return output
    }
}
