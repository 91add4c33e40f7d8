import Foundation
import RampartCore

/// ssh-audit's JSON output (`ssh-audit -j`): the SSH server's banner, the CVEs its software
/// version is known for, and each key exchange, host key, cipher and MAC algorithm it offers
/// with ssh-audit's notes. An algorithm with a `fail` note is a high finding, one with only
/// `warn` notes a medium one; `info` notes describe it.
struct SSHAuditImporter: ReportImporter {
    let info = FormatInfo(
        id: "ssh-audit-json", name: "ssh-audit JSON", tool: "ssh-audit", category: .infra, syntax: .json,
        notes: "weak SSH algorithms (kex, host key, cipher, MAC) and CVEs of the server software, per host and port",
        defectDojoScanTypes: ["SSH Audit Importer"])

    static let sections = [("kex", "key exchange"), ("key", "host key"), ("enc", "cipher"), ("mac", "MAC")]

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        return root["banner", "raw"] != nil && root["kex"] != nil && root["target"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "ssh-audit"))
        let banner = root["banner", "raw"]?.text
        let software = root["banner", "software"]?.text
        let location = Self.location(root["target"]?.text ?? "unknown")
        for cve in root["cves"]?.array ?? [] {
            guard let id = cve["name"]?.text else { continue }
            let score = cve["cvssv2"]?.double
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: id, title: "\(id) in \(software ?? "the SSH server")",
                    description: [cve["description"]?.text, banner.map { "Banner: \($0)" }].compactMap { $0 }.joined(separator: "\n"),
                    severity: score.map(Severity.init(cvssScore:)) ?? .medium, vulnerabilityIDs: .parsing([id]),
                    cvss: CVSSScore(vector: nil, score: score, source: "CVSS v2 (ssh-audit)").map { [$0] } ?? [], location: location,
                    remediation: "Upgrade \(software ?? "the SSH server")", references: ["https://nvd.nist.gov/vuln/detail/\(id)"], raw: .json(cve)))
        }
        for (key, kind) in Self.sections {
            for algorithm in root[key]?.array ?? [] {
                guard let name = algorithm["algorithm"]?.text else { continue }
                // ssh-audit 2.x wrote the notes beside the algorithm; 3.x groups them under `notes`.
                let notes = algorithm["notes"] ?? algorithm
                let fail = notes["fail"]?.strings ?? []
                let warn = notes["warn"]?.strings ?? []
                guard !fail.isEmpty || !warn.isEmpty else { continue }
                let size = algorithm["keysize"]?.int.map { " (\($0)-bit)" } ?? ""
                var description = fail.map { "Fail: \($0)" } + warn.map { "Warning: \($0)" }
                description += (notes["info"]?.strings ?? []).map { "Info: \($0)" }
                output.findings.append(
                    Finding(
                        category: .infra, tool: output.tool, ruleID: "\(key):\(name)", title: "Weak SSH \(kind) algorithm: \(name)\(size)",
                        description: description.joined(separator: "\n"), toolSeverity: fail.isEmpty ? "warn" : "fail",
                        severity: fail.isEmpty ? .medium : .high, cwes: [327],
                        vulnerabilityIDs: VulnerabilityID.cves(mentionedIn: (fail + warn).joined(separator: "\n")), location: location,
                        remediation: "Remove \(name) from the server's \(kind) algorithms", raw: .json(algorithm)))
            }
        }
        return output
    }

    /// `host:port`, `[v6]:port` or a bare host.
    static func location(_ target: String) -> Location {
        var host = target
        var port: Int?
        if let colon = target.lastIndex(of: ":"), let number = ReportInteger.parse(String(target[target.index(after: colon)...])),
            target.hasPrefix("[") || target.filter({ $0 == ":" }).count == 1
        {
            host = String(target[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            port = number
        }
        return .host(HostLocation(address: host, port: port ?? 22, transport: "tcp", service: "ssh"))
    }
}
