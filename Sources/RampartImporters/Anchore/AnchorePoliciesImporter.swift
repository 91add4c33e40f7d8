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
