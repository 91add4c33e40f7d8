import Foundation
import RampartCore

/// Rapid7 Nexpose / InsightVM XML Export 2.0 (`NexposeReport`): per node, the tests run on the
/// node and on each endpoint's services, and the definitions of the vulnerabilities they test
/// (title, 0-10 severity, CVSS, references, solution). A test whose status is vulnerable
/// (exploited, by version, or potential) is a finding at the node and port.
struct NexposeImporter: ReportImporter {
    let info = FormatInfo(
        id: "nexpose-xml", name: "Nexpose / InsightVM XML 2.0", tool: "Nexpose", category: .infra, syntax: .xml,
        notes: "vulnerable tests per node, port and service with CVSS, CVEs, test proof and solution", defectDojoScanTypes: ["Nexpose Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        report.xmlRoot?.localName == "NexposeReport" ? .certain : nil
    }

    static let vulnerableStatuses: Set<String> = ["vulnerable-exploited", "vulnerable-version", "potential"]

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "Nexpose"))
        var definitions: [String: XMLElement] = [:]
        for definition in root.child("VulnerabilityDefinitions")?.children("vulnerability") ?? [] {
            if let id = definition.attributes["id"]?.lowercased() { definitions[id] = definition }
        }
        for node in root.child("nodes")?.children("node") ?? [] {
            let address = node.attributes["address"] ?? "unknown"
            let name = node.child("names")?.children("name").first?.value
            var tests: [(test: XMLElement, port: Int?, transport: String?, service: String?)] = (node.child("tests")?.children("test") ?? []).map {
                ($0, nil, nil, nil)
            }
            for endpoint in node.child("endpoints")?.children("endpoint") ?? [] {
                let port = endpoint.attributes["port"].flatMap(ReportInteger.parse)
                for service in endpoint.child("services")?.children("service") ?? [] {
                    for test in service.child("tests")?.children("test") ?? [] {
                        tests.append((test, port, endpoint.attributes["protocol"], service.attributes["name"]))
                    }
                }
            }
            for (test, port, transport, service) in tests {
                guard let status = test.attributes["status"], Self.vulnerableStatuses.contains(status), let id = test.attributes["id"] else {
                    continue
                }
                let definition = definitions[id.lowercased()]
                let score = definition?.attributes["cvssScore"].flatMap(Double.init)
                let severityScale = definition?.attributes["severity"].flatMap(ReportInteger.parse)
                let references = definition?.child("references")?.children("reference") ?? []
                let cves = references.filter { $0.attributes["source"]?.uppercased() == "CVE" }.compactMap(\.value)
                let proof = Self.text(test)
                var description = [definition.flatMap { $0.child("description") }.map(Self.text)]
                if let proof = proof.nonBlank { description.append("Proof: \(proof)") }
                if let name, name != address { description.append("Host: \(name) (\(address))") }
                description.append("Status: \(status)")
                output.findings.append(
                    Finding(
                        category: .infra, tool: output.tool, ruleID: id, title: definition?.attributes["title"] ?? id,
                        description: description.compactMap { $0?.nonBlank }.joined(separator: "\n\n"),
                        toolSeverity: severityScale.map { "\($0)/10" }, severity: Self.severity(scale: severityScale, score: score),
                        confidence: status == "potential" ? .low : status == "vulnerable-exploited" ? .high : .medium,
                        vulnerabilityIDs: .parsing(cves),
                        cvss: CVSSScore(vector: definition?.attributes["cvssVector"], score: score, source: "Nexpose").map { [$0] } ?? [],
                        location: .host(HostLocation(address: address, port: port, transport: transport, service: service?.lowercased())),
                        remediation: definition?.child("solution").map(Self.text)?.nonBlank,
                        references: references.filter { $0.attributes["source"]?.uppercased() == "URL" }.compactMap(\.value),
                        tags: definition?.child("tags")?.children("tag").compactMap(\.value) ?? [], raw: .xml(test)))
            }
        }
        return output
    }

    /// Nexpose's severity is 1-10: 8-10 critical, 4-7 severe, 1-3 moderate.
    static func severity(scale: Int?, score: Double?) -> Severity {
        guard let scale else { return score.map(Severity.init(cvssScore:)) ?? .medium }
        switch scale {
        case 9...: return .critical
        case 7...8: return .high
        case 4...6: return .medium
        case 1...3: return .low
        default: return .info
        }
    }

    /// The text of Nexpose's nested `Paragraph` / `ContainerBlockElement` markup, one line per paragraph.
    static func text(_ element: XMLElement) -> String {
        var lines: [String] = []
        func walk(_ element: XMLElement) {
            let own = element.text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !own.isEmpty {
                lines.append(own.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " "))
            }
            for child in element.children { walk(child) }
        }
        walk(element)
        return lines.joined(separator: "\n")
    }
}
