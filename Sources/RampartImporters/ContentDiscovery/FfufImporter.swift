import Foundation
import RampartCore

/// ffuf's JSON output (`-of json`): each result is content the fuzzer found reachable (a path,
/// a parameter value, a virtual host) that the run's matchers kept; one informational finding
/// per result URL (`DiscoveredContent`), with its input, status, size, words, lines, content
/// type and redirect.
struct FfufImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "ffuf-json", name: "ffuf JSON", tool: "ffuf", category: .dast, syntax: .json,
        notes: "content discovered by fuzzing (URL, status, size, redirect), one finding per result", defectDojoScanTypes: ["ffuf Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["results"] != nil, root["commandline"] != nil else { return nil }
        return root["config", "cmdline"]?.text?.contains("ffuf") == true || root["commandline"]?.text?.contains("ffuf") == true ? .certain : .likely
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected an ffuf JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "ffuf"))
        let method = root["config", "method"]?.text
        for result in root["results"]?.array ?? [] {
            guard let url = result["url"]?.text else {
                output.diagnostics.append(Diagnostic("result without a URL skipped", at: result.position))
                continue
            }
            let inputs = (result["input"]?.entries ?? []).filter { $0.key != "FFUFHASH" }.compactMap { entry in
                entry.value.text.map { "\(entry.key)=\($0)" }
            }
            var extra: [String] = []
            if !inputs.isEmpty { extra.append("Input: " + inputs.joined(separator: ", ")) }
            let counts = [result["words"]?.int.map { "\($0) words" }, result["lines"]?.int.map { "\($0) lines" }].compactMap { $0 }
            if !counts.isEmpty { extra.append("Response: " + counts.joined(separator: ", ")) }
            if let type = result["content-type"]?.text?.nonBlank { extra.append("Content type: \(type)") }
            output.findings.append(
                DiscoveredContent.finding(
                    url: url, method: method, status: result["status"]?.int, size: result["length"]?.int, redirect: result["redirectlocation"]?.text,
                    extra: extra, tool: output.tool, raw: .json(result)))
        }
        return output
    }
}
