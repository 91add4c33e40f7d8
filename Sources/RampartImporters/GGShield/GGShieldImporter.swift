import Foundation
import RampartCore

/// ggshield's JSON output (`ggshield secret scan ... --json`, GitGuardian): incidents per file,
/// for one scan or, for a commit range or a repository's history, per commit under `scans`.
/// Matches are masked unless `--show-secrets`; `ignore_sha` is GitGuardian's unsalted hash of
/// the secret: both are treated as the secret (a dictionary reverses an unsalted hash of a
/// short one), and `ignore_sha` gives the same identity to a masked and an unmasked report.
struct GGShieldImporter: ReportImporter {
    let info = FormatInfo(
        id: "ggshield-json", name: "ggshield JSON", tool: "ggshield", category: .secrets, syntax: .json,
        notes: "secret incidents per file and commit with detector, validity and lines; matches kept only as keyed hashes",
        defectDojoScanTypes: ["Ggshield Scan"])

    static let fields = SecretFields(secret: [["ignore_sha"]], quoting: [["occurrences", "*", "match"]])
    var secretFields: [SecretFields] { [Self.fields] }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["total_incidents"] != nil else { return nil }
        return root["entities_with_incidents"] != nil || root["scans"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "ggshield", version: root["secrets_engine_version"]?.text))
        let scans = root["scans"]?.array ?? [root]
        for scan in scans {
            let commit = scan["type"]?.string == "commit" ? scan["id"]?.text : nil
            for entity in scan["entities_with_incidents"]?.array ?? [] {
                let file = entity["filename"]?.text ?? ""
                for incident in entity["incidents"]?.array ?? [] {
                    let type = incident["type"]?.text ?? "Secret"
                    let occurrence = incident["occurrences"]?.array.first
                    let validity = incident["validity"]?.text
                    var description = ["Detector: \(type)", "Policy: \(incident["policy"]?.text ?? "Secrets detection")"]
                    if let validity { description.append("Validity: \(validity)") }
                    if let commit { description.append("Commit: \(commit)") }
                    if let author = scan["extra_info", "author"]?.text { description.append("Author: \(author)") }
                    var finding = Finding(
                        category: .secrets, tool: output.tool, ruleID: type, title: "\(type) in \(file)",
                        description: description.joined(separator: "\n"), severity: validity == "valid" ? .critical : .high, cwes: [798],
                        location: .code(CodeLocation(file: file, startLine: occurrence?["line_start"]?.int, endLine: occurrence?["line_end"]?.int)),
                        references: [incident["incident_url"]?.text].compactMap { $0?.nonBlank }, tags: validity.map { ["validity:\($0)"] } ?? [],
                        raw: .json(incident))
                    finding.revealedSecrets = Self.fields.values(in: incident)
                    output.findings.append(finding)
                }
            }
        }
        return output
    }
}
