import Foundation
import RampartCore

/// CycloneDX JSON 1.2 to 1.6 with a `vulnerabilities` section (VEX/VDR): one finding per
/// vulnerability and affected component, ratings (CVSS v2/v3/v4, OWASP), CWEs and the VEX
/// `analysis` (not_affected and false_positive become suppressions). A BOM without
/// vulnerabilities yields no findings.
public struct CycloneDXImporter: ReportImporter {
    public init() {}

    public let info = FormatInfo(
        id: "cyclonedx-json", name: "CycloneDX JSON (1.2-1.6)", tool: "any CycloneDX producer", category: .sbom, syntax: .json,
        notes: "vulnerabilities with ratings, affects and VEX analysis; nested components resolved")

    public func matches(_ report: ParsedReport) -> Bool {
        guard let root = report.jsonRoot, root.isObject else { return false }
        return root["bomFormat"]?.string == "CycloneDX"
            || (root["specVersion"] != nil && root["components"] != nil && root["$schema"]?.string?.contains("cyclonedx") == true)
    }

    public func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        let toolNode = root["metadata", "tools"]
        let firstTool = toolNode?["components"]?.array.first ?? toolNode?.array.first
        var output = ImporterOutput(tool: ToolInfo(name: firstTool?["name"]?.text ?? "CycloneDX", version: firstTool?["version"]?.text))
        var components: [String: JSONNode] = [:]
        func collect(_ list: [JSONNode]) {
            for component in list {
                if let reference = component["bom-ref"]?.text { components[reference] = component }
                collect(component["components"]?.array ?? [])
            }
        }
        collect(root["components"]?.array ?? [])
        if let main = root["metadata", "component"], let reference = main["bom-ref"]?.text { components[reference] = main }

        for vulnerability in root["vulnerabilities"]?.array ?? [] {
            guard let id = vulnerability["id"]?.text else {
                output.diagnostics.append(Diagnostic("vulnerability without id skipped", at: vulnerability.position))
                continue
            }
            var cvss: [CVSSScore] = []
            var severityWord: String?
            for rating in vulnerability["ratings"]?.array ?? [] {
                let method = rating["method"]?.string ?? ""
                var vector = rating["vector"]?.text
                if let raw = vector, !raw.hasPrefix("CVSS:") {
                    switch method {
                    case "CVSSv31": vector = "CVSS:3.1/" + raw.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
                    case "CVSSv3": vector = "CVSS:3.0/" + raw.trimmingCharacters(in: CharacterSet(charactersIn: "()"))
                    case "CVSSv4": vector = "CVSS:4.0/" + raw
                    default: vector = nil
                    }
                }
                if method.hasPrefix("CVSSv3") || method == "CVSSv4" || method.isEmpty,
                    let score = CVSSScore(vector: vector, score: rating["score"]?.double, source: rating["source", "name"]?.text)
                {
                    cvss.append(score)
                }
                if severityWord == nil, let word = rating["severity"]?.text, word != "unknown" { severityWord = word }
            }
            let ids = [id] + (vulnerability["references"]?.array ?? []).compactMap { $0["id"]?.text }
            let analysis = vulnerability["analysis"]
            let state = analysis?["state"]?.string
            var suppression: Suppression?
            switch state {
            case "not_affected":
                suppression = Suppression(
                    kind: .notAffected,
                    justification: [analysis?["justification"]?.text, analysis?["detail"]?.text].compactMap { $0 }.joined(separator: ": ").nonBlank)
            case "false_positive":
                suppression = Suppression(kind: .falsePositive, justification: analysis?["detail"]?.text)
            default:
                break
            }
            var tags = state.map { ["vex:\($0)"] } ?? []
            tags += (analysis?["response"]?.strings ?? []).map { "vex-response:\($0)" }
            let affects = vulnerability["affects"]?.array ?? []
            let references = affects.compactMap { $0["ref"]?.text }
            if references.isEmpty {
                output.diagnostics.append(
                    Diagnostic("vulnerability \(id) affects no component; kept against the BOM subject", at: vulnerability.position))
            }
            for reference in references.isEmpty ? [""] : references {
                let component = components[reference]
                let purlText = component?["purl"]?.text ?? (reference.hasPrefix("pkg:") ? reference : nil)
                let purl = purlText.flatMap { PackageURL(parsing: $0) }
                var name = component?["name"]?.text ?? purl?.name ?? (reference.isEmpty ? "unknown" : reference)
                if let group = component?["group"]?.text { name = "\(group):\(name)" }
                let version = component?["version"]?.text ?? purl?.version
                output.findings.append(
                    Finding(
                        category: .sca, tool: output.tool, ruleID: id, title: "\(id) in \(name)\(version.map { " \($0)" } ?? "")",
                        description: [vulnerability["description"]?.text, vulnerability["detail"]?.text].compactMap { $0 }.joined(separator: "\n\n")
                            .nonBlank,
                        toolSeverity: severityWord, severity: .from(tool: severityWord, score: cvss.first?.score),
                        cwes: (vulnerability["cwes"]?.array ?? []).compactMap(\.int).sorted(), vulnerabilityIDs: .parsing(ids), cvss: cvss,
                        location: .package(PackageLocation(purl: purl, name: name, version: version, ecosystem: purl?.type)),
                        remediation: vulnerability["recommendation"]?.text,
                        references: (vulnerability["advisories"]?.array ?? []).compactMap { $0["url"]?.text }
                            + [vulnerability["source", "url"]?.text].compactMap { $0 },
                        tags: tags, suppression: suppression, raw: .json(vulnerability)))
            }
        }
        return output
    }
}
