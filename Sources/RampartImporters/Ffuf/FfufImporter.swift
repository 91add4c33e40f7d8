import Foundation
import RampartCore

/// ffuf's JSON output (`-of json`): each result is content the fuzzer found reachable (a path,
/// a parameter value, a virtual host) that the run's matchers kept. One finding per result URL,
/// informational: ffuf finds what is exposed, and whether it should be is for people to
/// decide. Status, size, words, lines, content type and redirect are kept.
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
            let status = result["status"]?.int
            let inputs = (result["input"]?.entries ?? []).filter { $0.key != "FFUFHASH" }.compactMap { entry in
                entry.value.text.map { "\(entry.key)=\($0)" }
            }
            var details = ["ffuf reached \(url)" + (status.map { " (HTTP \($0))" } ?? "")]
            if !inputs.isEmpty { details.append("Input: " + inputs.joined(separator: ", ")) }
            let sizes = [
                result["length"]?.int.map { "\($0) bytes" }, result["words"]?.int.map { "\($0) words" }, result["lines"]?.int.map { "\($0) lines" },
            ].compactMap { $0 }
            if !sizes.isEmpty {
                details.append("Response: " + sizes.joined(separator: ", ") + (result["content-type"]?.text?.nonBlank.map { ", \($0)" } ?? ""))
            }
            if let redirect = result["redirectlocation"]?.text?.nonBlank { details.append("Redirects to \(redirect)") }
            output.findings.append(
                Finding(
                    category: .dast, tool: output.tool, ruleID: "discovered-content", title: "Discovered content: \(url)",
                    description: details.joined(separator: "\n"), toolSeverity: status.map { "HTTP \($0)" }, severity: .info,
                    location: .endpoint(EndpointLocation(url: url, method: method)),
                    remediation: "Check that this content is meant to be reachable; remove or protect it if not.", raw: .json(result)))
        }
        return output
    }
}
