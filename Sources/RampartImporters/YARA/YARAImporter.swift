import Foundation
import RampartCore

/// YARA's command-line output (`yara [-g] [-m] [-s] [-e] RULES TARGET`): one line per rule
/// that matched a file, `RULE [tags] [meta] PATH` (`-g` adds the tags, `-m` the metadata,
/// `-e` a `namespace:` prefix), then with `-s` the matched strings, one `0xOFFSET:$id: data`
/// line each. One finding per rule and file; the rule's `severity` metadata sets the
/// severity (medium without it), its description and reference are kept, and the matched
/// strings are listed. YARA's `error` and `warning` lines become diagnostics.
struct YARAImporter: ReportImporter {
    let info = FormatInfo(
        id: "yara-text", name: "YARA output", tool: "YARA", category: .infra, syntax: .text,
        notes: "rule matches per file with tags, metadata (severity, description, reference) and matched strings",
        defectDojoScanTypes: ["YARA Scan"])

    /// A match line, read.
    struct Match {
        var namespace: String?
        var rule: String
        var tags: [String] = []
        var meta: [(key: String, value: String)] = []
        var path: String
    }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let text = report.text else { return nil }
        let head = text.head(12)
        guard let first = head.first, let match = Self.match(first), Self.looksScanned(match.path) else { return nil }
        // Every line is a match (of a file or process), one of -s's string lines, or YARA's own message.
        return head.allSatisfy { line in
            Self.isStringLine(line) || Self.isMessage(line) || Self.match(line).map { Self.looksScanned($0.path) } == true
        } ? .likely : nil
    }

    /// What YARA scans: a file path, or a process id.
    static func looksScanned(_ target: String) -> Bool {
        target.contains("/") || target.contains("\\") || (!target.isEmpty && target.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 })
    }

    static func isMessage(_ line: Substring) -> Bool { line.hasPrefix("error") || line.hasPrefix("warning") }

    static func isStringLine(_ line: Substring) -> Bool {
        line.hasPrefix("0x") && line.contains(":$")
    }

    static func isIdentifier(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, first == 0x5F || (first | 0x20 >= 0x61 && first | 0x20 <= 0x7A) else { return false }
        return text.utf8.allSatisfy { $0 == 0x5F || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }
    }

    /// `RULE [tags] [meta] PATH`, or nil for any other line.
    static func match(_ line: Substring) -> Match? {
        guard let space = line.firstIndex(of: " ") else { return nil }
        var name = line[..<space]
        var namespace: String?
        if let colon = name.firstIndex(of: ":") {
            guard isIdentifier(name[..<colon]) else { return nil }
            namespace = String(name[..<colon])
            name = name[name.index(after: colon)...]
        }
        guard isIdentifier(name), name.count <= 128 else { return nil }
        var match = Match(namespace: namespace, rule: String(name), path: "")
        var rest = line[line.index(after: space)...]
        // Up to two bracketed groups: tags (no `=`), then metadata (`key=value`, values quoted or bare).
        while rest.first == "[" {
            guard let (group, after) = bracketGroup(rest) else { return nil }
            if group.isEmpty || group.contains(where: { $0.value != nil }) {
                match.meta += group.map { ($0.key, $0.value ?? "") }
            } else {
                match.tags += group.map(\.key)
            }
            rest = after.first == " " ? after.dropFirst() : after
        }
        guard !rest.isEmpty, !rest.hasPrefix("[") else { return nil }
        match.path = String(rest)
        return match
    }

    /// The items of a `[...]` group at the start of `text`, and what follows it. Quoted values
    /// may hold `,`, `]` and escaped quotes.
    static func bracketGroup(_ text: Substring) -> ([(key: String, value: String?)], Substring)? {
        var items: [(key: String, value: String?)] = []
        var key = ""
        var value: String?
        var index = text.index(after: text.startIndex)
        var inQuotes = false
        while index < text.endIndex {
            let character = text[index]
            if inQuotes {
                if character == "\\", text.index(after: index) < text.endIndex {
                    index = text.index(after: index)
                    value!.append(text[index])
                } else if character == "\"" {
                    inQuotes = false
                } else {
                    value!.append(character)
                }
            } else if character == "\"", value != nil {
                inQuotes = true
            } else if character == "=", value == nil {
                value = ""
            } else if character == "," || character == "]" {
                if !key.isEmpty { items.append((key, value)) }
                key = ""
                value = nil
                if character == "]" { return (items, text[text.index(after: index)...]) }
            } else if value != nil {
                value!.append(character)
            } else {
                key.append(character)
            }
            index = text.index(after: index)
        }
        return nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let text = report.text else { throw ImportError.content("expected YARA output") }
        var output = ImporterOutput(tool: ToolInfo(name: "YARA"))
        var index = 0
        let lines = text.lines
        while index < lines.count {
            let line = lines[index]
            if Self.isMessage(line) {
                output.diagnostics.append(Diagnostic("YARA: \(line)", at: "line \(index + 1)"))
                index += 1
                continue
            }
            guard let match = Self.match(line) else {
                if !line.allSatisfy(\.isWhitespace) {
                    output.diagnostics.append(Diagnostic("line not read as a YARA match", at: "line \(index + 1)", level: .note))
                }
                index += 1
                continue
            }
            var end = index + 1
            var strings: [String] = []
            while end < lines.count, Self.isStringLine(lines[end]) {
                strings.append(String(lines[end]))
                end += 1
            }
            let meta = Dictionary(match.meta.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
            let severityText = meta["severity"] ?? meta["threat_level"] ?? meta["risk"]
            var details: [String] = []
            if let description = meta["description"] { details.append(description) }
            if !strings.isEmpty { details.append("Matched strings:\n" + strings.map { "- \($0)" }.joined(separator: "\n")) }
            let others = match.meta.filter { !["description", "severity", "reference"].contains($0.key.lowercased()) }
            if !others.isEmpty { details.append(others.map { "\($0.key): \($0.value)" }.joined(separator: "\n")) }
            let rule = match.namespace.map { "\($0):\(match.rule)" } ?? match.rule
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: rule, title: "\(match.rule) matched \(match.path)",
                    description: details.joined(separator: "\n\n").nonBlank, toolSeverity: severityText,
                    severity: .from(tool: severityText, default: .medium), location: .code(CodeLocation(file: match.path)),
                    references: [meta["reference"]].compactMap { $0?.nonBlank }.filter { $0.hasPrefix("http") },
                    tags: match.tags, raw: .text(text, lines: index..<end)))
            index = end
        }
        return output
    }
}
