import Foundation
import RampartCore

/// Mozilla HTTP Observatory results (the API's `tests` object, alone or in `{"scan", "tests"}`
/// as the observatory CLI writes it): one finding per failed test (missing CSP, HSTS, SRI, ...),
/// with its result code and score penalty. Severity follows the penalty: 40 points or more
/// high, 20 or more medium, any other penalty low. Passed tests are not findings.
struct MozillaObservatoryImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "mozilla-observatory-json", name: "Mozilla Observatory JSON", tool: "Mozilla Observatory", category: .dast, syntax: .json,
        notes: "failed HTTP header and site tests with result, penalty and the header's observed value",
        defectDojoScanTypes: ["Mozilla Observatory Scan"])

    func tests(_ root: JSONNode) -> JSONNode? {
        if let tests = root["tests"], tests.isObject { return tests }
        return root
    }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let tests = tests(root), let first = tests.entries.first?.value else { return nil }
        return first["score_modifier"] != nil && first["expectation"] != nil && first["pass"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, let tests = tests(root) else { throw ImportError.content("expected Observatory test results") }
        var output = ImporterOutput(tool: ToolInfo(name: "Mozilla Observatory"))
        let target = root["scan", "target"]?.text ?? root["host"]?.text ?? root["scan", "host"]?.text ?? ""
        var passed = 0
        for (key, test) in tests.entries where test.isObject {
            guard test["pass"]?.bool == false else {
                passed += 1
                continue
            }
            let penalty = -(test["score_modifier"]?.int ?? 0)
            let severity: Severity = penalty >= 40 ? .high : penalty >= 20 ? .medium : .low
            let name = test["name"]?.text ?? key
            let observed = test["output", "data"].flatMap { $0.isNull ? nil : String(decoding: $0.rawData, as: UTF8.self) }
            output.findings.append(
                Finding(
                    category: .dast, tool: output.tool, ruleID: name, title: test["score_description"]?.text ?? name,
                    description: [
                        "Result: \(test["result"]?.text ?? "?") (expected \(test["expectation"]?.text ?? "?")), penalty \(penalty)",
                        observed.map { "Observed: \($0.prefix(500))" },
                    ].compactMap { $0 }.joined(separator: "\n"), toolSeverity: test["score_modifier"]?.text.map { "score \($0)" }, severity: severity,
                    location: .endpoint(EndpointLocation(url: target.isEmpty ? "" : (target.contains("://") ? target : "https://\(target)/"))),
                    references: ["https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring"], raw: .json(test)))
        }
        if passed > 0 { output.diagnostics.append(Diagnostic("\(passed) passed test(s) are not findings", level: .note)) }
        return output
    }
}
