import Foundation
import RampartCore

/// Firmwalker's report (`firmwalker.sh <extracted firmware> [report]`, `firmwalker.txt`): what it
/// found searching an extracted firmware image, in sections (`***Search for SSH related
/// files***`) of searches (`##### id_rsa`, or `----- password -----` for text patterns).
///
/// Each file found is a finding at its path in the image, titled with the search's section.
/// Private material (password and shadow files, pre-shared keys, SSH private and host keys,
/// key and PKCS#12 files) is medium; other files are informational. The addresses, URLs and
/// e-mail addresses found are one informational finding per section, listing them.
struct FirmwalkerImporter: ReportImporter {
    let info = FormatInfo(
        id: "firmwalker-text", name: "Firmwalker report", tool: "Firmwalker", category: .sast, syntax: .text,
        notes: "files found in an extracted firmware per search (key material medium); addresses, URLs and e-mails listed",
        defectDojoScanTypes: ["Firmwalker Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let text = report.text else { return nil }
        return text.head(1).first?.hasPrefix("***Firmware Directory***") == true ? .certain : nil
    }

    /// Searches whose hits are secrets or credentials to protect.
    static let privateSearches: Set<String> = [
        "passwd", "shadow", "*.psk", "id_rsa", "*id_rsa*", "id_dsa", "*id_dsa*", "host_key", "*host_key*", "*.key", "*.p12",
    ]
    /// Sections whose lines are values found, not files.
    static let valueSections = ["ip addresses", "urls", "emails"]
    static let valueTitles = ["ip addresses": "IP addresses", "urls": "URLs", "emails": "E-mail addresses"]

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let text = report.text else { throw ImportError.content("expected Firmwalker's report") }
        var output = ImporterOutput(tool: ToolInfo(name: "Firmwalker"))
        var section: String?
        var search: String?
        var values: [String: (lines: [String], first: Int)] = [:]
        var valueOrder: [String] = []
        var seen: Set<String> = []
        for (index, raw) in text.lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || index == 0 { continue }
            if line.hasPrefix("***"), line.hasSuffix("***") {
                section = String(line.dropFirst(3).dropLast(3)).replacingOccurrences(of: "Search for ", with: "")
                search = nil
                continue
            }
            if line.hasPrefix("#####") {
                search = line.drop(while: { $0 == "#" }).trimmingCharacters(in: .whitespaces)
                continue
            }
            if line.hasPrefix("-----"), line.hasSuffix("-----") {
                search = line.trimmingCharacters(in: CharacterSet(charactersIn: "- "))
                continue
            }
            guard let section else { continue }
            // Directory listings (`List etc/ssl directory`) and the firmware path itself.
            if section.hasPrefix("List ") || section == "Firmware Directory" { continue }
            if Self.valueSections.contains(section.lowercased()) {
                if values[section] == nil {
                    values[section] = ([], index)
                    valueOrder.append(section)
                }
                values[section]!.lines.append(line)
                continue
            }
            guard line.hasPrefix("/") || line.contains("/") else { continue }
            let key = line + "\u{1F}" + section + "\u{1F}" + (search ?? "")
            guard seen.insert(key).inserted else { continue }
            let isPrivate = search.map { Self.privateSearches.contains($0.lowercased()) } ?? false
            let what = search.map { section.hasPrefix("patterns") ? "contains \"\($0)\"" : "matches \($0)" } ?? "found"
            output.findings.append(
                Finding(
                    category: .sast, tool: output.tool, ruleID: search.map { "\(section): \($0)" } ?? section, title: "\(line) (\(section))",
                    description: "Firmwalker's search for \(section) found \(line): it \(what).", severity: isPrivate ? .medium : .info,
                    cwes: isPrivate ? [522] : [], location: .code(CodeLocation(file: line)), tags: ["firmware"],
                    raw: .text(text, lines: index..<(index + 1))))
        }
        for section in valueOrder {
            guard let found = values[section] else { continue }
            output.findings.append(
                Finding(
                    category: .sast, tool: output.tool, ruleID: section,
                    title: "\(Self.valueTitles[section.lowercased()] ?? section) found in the firmware",
                    description: "Firmwalker found \(found.lines.count) value(s):\n" + found.lines.map { "- \($0)" }.joined(separator: "\n"),
                    severity: .info, location: .code(CodeLocation(file: "/")), tags: ["firmware"],
                    raw: .text(text, lines: found.first..<(found.first + found.lines.count))))
        }
        return output
    }
}
