import Foundation
import RampartCore

/// Cobalt pentest findings. Each finding is its own problem (a pentester's write-up), so its
/// Cobalt id is its rule; the affected targets are its places (the first is the location, all
/// are listed).
enum Cobalt {
    /// Cobalt's criticality: likelihood × impact (each 1 to 5), when no severity is set yet.
    static func severity(_ text: String?, impact: Int?, likelihood: Int?) -> Severity {
        switch text?.lowercased() {
        case "critical": return .critical
        case "high": return .high
        case "medium": return .medium
        case "low": return .low
        case "informational", "info": return .info
        default: break
        }
        guard let impact, let likelihood else { return .medium }
        switch impact * likelihood {
        case 20...: return .critical
        case 15..<20: return .high
        case 10..<15: return .medium
        case 5..<10: return .low
        default: return .info
        }
    }

    /// Cobalt's CSV export writes a leading `'` before values a spreadsheet could run as formulas.
    static func unquoted(_ text: String?) -> String? {
        guard var text = text?.nonBlank else { return nil }
        if text.hasPrefix("'") { text.removeFirst() }
        return text.nonBlank
    }
}

/// Cobalt's API findings (`GET /findings`: `data[].resource`): title, description, proof of
/// concept, suggested fix, impact, likelihood and severity, affected targets and state. A
/// finding whose fix was verified (`valid_fix`) is gone, and counted in a note; won't fix is an
/// accepted risk, out of scope and invalid are suppressed; new and triaging ones are not yet
/// confirmed.
struct CobaltAPIImporter: ReportImporter {
    let info = FormatInfo(
        id: "cobalt-api-json", name: "Cobalt API findings JSON", tool: "Cobalt", category: .dast, syntax: .json,
        notes: "pentest findings with severity (or likelihood × impact), targets, proof of concept, fix and state; verified fixes left out",
        defectDojoScanTypes: ["Cobalt.io API Import"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let data = root["data"], data.isArray,
            let resource = data.array.first?["resource"]
        else { return nil }
        return resource["affected_targets"] != nil && resource["pentest_id"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Cobalt"))
        var verified = 0
        for item in root["data"]?.array ?? [] {
            guard let resource = item["resource"], let id = resource["id"]?.text else {
                output.diagnostics.append(Diagnostic("finding without an id skipped", at: item.position))
                continue
            }
            let state = resource["state"]?.text?.lowercased()
            if state == "valid_fix" {
                verified += 1
                continue
            }
            let targets = resource["affected_targets"]?.array.compactMap { $0.text?.nonBlank } ?? []
            let suppression: Suppression? =
                switch state {
                case "wont_fix": Suppression(kind: .accepted, justification: "won't fix (Cobalt)")
                case "out_of_scope": Suppression(kind: .external, justification: "out of scope (Cobalt)")
                case "invalid": Suppression(kind: .falsePositive, justification: "invalid (Cobalt)")
                default: nil
                }
            var details = [resource["description"]?.text?.nonBlank, resource["proof_of_concept"]?.text?.nonBlank.map { "Proof of concept:\n\($0)" }]
                .compactMap { $0 }
            if targets.count > 1 { details.append("Affected targets:\n" + targets.map { "- \($0)" }.joined(separator: "\n")) }
            details.append(
                "Cobalt finding \(resource["tag"]?.text ?? id), state \(state ?? "unknown"), impact \(resource["impact"]?.int.map(String.init) ?? "?"), likelihood \(resource["likelihood"]?.int.map(String.init) ?? "?")"
            )
            let severityText = resource["severity"]?.text
            output.findings.append(
                Finding(
                    category: .dast, tool: output.tool, ruleID: id, title: resource["title"]?.text ?? id,
                    description: details.joined(separator: "\n\n"),
                    toolSeverity: severityText,
                    severity: Cobalt.severity(severityText, impact: resource["impact"]?.int, likelihood: resource["likelihood"]?.int),
                    confidence: state == "new" || state == "triaging" ? .low : .high,
                    location: .endpoint(EndpointLocation(url: targets.first ?? item["links"]?["ui"]?["url"]?.text ?? "cobalt:\(id)")),
                    remediation: resource["suggested_fix"]?.text?.nonBlank,
                    references: [item["links"]?["ui"]?["url"]?.text].compactMap { $0 },
                    tags: ([resource["type_category"]?.text] + (resource["labels"]?.array.map { $0["name"]?.text ?? $0.text } ?? [])).compactMap {
                        $0
                    },
                    suppression: suppression, raw: .json(item)))
        }
        if verified > 0 { output.diagnostics.append(Diagnostic("\(verified) finding(s) with a verified fix left out", level: .note)) }
        return output
    }
}

/// Cobalt's CSV export of a pentest's findings (`Token, Tag, Title, Type, CreatedAt, BrowserUrl,
/// ..., EvaluatedResult, ReportUrl`). It carries no severity (medium until triaged in Rampart);
/// findings evaluated Invalid are kept as false positives.
struct CobaltCSVImporter: ReportImporter {
    let info = FormatInfo(
        id: "cobalt-csv", name: "Cobalt findings CSV", tool: "Cobalt", category: .dast, syntax: .csv,
        notes: "pentest findings with type, URL, request, steps, fix and evaluation; no severity in the export",
        defectDojoScanTypes: ["Cobalt.io Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["Token", "Tag", "Title", "BrowserUrl", "EvaluatedResult", "StepsToReproduce"].allSatisfy(header.contains) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected a CSV table") }
        var output = ImporterOutput(tool: ToolInfo(name: "Cobalt"))
        for record in table.records {
            guard let token = Cobalt.unquoted(record["Token"]) else {
                output.diagnostics.append(Diagnostic("a finding without a token was skipped", at: record.position))
                continue
            }
            let field = { (name: String) in Cobalt.unquoted(record[name]) }
            var details: [String] = []
            for (label, name) in [
                ("", "Description"), ("Why this criticality: ", "CriticalityJustification"), ("Steps to reproduce:\n", "StepsToReproduce"),
                ("HTTP request:\n", "HttpRequest"), ("Request parameters: ", "RequestParams"), ("Prerequisites: ", "Prerequisites"),
                ("Tools used: ", "ToolsUsed"),
            ] {
                if let value = field(name) { details.append(label + value) }
            }
            let evaluation = field("EvaluatedResult")
            output.findings.append(
                Finding(
                    category: .dast, tool: output.tool, ruleID: token, title: field("Title") ?? token, description: details.joined(separator: "\n\n"),
                    severity: .medium, location: .endpoint(EndpointLocation(url: field("BrowserUrl") ?? field("ReportUrl") ?? "cobalt:\(token)")),
                    remediation: field("SuggestedFix"), references: [field("ReportUrl")].compactMap { $0 }, tags: [field("Type")].compactMap { $0 },
                    suppression: evaluation?.lowercased() == "invalid"
                        ? Suppression(kind: .falsePositive, justification: "evaluated invalid (Cobalt)") : nil,
                    raw: .csv(record)))
        }
        return output
    }
}
