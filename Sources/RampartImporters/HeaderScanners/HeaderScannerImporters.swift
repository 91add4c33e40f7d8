import Foundation
import RampartCore

/// drHEADer's JSON output (`drheader scan ... --json`): per URL, the header rules it broke, with
/// the expected value and severity. One finding per URL and rule.
struct DrHeaderImporter: ReportImporter {
    let info = FormatInfo(
        id: "drheader-json", name: "drHEADer JSON", tool: "drHEADer", category: .dast, syntax: .json,
        notes: "HTTP security header rules broken per URL, with expected values", defectDojoScanTypes: ["DrHeader JSON Importer"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, first.isObject else { return nil }
        if first["url"] != nil, first["report"] != nil { return .certain }
        // One URL's rules alone: `{rule, message, severity}` and drHEADer's optional details, no place.
        let known: Set<String> = ["rule", "message", "severity", "expected", "value", "delimiter", "anomaly", "avoid"]
        let items = root.array.prefix(8)
        let isRules = items.allSatisfy { item in
            item.isObject && item["rule"] != nil && item["message"] != nil && item["severity"] != nil && item.keys.allSatisfy(known.contains)
        }
        return isRules ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "drHEADer"))
        // Scanning one URL writes its rules alone; scanning several writes `[{url, report}]`.
        let pages: [(url: String, rules: [JSONNode])] =
            root.array.first?["report"] != nil
            ? root.array.map { ($0["url"]?.text ?? "unknown", $0["report"]?.array ?? []) } : [("unknown", root.array)]
        for (url, rules) in pages {
            for rule in rules {
                let name = rule["rule"]?.text ?? "header"
                let expected = (rule["expected"]?.strings ?? []).joined(separator: rule["delimiter"]?.text ?? ", ")
                output.findings.append(
                    Finding(
                        // A header can break several of drHEADer's checks (each missing CSP directive).
                        category: .dast, tool: output.tool,
                        ruleID: [name, rule["anomaly"]?.text ?? rule["message"]?.text].compactMap { $0 }.joined(separator: ": "),
                        title: "\(name): \(rule["message"]?.text ?? "header rule broken")",
                        description: [
                            rule["message"]?.text, expected.isEmpty ? nil : "Expected: \(expected)", rule["value"]?.text.map { "Found: \($0)" },
                        ]
                        .compactMap { $0 }.joined(separator: "\n"),
                        toolSeverity: rule["severity"]?.text, severity: .from(tool: rule["severity"]?.text, default: .medium), cwes: [693],
                        location: .endpoint(EndpointLocation(url: url)), raw: .json(rule)))
            }
        }
        return output
    }
}

/// humble's JSON output (`-o json`): a site's missing security headers, fingerprinting headers,
/// deprecated or insecure values and empty headers, by section. One finding per header and
/// section ("Nothing to report" entries are not findings).
struct HumbleImporter: ReportImporter {
    let info = FormatInfo(
        id: "humble-json", name: "humble JSON", tool: "humble", category: .dast, syntax: .json,
        notes: "missing, fingerprinting, deprecated and empty HTTP headers of a URL", defectDojoScanTypes: ["Humble Json Importer"])

    static let sections: [(prefix: String, rule: String, severity: Severity, what: String)] = [
        ("[1.", "missing-header", .low, "Missing security header"), ("[2.", "fingerprint-header", .info, "Fingerprinting header"),
        ("[3.", "deprecated-or-insecure", .low, "Deprecated header or insecure value"), ("[4.", "empty-header", .info, "Empty header"),
    ]

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["[0. Info]"] != nil else { return nil }
        return .certain
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "humble"))
        let url = root["[0. Info]", "URL"]?.text ?? "unknown"
        output.scope = ScanScope(kind: "dast", target: url)
        for (key, value) in root.entries {
            guard let section = Self.sections.first(where: { key.hasPrefix($0.prefix) }) else { continue }
            for entry in value.strings where !entry.hasPrefix("Nothing to report") {
                output.findings.append(
                    Finding(
                        category: .dast, tool: output.tool, ruleID: "\(section.rule):\(entry.lowercased())", title: "\(section.what): \(entry)",
                        description: "\(section.what) at \(url): \(entry).", severity: section.severity, cwes: [693],
                        location: .endpoint(EndpointLocation(url: url)), raw: .json(value)))
            }
        }
        return output
    }
}
