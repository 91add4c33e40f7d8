import Foundation
import RampartCore

/// garak, NVIDIA's LLM vulnerability scanner. Two of its outputs are read:
/// - the hit log (`garak.<run>.hitlog.jsonl`): one line per model output a detector flagged;
/// - the report (`garak.<run>.report.jsonl`): its `eval` lines give each probe's passes and
///   failures per detector; the setup line names the model.
///
/// One finding per probe and model: the probe is the attack, the model the place. The detectors
/// that flagged it, how often, and the first flagged prompt and output are in the description;
/// hits are the finding's occurrences. garak gives no severity, so it comes from how strongly
/// (hit log: the highest detector score) or how often (report: the attack success rate) the
/// attack worked, one step up for attacks that take over the model or run code, one step
/// down for content-quality probes.
struct GarakImporter: ReportImporter {
    let info = FormatInfo(
        id: "garak-jsonl", name: "garak hit log / report JSONL", tool: "garak", category: .dast, syntax: .json,
        notes: "one finding per probe and model; severity from detector score or attack success rate, adjusted by attack family",
        defectDojoScanTypes: ["Garak Scan"])

    /// Probe families whose success means the attacker steers the model or gets code out of it.
    static let takeoverFamilies: Set<String> = ["dan", "promptinject", "latentinjection", "exploitation", "malwaregen", "xss", "web_injection"]
    /// Probe families about the quality of what the model says rather than control over it.
    static let contentFamilies: Set<String> = ["misleading", "snowball", "continuation", "toxicity", "realtoxicityprompts", "lmrc"]

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard case .json(let document) = report, let first = document.root, first.isObject else { return nil }
        if first["probe"]?.string != nil && first["detector"] != nil && (first["attempt_id"] != nil || first["score"] != nil) {
            return .certain
        }
        // garak's report opens with its setup line (in every version seen) or its init line.
        if first["entry_type"]?.string == "start_run setup" { return .certain }
        if first["entry_type"]?.string == "init", first["garak_version"] != nil { return .certain }
        return nil
    }

    private struct Group {
        var first: JSONNode
        var probe: String
        var model: String?
        var hits = 0
        var attempts = 0
        /// Strength: the highest detector score (hit log) or attack success rate (report).
        var strength = 0.0
        var detectors: [(name: String, hits: Int, total: Int?)] = []
        var fromReport = false
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard case .json(let document) = report else { throw ImportError.content("expected JSON Lines") }
        var output = ImporterOutput(tool: ToolInfo(name: "garak"))
        var groups: [String: Group] = [:]
        var order: [String] = []
        var model: String?
        // A report's eval lines name no goal: the probe's attempts do.
        var goals: [String: String] = [:]
        var skipped = 0
        func add(_ record: JSONNode, probe: String, detector: String?, hits: Int, total: Int?, strength: Double, fromReport: Bool, model: String?) {
            let key = probe + "\u{1F}" + (model ?? "")
            if groups[key] == nil {
                groups[key] = Group(first: record, probe: probe, model: model, fromReport: fromReport)
                order.append(key)
            }
            groups[key]!.hits += hits
            groups[key]!.attempts += total ?? 0
            groups[key]!.strength = max(groups[key]!.strength, strength)
            let name = detector ?? "unnamed detector"
            if let index = groups[key]!.detectors.firstIndex(where: { $0.name == name }) {
                groups[key]!.detectors[index].hits += hits
                if let total { groups[key]!.detectors[index].total = (groups[key]!.detectors[index].total ?? 0) + total }
            } else {
                groups[key]!.detectors.append((name, hits, total))
            }
        }
        for record in document.roots where record.isObject {
            switch record["entry_type"]?.string {
            case "start_run setup", "config", "init":
                // The model is named in the setup line (`target_*` since 0.11, `model_*` before).
                let type = record["plugins.target_type"]?.text ?? record["plugins.model_type"]?.text
                let name = record["plugins.target_name"]?.text ?? record["plugins.model_name"]?.text
                if let named = [type, name].compactMap({ $0?.nonBlank }).joined(separator: " ").nonBlank { model = named }
                if let version = record["garak_version"]?.text ?? record["_config.version"]?.text { output.tool.version = version }
            case "attempt":
                if let probe = record["probe_classname"]?.text, goals[probe] == nil, let goal = record["goal"]?.text?.nonBlank { goals[probe] = goal }
            case "eval":
                guard let probe = record["probe"]?.text?.nonBlank else {
                    skipped += 1
                    continue
                }
                let passed = record["passed"]?.int ?? 0
                let total = record["total_evaluated"]?.int ?? record["total"]?.int ?? 0
                let fails = record["fails"]?.int ?? max(0, total - passed)
                guard fails > 0 else { continue }
                let rate = total > 0 ? Double(fails) / Double(total) : 1
                add(
                    record, probe: probe, detector: record["detector"]?.text, hits: fails, total: total, strength: rate, fromReport: true,
                    model: model)
            case nil:
                // A hit log line.
                guard let probe = record["probe"]?.text?.nonBlank else {
                    skipped += 1
                    continue
                }
                // Every hit-log line is a hit; one with no score counts as a certain one.
                let score = record["score"]?.double ?? 1
                add(
                    record, probe: probe, detector: record["detector"]?.text, hits: 1, total: nil, strength: score, fromReport: false,
                    model: record["generator"]?.text?.nonBlank)
            default:
                continue
            }
        }
        if skipped > 0 { output.diagnostics.append(Diagnostic("\(skipped) line(s) without a probe skipped", level: .warning)) }
        for key in order {
            guard let group = groups[key] else { continue }
            output.findings.append(finding(group, goal: group.first["goal"]?.text?.nonBlank ?? goals[group.probe], tool: output.tool))
        }
        return output
    }

    private func finding(_ group: Group, goal: String?, tool: ToolInfo) -> Finding {
        let family = group.probe.split(separator: ".").first.map(String.init) ?? group.probe
        let record = group.first
        var lines: [String] = []
        if let goal { lines.append("Goal: \(goal)") }
        lines.append("Probe \(group.probe) against \(group.model ?? "an unnamed model").")
        for detector in group.detectors {
            if let total = detector.total {
                let rate = total > 0 ? Double(detector.hits) / Double(total) * 100 : 100
                lines.append(
                    "Detector \(detector.name): \(detector.hits) of \(total) outputs failed (attack success rate \(String(format: "%.1f", rate))%).")
            } else {
                lines.append("Detector \(detector.name): \(detector.hits) hit(s).")
            }
        }
        if !group.fromReport {
            lines.append("Highest detector score: \(String(format: "%.2f", group.strength)).")
            if let prompt = Self.messageText(record["prompt"])?.nonBlank { lines.append("First flagged prompt:\n\(prompt)") }
            if let output = Self.messageText(record["output"])?.nonBlank { lines.append("Model output:\n\(output)") }
            let triggers = record["triggers"]?.strings ?? []
            if !triggers.isEmpty { lines.append("Triggers: " + triggers.joined(separator: ", ")) }
        }
        var finding = Finding(
            category: .dast, tool: tool, ruleID: group.probe, title: titleFor(group.probe, goal: goal),
            description: lines.joined(separator: "\n\n"), toolSeverity: toolSeverity(group),
            severity: severity(strength: group.strength, family: family, fromReport: group.fromReport), cwes: [Self.weakness(family)],
            location: LLMWeakness.target(group.model),
            references: ["https://reference.garak.ai/en/latest/garak.probes.\(family).html"],
            tags: ["llm", family], raw: .json(record))
        finding.occurrences = max(1, group.hits)
        return finding
    }

    private func titleFor(_ probe: String, goal: String?) -> String {
        guard let goal else { return "garak probe \(probe) succeeded" }
        return "\(probe): \(goal)"
    }

    private func toolSeverity(_ group: Group) -> String {
        group.fromReport
            ? "attack success rate \(String(format: "%.2f", group.strength))" : "detector score \(String(format: "%.2f", group.strength))"
    }

    /// The detector's confidence (hit log) or how often the attack worked (report), one step up
    /// for takeover families and one down for content-quality ones.
    func severity(strength: Double, family: String, fromReport: Bool) -> Severity {
        let levels: [Severity] = [.info, .low, .medium, .high, .critical]
        var level: Int
        if fromReport {
            level = strength >= 0.5 ? 3 : strength >= 0.1 ? 2 : strength > 0 ? 1 : 0
        } else {
            level = strength >= 0.9 ? 3 : strength >= 0.7 ? 2 : strength >= 0.4 ? 1 : 0
        }
        if Self.takeoverFamilies.contains(family) { level += 1 } else if Self.contentFamilies.contains(family) { level -= 1 }
        return levels[min(max(level, 0), levels.count - 1)]
    }

    static func weakness(_ family: String) -> Int {
        switch family {
        case "promptinject", "dan", "latentinjection", "goodside", "encoding", "suffix", "tap", "grandma", "visual_jailbreak", "smuggling",
            "phrasing", "fitd", "badchars":
            LLMWeakness.promptInjection
        case "xss", "web_injection": LLMWeakness.crossSiteScripting
        case "leakreplay", "divergence", "apikey": LLMWeakness.informationExposure
        default: LLMWeakness.unvalidatedOutput
        }
    }

    /// A prompt is a conversation (`turns` of role and content) in recent garak, a message
    /// (`text`) or a plain string in older ones.
    static func messageText(_ node: JSONNode?) -> String? {
        guard let node else { return nil }
        if let text = node.string { return text }
        if let text = node["text"]?.string { return text }
        guard let turns = node["turns"]?.array else { return nil }
        return turns.compactMap { turn -> String? in
            let content = turn["content"]
            guard let text = content?["text"]?.string ?? content?.string, !text.isEmpty else { return nil }
            return turn["role"]?.string.map { "\($0): \(text)" } ?? text
        }.joined(separator: "\n")
    }
}
