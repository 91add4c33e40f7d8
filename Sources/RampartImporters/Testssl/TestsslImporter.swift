import Foundation
import RampartCore

/// testssl.sh's machine output: `--csvfile`, `--jsonfile` (a flat array) and
/// `--jsonfile-pretty` (`scanResult[]` per target, its checks grouped by section). Every line
/// is one check with an id, a severity and a finding text; only what testssl rates LOW or worse
/// is a finding. OK and INFO lines describe a sound setup. WARN and FATAL lines are testssl's
/// own trouble (a missing engine, an unreachable target), kept as diagnostics; FATAL means the
/// scan did not complete, so it closes nothing.
struct TestsslImporter: ReportImporter {
    let info = FormatInfo(
        id: "testssl", name: "testssl.sh CSV / JSON", tool: "testssl.sh", category: .infra, syntax: .csv,
        notes: "TLS checks rated LOW to CRITICAL per host and port (CVE, CWE); CSV, flat JSON and pretty JSON",
        defectDojoScanTypes: ["Testssl Scan"])

    static let columns = ["id", "fqdn/ip", "port", "severity", "finding"]

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        if let header = report.csvTable?.header {
            return Self.columns.allSatisfy(header.contains) ? .certain : nil
        }
        guard let root = report.jsonRoot else { return nil }
        if root.isObject { return root["scanResult"] != nil && (root["Invocation"] != nil || root["version"] != nil) ? .certain : nil }
        guard let first = root.array.first, first.isObject else { return nil }
        return first["id"] != nil && first["ip"] != nil && first["port"] != nil && first["severity"] != nil && first["finding"] != nil ? .likely : nil
    }

    /// One check as testssl wrote it, whichever syntax.
    struct Check {
        var id: String
        var target: String
        var port: String?
        var severity: String
        var finding: String
        var cve: String?
        var cwe: String?
        var position: String
        var raw: RawEvidence
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        var output = ImporterOutput(tool: ToolInfo(name: "testssl.sh"))
        var checks: [Check] = []
        if let table = report.csvTable {
            for record in table.records {
                guard let id = record["id"] else { continue }
                checks.append(
                    Check(
                        id: id, target: record["fqdn/ip"] ?? "", port: record["port"], severity: record["severity"] ?? "INFO",
                        finding: record["finding"] ?? "", cve: record["cve"], cwe: record["cwe"], position: record.position, raw: .csv(record)))
            }
        } else if let root = report.jsonRoot {
            if root.isObject {
                output.tool.version = root["version"]?.text
                for target in root["scanResult"]?.array ?? [] {
                    let name = [target["targetHost"]?.text, target["ip"]?.text].compactMap { $0 }.joined(separator: "/")
                    // Each section (protocols, ciphers, vulnerabilities, ...) is an array of checks.
                    for (_, section) in target.entries where section.isArray {
                        for item in section.array where item.isObject {
                            if let check = Self.check(item, target: name, port: target["port"]?.text) { checks.append(check) }
                        }
                    }
                }
            } else {
                for item in root.array where item.isObject {
                    if let check = Self.check(item, target: item["fqdn/ip"]?.text ?? item["ip"]?.text ?? "", port: item["port"]?.text) {
                        checks.append(check)
                    }
                }
            }
        }
        for check in checks {
            switch check.severity.uppercased() {
            case "OK", "INFO", "DEBUG": continue
            case "WARN":
                output.diagnostics.append(Diagnostic("testssl.sh warned (\(check.id)): \(check.finding)", at: check.position))
                continue
            case "FATAL":
                output.toolReportedError = true
                output.diagnostics.append(Diagnostic("testssl.sh could not finish (\(check.id)): \(check.finding)", at: check.position))
                continue
            default: break
            }
            // "host/ip": the name the user scanned, and the address it resolved to.
            let parts = check.target.split(separator: "/", maxSplits: 1).map(String.init)
            let address = parts.first?.nonBlank ?? parts.last ?? "unknown"
            let cves = (check.cve ?? "").split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: check.id, title: "\(check.id): \(check.finding)",
                    description: check.finding + (parts.count == 2 && parts[1] != address ? "\nAddress: \(parts[1])" : ""),
                    toolSeverity: check.severity, severity: .from(tool: check.severity, default: .low), cwes: CWE.parseAll([check.cwe ?? ""]),
                    vulnerabilityIDs: .parsing(cves),
                    location: .host(HostLocation(address: address, port: check.port.flatMap(ReportInteger.parse), transport: "tcp", service: "tls")),
                    references: cves.map { "https://nvd.nist.gov/vuln/detail/\($0)" }, raw: check.raw))
        }
        return output
    }

    static func check(_ item: JSONNode, target: String, port: String?) -> Check? {
        guard let id = item["id"]?.text else { return nil }
        return Check(
            id: id, target: target, port: item["port"]?.text ?? port, severity: item["severity"]?.text ?? "INFO",
            finding: item["finding"]?.text ?? "",
            cve: item["cve"]?.text, cwe: item["cwe"]?.text, position: item.position, raw: .json(item))
    }
}
