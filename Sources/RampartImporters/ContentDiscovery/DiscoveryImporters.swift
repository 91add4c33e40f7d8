import Foundation
import RampartCore

/// What content-discovery tools (ffuf, gobuster, dirsearch) report: a URL that answered. One
/// informational finding per URL: these tools find what is exposed, and whether it should be
/// is for people to decide.
enum DiscoveredContent {
    static func finding(
        url: String, method: String?, status: Int?, size: Int?, redirect: String?, extra: [String] = [], tool: ToolInfo, raw: RawEvidence
    ) -> Finding {
        var details = ["\(tool.name) reached \(url)" + (status.map { " (HTTP \($0))" } ?? "")]
        details += extra
        if let size { details.append("Response size: \(size) bytes") }
        if let redirect = redirect?.nonBlank { details.append("Redirects to \(redirect)") }
        return Finding(
            category: .dast, tool: tool, ruleID: "discovered-content", title: "Discovered content: \(url)",
            description: details.joined(separator: "\n"), toolSeverity: status.map { "HTTP \($0)" }, severity: .info,
            location: .endpoint(EndpointLocation(url: url, method: method)),
            remediation: "Check that this content is meant to be reachable; remove or protect it if not.", raw: raw)
    }
}

/// gobuster's `dir` output (`-o` or standard output): `path (Status: 200) [Size: 49] [--> target]`
/// lines, or full URLs with `--expanded`. The output names no base URL, so paths stay paths.
struct GobusterImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "gobuster-text", name: "gobuster dir output", tool: "gobuster", category: .dast, syntax: .text,
        notes: "paths found by directory brute force with status, size and redirect", defectDojoScanTypes: ["Gobuster Scan"])

    static func parse(_ line: Substring) -> (path: String, status: Int, size: Int?, redirect: String?)? {
        guard let open = line.range(of: "(Status: "), let close = line[open.upperBound...].firstIndex(of: ")"),
            let status = Int(line[open.upperBound..<close])
        else { return nil }
        let path = line[..<open.lowerBound].trimmingCharacters(in: .whitespaces)
        guard !path.isEmpty else { return nil }
        var size: Int?
        if let sizeRange = line.range(of: "[Size: "), let end = line[sizeRange.upperBound...].firstIndex(of: "]") {
            size = ReportInteger.parse(String(line[sizeRange.upperBound..<end]))
        }
        var redirect: String?
        if let arrow = line.range(of: "[--> "), let end = line[arrow.upperBound...].lastIndex(of: "]") {
            redirect = String(line[arrow.upperBound..<end])
        }
        return (path, status, size, redirect)
    }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let text = report.text else { return nil }
        let head = text.head(5)
        return !head.isEmpty && head.allSatisfy({ Self.parse($0) != nil || $0.hasPrefix("=") || $0.hasPrefix("[") || $0.hasPrefix("Progress") })
            && head.contains(where: { Self.parse($0) != nil }) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let text = report.text else { throw ImportError.content("expected gobuster output") }
        var output = ImporterOutput(tool: ToolInfo(name: "gobuster"))
        for (index, line) in text.lines.enumerated() {
            guard let hit = Self.parse(line) else { continue }
            let url = hit.path.contains("://") || hit.path.hasPrefix("/") ? hit.path : "/" + hit.path
            output.findings.append(
                DiscoveredContent.finding(
                    url: url, method: nil, status: hit.status, size: hit.size, redirect: hit.redirect, tool: output.tool,
                    raw: .text(text, lines: index..<(index + 1))))
        }
        return output
    }
}

/// dirsearch's JSON report (`--format=json`): `results[]` with URL, status, content length and
/// type, and redirect.
struct DirsearchImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "dirsearch-json", name: "dirsearch JSON", tool: "dirsearch", category: .dast, syntax: .json,
        notes: "paths found by directory brute force with status, size and redirect", defectDojoScanTypes: ["Dirsearch Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let results = root["results"], results.isArray else { return nil }
        if root["info", "args"]?.text?.contains("dirsearch") == true { return .certain }
        return results.array.first?["content-length"] != nil && results.array.first?["url"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a dirsearch JSON report") }
        var output = ImporterOutput(tool: ToolInfo(name: "dirsearch"))
        for result in root["results"]?.array ?? [] {
            guard let url = result["url"]?.text else { continue }
            output.findings.append(
                DiscoveredContent.finding(
                    url: url, method: nil, status: result["status"]?.int, size: result["content-length"]?.int, redirect: result["redirect"]?.text,
                    extra: [result["content-type"]?.text?.nonBlank.map { "Content type: \($0)" }].compactMap { $0 }, tool: output.tool,
                    raw: .json(result)))
        }
        return output
    }
}
