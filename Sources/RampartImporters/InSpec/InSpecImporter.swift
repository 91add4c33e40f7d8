import Foundation
import RampartCore

/// Chef InSpec results in two shapes: the JSON reporter (`inspec exec profile --reporter json`:
/// the platform, then per profile its controls with their test results), and the JSON-lines log
/// that compliance pipelines write, one control per line (its own `status`, `platform` and
/// `profile`).
///
/// A control that failed is a finding on the target (`platform.target_id`, else the platform),
/// with the failed tests and their messages. Its impact sets the severity (InSpec's bands: 0
/// none, below 0.4 low, below 0.7 medium, below 0.9 high, else critical). A waived control is
/// kept as accepted, with the waiver's justification and expiry. Passed and skipped controls
/// are counted in a note.
struct InSpecImporter: ReportImporter {
    let info = FormatInfo(
        id: "inspec-json", name: "Chef InSpec JSON / JSON lines", tool: "Chef InSpec", category: .infra, syntax: .json,
        notes: "failed controls per target with impact, failed tests, tags and references; waivers kept as accepted",
        defectDojoScanTypes: ["Chef Inspect Log"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if root["profiles"]?.isArray == true, root["platform"] != nil, root["statistics"] != nil || root["version"] != nil { return .certain }
        return root["profile"]?.isObject == true && root["results"]?.isArray == true && root["impact"] != nil && root["id"] != nil ? .certain : nil
    }

    static func severity(impact: Double?) -> Severity {
        guard let impact else { return .medium }
        switch impact {
        case ..<0.01: return .info
        case ..<0.4: return .low
        case ..<0.7: return .medium
        case ..<0.9: return .high
        default: return .critical
        }
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard case .json(let document) = report, let root = document.root else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "Chef InSpec", version: root["version"]?.text))
        var passed = 0
        var skipped = 0
        func take(_ control: JSONNode, profile: JSONNode?, platform: JSONNode?) {
            guard let id = control["id"]?.text?.nonBlank else {
                output.diagnostics.append(Diagnostic("control without an id skipped", at: control.position))
                return
            }
            let results = control["results"]?.array ?? []
            let status =
                control["status"]?.text?.lowercased()
                ?? (results.contains { $0["status"]?.text == "failed" }
                    ? "failed" : results.allSatisfy { $0["status"]?.text == "skipped" } && !results.isEmpty ? "skipped" : "passed")
            let waiver = control["waiver_data"]
            let waived = waiver?["skipped_due_to_waiver"]?.bool == true || (waiver?["justification"]?.text?.nonBlank != nil && status != "passed")
            switch status {
            case "failed": break
            case "skipped" where !waived:
                skipped += 1
                return
            case "passed":
                passed += 1
                return
            default:
                if !waived {
                    skipped += 1
                    return
                }
            }
            let target = platform?["target_id"]?.text?.nonBlank ?? platform?["name"]?.text?.nonBlank ?? "unknown target"
            let impact = control["impact"]?.double
            var lines = [control["desc"]?.text?.nonBlank ?? control["description"]?.text?.nonBlank].compactMap { $0 }
            for description in control["descriptions"]?.array ?? [] where description["label"]?.text != "default" {
                if let label = description["label"]?.text, let data = description["data"]?.text?.nonBlank {
                    lines.append("\(label.capitalized): \(data)")
                }
            }
            let failed = results.filter { $0["status"]?.text == "failed" }
            if !failed.isEmpty {
                lines.append(
                    "Failed tests:\n"
                        + failed.map { "- " + ($0["code_desc"]?.text ?? "test") + ($0["message"]?.text?.nonBlank.map { "\n  \($0)" } ?? "") }
                        .joined(separator: "\n"))
            }
            let profileName = profile?["title"]?.text?.nonBlank ?? profile?["name"]?.text?.nonBlank
            lines.append("Control \(id)" + (profileName.map { " of \($0)" } ?? "") + " on \(target).")
            let tags =
                (control["tags"] ?? control["control_tags"])?.entries.compactMap { entry -> String? in
                    if let text = entry.value.string { return "\(entry.key):\(text)" }
                    if entry.value.isArray { return "\(entry.key):" + entry.value.array.compactMap(\.text).joined(separator: ",") }
                    return nil
                } ?? []
            let cwes = CWE.parseAll(tags.filter { $0.lowercased().hasPrefix("cwe") })
            let references = (control["refs"]?.array ?? []).compactMap { $0["url"]?.text ?? $0["uri"]?.text }
            var suppression: Suppression?
            if waived {
                suppression = Suppression(
                    kind: .accepted,
                    justification: "waived in InSpec" + (waiver?["justification"]?.text?.nonBlank.map { ": \($0)" } ?? "")
                        + (waiver?["expiration_date"]?.text?.nonBlank.map { " (until \($0))" } ?? ""))
            }
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: id, title: control["title"]?.text?.nonBlank ?? id,
                    description: lines.joined(separator: "\n\n"), toolSeverity: impact.map { "impact \($0)" },
                    severity: Self.severity(impact: impact), cwes: cwes, location: .host(HostLocation(address: target)),
                    remediation: control["descriptions"]?.array.first { $0["label"]?.text == "fix" }?["data"]?.text?.nonBlank,
                    references: references, tags: tags, suppression: suppression, raw: .json(control)))
        }
        if let profiles = root["profiles"]?.array {
            for profile in profiles {
                for control in profile["controls"]?.array ?? [] { take(control, profile: profile, platform: root["platform"]) }
            }
        } else {
            for line in document.roots where line.isObject { take(line, profile: line["profile"], platform: line["platform"]) }
        }
        if passed + skipped > 0 {
            output.diagnostics.append(Diagnostic("\(passed) passed and \(skipped) skipped control(s) left out", level: .note))
        }
        return output
    }
}
