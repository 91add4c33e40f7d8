import Foundation
import RampartCore

/// WhiteHat Sentinel's vulnerabilities as its API lists them (`GET /api/vuln?display_...`:
/// `collection[]`): one finding per vulnerability at the URL of its first attack vector (every
/// vector is listed), with Sentinel's risk (5 critical to 1 note), its class, the CWEs its
/// scanner tags name, and its HTML description and solution made plain. Closed
/// vulnerabilities are gone and counted in a note; accepted ones are kept as accepted risks.
struct WhiteHatSentinelImporter: ReportImporter {
    let info = FormatInfo(
        id: "whitehat-sentinel-json", name: "WhiteHat Sentinel vulnerabilities JSON", tool: "WhiteHat Sentinel", category: .dast, syntax: .json,
        notes: "vulnerabilities with risk, class, attack vectors (URL, method, parameter), CWEs from scanner tags; closed ones left out",
        defectDojoScanTypes: ["WhiteHat Sentinel"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let collection = root["collection"], collection.isArray,
            let first = collection.array.first
        else { return nil }
        return first["attack_vectors"] != nil && first["class"] != nil && first["site_name"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "WhiteHat Sentinel"))
        let plain = ConvertedTexts(plainText(fromHTML:))
        var closed = 0
        for vulnerability in root["collection"]?.array ?? [] {
            guard let id = vulnerability["id"]?.text, let vulnerabilityClass = vulnerability["class"]?.text else {
                output.diagnostics.append(Diagnostic("vulnerability without id or class skipped", at: vulnerability.position))
                continue
            }
            if vulnerability["status"]?.text?.lowercased() == "closed" {
                closed += 1
                continue
            }
            let risk = vulnerability["risk"]?.int ?? vulnerability["risk"]?.text.flatMap { ReportInteger.parse($0) }
            let severity = Severity.fromFiveLevels(risk, criticalIsOne: false)
            let vectors = vulnerability["attack_vectors"]?.array ?? []
            let requests = vectors.compactMap { $0["request"] }
            let first = requests.first
            let site = vulnerability["url"]?.text ?? vulnerability["site_name"]?.text ?? ""
            let url = first?["url"]?.text ?? (site.contains("://") ? site : "https://\(site)")
            let tags = vectors.flatMap { $0["scanner_tags"]?.array.compactMap(\.text) ?? [] }
            var lines = [vulnerability["description"]?["description"]?.text.map(plain.callAsFunction)].compactMap { $0?.nonBlank }
            if requests.count > 1 {
                lines.append(
                    "Attack vectors (\(requests.count)):\n"
                        + requests.map {
                            "- \($0["method"]?.text ?? "GET") \($0["url"]?.text ?? "?")\($0["param_name"]?.text.map { " [\($0)]" } ?? "")"
                        }
                        .joined(separator: "\n"))
            }
            lines.append(
                "Sentinel vulnerability \(id) on \(vulnerability["site_name"]?.text ?? site), risk \(risk.map(String.init) ?? "?"), threat \(vulnerability["threat"]?.text ?? "?"), severity \(vulnerability["severity"]?.text ?? "?")"
            )
            output.findings.append(
                Finding(
                    category: .dast, tool: output.tool, ruleID: vulnerabilityClass, title: "\(vulnerabilityClass) on \(site)",
                    description: lines.joined(separator: "\n\n"), toolSeverity: risk.map { "risk \($0)" }, severity: severity,
                    cwes: CWE.parseAll(tags.filter { $0.uppercased().hasPrefix("CWE-") }),
                    location: .endpoint(EndpointLocation(url: url, method: first?["method"]?.text, parameter: first?["param_name"]?.text?.nonBlank)),
                    remediation: vulnerability["solution"]?["solution"]?.text.map(plain.callAsFunction)?.nonBlank,
                    tags: tags.filter { !$0.uppercased().hasPrefix("CWE-") },
                    suppression: vulnerability["accepted"]?.int == 1 || vulnerability["status"]?.text == "accepted"
                        ? Suppression(kind: .accepted, justification: "accepted in WhiteHat Sentinel") : nil,
                    raw: .json(vulnerability)))
        }
        if closed > 0 { output.diagnostics.append(Diagnostic("\(closed) closed vulnerability record(s) left out", level: .note)) }
        return output
    }
}
