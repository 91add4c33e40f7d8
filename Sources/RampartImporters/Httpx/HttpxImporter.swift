import Foundation
import RampartCore

/// ProjectDiscovery httpx's JSON Lines output (`-json`): one line per probed URL that answered,
/// with status, title, web server and detected technologies. Each is an informational finding:
/// the site's exposed surface (an admin page, a `.git/config`), to be reviewed.
struct HttpxImporter: ReportImporter {
    let info = FormatInfo(
        id: "httpx-jsonl", name: "httpx JSON Lines", tool: "httpx", category: .dast, syntax: .json,
        notes: "live URLs with status, title, web server and technologies (informational)", defectDojoScanTypes: ["httpx Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard case .json(let document) = report, let first = document.roots.first, first.isObject else { return nil }
        return first["url"] != nil && first["status_code"] != nil && first["input"] != nil && first["scheme"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard case .json(let document) = report else { throw ImportError.content("expected JSON Lines") }
        var output = ImporterOutput(tool: ToolInfo(name: "httpx"))
        for line in document.roots.flatMap({ $0.isArray ? $0.array : [$0] }) where line.isObject {
            guard let url = line["url"]?.text, line["failed"]?.bool != true else { continue }
            let status = line["status_code"]?.int
            let technologies = line["tech"]?.strings ?? []
            var description = ["\(url) answered \(status.map(String.init) ?? "?")."]
            if let title = line["title"]?.text { description.append("Title: \(title)") }
            if let server = line["webserver"]?.text { description.append("Server: \(server)") }
            if !technologies.isEmpty { description.append("Technologies: \(technologies.joined(separator: ", "))") }
            output.findings.append(
                Finding(
                    category: .dast, tool: output.tool, ruleID: "live-url", title: "\(line["path"]?.text ?? url) (\(status.map(String.init) ?? "?"))",
                    description: description.joined(separator: "\n"), severity: .info,
                    location: .endpoint(EndpointLocation(url: url, method: line["method"]?.text)), tags: technologies, raw: .json(line)))
        }
        return output
    }
}
