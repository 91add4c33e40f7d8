import Foundation
import RampartCore

/// ReversingLabs Spectra Assure's rl-json report (`rl-secure report --format rl-json`,
/// `report.rl.json`): the software package it analysed, its components (files found inside)
/// and their dependencies, each with an identity (product, version, purl) and the
/// vulnerabilities that apply to it (`active`, or `triaged` by the user), described once in
/// `metadata.vulnerabilities`.
///
/// One finding per active or triaged vulnerability of a component or dependency, at that
/// package inside the analysed artifact (triaged ones kept as accepted). A component classified
/// malicious or suspicious is a finding too, at the component's file.
struct SpectraAssureImporter: ReportImporter {
    let info = FormatInfo(
        id: "spectra-assure-rl-json", name: "ReversingLabs Spectra Assure rl-json", tool: "ReversingLabs Spectra Assure", category: .sca,
        syntax: .json,
        notes: "vulnerabilities of components and dependencies inside the analysed package, CVSS and exploit flags; malware classifications",
        defectDojoScanTypes: ["ReversingLabs Spectra Assure"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let body = root["report"], root["catalogue"] != nil || root["duration"] != nil else {
            return nil
        }
        return body["info"]?["file"] != nil && body["metadata"] != nil ? .certain : nil
    }

    /// Spectra Assure writes CVSS v3 as named metrics; their initials are the vector's.
    static func vector(_ cvss: JSONNode?) -> String? {
        guard let cvss, cvss["version"]?.int == 3, let metrics = cvss["metrics"]?.array, !metrics.isEmpty else { return nil }
        let keys = [
            "Attack Vector": "AV", "Attack Complexity": "AC", "Privileges Required": "PR", "User Interaction": "UI", "Scope": "S",
            "Confidentiality Impact": "C", "Integrity Impact": "I", "Availability Impact": "A",
        ]
        var parts: [String] = []
        for metric in metrics {
            let pair = metric.array.compactMap(\.text)
            guard pair.count == 2, let key = keys[pair[0]], let letter = pair[1].first else { return nil }
            parts.append("\(key):\(letter)")
        }
        return "CVSS:3.1/" + parts.joined(separator: "/")
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, let body = root["report"] else { throw ImportError.content("expected a Spectra Assure report") }
        var output = ImporterOutput(tool: ToolInfo(name: "ReversingLabs Spectra Assure"))
        let artifact = body["info"]?["file"]?["name"]?.text?.nonBlank ?? "analysed package"
        let metadata = body["metadata"]
        let vulnerabilities = metadata?["vulnerabilities"]
        func add(_ identity: JSONNode, file: String?, raw: JSONNode) {
            let product = identity["product"]?.text?.nonBlank ?? file ?? "unnamed component"
            let version = identity["version"]?.text?.nonBlank.flatMap { $0 == "Generic" ? nil : $0 }
            let states = identity["vulnerabilities"]
            for (state, ids) in [("active", states?["active"]?.strings ?? []), ("triaged", states?["triaged"]?.strings ?? [])] {
                for id in ids {
                    let detail = vulnerabilities?[id]
                    let score = detail?["cvss"]?["baseScore"]?.double ?? detail?["cvss"]?["baseScore"]?.text.flatMap(Double.init)
                    let cvss = CVSSScore(vector: Self.vector(detail?["cvss"]), score: score)
                    let flags = detail?["exploit"]?.strings ?? []
                    var finding = Finding(
                        category: .sca, tool: output.tool, ruleID: id, title: "\(id) in \(product)" + (version.map { " \($0)" } ?? ""),
                        description: [
                            detail?["name"]?.text?.nonBlank,
                            "Found in \(file ?? product) inside \(artifact)" + (flags.isEmpty ? "" : "; exploit: \(flags.joined(separator: ", "))")
                                + ".",
                        ].compactMap { $0 }.joined(separator: "\n\n"),
                        severity: cvss?.score.map { Severity(cvssScore: $0) } ?? .medium, vulnerabilityIDs: .parsing([id]),
                        cvss: cvss.map { [$0] } ?? [],
                        location: .package(
                            packageLocation(
                                name: product, version: version, ecosystem: nil, purl: identity["purl"]?.text?.nonBlank, manifestPath: artifact,
                                artifactPath: file)),
                        tags: flags.map { $0.lowercased() },
                        suppression: state == "triaged" ? Suppression(kind: .accepted, justification: "triaged in Spectra Assure") : nil,
                        raw: .json(raw))
                    if flags.contains("MALWARE") || flags.contains("EXPLOITED") {
                        finding.exploitMaturity = .high
                    } else if flags.contains("EXISTS") {
                        finding.exploitMaturity = .proofOfConcept
                    }
                    output.findings.append(finding)
                }
            }
        }
        for (_, component) in metadata?["components"]?.entries ?? [] {
            let file = component["name"]?.text?.nonBlank
            if let identity = component["identity"] { add(identity, file: file, raw: component) }
            let status = component["classification"]?["status"]?.text?.lowercased()
            if status == "malicious" || status == "suspicious" {
                let threat = component["classification"]?["result"]?.text?.nonBlank
                output.findings.append(
                    Finding(
                        category: .sca, tool: output.tool, ruleID: "classification-\(status!)",
                        title: "\(status!.capitalized) file \(file ?? "?") in \(artifact)",
                        description: "Spectra Assure classifies \(component["path"]?.text?.nonBlank ?? file ?? "a component") as \(status!)"
                            + (threat.map { " (\($0))" } ?? "") + ".",
                        severity: status == "malicious" ? .critical : .high, cwes: [506], location: .code(CodeLocation(file: file ?? artifact)),
                        raw: .json(component)))
            }
        }
        for (_, dependency) in metadata?["dependencies"]?.entries ?? [] { add(dependency, file: nil, raw: dependency) }
        return output
    }
}
