import Foundation
import RampartCore

/// Dependency-Track's Finding Packaging Format (FPF 1.0-1.3, a project's findings exported as
/// JSON): each finding is a component (purl) and a vulnerability (source, id, aliases, CVSS,
/// CWEs), with the project's analysis of it: suppressed and not-affected or false-positive
/// states are kept as suppressions.
struct DependencyTrackImporter: ReportImporter {
    let info = FormatInfo(
        id: "dependency-track-fpf", name: "Dependency-Track FPF JSON", tool: "Dependency-Track", category: .sca, syntax: .json,
        notes: "findings per component with vulnerability aliases, CVSS v2/v3/v4, CWEs, EPSS and the project's analysis state",
        defectDojoScanTypes: ["Dependency Track Finding Packaging Format (FPF) Export"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if root["meta", "application"]?.string == "Dependency-Track" { return .certain }
        return root["findings"]?.array.first?["vulnerability"]?["vulnId"] != nil && root["project"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Dependency-Track", version: root["meta", "version"]?.text))
        for item in root["findings"]?.array ?? [] {
            let component = item["component"]
            let vulnerability = item["vulnerability"]
            let name = component?["name"]?.text ?? "unknown"
            let group = component?["group"]?.text
            let version = component?["version"]?.text
            let vulnID = vulnerability?["vulnId"]?.text ?? "unknown"
            var ids = [vulnID]
            for alias in vulnerability?["aliases"]?.array ?? [] {
                for (_, value) in alias.entries { if let text = value.text { ids.append(text) } }
            }
            var cvss: [CVSSScore] = []
            for (vector, score) in [("cvssV4Vector", "cvssV4Score"), ("cvssV3Vector", "cvssV3BaseScore"), ("cvssV2Vector", "cvssV2BaseScore")] {
                if let rating = CVSSScore(
                    vector: vulnerability?[vector]?.text, score: vulnerability?[score]?.double, source: vulnerability?["source"]?.text)
                {
                    cvss.append(rating)
                }
            }
            var cwes = (vulnerability?["cwes"]?.array ?? []).compactMap { $0["cweId"]?.int }
            if let cwe = vulnerability?["cweId"]?.int, !cwes.contains(cwe) { cwes.insert(cwe, at: 0) }
            let severityText = vulnerability?["severity"]?.text
            let analysis = item["analysis"]
            let packageName = group.map { "\($0):\(name)" } ?? name
            output.findings.append(
                Finding(
                    category: .sca, tool: output.tool, ruleID: [VulnerabilityID].parsing(ids).canonical?.value ?? vulnID,
                    title: vulnerability?["title"]?.text?.nonBlank.map { "\(vulnID): \($0)" } ?? "\(vulnID) in \(packageName)",
                    description: vulnerability?["description"]?.text, toolSeverity: severityText,
                    severity: .from(tool: severityText == "UNASSIGNED" ? nil : severityText, score: cvss.first?.score),
                    cwes: cwes, vulnerabilityIDs: .parsing(ids), cvss: cvss,
                    location: .package(packageLocation(name: packageName, version: version, ecosystem: nil, purl: component?["purl"]?.text)),
                    remediation: vulnerability?["recommendation"]?.text, references: Self.links(vulnerability?["references"]?.text),
                    tags: [
                        vulnerability?["source"]?.text.map { "source:\($0)" }, item["attribution", "analyzerIdentity"]?.text.map { "analyzer:\($0)" },
                    ]
                    .compactMap { $0 },
                    suppression: Self.suppression(analysis), raw: .json(item)))
        }
        return output
    }

    /// The URLs of Dependency-Track's Markdown reference list ("* [url](url)").
    static func links(_ markdown: String?) -> [String] {
        guard let markdown else { return [] }
        return markdown.split(whereSeparator: { $0 == "(" || $0 == ")" || $0 == "[" || $0 == "]" || $0.isWhitespace })
            .filter { $0.hasPrefix("http://") || $0.hasPrefix("https://") }.map(String.init).uniqued()
    }

    /// The project's verdict: suppressed, or analysed as not affected or a false positive.
    static func suppression(_ analysis: JSONNode?) -> Suppression? {
        guard let analysis else { return nil }
        let state = analysis["state"]?.string
        let detail = analysis["detail"]?.text ?? analysis["justification"]?.text
        switch state {
        case "NOT_AFFECTED": return Suppression(kind: .notAffected, justification: detail)
        case "FALSE_POSITIVE": return Suppression(kind: .falsePositive, justification: detail)
        default: return analysis["isSuppressed"]?.bool == true ? Suppression(kind: .accepted, justification: detail) : nil
        }
    }
}
