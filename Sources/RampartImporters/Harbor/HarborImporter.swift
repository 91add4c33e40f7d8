import Foundation
import RampartCore

/// Harbor's vulnerability report (its API's `/vulnerabilities` of an artifact, in the Pluggable
/// Scanner API format, keyed by the report's MIME type or bare): the scanner behind it (Trivy,
/// Clair...) and the vulnerabilities of the artifact's packages.
struct HarborImporter: ReportImporter {
    let info = FormatInfo(
        id: "harbor-vulnerability-json", name: "Harbor vulnerability report JSON", tool: "Harbor", category: .container, syntax: .json,
        notes: "Pluggable Scanner API reports (1.0 and 1.1) with the scanner's name, CVSS, CWE and fix versions",
        defectDojoScanTypes: ["Harbor Vulnerability Scan"])

    static func report(_ root: JSONNode) -> JSONNode? {
        if root["scanner"] != nil && root["vulnerabilities"] != nil { return root }
        return root.entries.first { $0.key.hasPrefix("application/vnd.") && $0.key.contains("report") }?.value
    }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let body = Self.report(root) else { return nil }
        if root.index != body.index { return .certain }
        return body["generated_at"] != nil && body["scanner"]?["vendor"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, let body = Self.report(root) else { throw ImportError.content("expected a Harbor vulnerability report") }
        let scanner = body["scanner"]
        var output = ImporterOutput(
            tool: ToolInfo(name: scanner?["name"]?.text.map { "Harbor (\($0))" } ?? "Harbor", version: scanner?["version"]?.text))
        let image = [body["artifact", "repository"]?.text, body["artifact", "tag"]?.text].compactMap { $0 }
        let location = image.first.map { repository in ImageLocation(reference: repository + (image.count > 1 ? ":\(image[1])" : "")) }
        if let location { output.scope = ScanScope(kind: "image", target: location.name) }
        for item in body["vulnerabilities"]?.array ?? [] {
            let id = item["id"]?.text ?? "unknown"
            let name = item["package"]?.text ?? "unknown"
            let preferred = item["preferred_cvss"]
            var cvss: [CVSSScore] = []
            if let score = CVSSScore(vector: preferred?["vector_v3"]?.text?.nonBlank, score: preferred?["score_v3"]?.double) { cvss.append(score) }
            for (source, scores) in item["vendor_attributes", "CVSS"]?.entries ?? [] {
                if let score = CVSSScore(vector: scores["V3Vector"]?.text, score: scores["V3Score"]?.double, source: source) { cvss.append(score) }
            }
            let fix = item["fix_version"]?.text?.nonBlank
            let severityText = item["severity"]?.text
            output.findings.append(
                Finding(
                    category: .container, tool: output.tool, ruleID: id, title: "\(id) in \(name)", description: item["description"]?.text,
                    toolSeverity: severityText,
                    severity: .from(tool: severityText == "Unknown" || severityText == "None" ? nil : severityText, score: cvss.first?.score),
                    cwes: CWE.parseAll(item["cwe_ids"]?.strings ?? []), vulnerabilityIDs: .parsing([id]), cvss: cvss,
                    location: .package(
                        packageLocation(
                            name: name, version: item["version"]?.text, ecosystem: nil, fixedVersions: fix.map { [$0] } ?? [], image: location)),
                    remediation: fix.map { "Upgrade \(name) to \($0)" }, references: item["links"]?.strings ?? [], raw: .json(item)))
        }
        return output
    }
}
