import Foundation
import RampartCore

/// Nessus' own format (`.nessus`, NessusClientData_v2), from Nessus, Tenable.sc and Tenable.io:
/// per host (`ReportHost` with its properties), the plugins that reported something
/// (`ReportItem`: port, protocol, severity 0-4, CVEs, CVSS v2/v3/v4, CWE, output).
/// Informational items (severity 0) are kept at info: they are what the scan saw.
struct NessusXMLImporter: ReportImporter {
    let info = FormatInfo(
        id: "nessus-xml", name: "Nessus XML (.nessus v2)", tool: "Nessus", category: .infra, syntax: .xml,
        notes:
            "plugin results per host and port with CVEs, CVSS v2/v3/v4, CWE, exploit maturity and plugin output; Tenable.sc and Tenable.io exports",
        defectDojoScanTypes: ["Tenable Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        report.xmlRoot?.localName == "NessusClientData_v2" ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "Nessus"))
        for host in root.descendants("ReportHost") {
            var properties: [String: String] = [:]
            for tag in host.child("HostProperties")?.children("tag") ?? [] {
                if let name = tag.attributes["name"], let value = tag.value { properties[name] = value }
            }
            // The target as scanned, as the CSV export's Host column names it: one scan reads the same in both formats.
            let address = host.attributes["name"] ?? properties["host-ip"] ?? properties["host-fqdn"] ?? "unknown"
            for item in host.children("ReportItem") {
                output.findings.append(finding(item, address: address, properties: properties, tool: output.tool))
            }
        }
        return output
    }

    private func finding(_ item: XMLElement, address: String, properties: [String: String], tool: ToolInfo) -> Finding {
        let plugin = item.attributes["pluginID"] ?? "unknown"
        let name = item.attributes["pluginName"] ?? item.childText("plugin_name") ?? plugin
        let severity = NessusSeverity.from(level: item.attributes["severity"], riskFactor: item.childText("risk_factor"))
        var cvss: [CVSSScore] = []
        for (vector, score) in [("cvss4_vector", "cvss4_base_score"), ("cvss3_vector", "cvss3_base_score"), ("cvss_vector", "cvss_base_score")] {
            if let rating = CVSSScore(
                vector: item.childText(vector).map(NessusSeverity.cvssVector), score: item.childText(score).flatMap(Double.init))
            {
                cvss.append(rating)
            }
        }
        let cves = item.children("cve").compactMap(\.value)
        let port = item.attributes["port"].flatMap(Int.init).flatMap { $0 == 0 ? nil : $0 }
        var description = [item.childText("synopsis"), item.childText("description")].compactMap { $0?.nonBlank }
        let names = [properties["host-fqdn"], properties["host-ip"], properties["operating-system"]].compactMap { $0 }.filter { $0 != address }
        if !names.isEmpty { description.append("Host: " + names.joined(separator: ", ")) }
        if let output = item.childText("plugin_output")?.nonBlank { description.append("Plugin output:\n" + output) }
        let references = (item.childText("see_also") ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("http") }
        var tags = [item.attributes["pluginFamily"].map { "family:\($0)" }].compactMap { $0 }
        if item.childText("exploit_available") == "true" { tags.append("exploit-available") }
        var finding = Finding(
            category: .infra, tool: tool, ruleID: plugin, title: name, description: description.joined(separator: "\n\n").nonBlank,
            toolSeverity: item.childText("risk_factor") ?? item.attributes["severity"], severity: severity,
            cwes: CWE.parseAll(item.children("cwe").compactMap(\.value)), vulnerabilityIDs: .parsing(cves), cvss: cvss,
            location: .host(
                HostLocation(
                    address: address, port: port, transport: item.attributes["protocol"],
                    service: item.attributes["svc_name"].flatMap { $0 == "general" ? nil : $0 })),
            remediation: item.childText("solution").flatMap { $0 == "n/a" ? nil : $0 }, references: references, tags: tags, raw: .xml(item))
        finding.exploitMaturity = NessusExploit.maturity(
            codeMaturity: item.childText("exploit_code_maturity"), malware: item.childText("exploited_by_malware"),
            frameworks: item.children.filter { $0.localName.hasPrefix("exploit_framework_") }.map(\.value),
            available: item.childText("exploit_available"), ease: item.childText("exploitability_ease"))
        return finding
    }
}

/// How mature the exploits of a plugin's vulnerability are, from the signals Tenable reports
/// (in `.nessus` items and as CSV columns): its exploit code maturity (the CVSS temporal
/// metric), use by malware (high), an exploit framework that ships one (functional), an exploit
/// known to exist (proof of concept) or known not to (unproven). The most mature signal wins;
/// nil when the plugin says nothing of exploits.
enum NessusExploit {
    static func maturity(codeMaturity: String?, malware: String?, frameworks: [String?], available: String?, ease: String?) -> ExploitMaturity? {
        var signals: [ExploitMaturity] = []
        if let codeMaturity, let level = ExploitMaturity(toolText: codeMaturity.replacingOccurrences(of: "_", with: " ")) {
            signals.append(level)
        }
        if isYes(malware) { signals.append(.high) }
        // A framework column holds `true`, or the framework's module names.
        if frameworks.contains(where: { value in value.map { !$0.isEmpty && !isNo($0) } ?? false }) { signals.append(.functional) }
        if isYes(available) { signals.append(.proofOfConcept) }
        if isNo(available) { signals.append(.unproven) }
        switch ease?.lowercased() {
        case "exploits are available", "available": signals.append(.proofOfConcept)
        case "no known exploits are available", "not_available": signals.append(.unproven)
        default: break
        }
        return signals.max()
    }

    private static func isYes(_ text: String?) -> Bool { ["true", "yes"].contains(text?.lowercased() ?? "") }
    private static func isNo(_ text: String?) -> Bool { ["false", "no"].contains(text?.lowercased() ?? "") }
}

/// Nessus' severities: levels 0-4 (info, low, medium, high, critical) and risk factors (None ... Critical).
enum NessusSeverity {
    static func from(level: String?, riskFactor: String?) -> Severity {
        switch level?.trimmingCharacters(in: .whitespaces) {
        case "4": return .critical
        case "3": return .high
        case "2": return .medium
        case "1": return .low
        case "0": return .info
        default:
            guard let riskFactor, riskFactor.lowercased() != "none" else { return .info }
            return Severity(toolText: riskFactor) ?? .info
        }
    }

    /// Nessus writes v2 vectors with a "CVSS2#" prefix.
    static func cvssVector(_ text: String) -> String {
        text.hasPrefix("CVSS2#") ? String(text.dropFirst(6)) : text
    }
}
