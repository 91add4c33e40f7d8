import Foundation
import RampartCore

/// Greenbone / OpenVAS reports: the XML report (GMP `get_reports`, `<report><report><results>`)
/// and the CSV results export. One finding per NVT (vulnerability test) on each host and port.
/// Results Greenbone rates Log are informational; results an override marks False Positive are
/// kept as suppressed. The host is named by its address, which every result carries; the
/// host name, when resolved, is in the description.
struct OpenVASImporter: ReportImporter {
    let info = FormatInfo(
        id: "openvas", name: "Greenbone OpenVAS XML / CSV", tool: "OpenVAS", category: .infra, syntax: .xml,
        notes: "NVT results per host and port with CVSS, CVEs, QoD, solution and detection details; XML report and CSV export",
        defectDojoScanTypes: ["OpenVAS Parser", "OpenVAS Parser v2", "OpenVAS XML", "OpenVAS CSV"])

    static let csvColumns = ["IP", "Port", "NVT Name", "NVT OID", "Severity"]

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        if let header = report.csvTable?.header { return Self.csvColumns.allSatisfy(header.contains) ? .certain : nil }
        guard let root = report.xmlRoot else { return nil }
        if root.localName == "get_reports_response" { return .certain }
        guard root.localName == "report" else { return nil }
        let inner = root.child("report") ?? root
        return inner.child("results") != nil && (inner.child("gmp") != nil || inner.child("omp") != nil || root.attributes["format_id"] != nil)
            ? .certain : inner.child("results")?.child("result")?.child("nvt") != nil ? .likely : nil
    }

    /// One result, whichever format carried it.
    struct Result {
        var oid: String
        var name: String
        var address: String
        var hostname: String?
        var port: String?
        var threat: String?
        var score: Double?
        var cves: [String]
        var references: [String]
        var summary: String?
        var insight: String?
        var detail: String?
        var impact: String?
        var solution: String?
        var solutionType: String?
        var affected: String?
        var qod: String?
        var vector: String?
        var raw: RawEvidence
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        var output = ImporterOutput(tool: ToolInfo(name: "OpenVAS"))
        var results: [Result] = []
        if let table = report.csvTable {
            for record in table.records {
                guard let oid = record["NVT OID"], let address = record["IP"] else {
                    output.diagnostics.append(Diagnostic("a row without an NVT OID or IP was skipped", at: record.position))
                    continue
                }
                let port = record["Port"].map { port in record["Port Protocol"].map { "\(port)/\($0)" } ?? port }
                let cves = splitIDs(record["CVEs"])
                let references = [record["Other References"], record["CERTs"]].compactMap { $0 }.flatMap {
                    $0.split(whereSeparator: { $0 == "," || $0 == "\n" }).map { $0.trimmingCharacters(in: .whitespaces) }
                }.filter { $0.hasPrefix("http") }
                results.append(
                    Result(
                        oid: oid, name: record["NVT Name"] ?? oid, address: address, hostname: record["Hostname"], port: port,
                        threat: record["Severity"],
                        score: record.double("CVSS"), cves: cves, references: references, summary: record["Summary"],
                        insight: record["Vulnerability Insight"],
                        detail: record["Specific Result"], impact: record["Impact"], solution: record["Solution"],
                        solutionType: record["Solution Type"],
                        affected: record["Affected Software/OS"], qod: record["QoD"], vector: nil, raw: .csv(record)))
            }
        } else if let root = report.xmlRoot {
            let outer = root.localName == "get_reports_response" ? root.child("report") : root
            let inner = outer?.child("report") ?? outer
            output.tool.version = inner?.path("gmp", "version")?.value ?? inner?.path("omp", "version")?.value
            for result in inner?.child("results")?.children("result") ?? [] {
                guard let nvt = result.child("nvt"), let oid = nvt.attributes["oid"] else {
                    output.diagnostics.append(Diagnostic("a result without an NVT was skipped", at: "line \(result.line)"))
                    continue
                }
                // `summary=...|insight=...|solution=...`: the NVT's tags, `|`-separated.
                var tags: [String: String] = [:]
                for part in (nvt.childText("tags") ?? "").split(separator: "|") {
                    if let equals = part.firstIndex(of: "=") { tags[String(part[..<equals])] = String(part[part.index(after: equals)...]) }
                }
                let refs = nvt.child("refs")?.children("ref") ?? []
                let cves =
                    refs.filter { $0.attributes["type"]?.lowercased() == "cve" }.compactMap { $0.attributes["id"] }
                    + (nvt.childText("cve").map { $0 == "NOCVE" ? [] : $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                        ?? [])
                let host = result.child("host")
                results.append(
                    Result(
                        oid: oid, name: nvt.childText("name") ?? result.childText("name") ?? oid,
                        address: host?.text.trimmingCharacters(in: .whitespacesAndNewlines).nonBlank ?? "unknown",
                        hostname: host?.childText("hostname"), port: result.childText("port"), threat: result.childText("threat"),
                        score: result.childText("severity").flatMap(Double.init) ?? nvt.childText("cvss_base").flatMap(Double.init), cves: cves,
                        references: refs.filter { $0.attributes["type"] == "url" }.compactMap { $0.attributes["id"] }, summary: tags["summary"],
                        insight: tags["insight"], detail: result.childText("description"), impact: tags["impact"],
                        solution: nvt.childText("solution") ?? tags["solution"],
                        solutionType: nvt.child("solution")?.attributes["type"] ?? tags["solution_type"],
                        affected: tags["affected"], qod: result.path("qod", "value")?.value,
                        vector: nvt.child("severities")?.child("severity")?.childText("value") ?? tags["cvss_base_vector"], raw: .xml(result)))
            }
        }
        for result in results {
            // `22/tcp`, `general/tcp`, `package`: a number when there is one.
            let parts = (result.port ?? "").split(separator: "/")
            let port = parts.first.flatMap { ReportInteger.parse(String($0)) }
            let transport = parts.count > 1 ? String(parts[1]) : nil
            var description: [String] = []
            if let hostname = result.hostname, hostname != result.address { description.append("Host: \(hostname) (\(result.address))") }
            if let summary = result.summary { description.append(summary) }
            if let detail = result.detail?.trimmingCharacters(in: .whitespacesAndNewlines).nonBlank {
                description.append("Detection result:\n\(detail)")
            }
            if let insight = result.insight { description.append("Insight: \(insight)") }
            if let impact = result.impact { description.append("Impact: \(impact)") }
            if let affected = result.affected { description.append("Affected: \(affected)") }
            if let qod = result.qod { description.append("Quality of detection: \(qod)%") }
            let threat = result.threat
            var finding = Finding(
                category: .infra, tool: output.tool, ruleID: result.oid, title: result.name, description: description.joined(separator: "\n\n"),
                toolSeverity: threat, severity: Self.severity(threat: threat, score: result.score), vulnerabilityIDs: .parsing(result.cves),
                cvss: CVSSScore(vector: result.vector, score: result.score, source: "Greenbone").map { [$0] } ?? [],
                location: .host(HostLocation(address: result.address, port: port, transport: transport)),
                remediation: [result.solutionType.map { "(\($0))" }, result.solution].compactMap { $0 }.joined(separator: " ").nonBlank,
                references: result.references, raw: result.raw)
            if threat?.lowercased() == "false positive" {
                finding.suppression = Suppression(kind: .falsePositive, justification: "overridden to False Positive in Greenbone")
            }
            output.findings.append(finding)
        }
        return output
    }

    /// Greenbone's threat levels: High, Medium, Low, Log (information), Debug; a CVSS of 9 or
    /// more is critical.
    static func severity(threat: String?, score: Double?) -> Severity {
        switch threat?.lowercased() {
        case "log", "debug": return .info
        case "high": return (score ?? 0) >= 9 ? .critical : .high
        case "medium": return .medium
        case "low": return .low
        default: return score.map(Severity.init(cvssScore:)) ?? .info
        }
    }
}
