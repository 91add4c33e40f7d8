import Foundation
import RampartCore

/// Open ports, as port scanners write them: what is exposed is what a security team needs to
/// know first, so each open port of a host is an informational finding (as Nmap's are).
enum OpenPort {
    static func finding(address: String, port: Int?, transport: String, detail: String?, tool: ToolInfo, raw: RawEvidence) -> Finding {
        let number = port.map(String.init) ?? "?"
        return Finding(
            category: .infra, tool: tool, ruleID: "open-port", title: "Open port: \(number)/\(transport)",
            description: "Port \(number)/\(transport) is open on \(address)." + (detail.map { " \($0)" } ?? ""), severity: .info,
            location: .host(HostLocation(address: address, port: port, transport: transport)), raw: raw)
    }
}

/// naabu's JSON Lines output (`-json`): one line per open port of a host.
struct NaabuImporter: ReportImporter {
    let info = FormatInfo(
        id: "naabu-jsonl", name: "naabu JSON Lines", tool: "naabu", category: .infra, syntax: .json, notes: "open ports per host (informational)",
        defectDojoScanTypes: ["Naabu Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard case .json(let document) = report, let first = document.roots.first, first.isObject else { return nil }
        return first["ip"] != nil && first["port"] != nil && first["protocol"] != nil && first["tls"] != nil && first.entries.count <= 8
            ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard case .json(let document) = report else { throw ImportError.content("expected JSON Lines") }
        var output = ImporterOutput(tool: ToolInfo(name: "naabu"))
        for line in document.roots.flatMap({ $0.isArray ? $0.array : [$0] }) where line.isObject {
            let address = line["host"]?.text ?? line["ip"]?.text ?? "unknown"
            output.findings.append(
                OpenPort.finding(
                    address: address, port: line["port"]?.int ?? line["port", "Port"]?.int, transport: line["protocol"]?.text ?? "tcp",
                    detail: line["tls"]?.bool == true ? "The port speaks TLS." : nil, tool: output.tool, raw: .json(line)))
        }
        return output
    }
}

/// masscan's JSON output (`-oJ`): an array of hosts, each with the ports found open.
struct MasscanImporter: ReportImporter {
    let info = FormatInfo(
        id: "masscan-json", name: "masscan JSON", tool: "masscan", category: .infra, syntax: .json, notes: "open ports per host (informational)",
        defectDojoScanTypes: ["Masscan Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, first.isObject else { return nil }
        return first["ip"] != nil && first["ports"]?.array.first?["proto"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "masscan"))
        for host in root.array {
            let address = host["ip"]?.text ?? "unknown"
            for port in host["ports"]?.array ?? [] where (port["status"]?.string ?? "open") == "open" {
                let banner = port["service", "banner"]?.text.map { "Banner: \($0)" }
                output.findings.append(
                    OpenPort.finding(
                        address: address, port: port["port"]?.int, transport: port["proto"]?.text ?? "tcp", detail: banner, tool: output.tool,
                        raw: .json(port)))
            }
        }
        return output
    }
}
