import Foundation
import RampartCore

/// AIDE's report (`aide --check`, the text it prints and mails): the files and directories
/// added, removed or changed since its database was made. One finding per entry, at its path,
/// with the attributes that changed (the "Detailed information about changes" block). AIDE
/// 0.16 and later list entries as `f > ... ....H : /path` under "Added/Removed/Changed
/// entries"; 0.15 and earlier write `changed: /path`. A report that found no differences has
/// no findings. The report does not name the host.
struct AIDEImporter: ReportImporter {
    let info = FormatInfo(
        id: "aide-text", name: "AIDE check report", tool: "AIDE", category: .infra, syntax: .text,
        notes: "files and directories added, removed or changed, with the attributes that changed", defectDojoScanTypes: ["AIDE Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let text = report.text else { return nil }
        for line in text.head(3) {
            if line.contains("(AIDE ") && line.hasPrefix("Start timestamp:") { return .certain }
            if line.hasPrefix("AIDE") && (line.contains("found differences between database and filesystem") || line.contains("found NO differences"))
            {
                return .certain
            }
        }
        return nil
    }

    enum Change: String {
        case added, removed, changed
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let text = report.text else { throw ImportError.content("expected AIDE's report") }
        let lines = text.lines
        var version: String?
        if let first = lines.first, let open = first.range(of: "(AIDE ") {
            version = first[open.upperBound...].split(separator: ")").first.map(String.init)
        }
        var output = ImporterOutput(tool: ToolInfo(name: "AIDE", version: version))
        var entries: [(change: Change, path: String, line: Int, kind: String?)] = []
        var section: Change?
        var details: [String: [String]] = [:]
        var detailPath: String?
        for (index, line) in lines.enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("---") { continue }
            switch trimmed {
            case "Added entries:":
                section = .added
                detailPath = nil
                continue
            case "Removed entries:":
                section = .removed
                detailPath = nil
                continue
            case "Changed entries:":
                section = .changed
                detailPath = nil
                continue
            case "Detailed information about changes:":
                section = nil
                continue
            default: break
            }
            if trimmed.hasPrefix("The attributes of the") {
                section = nil
                detailPath = nil
                continue
            }
            // AIDE 0.15: `changed: /path`.
            for change in [Change.added, .removed, .changed] where trimmed.hasPrefix(change.rawValue + ": ") {
                entries.append((change, String(trimmed.dropFirst(change.rawValue.count + 2)), index + 1, nil))
            }
            // The detail blocks: `File: /path`, then ` Attribute : old | new` lines.
            for kind in ["File: ", "Directory: ", "Link: ", "Device: ", "Socket: ", "FIFO: "] where line.hasPrefix(kind) {
                detailPath = String(line.dropFirst(kind.count)).trimmingCharacters(in: .whitespaces)
            }
            if let path = detailPath, line.hasPrefix(" "), !trimmed.isEmpty {
                details[path, default: []].append(trimmed)
                continue
            }
            // 0.16+: `<type><flags> : /path` (the flags hold no colon).
            if let section, !trimmed.isEmpty, let colon = line.range(of: ": ") {
                let path = line[colon.upperBound...].trimmingCharacters(in: .whitespaces)
                if !path.isEmpty { entries.append((section, path, index + 1, line.first.map(String.init))) }
            }
        }
        for entry in entries {
            let what: String
            switch entry.kind {
            case "d": what = "Directory"
            case "l": what = "Link"
            default: what = "File"
            }
            var lines = ["\(what) \(entry.path) was \(entry.change.rawValue) since AIDE's database was made."]
            if let changed = details[entry.path], !changed.isEmpty { lines.append("Changes (old | new):\n" + changed.joined(separator: "\n")) }
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: "aide-\(entry.change.rawValue)",
                    title: "\(what) \(entry.change.rawValue): \(entry.path)",
                    description: lines.joined(separator: "\n\n"), severity: .medium, cwes: [], location: .code(CodeLocation(file: entry.path)),
                    tags: ["file-integrity"], raw: .text(text, lines: (entry.line - 1)..<entry.line)))
        }
        return output
    }
}
