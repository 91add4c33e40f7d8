import Foundation
import RampartCore

/// Anchore's policy evaluation (`anchorectl image check --detail -o json`): the gates and
/// triggers an image failed or warned on. Older AnchoreCTL wrote an array of evaluations with
/// `detail`; newer ones an object with `evaluations` and `details`. Anchore puts a severity in
/// front of some descriptions ("CRITICAL User root ...").
struct AnchorePoliciesImporter: ReportImporter {
    let info = FormatInfo(
        id: "anchore-policies-json", name: "Anchore policy evaluation JSON", tool: "Anchore", category: .container, syntax: .json,
        notes: "policy gates and triggers an image stopped or warned on, per image tag", defectDojoScanTypes: ["AnchoreCTL Policies Report"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        let evaluation = root.isArray ? root.array.first : root
        guard let evaluation, evaluation.isObject, evaluation["policyId"] != nil else { return nil }
        return evaluation["evaluations"] != nil || evaluation["detail"] != nil || evaluation["finalAction"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "Anchore"))
        for evaluation in root.isArray ? root.array : [root] {
            let details = (evaluation["evaluations"]?.array ?? []).flatMap { $0["details"]?.array ?? [] } + (evaluation["detail"]?.array ?? [])
            for detail in details where detail["status"]?.string != "go" {
                let tag = detail["tag"]?.text ?? evaluation["evaluatedTag"]?.text ?? evaluation["tag"]?.text ?? "image"
                var description = detail["description"]?.text ?? ""
                var severity: Severity = detail["status"]?.string == "stop" ? .high : .medium
                // "CRITICAL User root found ...": Anchore's own severity, when it gives one.
                if let word = description.split(separator: " ").first, let stated = Severity(toolText: String(word)), word == word.uppercased() {
                    severity = stated
                    description = String(description.dropFirst(word.count)).trimmingCharacters(in: .whitespaces)
                }
                let gate = detail["gate"]?.text ?? "gate"
                let trigger = detail["triggerName"]?.text ?? "trigger"
                // The trigger id tells apart two hits of one trigger (two vulnerable packages).
                let instance = detail["triggerId"]?.text.map { ":\($0)" } ?? ""
                output.findings.append(
                    Finding(
                        category: .container, tool: output.tool, ruleID: "\(gate):\(trigger)\(instance)",
                        title: description.nonBlank ?? "\(gate) \(trigger)",
                        description: description.nonBlank, toolSeverity: detail["status"]?.text, severity: severity,
                        location: .containerImage(ImageLocation(reference: tag)),
                        tags: [detail["policyId"]?.text.map { "policy:\($0)" }].compactMap { $0 }, raw: .json(detail)))
            }
        }
        return output
    }
}

/// Anchore Enterprise / Engine policy check (`anchore-cli evaluate check <image> --detail
/// --json`): `[{digest: {tag: [evaluation]}}]`, each evaluation's `detail.result.result.<image
/// id>.result` a table (`header` and `rows`: gate, trigger, check output, gate action,
/// whitelisted, policy). One finding per row that stops or warns; whitelisted rows are kept as
/// accepted.
struct AnchoreEnterprisePolicyImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "anchore-enterprise-policy-json", name: "Anchore Enterprise policy check JSON", tool: "Anchore", category: .container, syntax: .json,
        notes: "policy check table rows (gate, trigger, check output) that stop or warn, per image tag",
        defectDojoScanTypes: ["Anchore Enterprise Policy Check"])

    /// The evaluations under `[{digest: {tag: [evaluation]}}]`, with their tag.
    static func evaluations(_ root: JSONNode) -> [(tag: String, evaluation: JSONNode)] {
        guard root.isArray else { return [] }
        var found: [(String, JSONNode)] = []
        for entry in root.array where entry.isObject {
            for (_, tags) in entry.entries where tags.isObject {
                for (tag, list) in tags.entries { found += list.array.filter { $0["detail"] != nil }.map { (tag, $0) } }
            }
        }
        return found
    }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, let first = Self.evaluations(root).first?.evaluation else { return nil }
        return first["policyId"] != nil && first["detail", "result"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "Anchore"))
        for (tag, evaluation) in Self.evaluations(root) {
            guard let result = evaluation["detail", "result", "result"], result.isObject else {
                throw ImportError.content("the policy evaluation of \(tag) holds no result table (detail.result.result)", at: evaluation.position)
            }
            for (key, image) in result.entries {
                guard let table = image["result"], let header = table["header"]?.strings else { continue }
                func column(_ name: String) -> Int? { header.firstIndex(of: name) }
                for row in table["rows"]?.array ?? [] {
                    let cells = row.array
                    func cell(_ name: String) -> JSONNode? { column(name).flatMap { $0 < cells.count ? cells[$0] : nil } }
                    let action = cell("Gate_Action")?.text?.lowercased() ?? "warn"
                    guard action != "go" else { continue }
                    let gate = cell("Gate")?.text ?? "gate"
                    let trigger = cell("Trigger")?.text ?? "trigger"
                    let checkOutput = cell("Check_Output")?.text ?? "\(gate) \(trigger)"
                    let reference = cell("Repo_Tag")?.text ?? tag
                    let whitelisted = cell("Whitelisted")?.bool == true || (cell("Whitelisted")?.isObject ?? false)
                    output.findings.append(
                        Finding(
                            category: .container, tool: output.tool, ruleID: "\(gate):\(trigger):\(cell("Trigger_Id")?.text ?? "")",
                            title: checkOutput,
                            description: "Gate \(gate), trigger \(trigger), action \(action); image \(key)", toolSeverity: action,
                            severity: action == "stop" ? .high : .medium, location: .containerImage(ImageLocation(reference: reference)),
                            tags: [cell("Policy_Id")?.text.map { "policy:\($0)" }].compactMap { $0 },
                            suppression: whitelisted ? Suppression(kind: .accepted, justification: "whitelisted in Anchore") : nil, raw: .json(row)))
                }
            }
        }
        return output
    }
}
