import Foundation
import RampartCore

/// promptfoo's eval output (`promptfoo eval -o results.json`, and `promptfoo redteam eval`): the
/// test results under `results.results` (`results` itself in early versions).
///
/// A failed test is a finding; tests that failed the same way against the same provider are
/// one finding with one occurrence each. The way is the red-team plugin (`harmful:hate`,
/// `pii:direct`, `indirect-prompt-injection`...) when there is one, else the failed assertion
/// type. Severity is the plugin's (promptfoo's red-team metadata), medium for a plain failed
/// assertion. Passed tests are not findings; tests that errored (no answer to grade) are
/// counted in a note.
struct PromptfooImporter: ReportImporter {
    let info = FormatInfo(
        id: "promptfoo-json", name: "promptfoo eval results JSON", tool: "promptfoo", category: .dast, syntax: .json,
        notes: "failed tests per red-team plugin (or assertion type) and provider, with the plugin's severity; errored tests counted",
        defectDojoScanTypes: ["Promptfoo Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let results = root["results"] else { return nil }
        let list = results.isObject ? results["results"] : results
        guard let list, list.isArray else { return nil }
        if let first = list.array.first {
            return first["gradingResult"] != nil && first["provider"] != nil && first["success"] != nil ? .certain : nil
        }
        return root["evalId"] != nil && results["stats"] != nil ? .likely : nil
    }

    private struct Group {
        var first: JSONNode
        var way: String
        var plugin: String?
        var provider: String?
        var severityText: String?
        var failures: [String] = []
        var count = 0
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject, let results = root["results"] else {
            throw ImportError.content("expected promptfoo's results object")
        }
        var output = ImporterOutput(tool: ToolInfo(name: "promptfoo", version: results["version"]?.text.map { "results v\($0)" }))
        var groups: [String: Group] = [:]
        var order: [String] = []
        var errored = 0
        let list = (results.isObject ? results["results"] : results)?.array ?? []
        for result in list {
            guard result["success"]?.bool == false || result["gradingResult"]?["pass"]?.bool == false else { continue }
            // failureReason 2: the provider or the grader failed, so nothing was judged.
            if result["failureReason"]?.int == 2 || (result["gradingResult"] == nil && result["error"] != nil) {
                errored += 1
                continue
            }
            let metadata = result["metadata"] ?? result["testCase"]?["metadata"]
            let plugin = metadata?["pluginId"]?.text?.nonBlank ?? result["testCase"]?["metadata"]?["pluginId"]?.text?.nonBlank
            let components = result["gradingResult"]?["componentResults"]?.array ?? []
            let failedAssertion =
                components.first { $0["pass"]?.bool == false }?["assertion"]?["type"]?.text
                ?? result["testCase"]?["assert"]?.array.first?["type"]?.text
            let way = plugin ?? failedAssertion.map(Self.assertionFamily) ?? "failed-test"
            let provider = result["provider"]?["label"]?.text?.nonBlank ?? result["provider"]?["id"]?.text?.nonBlank ?? result["provider"]?.string
            let key = way + "\u{1F}" + (provider ?? "")
            if groups[key] == nil {
                groups[key] = Group(
                    first: result, way: way, plugin: plugin, provider: provider,
                    severityText: metadata?["severity"]?.text ?? result["testCase"]?["metadata"]?["severity"]?.text)
                order.append(key)
            }
            groups[key]!.count += 1
            if groups[key]!.failures.count < 5 {
                let prompt = result["prompt"]?["raw"]?.text ?? result["vars"]?.entries.first?.value.text ?? ""
                let reason = result["gradingResult"]?["reason"]?.text ?? result["error"]?.text ?? ""
                groups[key]!.failures.append(
                    "- Prompt: \(prompt.prefix(500))\n  Output: \((result["response"]?["output"]?.text ?? "").prefix(500))\n  Reason: \(reason)")
            }
        }
        for key in order {
            guard let group = groups[key] else { continue }
            let metadata = group.first["metadata"] ?? group.first["testCase"]?["metadata"]
            let name = metadata?["harmCategory"]?.text?.nonBlank
            let title =
                group.plugin.map { plugin in name.map { "\($0) (\(plugin))" } ?? "Red-team plugin \(plugin) failed" }
                ?? "Failed assertion: \(group.way)"
            var lines = [metadata?["goal"]?.text?.nonBlank].compactMap { $0 }
            lines.append("\(group.count) failed test(s) against \(group.provider ?? "an unnamed provider").")
            if let strategy = metadata?["strategyId"]?.text?.nonBlank { lines.append("Strategy: \(strategy)") }
            lines.append(
                "Failures" + (group.count > group.failures.count ? " (first \(group.failures.count))" : "") + ":\n"
                    + group.failures.joined(separator: "\n"))
            var finding = Finding(
                category: .dast, tool: output.tool, ruleID: group.way, title: title, description: lines.joined(separator: "\n\n"),
                toolSeverity: group.severityText, severity: group.severityText.flatMap(Severity.init(toolText:)) ?? .medium,
                cwes: [Self.weakness(group.way)], location: LLMWeakness.target(group.provider),
                references: group.plugin.map { ["https://www.promptfoo.dev/docs/red-team/plugins/\($0.split(separator: ":").first ?? "")/"] } ?? [],
                tags: ["llm", "promptfoo"], raw: .json(group.first))
            finding.occurrences = group.count
            output.findings.append(finding)
        }
        if errored > 0 { output.diagnostics.append(Diagnostic("\(errored) test(s) that errored (nothing graded) left out", level: .note)) }
        return output
    }

    /// `not-contains` and `contains` fail the same kind of check: grouped under the positive name.
    static func assertionFamily(_ type: String) -> String {
        type.hasPrefix("not-") ? String(type.dropFirst(4)) : type
    }

    static func weakness(_ plugin: String) -> Int {
        let family = plugin.split(separator: ":").first.map(String.init) ?? plugin
        switch family {
        case "indirect-prompt-injection", "prompt-injection", "hijacking", "ascii-smuggling", "system-prompt-override", "jailbreak":
            return LLMWeakness.promptInjection
        case "pii", "prompt-extraction", "cross-session-leak", "harmful-privacy", "data-exfil": return LLMWeakness.informationExposure
        case "sql-injection": return 89
        case "shell-injection": return 78
        case "ssrf": return 918
        case "bola": return 639
        case "bfla", "rbac": return 285
        case "debug-access": return 489
        default: return LLMWeakness.unvalidatedOutput
        }
    }
}
