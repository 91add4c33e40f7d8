import Foundation
import RampartCore

/// Outpost24 OUTSCAN / HIAB XML report (`main`, XMLReport.dtd): the vulnerabilities of each
/// target (`detaillist/detail`) with port, CVSS v2 and v3, risk, CVEs, references, solution and
/// first and last sighting. One finding per detail at its host and port; a detail marked as a
/// false positive in Outpost24 is kept as one.
struct Outpost24Importer: ReportImporter {
    let info = FormatInfo(
        id: "outpost24-xml", name: "Outpost24 OUTSCAN/HIAB XML", tool: "Outpost24", category: .infra, syntax: .xml,
        notes: "vulnerabilities per host and port with CVSS v2/v3, risk, CVEs, references and solution; false positives kept as such",
        defectDojoScanTypes: ["Outpost24 Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot, root.localName == "main" else { return nil }
        return root.child("reportinfo") != nil && (root.child("detaillist") != nil || root.child("hostlist") != nil) ? .certain : nil
    }

    /// Outpost24's risk levels: 0 information to 4 critical.
    static func severity(risk: Int?, v3: Double?, v2: Double?) -> Severity {
        if let v3 { return Severity(cvssScore: v3) }
        if let risk, (0...4).contains(risk) { return [.info, .low, .medium, .high, .critical][risk] }
        return v2.map { Severity(cvssScore: $0) } ?? .medium
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "Outpost24"))
        for detail in root.child("detaillist")?.children("detail") ?? [] {
            guard let name = detail.childText("name") else {
                output.diagnostics.append(Diagnostic("detail without a name skipped", at: "line \(detail.line)"))
                continue
            }
            // The address is always written; the host name only sometimes, so it goes to the description.
            let host = detail.childText("ip") ?? detail.childText("hostname") ?? detail.childText("virtualhost") ?? "unknown host"
            let portInfo = detail.child("portinfo")
            let port = ReportInteger.parse(portInfo?.childText("portnumber")).flatMap { $0 > 0 ? $0 : nil }
            let v3 = CVSSScore(vector: detail.childText("cvss_v3_vector"), score: detail.childText("cvss_v3_score").flatMap(Double.init))
            // `(AV:N/AC:H/Au:N/C:P/I:P/A:P) (cdp:ND/...)`: the base vector is the first group.
            let v2Vector = detail.childText("cvss_vector").flatMap { text in
                text.split(separator: ")").first.map { "CVSS:2.0/" + $0.trimmingCharacters(in: CharacterSet(charactersIn: "( ")) }
            }
            let v2Score = detail.childText("cvss_score").flatMap(Double.init)
            let v2 = CVSSScore(vector: v2Vector, score: v2Score)
            let risk = ReportInteger.parse(detail.childText("risk"))
            var lines = [detail.childText("description")].compactMap { $0 }
            if let information = detail.childText("information") { lines.append(information) }
            let firstSeen = detail.child("history")?.childText("firstseen")
            lines.append(
                "Outpost24 check \(detail.childText("id") ?? "?") on \(host)" + (port.map { ":\($0)" } ?? "")
                    + (detail.childText("hostname").map { " (\($0))" } ?? "")
                    + (detail.childText("virtualhost").map { " (virtual host \($0))" } ?? "") + (firstSeen.map { "; first seen \($0)" } ?? "") + ".")
            let references = detail.child("referencelist")?.children("reference").compactMap { $0.childText("url") } ?? []
            let solution = [detail.childText("solutiontitle"), detail.childText("solution")].compactMap { $0 }
            output.findings.append(
                Finding(
                    category: .infra, tool: output.tool, ruleID: detail.childText("id") ?? name, title: name,
                    description: lines.joined(separator: "\n\n"),
                    toolSeverity: risk.map { "risk \($0)" }, severity: Self.severity(risk: risk, v3: v3?.score, v2: v2Score),
                    vulnerabilityIDs: .parsing(detail.children("cve").compactMap { $0.childText("id") ?? $0.value }),
                    cvss: [v3, v2].compactMap { $0 },
                    location: .host(
                        HostLocation(
                            address: host, port: port, transport: portInfo?.childText("protocol")?.lowercased(),
                            service: portInfo?.childText("service"))),
                    remediation: solution.last == solution.first ? solution.first : solution.joined(separator: ": "), references: references,
                    tags: [detail.childText("family"), detail.childText("category"), detail.childText("product")].compactMap { $0 },
                    suppression: detail.childText("falsepositive") == "1"
                        ? Suppression(kind: .falsePositive, justification: "marked false positive in Outpost24") : nil,
                    raw: .xml(detail)))
        }
        return output
    }
}
