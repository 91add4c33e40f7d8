import Foundation
import RampartCore

/// Wapiti's XML report (`-f xml`): vulnerabilities, anomalies and additional findings by
/// category, each category's entries with method, path, parameter, level and info. One finding
/// per category, path, parameter and info. A weak-credentials entry names the password Wapiti
/// logged in with: it is redacted.
struct WapitiImporter: ReportImporter {
    let info = FormatInfo(
        id: "wapiti-xml", name: "Wapiti XML", tool: "Wapiti", category: .dast, syntax: .xml,
        notes: "web vulnerabilities and anomalies per path and parameter, with level, CWE references and curl command",
        defectDojoScanTypes: ["Wapiti Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot, root.localName == "report", let infos = root.child("report_infos") else { return nil }
        return infos.children("info").contains { $0.attributes["name"] == "generatorName" && $0.value?.lowercased() == "wapiti" } ? .certain : .likely
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        let infos = Dictionary(
            (root.child("report_infos")?.children("info") ?? []).compactMap { info in info.attributes["name"].map { ($0, info.value ?? "") } }
        ) { first, _ in first }
        var output = ImporterOutput(tool: ToolInfo(name: "Wapiti", version: infos["generatorVersion"]))
        let target = infos["target"] ?? ""
        if !target.isEmpty { output.scope = ScanScope(kind: "dast", target: target) }
        for (group, element) in [("vulnerabilities", "vulnerability"), ("anomalies", "anomaly"), ("additionals", "additional")] {
            for category in root.child(group)?.children(element) ?? [] {
                let name = category.attributes["name"] ?? element
                let references = category.child("references")?.children("reference") ?? []
                let cwes = CWE.parseAll(references.compactMap { $0.childText("title") }.filter { $0.hasPrefix("CWE-") })
                for entry in category.child("entries")?.children("entry") ?? [] {
                    let info = entry.childText("info")
                    let parameter = entry.childText("parameter")
                    let level = entry.childText("level")
                    // One category holds several checks of a page (each missing header, each cookie
                    // flag): without a parameter, a short info line names which, and so is part of
                    // the rule. With one, the parameter tells entries apart and the info varies.
                    let rule = parameter?.nonBlank == nil ? info.flatMap { $0.count <= 80 ? "\(name): \($0)" : nil } ?? name : name
                    var finding = Finding(
                        category: .dast, tool: output.tool, ruleID: rule, title: info.map { "\(name): \($0)" } ?? name,
                        description: [category.childText("description"), info, entry.childText("curl_command").map { "Reproduce: \($0)" }]
                            .compactMap { $0 }.joined(separator: "\n\n"),
                        toolSeverity: level.map { "level \($0)" }, severity: Self.severity(level: level, group: group), cwes: cwes,
                        location: .endpoint(
                            EndpointLocation(
                                url: endpointURL(base: target, path: entry.childText("path") ?? "/"), method: entry.childText("method"),
                                parameter: parameter.flatMap { $0.contains("=") ? $0.split(separator: "=").first.map(String.init) : $0 })),
                        remediation: category.childText("solution"), references: references.compactMap { $0.childText("url") }, raw: .xml(entry))
                    // `username=admin&password=admin`: the credentials Wapiti found.
                    if name.lowercased().contains("credential"), let parameter {
                        finding.revealedSecrets = Self.passwords(in: parameter)
                    }
                    output.findings.append(finding)
                }
            }
        }
        return output
    }

    /// The values of password-like fields in a form body. A field starts at `&name=`: an `&`
    /// not followed by a name and `=` belongs to the value (Wapiti writes the body it sent, and
    /// a password may hold `&`).
    static func passwords(in body: String) -> [String] {
        var fields: [Substring] = []
        for part in body.split(separator: "&", omittingEmptySubsequences: false) {
            let startsField =
                part.firstIndex(of: "=").map { equals in
                    !part[..<equals].isEmpty && part[..<equals].allSatisfy { $0.isLetter || $0.isNumber || "_.-[]".contains($0) }
                } ?? false
            if startsField || fields.isEmpty {
                fields.append(part)
            } else {
                fields[fields.count - 1] = Substring(String(fields[fields.count - 1]) + "&" + part)
            }
        }
        return fields.compactMap { field -> String? in
            let parts = field.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0].lowercased().contains("pass") || parts[0].lowercased().contains("pwd"), !parts[1].isEmpty else {
                return nil
            }
            return parts[1].removingPercentEncoding ?? parts[1]
        }
    }

    /// Wapiti's levels: 1 (low) to 4 (critical) for vulnerabilities; anomalies are medium and
    /// additional findings informational when no level is given.
    static func severity(level: String?, group: String) -> Severity {
        switch level {
        case "4": return .critical
        case "3": return .high
        case "2": return .medium
        case "1": return group == "additionals" ? .info : .low
        default: return group == "vulnerabilities" ? .medium : group == "anomalies" ? .medium : .info
        }
    }
}

/// Wapiti's JSON report (`-f json`, the format of Wapiti 3): `vulnerabilities`, `anomalies` and
/// `additionals` map each category to its entries (method, path, parameter, level, info, module,
/// the HTTP request and a curl command); `classifications` describe each category, with its CWE
/// among the references; `infos` names the target and Wapiti's version. Read like the XML report.
struct WapitiJSONImporter: ReportImporter {
    let info = FormatInfo(
        id: "wapiti-json", name: "Wapiti JSON", tool: "Wapiti", category: .dast, syntax: .json,
        notes: "web vulnerabilities and anomalies per path and parameter, with level, CWE from the classification and curl command",
        defectDojoScanTypes: [])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["vulnerabilities"]?.isObject == true, let infos = root["infos"], infos.isObject
        else { return nil }
        if infos["version"]?.string?.lowercased().hasPrefix("wapiti") == true { return .certain }
        return root["classifications"] != nil && root["anomalies"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected Wapiti's JSON report object") }
        let infos = root["infos"]
        // "Wapiti 3.2.3"
        let version = infos?["version"]?.text.map { $0.lowercased().hasPrefix("wapiti ") ? String($0.dropFirst(7)) : $0 }
        var output = ImporterOutput(tool: ToolInfo(name: "Wapiti", version: version))
        let target = infos?["target"]?.text ?? ""
        if !target.isEmpty { output.scope = ScanScope(kind: "dast", target: target) }
        let classifications = root["classifications"]
        for group in ["vulnerabilities", "anomalies", "additionals"] {
            for (name, entries) in root[group]?.entries ?? [] {
                let classification = classifications?[name]
                // References: {"CWE-89: Improper Neutralization ...": "https://cwe.mitre.org/..."}.
                let references = classification?["ref"]?.entries ?? []
                let cwes = CWE.parseAll(references.map(\.key).filter { $0.hasPrefix("CWE-") })
                for entry in entries.array {
                    let info = entry["info"]?.text
                    let parameter = entry["parameter"]?.text
                    // The level is a number in Wapiti 3, a string in some exports.
                    let level = entry["level"]?.int.map(String.init) ?? entry["level"]?.text
                    let rule = parameter?.nonBlank == nil ? info.flatMap { $0.count <= 80 ? "\(name): \($0)" : nil } ?? name : name
                    var finding = Finding(
                        category: .dast, tool: output.tool, ruleID: rule, title: info.map { "\(name): \($0)" } ?? name,
                        description: [classification?["desc"]?.text, info, entry["curl_command"]?.text.map { "Reproduce: \($0)" }]
                            .compactMap { $0 }.joined(separator: "\n\n"),
                        toolSeverity: level.map { "level \($0)" }, severity: WapitiImporter.severity(level: level, group: group), cwes: cwes,
                        location: .endpoint(
                            EndpointLocation(
                                url: endpointURL(base: target, path: entry["path"]?.text ?? "/"), method: entry["method"]?.text,
                                parameter: parameter.flatMap { $0.nonBlank }.flatMap {
                                    $0.contains("=") ? $0.split(separator: "=").first.map(String.init) : $0
                                })),
                        remediation: classification?["sol"]?.text, references: references.compactMap { $0.value.text },
                        tags: entry["wstg"]?.strings ?? [], raw: .json(entry))
                    if name.lowercased().contains("credential"), let parameter {
                        finding.revealedSecrets = WapitiImporter.passwords(in: parameter)
                    }
                    output.findings.append(finding)
                }
            }
        }
        return output
    }
}
