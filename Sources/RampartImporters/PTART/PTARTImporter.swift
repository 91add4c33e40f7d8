import Foundation
import RampartCore

/// A PTART pentest report (its JSON export): the hits of each assessment, and the retests
/// that checked them again. One finding per hit, at its asset, with PTART's severity (1
/// critical to 5 informational), CVSS, CWEs and labels. A retest's hit is the same problem as
/// the hit it retests: fixed (`F`) leaves the hit out (counted in a note); not fixed or
/// partially fixed adds the retest's words to the hit's description.
struct PTARTImporter: ReportImporter {
    let info = FormatInfo(
        id: "ptart-json", name: "PTART report JSON", tool: "PTART", category: .dast, syntax: .json,
        notes: "pentest hits per assessment with severity, CVSS, CWEs, asset and labels; retests applied to the hits they retest",
        defectDojoScanTypes: ["PTART Report"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let assessments = root["assessments"], assessments.isArray else { return nil }
        return root["executive_summary"] != nil && root["pentesters"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "PTART"))
        // The latest retest of each hit (retests are listed in order).
        var retests: [String: (status: String, body: String?, name: String?)] = [:]
        for retest in root["retests"]?.array ?? [] {
            for hit in retest["hits"]?.array ?? [] {
                guard let original = hit["original_hit"]?["id"]?.text, let status = hit["status"]?.text else { continue }
                retests[original] = (status, hit["body"]?.text?.nonBlank, retest["name"]?.text)
            }
        }
        var fixed = 0
        let scope = root["scope"]?.text?.nonBlank
        for assessment in root["assessments"]?.array ?? [] {
            for hit in assessment["hits"]?.array ?? [] {
                guard let id = hit["id"]?.text, let title = hit["title"]?.text else {
                    output.diagnostics.append(Diagnostic("hit without id or title skipped", at: hit.position))
                    continue
                }
                let retest = retests[id]
                if retest?.status == "F" {
                    fixed += 1
                    continue
                }
                let severity = Severity.fromFiveLevels(hit["severity"]?.int, criticalIsOne: true)
                let score = hit["cvss_score"]?.double ?? hit["cvss_score"]?.text.flatMap(Double.init)
                let cvss = CVSSScore(vector: hit["cvss_vector"]?.text?.nonBlank, score: score)
                var lines = [hit["body"]?.text?.nonBlank].compactMap { $0 }
                lines.append("PTART hit \(id) of assessment \(assessment["title"]?.text ?? "?")")
                if let retest {
                    let word = retest.status == "NF" ? "not fixed" : retest.status == "PF" ? "partially fixed" : retest.status
                    lines.append("Retest\(retest.name.map { " \($0)" } ?? ""): \(word)" + (retest.body.map { ". \($0)" } ?? ""))
                }
                let asset = hit["asset"]?.text?.nonBlank ?? scope ?? "ptart:\(id)"
                output.findings.append(
                    Finding(
                        category: .dast, tool: output.tool, ruleID: id, title: title, description: lines.joined(separator: "\n\n"),
                        toolSeverity: hit["severity"]?.int.map { "severity \($0)" }, severity: severity,
                        cwes: (hit["cwes"]?.array ?? []).compactMap { $0["cwe_id"]?.int }, cvss: cvss.map { [$0] } ?? [],
                        location: .endpoint(EndpointLocation(url: asset.contains("://") ? asset : "https://\(asset)")),
                        remediation: hit["remediation"]?.text?.nonBlank, tags: hit["labels"]?.array.compactMap(\.text) ?? [],
                        raw: .json(hit)))
            }
        }
        if fixed > 0 { output.diagnostics.append(Diagnostic("\(fixed) hit(s) a retest found fixed left out", level: .note)) }
        return output
    }
}
