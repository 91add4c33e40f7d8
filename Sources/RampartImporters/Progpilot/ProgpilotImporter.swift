import Foundation
import RampartCore

/// Progpilot's JSON output (`progpilot --configuration ... src/`): a PHP static analyser's
/// results, of two kinds. A taint-style result is a data flow from its sources (`source_*`,
/// arrays: several sources may reach one sink) through `tainted_flow` to a sink (`sink_*`),
/// and is placed at the sink. A custom rule's result (`vuln_rule`, a misconfiguration such as
/// curl not verifying certificates) is placed where the rule matched. Progpilot rates nothing:
/// injections that run code or queries are high, other weaknesses medium. Its `*_column`
/// values are offsets in the file, not columns, and are not read.
struct ProgpilotImporter: ReportImporter {
    let info = FormatInfo(
        id: "progpilot-json", name: "Progpilot JSON", tool: "Progpilot", category: .sast, syntax: .json,
        notes: "PHP taint flows at their sink with sources and flow, and custom rule matches; CWE from the result",
        defectDojoScanTypes: ["Progpilot Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, first.isObject else { return nil }
        guard first["vuln_name"] != nil, first["vuln_type"] != nil, first["vuln_cwe"] != nil || first["vuln_id"] != nil else { return nil }
        return first["sink_file"] != nil || first["vuln_file"] != nil ? .certain : nil
    }

    /// Weakness classes that let input run code, commands or queries.
    static let injections: Set<String> = [
        "sql_injection", "code_injection", "command_injection", "file_inclusion", "idor", "ldap_injection", "xpath_injection",
        "unserialize", "object_injection", "header_injection",
    ]

    /// How Progpilot's vulnerability names read.
    static let titles: [String: String] = [
        "sql_injection": "SQL injection", "xss": "Cross-site scripting", "code_injection": "Code injection",
        "command_injection": "Command injection", "file_inclusion": "File inclusion", "file_disclosure": "File disclosure",
        "file_manipulation": "File manipulation", "ldap_injection": "LDAP injection", "xpath_injection": "XPath injection",
        "header_injection": "Header injection", "idor": "Insecure direct object reference", "ssrf": "Server-side request forgery",
        "open_redirect": "Open redirect", "unserialize": "Unsafe deserialization", "object_injection": "Object injection",
    ]

    /// "CWE_89" → 89.
    static func cwe(_ text: String?) -> [Int] {
        guard let text, let number = text.split(whereSeparator: { $0 == "_" || $0 == "-" }).last else { return [] }
        return ReportInteger.parse(String(number)).map { [$0] } ?? []
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        var output = ImporterOutput(tool: ToolInfo(name: "Progpilot"))
        for result in root.array {
            guard let name = result["vuln_name"]?.text else {
                output.diagnostics.append(Diagnostic("result without vuln_name skipped", at: result.position))
                continue
            }
            let file: String
            let line: Int?
            var lines: [String] = []
            var fingerprint: String?
            if let sink = result["sink_file"]?.text {
                file = sink
                line = result["sink_line"]?.int
                let sinkName = result["sink_name"]?.text ?? "?"
                lines.append("Tainted data reaches \(sinkName) at line \(line.map(String.init) ?? "?").")
                let names = result["source_name"]?.array.compactMap(\.text) ?? []
                let sourceLines = result["source_line"]?.array.map { $0.int } ?? []
                let sourceFiles = result["source_file"]?.array.compactMap(\.text) ?? []
                for (index, source) in names.enumerated() {
                    let at = index < sourceLines.count ? sourceLines[index].map { " line \($0)" } ?? "" : ""
                    let elsewhere = index < sourceFiles.count && sourceFiles[index] != sink ? " of \(sourceFiles[index])" : ""
                    lines.append("Source: \(source) at\(at)\(elsewhere)")
                }
                var path: [String] = []
                for flow in result["tainted_flow"]?.array ?? [] {
                    let steps = flow.array.map { step in
                        "\(step["flow_name"]?.text ?? "?") (line \(step["flow_line"]?.int.map(String.init) ?? "?"))"
                    }
                    if !steps.isEmpty { lines.append("Flow: " + steps.joined(separator: " → ")) }
                    path += flow.array.map { step in
                        "\(step["flow_name"]?.text ?? "")@\((step["flow_file"]?.text ?? "").split(separator: "/").last.map(String.init) ?? "")"
                    }
                }
                // Two flows into one sink from different code are two findings: the flow's
                // variables and files (not its lines, which shift) tell them apart.
                fingerprint = ([sinkName] + names + path).joined(separator: "|")
            } else {
                file = result["vuln_file"]?.text ?? ""
                line = result["vuln_line"]?.int
                if let description = result["vuln_description"]?.text { lines.append(description) }
            }
            let rule = result["vuln_rule"]?.text ?? name
            var title = Self.titles[name] ?? name.replacingOccurrences(of: "_", with: " ")
            title = title.prefix(1).uppercased() + title.dropFirst()
            if let sinkName = result["sink_name"]?.text { title += " into \(sinkName)" }
            var finding =
                Finding(
                    category: .sast, tool: output.tool, ruleID: rule, title: title,
                    description: lines.joined(separator: "\n").nonBlank, severity: Self.injections.contains(name) ? .high : .medium,
                    cwes: Self.cwe(result["vuln_cwe"]?.text), location: .code(CodeLocation(file: file, startLine: line)),
                    tags: [result["vuln_type"]?.text].compactMap { $0 }, raw: .json(result))
            finding.toolFingerprint = fingerprint
            output.findings.append(finding)
        }
        return output
    }
}
