import Foundation
import RampartCore

/// Nosey Parker's JSON Lines report (`noseyparker report --format jsonl`, 0.17+): one line per
/// finding (a rule and the secret it matched, `groups` base64-encoded; before 0.17
/// `match_content` in plain text), with each match's
/// provenance (git commit and blob path, or a file) and the snippet around it.
struct NoseyParkerImporter: ReportImporter {
    let info = FormatInfo(
        id: "noseyparker-jsonl", name: "Nosey Parker JSON Lines", tool: "Nosey Parker", category: .secrets, syntax: .json,
        notes: "secrets per rule with every match's file, commit and lines; groups and snippets kept only as keyed hashes",
        defectDojoScanTypes: ["Nosey Parker Scan"])

    static let fields = SecretFields(
        secret: [["groups"], ["match_content"]],
        quoting: [
            ["matches", "*", "snippet", "matching"], ["matches", "*", "snippet", "before"], ["matches", "*", "snippet", "after"],
            ["matches", "*", "groups"],
        ])
    var secretFields: [SecretFields] { [Self.fields] }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard case .json(let document) = report, let first = document.roots.first, first.isObject else { return nil }
        return first["rule_name"] != nil && first["matches"]?.isArray == true && (first["finding_id"] != nil || first["num_matches"] != nil)
            ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard case .json(let document) = report else { throw ImportError.content("expected JSON Lines") }
        var output = ImporterOutput(tool: ToolInfo(name: "Nosey Parker"))
        for item in document.roots.flatMap({ $0.isArray ? $0.array : [$0] }) where item.isObject {
            let rule = item["rule_text_id"]?.text ?? item["rule_name"]?.text ?? "secret"
            let ruleName = item["rule_name"]?.text ?? rule
            // The groups are the secret base64-encoded: hide both forms, in every match.
            let groups = Self.fields.values(in: item)
            let decoded = (item["groups"]?.strings ?? []).compactMap { Data(base64Encoded: $0).map { String(decoding: $0, as: UTF8.self) } }
            // One finding per match: each is a place the secret sits, fixed on its own.
            for match in item["matches"]?.array ?? [] {
                let provenance = match["provenance"]?.array.first
                let path =
                    provenance?["first_commit", "blob_path"]?.text ?? provenance?["commit_provenance", "blob_path"]?.text ?? provenance?["path"]?.text
                    ?? provenance?["blob_path"]?.text ?? ""
                var description = ["Rule: \(ruleName)"]
                if let commit = provenance?["first_commit", "commit_metadata", "commit_id"]?.text { description.append("First commit: \(commit)") }
                var finding = Finding(
                    category: .secrets, tool: output.tool, ruleID: rule, title: "\(ruleName) in \(path)",
                    description: description.joined(separator: "\n"),
                    severity: .high, cwes: [798],
                    location: .code(
                        CodeLocation(
                            file: path, startLine: match["location", "source_span", "start", "line"]?.int,
                            endLine: match["location", "source_span", "end", "line"]?.int)),
                    raw: .json(match))
                finding.revealedSecrets = decoded.filter { !$0.isEmpty } + groups + Self.fields.values(in: match)
                output.findings.append(finding)
            }
        }
        return output
    }
}
