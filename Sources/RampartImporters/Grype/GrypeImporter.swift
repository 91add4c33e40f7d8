import Foundation
import RampartCore

/// Anchore Grype JSON (`grype -o json`): `matches[]` with vulnerability, related
/// vulnerabilities (aliases, CVSS, CWEs), artifact (package, purl, locations) and source.
struct GrypeImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "grype-json", name: "Grype JSON", tool: "Anchore Grype", category: .sca, syntax: .json,
        notes: "matches with related vulnerabilities, CVSS, EPSS, fix state; image and directory sources",
        defectDojoScanTypes: ["Anchore Grype", "Anchore Grype detailed"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let matches = root["matches"], matches.isArray || matches.isNull else { return nil }
        if let name = root["descriptor", "name"]?.string?.lowercased() {
            // Tools built on Grype (xeol) keep its shape under their own name.
            return name == "grype" ? .certain : nil
        }
        if let first = matches.array.first { return first["artifact"] != nil && first["vulnerability"] != nil ? .likely : nil }
        return root["descriptor"] != nil || root["source"] != nil ? .likely : .possible
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: root["descriptor", "name"]?.text ?? "grype", version: root["descriptor", "version"]?.text))
        var image: ImageLocation?
        if root["source", "type"]?.string == "image", let reference = root["source", "target", "userInput"]?.text {
            image = ImageLocation(reference: reference)
            image?.digest = root["source", "target", "manifestDigest"]?.text
            // An image scan is a scan of that image; a directory or SBOM scan, of the component.
            output.scope = ScanScope(target: image?.name ?? "")
        }
        for match in root["matches"]?.array ?? [] {
            guard let vulnerability = match["vulnerability"], let id = vulnerability["id"]?.text,
                let artifact = match["artifact"], let name = artifact["name"]?.text
            else {
                output.diagnostics.append(Diagnostic("match without vulnerability id or artifact name skipped", at: match.position))
                continue
            }
            let related = match["relatedVulnerabilities"]?.array ?? []
            var cvss: [CVSSScore] = []
            for entry in (vulnerability["cvss"]?.array ?? []) + related.flatMap({ $0["cvss"]?.array ?? [] }) {
                if let score = CVSSScore(vector: entry["vector"]?.text, score: entry["metrics", "baseScore"]?.double, source: entry["source"]?.text) {
                    cvss.append(score)
                }
            }
            let description = vulnerability["description"]?.text ?? related.lazy.compactMap { $0["description"]?.text }.first
            let fixState = vulnerability["fix", "state"]?.string
            let fixedVersions = vulnerability["fix", "versions"]?.strings ?? []
            let path = artifact["locations"]?.array.first?["path"]?.text
            var located = image
            located?.layer = artifact["locations"]?.array.first?["layerID"]?.text
            let isOSPackage = ["deb", "apk", "rpm", "alpm", "portage"].contains(artifact["type"]?.string ?? "")
            let cweTexts =
                (vulnerability["cwes"]?.array ?? []).compactMap { $0["cwe"]?.text ?? $0.text }
                + related.flatMap { ($0["cwes"]?.array ?? []).compactMap { $0["cwe"]?.text ?? $0.text } }
            var tags = fixState.map { ["fix:\($0)"] } ?? []
            if let epss = vulnerability["epss"]?.array.first?["epss"]?.double { tags.append("epss:\(epss)") }
            let severityText = vulnerability["severity"]?.text
            output.findings.append(
                Finding(
                    category: image != nil ? .container : .sca, tool: output.tool, ruleID: id,
                    title: "\(id) in \(name)\(artifact["version"]?.text.map { " \($0)" } ?? "")", description: description,
                    toolSeverity: severityText, severity: .from(tool: severityText, score: cvss.first?.score, default: .medium),
                    cwes: CWE.parseAll(cweTexts), vulnerabilityIDs: .parsing([id] + related.compactMap { $0["id"]?.text }), cvss: cvss,
                    location: .package(
                        packageLocation(
                            name: name, version: artifact["version"]?.text,
                            ecosystem: artifact["language"]?.text.flatMap { $0.nonBlank } ?? artifact["type"]?.text,
                            purl: artifact["purl"]?.text, fixedVersions: fixedVersions,
                            manifestPath: isOSPackage ? nil : path.flatMap { isManifestFile($0) ? $0 : nil },
                            artifactPath: isOSPackage ? nil : path.flatMap { isManifestFile($0) ? nil : $0 }, image: located)),
                    remediation: fixedVersions.isEmpty ? nil : "Upgrade \(name) to \(fixedVersions.joined(separator: " or "))",
                    references: (vulnerability["dataSource"]?.text.map { [$0] } ?? []) + (vulnerability["urls"]?.strings ?? []), tags: tags,
                    raw: .json(match)))
        }
        return output
    }
}
