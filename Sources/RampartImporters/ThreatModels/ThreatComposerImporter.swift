import Foundation
import RampartCore

/// AWS Threat Composer's workspace export (`schema`, `applicationInfo`, `threats`,
/// `mitigations`, `assumptions` and the links between them). Each threat is a finding about
/// the application's model at the assets it impacts, named by its statement; the threat's id
/// is its identity, so editing the statement or the assets keeps it. Its priority is its
/// severity; STRIDE categories and tags are kept, `CWE-` tags read as weaknesses; linked
/// mitigations (with their status) are the remediation, linked assumptions part of the
/// description. A link to a mitigation or assumption the export does not hold is noted, not
/// fatal. A resolved threat is gone and left out; one resolved as not useful is a false positive.
struct ThreatComposerImporter: ReportImporter {
    let info = FormatInfo(
        id: "threat-composer-json", name: "Threat Composer JSON export", tool: "Threat Composer", category: .design, syntax: .json,
        notes: "workspace export: threats at the impacted assets, priority, STRIDE, linked mitigations and assumptions",
        defectDojoScanTypes: ["ThreatComposer Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["schema"] != nil else { return nil }
        return root["applicationInfo"] != nil && (root["threats"] != nil || root["mitigationLinks"] != nil) ? .certain : nil
    }

    static let stride = [
        "S": "spoofing", "T": "tampering", "R": "repudiation", "I": "information disclosure", "D": "denial of service",
        "E": "elevation of privilege",
    ]

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a Threat Composer export object") }
        guard let threats = root["threats"], threats.isArray else {
            throw ImportError.content("the export has no `threats` list: nothing says what the model's threats are")
        }
        var output = ImporterOutput(tool: ToolInfo(name: "Threat Composer"))
        let application = root["applicationInfo", "name"]?.text
        output.scope = ScanScope(target: application ?? "")
        let mitigations = Dictionary(
            (root["mitigations"]?.array ?? []).compactMap { node in node["id"]?.text.map { ($0, node) } }, uniquingKeysWith: { first, _ in first })
        let assumptions = Dictionary(
            (root["assumptions"]?.array ?? []).compactMap { node in node["id"]?.text.map { ($0, node) } }, uniquingKeysWith: { first, _ in first })
        var mitigationsOf: [String: [String]] = [:]
        var missing = 0
        for link in root["mitigationLinks"]?.array ?? [] {
            guard let threat = link["linkedId"]?.text, let id = link["mitigationId"]?.text else { continue }
            guard let mitigation = mitigations[id], let content = mitigation["content"]?.text else {
                missing += 1
                continue
            }
            let status = mitigation["status"]?.text.map { " (\(Self.words($0, dropping: "mitigation")))" } ?? ""
            mitigationsOf[threat, default: []].append(content + status)
        }
        var assumptionsOf: [String: [String]] = [:]
        for link in root["assumptionLinks"]?.array ?? [] where link["type"]?.text?.lowercased() != "mitigation" {
            guard let threat = link["linkedId"]?.text, let id = link["assumptionId"]?.text else { continue }
            guard let content = assumptions[id]?["content"]?.text else {
                missing += 1
                continue
            }
            assumptionsOf[threat, default: []].append(content)
        }
        if missing > 0 {
            output.diagnostics.append(Diagnostic("\(missing) link(s) to a mitigation or assumption the export does not hold ignored"))
        }
        var resolved = 0
        for threat in threats.array {
            guard let id = threat["id"]?.text else {
                output.diagnostics.append(Diagnostic("threat without an id skipped", at: threat.position))
                continue
            }
            let status = threat["status"]?.text
            if status == "threatResolved" {
                resolved += 1
                continue
            }
            let metadata = threat["metadata"]?.array ?? []
            func meta(_ key: String) -> JSONNode? { metadata.first { $0["key"]?.text?.lowercased() == key.lowercased() }?["value"] }
            let priority = meta("Priority")?.text
            let strideLetters = (meta("STRIDE")?.array ?? []).compactMap(\.text)
            let tags = (threat["tags"]?.array ?? []).compactMap(\.text)
            let assets = (threat["impactedAssets"]?.array ?? []).compactMap(\.text)
            let numericID = threat["numericId"]?.text
            let statement = threat["statement"]?.text ?? threat["threatAction"]?.text ?? "Threat \(numericID ?? id)"
            var lines = [statement]
            var parts: [String] = []
            if let source = threat["threatSource"]?.text { parts.append("Threat source: \(source).") }
            if let prerequisites = threat["prerequisites"]?.text { parts.append("Prerequisites: \(prerequisites).") }
            if let action = threat["threatAction"]?.text { parts.append("Action: \(action).") }
            if let impact = threat["threatImpact"]?.text { parts.append("Impact: \(impact).") }
            let goals = (threat["impactedGoal"]?.array ?? []).compactMap(\.text)
            if !goals.isEmpty { parts.append("Impacted goals: \(goals.joined(separator: ", ")).") }
            if !parts.isEmpty { lines.append(parts.joined(separator: "\n")) }
            if let assumed = assumptionsOf[id] { lines.append("Assumptions:\n" + assumed.map { "- " + $0 }.joined(separator: "\n")) }
            if let comments = meta("Comments")?.text { lines.append("Comments: \(comments)") }
            let planned = mitigationsOf[id] ?? []
            output.findings.append(
                Finding(
                    category: .design, tool: output.tool, ruleID: numericID ?? id, title: statement, description: lines.joined(separator: "\n\n"),
                    toolSeverity: priority, severity: .from(tool: priority),
                    cwes: CWE.parseAll(tags.filter { $0.uppercased().hasPrefix("CWE-") }),
                    location: .design(
                        DesignLocation(model: application, element: assets.isEmpty ? nil : assets.joined(separator: ", "), elementType: "asset")),
                    remediation: planned.isEmpty ? nil : planned.map { "- " + $0 }.joined(separator: "\n"),
                    tags: strideLetters.compactMap { Self.stride[$0.uppercased()].map { "STRIDE: " + $0 } }
                        + tags.filter { !$0.uppercased().hasPrefix("CWE-") },
                    toolFingerprint: id,
                    suppression: status == "threatResolvedNotUseful"
                        ? Suppression(kind: .falsePositive, justification: "resolved as not useful in Threat Composer") : nil,
                    raw: .json(threat)))
        }
        if resolved > 0 { output.diagnostics.append(Diagnostic("\(resolved) resolved threat(s) left out", level: .note)) }
        return output
    }

    /// `mitigationInProgress` → `in progress`.
    static func words(_ status: String, dropping prefix: String) -> String {
        let rest = status.hasPrefix(prefix) ? String(status.dropFirst(prefix.count)) : status
        var out = ""
        for character in rest {
            if character.isUppercase && !out.isEmpty { out.append(" ") }
            out.append(character.lowercased())
        }
        return out.isEmpty ? status : out
    }
}
