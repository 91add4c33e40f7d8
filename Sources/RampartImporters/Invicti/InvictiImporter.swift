import Foundation
import RampartCore

/// Invicti's (formerly Netsparker's) JSON vulnerabilities report: per vulnerability its type,
/// URL, vulnerable parameter, certainty, classification (CWE, CVSS 3.0/3.1, OWASP, CAPEC),
/// HTML descriptions and remedies, and its state in Invicti's lifecycle. Fixed vulnerabilities
/// are not findings; those marked false positive, accepted risk or ignored are kept as suppressed.
struct InvictiImporter: ReportImporter {
    let info = FormatInfo(
        id: "invicti-json", name: "Invicti / Netsparker / Acunetix 360 JSON", tool: "Invicti", category: .dast, syntax: .json,
        notes: "web vulnerabilities per URL and parameter with certainty, CWE, CVSS vector, remedy and lifecycle state",
        defectDojoScanTypes: ["Invicti Scan", "Netsparker Scan", "Acunetix Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let vulnerabilities = root["Vulnerabilities"], vulnerabilities.isArray else { return nil }
        guard root["Target"]?["ScanId"] != nil || root["Generated"] != nil else { return nil }
        return .certain
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Invicti"))
        if let site = root["Target", "Url"]?.text { output.scope = ScanScope(kind: "dast", target: site) }
        var fixed = 0
        for item in root["Vulnerabilities"]?.array ?? [] {
            let state = item["State"]?.text ?? ""
            if state.lowercased().hasPrefix("fixed") {
                fixed += 1
                continue
            }
            let type = item["Type"]?.text ?? item["Name"]?.text ?? "vulnerability"
            let classification = item["Classification"]
            let vector = classification?["Cvss31", "Vector"]?.text ?? classification?["Cvss", "Vector"]?.text
            let base = classification?["Cvss31", "BaseScore", "Value"]?.text ?? classification?["Cvss", "BaseScore", "Value"]?.text
            let request = item["HttpRequest"]
            let parameter = request?["Parameters"]?.array.first { $0["Vulnerable"]?.bool == true }?["Name"]?.text
            let certainty = item["Certainty"]?.int
            var description = [item["Description"]?.text.map(plainText(fromHTML:))]
            description.append(item["Impact"]?.text.map(plainText(fromHTML:)).map { "Impact: \($0)" })
            description.append(item["ProofOfConcept"]?.text?.nonBlank.map(plainText(fromHTML:)).map { "Proof of concept: \($0)" })
            for extra in item["ExtraInformation"]?.array ?? [] {
                if let name = extra["Name"]?.text, let value = extra["Value"]?.text { description.append("\(name): \(value)") }
            }
            let known = (item["KnownVulnerabilities"]?.array ?? []).compactMap { $0["Title"]?.text }
            if !known.isEmpty { description.append("Known vulnerabilities:\n" + known.joined(separator: "\n")) }
            description.append("State: \(state)")
            let severityText = item["Severity"]?.text
            var finding = Finding(
                category: .dast, tool: output.tool, ruleID: type, title: item["Name"]?.text ?? type,
                description: description.compactMap { $0?.nonBlank }.joined(separator: "\n\n"), toolSeverity: severityText,
                severity: Self.severity(severityText), confidence: certainty.map { $0 >= 90 ? .high : $0 >= 50 ? .medium : .low },
                cwes: CWE.parseAll((classification?["Cwe"]?.text ?? "").split(separator: ",").map(String.init)),
                vulnerabilityIDs: VulnerabilityID.cves(mentionedIn: known.joined(separator: " ")),
                cvss: CVSSScore(vector: vector, score: base.flatMap(Double.init), source: "Invicti").map { [$0] } ?? [],
                location: .endpoint(
                    EndpointLocation(
                        url: item["Url"]?.text ?? root["Target", "Url"]?.text ?? "", method: request?["Method"]?.text, parameter: parameter)),
                remediation: (item["RemedialProcedure"]?.text ?? item["RemedialActions"]?.text).map(plainText(fromHTML:)),
                references: Self.links(item["ExternalReferences"]?.text) + Self.links(item["RemedyReferences"]?.text),
                tags: [classification?["Owasp"]?.text.map { "OWASP \($0)" }, item["Confirmed"]?.bool == true ? "confirmed" : nil].compactMap { $0 },
                toolFingerprint: nil, raw: .json(item))
            switch state.lowercased().replacingOccurrences(of: " ", with: "") {
            case "falsepositive": finding.suppression = Suppression(kind: .falsePositive, justification: "marked false positive in Invicti")
            case "acceptedrisk", "ignored": finding.suppression = Suppression(kind: .accepted, justification: "marked \(state) in Invicti")
            default: break
            }
            output.findings.append(finding)
        }
        if fixed > 0 { output.diagnostics.append(Diagnostic("\(fixed) vulnerability(ies) Invicti marks fixed are not findings", level: .note)) }
        return output
    }

    /// Invicti's severities: Critical, High, Medium, Low, BestPractice, Information.
    static func severity(_ text: String?) -> Severity {
        switch text?.lowercased() {
        case "bestpractice", "information": .info
        default: .from(tool: text, default: .medium)
        }
    }

    /// The `href`s of an HTML list of links.
    static func links(_ html: String?) -> [String] {
        guard let html else { return [] }
        return html.components(separatedBy: "href='").dropFirst().compactMap { $0.split(separator: "'").first.map(String.init) }
            + html.components(separatedBy: "href=\"").dropFirst().compactMap { $0.split(separator: "\"").first.map(String.init) }
    }
}
