import Foundation
import RampartCore

/// Qualys VM host detections, in the exports teams use:
/// - the Scan / Scorecard report CSV (`IP, DNS, QID, Title, Vuln Status, Type, Severity, ...`),
/// - the PCI / legacy scan CSV (`IP, HOSTNAME, QID, VULN TITLE, TYPE, SEVERITY, ...`),
/// - the VMDR detection list CSV (`QID, Title, Severity, ... Asset Name, Asset IPV4`), after
///   its lines of report metadata, by QID or by CVE,
/// - the Asset Data Report XML (`ASSET_DATA_REPORT`: hosts' `VULN_INFO` and the glossary's
///   `VULN_DETAILS` per QID),
/// - the scan results XML the web GUI and the scan API download (`SCAN`, scan-1.dtd: per `IP`,
///   confirmed `VULNS` and potential `PRACTICES` by category, port and protocol; information
///   gathered and services are what the scan saw, not findings).
/// One finding per QID (and CVE, in the CVE view) on each host and port. Fixed detections are
/// not findings; Qualys' 1-5 severity maps to info..critical, and Potential and Information
/// Gathered types are kept with that type named. Exploits Qualys correlates (Exploit-DB,
/// Metasploit...) make the exploit maturity proof of concept; associated malware, high.
struct QualysImporter: ReportImporter {
    let info = FormatInfo(
        id: "qualys", name: "Qualys VM CSV / XML", tool: "Qualys VM", category: .infra, syntax: .csv,
        notes:
            "QID detections per host and port with CVEs, CVSS, threat, impact, solution and exploits; scan CSV, VMDR CSV, Asset Data Report XML and scan results XML",
        defectDojoScanTypes: ["Qualys Scan", "Qualys VMDR", "Qualys Hacker Guardian Scan", "Qualys Infrastructure Scan (WebGUI XML)"])

    static let scanColumns = ["IP", "QID", "Title", "Severity"]
    static let legacyColumns = ["IP", "QID", "VULN TITLE", "SEVERITY"]
    static let vmdrColumns = ["QID", "Title", "Severity", "Status", "Asset Name"]

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        if let table = report.csvTable {
            for columns in [Self.scanColumns, Self.legacyColumns, Self.vmdrColumns] where table.reheaded(containing: columns) != nil {
                return .certain
            }
            return nil
        }
        guard let root = report.xmlRoot else { return nil }
        if root.localName == "ASSET_DATA_REPORT" { return .certain }
        return root.localName == "SCAN" && (root.child("IP") != nil || root.child("HEADER")?.child("KEY") != nil) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        var output = ImporterOutput(tool: ToolInfo(name: "Qualys VM"))
        var fixed = 0
        if let original = report.csvTable {
            guard let table = [Self.vmdrColumns, Self.scanColumns, Self.legacyColumns].lazy.compactMap({ original.reheaded(containing: $0) }).first
            else {
                throw ImportError.content("no Qualys header row (QID, Title, Severity) in the first lines")
            }
            for record in table.records {
                guard let qid = record["QID"] else { continue }
                let status = record[first: "Vuln Status", "Status"]?.lowercased()
                if status == "fixed" {
                    fixed += 1
                    continue
                }
                let addresses =
                    (record[first: "IP", "Asset IPV4"] ?? record["Asset IPV6"] ?? "").split(separator: ",").map {
                        $0.trimmingCharacters(in: .whitespaces)
                    }
                    .filter { !$0.isEmpty }
                let hostname = record[first: "DNS", "HOSTNAME", "FQDN", "Asset Name", "NetBIOS"]
                let cves = splitIDs(record[first: "CVE", "CVE ID", "CVEID"])
                let entry = Entry(
                    qid: qid, title: record[first: "Title", "VULN TITLE"] ?? "QID \(qid)", severity: record[first: "Severity", "SEVERITY"],
                    type: record[first: "Type", "TYPE", "Type Detected"], cves: cves,
                    score: record.double("CVSS3 Base") ?? record.double("CVSSv3.1 Base (nvd)") ?? record.double("CVSS_BASE"), vector: nil,
                    threat: record[first: "Threat", "THREAT"], impact: record[first: "Impact", "IMPACT"],
                    solution: record[first: "Solution", "SOLUTION"],
                    result: record[first: "Results", "RESULT"], category: record[first: "Category", "CATEGORY"],
                    falsePositive: record["FALSE POSITIVE STATUS"]?.lowercased() == "approved" || record["Ignored"]?.lowercased() == "yes",
                    exploitMaturity: Self.exploitMaturity(exploits: record["Exploitability"] != nil, malware: record["Associated Malware"] != nil),
                    raw: .csv(record))
                for address in addresses.isEmpty ? [hostname ?? "unknown"] : addresses {
                    output.findings.append(
                        finding(
                            entry, host: address, hostname: hostname, port: record[first: "Port", "PORT"].flatMap(ReportInteger.parse),
                            transport: record[first: "Protocol", "PROTOCOL"].flatMap { $0 == "'-" ? nil : $0.lowercased() }, tool: output.tool))
                }
            }
        } else if let root = report.xmlRoot, root.localName == "SCAN" {
            readScan(root, into: &output)
        } else if let root = report.xmlRoot {
            var details: [String: XMLElement] = [:]
            for detail in root.path("GLOSSARY", "VULN_DETAILS_LIST")?.children("VULN_DETAILS") ?? [] {
                if let id = detail.attributes["id"] ?? detail.childText("QID") { details[id.replacingOccurrences(of: "qid_", with: "")] = detail }
            }
            for host in root.child("HOST_LIST")?.children("HOST") ?? [] {
                let address = host.childText("IP") ?? host.childText("DNS") ?? "unknown"
                let hostname = host.childText("DNS") ?? host.childText("NETBIOS")
                for info in host.child("VULN_INFO_LIST")?.children("VULN_INFO") ?? [] {
                    guard let qid = info.childText("QID") ?? info.child("QID")?.attributes["id"]?.replacingOccurrences(of: "qid_", with: "") else {
                        continue
                    }
                    if info.childText("VULN_STATUS")?.lowercased() == "fixed" {
                        fixed += 1
                        continue
                    }
                    let detail = details[qid]
                    let cves = detail?.child("CVE_ID_LIST")?.children("CVE_ID").compactMap { $0.childText("ID") ?? $0.value } ?? []
                    let entry = Entry(
                        qid: qid, title: detail?.childText("TITLE") ?? "QID \(qid)", severity: detail?.childText("SEVERITY"),
                        type: info.childText("TYPE"),
                        cves: cves,
                        score: detail?.path("CVSS3_SCORE", "BASE")?.value.flatMap(Double.init)
                            ?? detail?.path("CVSS_SCORE", "BASE")?.value.flatMap(Double.init),
                        vector: nil, threat: detail?.childText("THREAT").map(plainText(fromHTML:)),
                        impact: detail?.childText("IMPACT").map(plainText(fromHTML:)),
                        solution: detail?.childText("SOLUTION").map(plainText(fromHTML:)), result: info.childText("RESULT"),
                        category: detail?.childText("CATEGORY"),
                        falsePositive: false, exploitMaturity: detail.flatMap(Self.exploitMaturity(correlatedIn:)), raw: .xml(info))
                    output.findings.append(
                        finding(
                            entry, host: address, hostname: hostname, port: info.childText("PORT").flatMap(ReportInteger.parse),
                            transport: info.childText("PROTOCOL")?.lowercased(), tool: output.tool))
                }
            }
        }
        if fixed > 0 { output.diagnostics.append(Diagnostic("\(fixed) fixed detection(s) are not findings", level: .note)) }
        return output
    }

    /// The scan results XML: each host's confirmed vulnerabilities and potential ones (which
    /// Qualys could not confirm: kept at low confidence), under categories that give the port
    /// and protocol.
    private func readScan(_ root: XMLElement, into output: inout ImporterOutput) {
        for host in root.children("IP") {
            let address = host.attributes["value"] ?? host.attributes["name"] ?? "unknown"
            // Qualys writes a placeholder where no DNS name resolved.
            let hostname = host.attributes["name"].flatMap { $0.lowercased().hasPrefix("no registered") ? nil : $0 }
            for (group, kind, type) in [("VULNS", "VULN", "Vuln"), ("PRACTICES", "PRACTICE", "Potential Vuln")] {
                for category in host.child(group)?.children("CAT") ?? [] {
                    for vulnerability in category.children(kind) {
                        guard let qid = vulnerability.attributes["number"] else {
                            output.diagnostics.append(Diagnostic("a \(kind) without a QID was skipped", at: "line \(vulnerability.line)"))
                            continue
                        }
                        let listed = vulnerability.child("CVE_ID_LIST")?.children("CVE_ID").compactMap { $0.childText("ID") } ?? []
                        let cves = listed.isEmpty ? split(vulnerability.attributes["cveid"] ?? "", onASCII: { $0 == 0x2C || $0 == 0x20 }) : listed
                        let score = [vulnerability.childText("CVSS3_BASE"), vulnerability.childText("CVSS_BASE")].lazy.compactMap {
                            $0.flatMap(Double.init)
                        }
                        .first { $0 > 0 }
                        let entry = Entry(
                            qid: qid, title: vulnerability.childText("TITLE") ?? "QID \(qid)", severity: vulnerability.attributes["severity"],
                            type: type, cves: cves, score: score, vector: nil,
                            threat: vulnerability.childText("DIAGNOSIS").map(plainText(fromHTML:)),
                            impact: vulnerability.childText("CONSEQUENCE").map(plainText(fromHTML:)), solution: vulnerability.childText("SOLUTION"),
                            result: vulnerability.childText("RESULT"), category: category.attributes["value"], falsePositive: false,
                            exploitMaturity: Self.exploitMaturity(correlatedIn: vulnerability), raw: .xml(vulnerability))
                        var finding = finding(
                            entry, host: address, hostname: hostname, port: category.attributes["port"].flatMap(ReportInteger.parse),
                            transport: category.attributes["protocol"]?.lowercased(), tool: output.tool)
                        if kind == "PRACTICE" { finding.confidence = .low }
                        output.findings.append(finding)
                    }
                }
            }
        }
    }

    /// What Qualys correlates with a QID (`CORRELATION`: `EXPLOITABILITY` sources, `MALWARE`).
    static func exploitMaturity(correlatedIn element: XMLElement) -> ExploitMaturity? {
        guard let correlation = element.child("CORRELATION") else { return nil }
        return exploitMaturity(
            exploits: !correlation.descendants("EXPLT").isEmpty || !correlation.descendants("EXPLT_SRC").isEmpty,
            malware: !correlation.descendants("MW_SRC").isEmpty || !correlation.descendants("MW_INFO").isEmpty)
    }

    /// Known exploits make a proof of concept at least; malware that uses the vulnerability, high.
    static func exploitMaturity(exploits: Bool, malware: Bool) -> ExploitMaturity? {
        malware ? .high : exploits ? .proofOfConcept : nil
    }

    struct Entry {
        var qid: String
        var title: String
        var severity: String?
        var type: String?
        var cves: [String]
        var score: Double?
        var vector: String?
        var threat: String?
        var impact: String?
        var solution: String?
        var result: String?
        var category: String?
        var falsePositive: Bool
        var exploitMaturity: ExploitMaturity?
        var raw: RawEvidence
    }

    private func finding(_ entry: Entry, host: String, hostname: String?, port: Int?, transport: String?, tool: ToolInfo) -> Finding {
        var description: [String] = []
        if let hostname, hostname != host { description.append("Host: \(hostname) (\(host))") }
        if let type = entry.type { description.append("Type: \(type)") }
        if let threat = entry.threat { description.append("Threat: \(threat)") }
        if let impact = entry.impact { description.append("Impact: \(impact)") }
        if let result = entry.result?.nonBlank { description.append("Result:\n\(result)") }
        if let category = entry.category { description.append("Category: \(category)") }
        let ids = [VulnerabilityID].parsing(entry.cves)
        var finding = Finding(
            category: .infra, tool: tool, ruleID: "QID-\(entry.qid)", title: entry.title, description: description.joined(separator: "\n\n"),
            toolSeverity: entry.severity, severity: Self.severity(entry.severity, type: entry.type), vulnerabilityIDs: ids,
            cvss: CVSSScore(vector: entry.vector, score: entry.score, source: "Qualys").map { [$0] } ?? [],
            location: .host(HostLocation(address: host, port: port, transport: transport)), remediation: entry.solution.map(plainText(fromHTML:)),
            references: ["https://qualysguard.qualys.com/fo/tools/kbase/vulnKBSearch.php?qid=\(entry.qid)"], raw: entry.raw)
        if entry.falsePositive { finding.suppression = Suppression(kind: .falsePositive, justification: "false positive or ignored in Qualys") }
        finding.exploitMaturity = entry.exploitMaturity
        return finding
    }

    /// Qualys severities are 1 (minimal) to 5 (urgent), or their names; Information Gathered
    /// detections are informational whatever their level.
    static func severity(_ text: String?, type: String?) -> Severity {
        if let type = type?.lowercased(), type.hasPrefix("ig") || type.contains("information") || type == "practice" { return .info }
        switch text?.lowercased() {
        // HackerGuardian's PCI export writes a letter: C, H, M, L.
        case "5", "urgent", "critical", "c": return .critical
        case "4", "high", "h": return .high
        case "3", "serious", "medium", "m": return .medium
        case "2", "low", "l": return .low
        case "1", "minimal", "info", "i": return .info
        default: return .medium
        }
    }
}
