import Foundation
import RampartCore

/// Qualys SSL Labs API results (v3 `analyze` host objects, alone or in an array, as
/// ssllabs-scan writes them): one finding per host carrying its overall grade (the worst of
/// its endpoints), with the weaknesses the endpoints' details name. Severity follows the grade:
/// A+/A/A- informational, B medium, C and D high, E, F, T (untrusted) and M (name mismatch)
/// critical.
struct SSLLabsImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "ssllabs-json", name: "SSL Labs API JSON", tool: "SSL Labs", category: .infra, syntax: .json,
        notes: "one finding per host with its grade (worst endpoint) and the weaknesses found (Heartbleed, POODLE, DROWN, RC4, ...)",
        defectDojoScanTypes: ["SSL Labs Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        let first = root.isArray ? root.array.first : root
        guard let first, first.isObject else { return nil }
        return first["endpoints"] != nil && first["criteriaVersion"] != nil && first["engineVersion"] != nil ? .certain : nil
    }

    static let gradeOrder = ["A+", "A", "A-", "B", "C", "D", "E", "F", "M", "T"]

    static func severity(grade: String) -> Severity {
        switch grade {
        case "A+", "A", "A-": .info
        case "B": .medium
        case "C", "D": .high
        default: .critical
        }
    }

    /// Weaknesses the endpoint details flag, in SSL Labs' own terms (API v3 field meanings).
    static func weaknesses(_ details: JSONNode) -> [(String, [String])] {
        var found: [(String, [String])] = []
        func flag(_ condition: Bool, _ text: String, _ cves: [String] = []) { if condition { found.append((text, cves)) } }
        flag(details["heartbleed"]?.bool == true, "Heartbleed", ["CVE-2014-0160"])
        flag(details["openSslCcs"]?.int == 3, "OpenSSL CCS injection", ["CVE-2014-0224"])
        flag([2, 3].contains(details["openSSLLuckyMinus20"]?.int ?? 0), "OpenSSL padding oracle (Lucky Minus 20)", ["CVE-2016-2107"])
        flag(details["ticketbleed"]?.int == 2, "Ticketbleed", ["CVE-2016-9244"])
        flag([2, 3].contains(details["bleichenbacher"]?.int ?? 0), "ROBOT (Bleichenbacher oracle)", ["CVE-2017-13099"])
        flag(details["poodle"]?.bool == true, "POODLE (SSL 3)", ["CVE-2014-3566"])
        flag([2, 3].contains(details["poodleTls"]?.int ?? 0), "POODLE (TLS)", ["CVE-2014-8730"])
        flag(details["freak"]?.bool == true, "FREAK", ["CVE-2015-0204"])
        flag(details["logjam"]?.bool == true, "Logjam", ["CVE-2015-4000"])
        flag(details["drownVulnerable"]?.bool == true, "DROWN", ["CVE-2016-0800"])
        flag(details["supportsRc4"]?.bool == true, "RC4 supported")
        flag(details["vulnBeast"]?.bool == true, "BEAST (CBC with TLS 1.0)", ["CVE-2011-3389"])
        flag(details["compressionMethods"]?.int.map { $0 != 0 } == true, "TLS compression (CRIME)", ["CVE-2012-4929"])
        flag(details["fallbackScsv"]?.bool == false, "No TLS_FALLBACK_SCSV")
        flag((details["renegSupport"]?.int ?? 0) & 1 != 0, "Insecure client-initiated renegotiation", ["CVE-2009-3555"])
        flag([2, 3].contains(details["zombiePoodle"]?.int ?? 0), "Zombie POODLE")
        flag([2, 3].contains(details["goldenDoodle"]?.int ?? 0), "GOLDENDOODLE")
        flag([2, 3].contains(details["sleepingPoodle"]?.int ?? 0), "Sleeping POODLE")
        flag([6, 7].contains(details["zeroLengthPaddingOracle"]?.int ?? 0), "0-length padding oracle", ["CVE-2019-1559"])
        flag(details["forwardSecrecy"]?.int == 0, "No forward secrecy")
        let protocols = (details["protocols"]?.array ?? []).compactMap { entry -> String? in
            guard let name = entry["name"]?.text, let version = entry["version"]?.text else { return nil }
            return ["SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1"].contains("\(name) \(version)") ? "\(name) \(version)" : nil
        }
        flag(!protocols.isEmpty, "Old protocols enabled: " + protocols.joined(separator: ", "))
        return found
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected SSL Labs JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "SSL Labs", version: (root.isArray ? root.array.first : root)?["engineVersion"]?.text))
        for host in root.isArray ? root.array : [root] {
            guard let name = host["host"]?.text else {
                output.diagnostics.append(Diagnostic("result without a host skipped", at: host.position))
                continue
            }
            guard host["status"]?.string != "ERROR" else {
                output.diagnostics.append(
                    Diagnostic("\(name): SSL Labs could not assess it (\(host["statusMessage"]?.text ?? "error"))", at: host.position))
                continue
            }
            let endpoints = host["endpoints"]?.array ?? []
            let graded = endpoints.compactMap { endpoint in endpoint["grade"]?.text.map { ($0, endpoint) } }
            guard let worst = graded.max(by: { (Self.gradeOrder.firstIndex(of: $0.0) ?? 0) < (Self.gradeOrder.firstIndex(of: $1.0) ?? 0) }) else {
                output.diagnostics.append(Diagnostic("\(name): no endpoint was graded", at: host.position))
                continue
            }
            var lines: [String] = []
            var cves: [String] = []
            for (grade, endpoint) in graded {
                let weaknesses = endpoint["details"].map(Self.weaknesses) ?? []
                cves += weaknesses.flatMap(\.1)
                let flags = weaknesses.map(\.0)
                lines.append(
                    "\(endpoint["ipAddress"]?.text ?? "endpoint"): grade \(grade)"
                        + (endpoint["gradeTrustIgnored"]?.text.map { $0 != grade ? " (\($0) if trust issues are ignored)" : "" } ?? "")
                        + (flags.isEmpty ? "" : "; " + flags.joined(separator: "; ")))
            }
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: "tls-grade", title: "TLS Grade '\(worst.0)' for \(name)",
                    description: lines.joined(separator: "\n"), toolSeverity: "grade \(worst.0)", severity: Self.severity(grade: worst.0),
                    cwes: [310],
                    vulnerabilityIDs: .parsing(cves),
                    location: .host(HostLocation(address: name, port: host["port"]?.int ?? 443, transport: "tcp", service: "tls")),
                    remediation: worst.0.hasPrefix("A") ? nil : "Fix the weaknesses listed, then rerun the SSL Labs assessment.",
                    references: ["https://www.ssllabs.com/ssltest/analyze.html?d=\(name)"], raw: .json(host)))
        }
        return output
    }
}
