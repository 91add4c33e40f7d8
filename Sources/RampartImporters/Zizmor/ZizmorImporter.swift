import Foundation
import RampartCore

/// zizmor's JSON output (`zizmor --format json`): weaknesses of GitHub Actions workflows and
/// action definitions. Each entry names its audit (`ident`, with `desc` and the audit's `url`),
/// zizmor's `determinations` (severity, confidence, persona) and `locations`, one of them
/// `Primary`: the file (`symbolic.key`, local or in a remote repository), the route through the
/// YAML, and the `concrete` span with the text (`feature`). One finding per entry at its primary
/// location, named as zizmor's SARIF names it (`zizmor/<audit>`, the description and the primary
/// annotation), so that a team switching between the two formats keeps its findings. Entries
/// zizmor was told to ignore (`# zizmor: ignore[...]`, its configuration) are kept as
/// suppressed in source; the fixes it offers are the remediation. The JSON writes a local path
/// as given on the command line, the SARIF from the root of the git repository zizmor runs in:
/// run from the repository root, as CI does, the two formats agree.
struct ZizmorImporter: ReportImporter {
    let info = FormatInfo(
        id: "zizmor-json", name: "zizmor JSON", tool: "zizmor", category: .sast, syntax: .json,
        notes: "GitHub Actions workflow audits at their primary location, with severity, confidence, persona and offered fixes",
        defectDojoScanTypes: [])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first else { return nil }
        return first["ident"] != nil && first["determinations"] != nil && first["locations"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array of zizmor findings") }
        var output = ImporterOutput(tool: ToolInfo(name: "zizmor"))
        for entry in root.array {
            let locations = entry["locations"]?.array ?? []
            guard let ident = entry["ident"]?.text,
                let primary = locations.first(where: { $0["symbolic", "kind"]?.text == "Primary" }) ?? locations.first,
                let place = Self.file(of: primary)
            else {
                output.diagnostics.append(Diagnostic("finding without an audit or a location skipped", at: entry.position))
                continue
            }
            let description = entry["desc"]?.text ?? ident
            let annotation = primary["symbolic", "annotation"]?.text
            let start = primary["concrete", "location", "start_point"]
            let end = primary["concrete", "location", "end_point"]
            // zizmor counts rows and columns from 0.
            func oneBased(_ node: JSONNode?) -> Int? { node?.int.flatMap { $0 >= 0 && $0 < Int(Int32.max) ? $0 + 1 : nil } }
            let severityText = entry["determinations", "severity"]?.text
            var lines = [description + (annotation.map { ": " + $0 } ?? "") + "."]
            let related = locations.filter { $0["symbolic", "kind"]?.text == "Related" }.compactMap { location -> String? in
                guard let note = location["symbolic", "annotation"]?.text else { return nil }
                return "- " + note + (oneBased(location["concrete", "location", "start_point", "row"]).map { " (line \($0))" } ?? "")
            }
            if !related.isEmpty { lines.append("Related:\n" + related.joined(separator: "\n")) }
            if let persona = entry["determinations", "persona"]?.text { lines.append("Persona: \(persona).") }
            let fixes = (entry["fixes"]?.array ?? []).compactMap { fix in
                fix["title"]?.text.map { $0 + (fix["disposition"]?.text.map { " (\($0))" } ?? "") }
            }
            output.findings.append(
                Finding(
                    category: .sast, tool: output.tool, ruleID: "zizmor/" + ident, title: description + (annotation.map { ": " + $0 } ?? ""),
                    description: lines.joined(separator: "\n\n"), toolSeverity: severityText, severity: .from(tool: severityText, default: .info),
                    confidence: entry["determinations", "confidence"]?.text.flatMap(Confidence.init(toolText:)),
                    location: .code(
                        CodeLocation(
                            file: place.path, startLine: oneBased(start?["row"]), endLine: oneBased(end?["row"]),
                            startColumn: oneBased(start?["column"]),
                            endColumn: oneBased(end?["column"]), snippet: primary["concrete", "feature"]?.text)),
                    remediation: fixes.isEmpty ? nil : fixes.map { "- " + $0 }.joined(separator: "\n"),
                    references: [entry["url"]?.text].compactMap { $0 },
                    tags: [place.repository].compactMap { $0 },
                    suppression: entry["ignored"]?.bool == true
                        ? Suppression(kind: .inSource, justification: "ignored by zizmor's configuration or comment") : nil,
                    raw: .json(entry)))
        }
        return output
    }

    /// The file a location is in: a local path as given, or a path in a remote repository
    /// (`owner/repo`, kept as a tag).
    static func file(of location: JSONNode) -> (path: String, repository: String?)? {
        guard let key = location["symbolic", "key"] else { return nil }
        if let local = key["Local"] {
            guard let path = local["verbatim_path"]?.text ?? local["given_path"]?.text ?? local["path"]?.text else { return nil }
            return (path, nil)
        }
        if let remote = key["Remote"], let path = remote["path"]?.text {
            return (path, remote["slug"]?.text ?? remote["slug", "owner"]?.text.map { owner in owner + "/" + (remote["slug", "repo"]?.text ?? "") })
        }
        return nil
    }
}
