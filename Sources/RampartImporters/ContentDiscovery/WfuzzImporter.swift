import Foundation
import RampartCore

/// wfuzz's JSON output (`-o json` or `-f FILE,json`): an array of the responses it kept, each
/// with URL, method, status code, size in characters, words and lines, redirect location and
/// the payload. A response whose status is 404 says nothing is there: wfuzz keeps them unless
/// told to hide them (`--hc 404`), and they are counted in a note rather than imported.
struct WfuzzImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "wfuzz-json", name: "wfuzz JSON", tool: "wfuzz", category: .dast, syntax: .json,
        notes: "responses found by fuzzing with status, size and redirect; 404 responses counted, not imported",
        defectDojoScanTypes: ["WFuzz JSON report"])

    static func isResult(_ node: JSONNode) -> Bool {
        node.isObject && node["url"] != nil && node["payload"] != nil && node["chars"] != nil && node["words"] != nil
    }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, Self.isResult(first) else { return nil }
        return .certain
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected wfuzz's JSON array of results") }
        var output = ImporterOutput(tool: ToolInfo(name: "wfuzz"))
        var missing = 0
        for result in root.array {
            guard Self.isResult(result), let url = result["url"]?.text else {
                output.diagnostics.append(Diagnostic("a result without a URL was skipped", at: result.position))
                continue
            }
            let status = result["code"]?.int
            if status == 404 {
                missing += 1
                continue
            }
            let payload = result["payload"]?.text?.split(separator: "|", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) }
            output.findings.append(
                DiscoveredContent.finding(
                    url: url, method: result["method"]?.text, status: status, size: nil, redirect: result["location"]?.text,
                    extra: [
                        payload?.nonBlank.map { "Payload: \($0)" }, result["server"]?.text?.nonBlank.map { "Server: \($0)" },
                        result["chars"]?.int.map { chars in
                            "Response: \(chars) characters, \(result["words"]?.int ?? 0) words, \(result["lines"]?.int ?? 0) lines"
                        },
                    ].compactMap { $0 }, tool: output.tool, raw: .json(result)))
        }
        if missing > 0 { output.diagnostics.append(Diagnostic("\(missing) response(s) with status 404 are not findings", level: .note)) }
        return output
    }
}
