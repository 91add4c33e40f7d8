import Foundation
import RampartCore

/// Nmap's XML output (`nmap -oX`): per host, its open ports with the service found on each
/// (an informational finding: what is exposed is what a security team needs to know first),
/// and the vulnerabilities the `vulners` script matched against the service's CPE.
struct NmapImporter: ReportImporter {
    let info = FormatInfo(
        id: "nmap-xml", name: "Nmap XML", tool: "Nmap", category: .infra, syntax: .xml,
        notes: "open ports with service, product and version per host; vulners script results (CVE, CVSS, exploit)",
        defectDojoScanTypes: ["Nmap Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        report.xmlRoot?.localName == "nmaprun" ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "Nmap", version: root.attributes["version"]))
        for host in root.children("host") {
            guard host.child("status")?.attributes["state"] != "down" else { continue }
            let addresses = host.children("address")
            let ip = addresses.first { $0.attributes["addrtype"] != "mac" }?.attributes["addr"]
            let hostname =
                host.child("hostnames")?.children("hostname").first { $0.attributes["type"] == "user" }?.attributes["name"]
                ?? host.child("hostnames")?.children("hostname").first?.attributes["name"]
            let address = hostname ?? ip ?? "unknown"
            for port in host.child("ports")?.children("port") ?? [] where port.child("state")?.attributes["state"] == "open" {
                let number = port.attributes["portid"].flatMap(Int.init).flatMap { ReportInteger.range.contains($0) ? $0 : nil }
                let transport = port.attributes["protocol"] ?? "tcp"
                let service = port.child("service")
                let product = [service?.attributes["product"], service?.attributes["version"], service?.attributes["extrainfo"]].compactMap { $0 }
                let location = Location.host(HostLocation(address: address, port: number, transport: transport, service: service?.attributes["name"]))
                var description = [
                    "Port \(number.map(String.init) ?? "?")/\(transport) is open on \(address)\(ip.map { $0 == address ? "" : " (\($0))" } ?? "")."
                ]
                if let name = service?.attributes["name"] {
                    description.append("Service: \(name)" + (product.isEmpty ? "" : " (\(product.joined(separator: " ")))"))
                }
                let cpes = service?.children("cpe").compactMap(\.value) ?? []
                output.findings.append(
                    Finding(
                        category: .infra, tool: output.tool, ruleID: "open-port", title: "Open port: \(number.map(String.init) ?? "?")/\(transport)",
                        description: description.joined(separator: "\n"), severity: .info, location: location,
                        tags: cpes.map { "cpe:\($0)" }, raw: .xml(port)))
                for script in port.children("script") where script.attributes["id"] == "vulners" {
                    output.findings += vulners(script, location: location, product: product.joined(separator: " "), tool: output.tool)
                }
            }
        }
        return output
    }

    /// The vulners script's structured output: a table per CPE, an entry per vulnerability.
    private func vulners(_ script: XMLElement, location: Location, product: String, tool: ToolInfo) -> [Finding] {
        var findings: [Finding] = []
        for cpeTable in script.children("table") {
            let cpe = cpeTable.attributes["key"]
            for entry in cpeTable.children("table") {
                var fields: [String: String] = [:]
                for element in entry.children("elem") { if let key = element.attributes["key"], let value = element.value { fields[key] = value } }
                guard let id = fields["id"] else { continue }
                let score = fields["cvss"].flatMap(Double.init)
                let exploit = fields["is_exploit"] == "true"
                let isCVE = fields["type"]?.lowercased() == "cve"
                findings.append(
                    Finding(
                        category: .infra, tool: tool, ruleID: id, title: "\(id) in \(product.nonBlank ?? cpe ?? "service")",
                        description: [cpe.map { "CPE: \($0)" }, fields["type"].map { "Type: \($0)" }, exploit ? "An exploit is known" : nil]
                            .compactMap { $0 }
                            .joined(separator: "\n"),
                        severity: score.map(Severity.init(cvssScore:)) ?? .medium, vulnerabilityIDs: isCVE ? .parsing([id]) : [],
                        cvss: CVSSScore(vector: nil, score: score).map { [$0] } ?? [], location: location,
                        references: ["https://vulners.com/\(fields["type"] ?? "cve")/\(id)"], tags: exploit ? ["exploit"] : [], raw: .xml(entry)))
            }
        }
        return findings
    }
}
