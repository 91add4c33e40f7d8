import Foundation
import RampartCore

/// Snyk Open Source and Snyk Container JSON (`snyk test --json`, `snyk container test --json`):
/// one project object, or an array of them with `--all-projects`; a container's project holds
/// the image's OS packages and, under `applications`, the projects found in the image. Snyk
/// lists a vulnerability once per dependency path; ignored ones (`filtered.ignore`) are kept as
/// suppressed. Snyk Code writes SARIF, which the SARIF importer reads.
struct SnykImporter: ReportImporter {
    let info = FormatInfo(
        id: "snyk-json", name: "Snyk Open Source / Container JSON", tool: "Snyk", category: .sca, syntax: .json,
        notes: "vulnerabilities and license issues per project (--all-projects arrays, container applications); ignores kept as suppressed",
        defectDojoScanTypes: ["Snyk Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        guard let project = root.isArray ? root.array.first : root, project.isObject, project["vulnerabilities"] != nil else { return nil }
        if project["packageManager"] != nil && (project["dependencyCount"] != nil || project["uniqueCount"] != nil) { return .certain }
        return project["vulnerabilities"]?.array.first?["id"]?.string?.hasPrefix("SNYK-") == true ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object or array") }
        var output = ImporterOutput(tool: ToolInfo(name: "Snyk"))
        for project in root.isArray ? root.array : [root] {
            if let error = project["error"]?.text, project["vulnerabilities"] == nil {
                output.toolReportedError = true
                output.diagnostics.append(Diagnostic("Snyk could not test a project: \(error)", at: project.position))
                continue
            }
            let image = project["docker"] != nil ? project["path"]?.text.map { ImageLocation(reference: $0) } : nil
            read(project, image: image, into: &output)
            for application in project["applications"]?.array ?? [] { read(application, image: image, into: &output) }
        }
        return output
    }

    private func read(_ project: JSONNode, image: ImageLocation?, into output: inout ImporterOutput) {
        let manifest = project["displayTargetFile"]?.text ?? project["targetFile"]?.text
        for vulnerability in project["vulnerabilities"]?.array ?? [] {
            output.findings.append(finding(vulnerability, project: project, manifest: manifest, image: image, ignore: nil, tool: output.tool))
        }
        for ignored in project["filtered", "ignore"]?.array ?? [] {
            let reason = ignored["filtered", "ignored"]?.array.first?["reason"]?.text
            output.findings.append(finding(ignored, project: project, manifest: manifest, image: image, ignore: reason ?? "", tool: output.tool))
        }
    }

    private func finding(
        _ item: JSONNode, project: JSONNode, manifest: String?, image: ImageLocation?, ignore: String?, tool: ToolInfo
    ) -> Finding {
        let id = item["id"]?.text ?? "unknown"
        let name = item["packageName"]?.text ?? item["name"]?.text ?? item["moduleName"]?.text ?? "unknown"
        let version = item["version"]?.text
        let path = item["from"]?.strings ?? []
        let isLicense = item["type"]?.string == "license"
        let identifiers = item["identifiers"]
        let ids = (identifiers?["CVE"]?.strings ?? []) + (identifiers?["GHSA"]?.strings ?? []) + [id]
        let severityText = item["severityWithCritical"]?.text ?? item["severity"]?.text
        var cvss: [CVSSScore] = []
        if let score = CVSSScore(vector: item["CVSSv3"]?.text, score: item["cvssScore"]?.double, source: "snyk") { cvss.append(score) }
        for detail in item["cvssDetails"]?.array ?? [] {
            if let score = CVSSScore(vector: detail["cvssV3Vector"]?.text, score: detail["cvssV3BaseScore"]?.double, source: detail["assigner"]?.text)
            {
                cvss.append(score)
            }
        }
        // The last step of the upgrade path that names a version: what to upgrade the direct dependency to.
        let upgrade = (item["upgradePath"]?.array ?? []).compactMap(\.string).last
        var remediation = item["isUpgradable"]?.bool == true ? upgrade.map { "Upgrade to \($0)" } : nil
        if remediation == nil, let fixed = item["fixedIn"]?.strings, !fixed.isEmpty {
            remediation = "Upgrade \(name) to \(fixed.joined(separator: " or "))"
        }
        var description = [item["description"]?.text].compactMap { $0 }
        if path.count > 1 { description.append("Introduced through: " + path.joined(separator: " > ")) }
        // Snyk Container names OS package managers with the release ("deb:12").
        let ecosystem = (item["packageManager"]?.text ?? project["packageManager"]?.text).map { String($0.split(separator: ":").first ?? "") }
        var finding = Finding(
            category: image != nil ? .container : .sca, tool: tool, ruleID: id,
            title: item["title"]?.text.map { "\($0) in \(name)" } ?? "\(id) in \(name)", description: description.joined(separator: "\n\n").nonBlank,
            toolSeverity: severityText, severity: .from(tool: severityText, score: cvss.first?.score),
            cwes: CWE.parseAll(identifiers?["CWE"]?.strings ?? []), vulnerabilityIDs: isLicense ? [] : .parsing(ids), cvss: cvss,
            location: .package(
                packageLocation(
                    name: name, version: version, ecosystem: ecosystem, fixedVersions: item["fixedIn"]?.strings ?? [],
                    relation: path.count > 2 ? .transitive : path.count == 2 ? .direct : nil, manifestPath: image == nil ? manifest : nil,
                    image: image)),
            remediation: remediation, references: (item["references"]?.array ?? []).compactMap { $0["url"]?.text },
            tags: isLicense ? ["license"] : [], suppression: ignore.map { Suppression(kind: .external, justification: $0.nonBlank) },
            raw: .json(item))
        // "Not Defined", "Unproven", "Proof of Concept", "Functional", "High".
        finding.exploitMaturity = item["exploit"]?.text.flatMap(ExploitMaturity.init(toolText:))
        return finding
    }
}
