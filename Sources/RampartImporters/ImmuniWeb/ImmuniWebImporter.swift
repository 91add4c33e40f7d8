import Foundation
import RampartCore

/// ImmuniWeb's vulnerabilities XML export (`Vulnerabilities/Vulnerability`, from its
/// application penetration tests and web scans): one finding per vulnerability at its URL, with
/// the CWE, CVE, CVSS v3 (`9.8 [CVSS:3.0/...]`), ImmuniWeb's risk, the proof of concept and the
/// remediation. Vulnerabilities whose status says they are fixed or closed are left out.
struct ImmuniWebXMLImporter: ReportImporter {
    let info = FormatInfo(
        id: "immuniweb-xml", name: "ImmuniWeb vulnerabilities XML", tool: "ImmuniWeb", category: .dast, syntax: .xml,
        notes: "vulnerabilities per URL with type, CWE, CVE, CVSS v3, risk, proof of concept and remediation; fixed ones left out",
        defectDojoScanTypes: ["Immuniweb Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot, root.localName == "Vulnerabilities" else { return nil }
        guard let first = root.children("Vulnerability").first else { return root.children.isEmpty ? .likely : nil }
        return first.child("Risk") != nil && (first.child("CVSSv3") != nil || first.child("CWE-ID") != nil) ? .certain : nil
    }

    /// `9.8 [CVSS:3.0/AV:N/...]`.
    static func cvss(_ text: String?) -> CVSSScore? {
        guard let text else { return nil }
        let score = text.split(separator: " ").first.flatMap { Double($0) }
        let vector = text.firstIndex(of: "[").flatMap { open in text.lastIndex(of: "]").map { String(text[text.index(after: open)..<$0]) } }
        return CVSSScore(vector: vector, score: score)
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "ImmuniWeb"))
        var fixed = 0
        for vulnerability in root.children("Vulnerability") {
            guard let name = vulnerability.childText("Name") else {
                output.diagnostics.append(Diagnostic("vulnerability without a name skipped", at: "line \(vulnerability.line)"))
                continue
            }
            let status = vulnerability.childText("Status")?.lowercased()
            if status == "fixed" || status == "closed" || status == "resolved" {
                fixed += 1
                continue
            }
            let cvss = Self.cvss(vulnerability.childText("CVSSv3"))
            let risk = vulnerability.childText("Risk")
            let url = vulnerability.childText("URL")
            var lines = [vulnerability.childText("Description")].compactMap { $0 }
            if let poc = vulnerability.childText("PoC") { lines.append("Proof of concept:\n\(poc)") }
            lines.append("ImmuniWeb \(vulnerability.childText("ID") ?? "finding")" + (status.map { ", status \($0)" } ?? "") + ".")
            let type = vulnerability.childText("Type")
            output.findings.append(
                Finding(
                    category: .dast, tool: output.tool, ruleID: type ?? name, title: name, description: lines.joined(separator: "\n\n"),
                    toolSeverity: risk, severity: .from(tool: risk, score: cvss?.score),
                    cwes: CWE.parseAll([vulnerability.childText("CWE-ID")].compactMap { $0 }),
                    vulnerabilityIDs: .parsing(splitIDs(vulnerability.childText("CVE-ID"))),
                    cvss: cvss.map { [$0] } ?? [],
                    location: url.map { .endpoint(EndpointLocation(url: $0)) } ?? .host(HostLocation(address: "unknown target")),
                    remediation: vulnerability.childText("Remediation"), tags: [type].compactMap { $0 }, raw: .xml(vulnerability)))
        }
        if fixed > 0 { output.diagnostics.append(Diagnostic("\(fixed) fixed vulnerability record(s) left out", level: .note)) }
        return output
    }
}
