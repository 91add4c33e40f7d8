import Foundation
import RampartCore

/// Mend (formerly WhiteSource) SCA JSON:
/// - the platform API 3.0 findings (`/api/v3.0/projects/{uuid}/dependencies/findings/security`:
///   `response[]` with component, vulnerability, top fix and finding status),
/// - the legacy vulnerability report (`vulnerabilities[]` with the library and its locations).
/// One finding per vulnerability and library. Findings Mend marks ignored are kept as accepted.
struct MendImporter: ReportImporter {
    let info = FormatInfo(
        id: "mend-json", name: "Mend SCA JSON", tool: "Mend", category: .sca, syntax: .json,
        notes: "library vulnerabilities (CVE or WS id, CVSS 3 vector, top fix, dependency type); API 3.0 and legacy report",
        defectDojoScanTypes: ["Mend Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if let response = root["response"], response.isArray, root["supportToken"] != nil {
            guard let first = response.array.first else { return .likely }
            return first["vulnerability"] != nil && first["component"] != nil ? .certain : nil
        }
        guard let vulnerabilities = root["vulnerabilities"], vulnerabilities.isArray, root.entries.count == 1 else { return nil }
        // An empty legacy report is `{"vulnerabilities": []}`: Mend's shape, but not only Mend's.
        guard let first = vulnerabilities.array.first else { return .possible }
        return first["library"] != nil && (first["product"] != nil || first["project"] != nil) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Mend"))
        var removed = 0
        for item in root["response"]?.array ?? [] {
            // A removed library's vulnerability is gone with it.
            let status = item["findingInfo", "status"]?.text?.uppercased()
            if status == "LIBRARY_REMOVED" || status == "RESOLVED" {
                removed += 1
                continue
            }
            let component = item["component"]
            let vulnerability = item["vulnerability"]
            let id = vulnerability?["name"]?.text ?? item["name"]?.text ?? "vulnerability"
            let name =
                component?["groupId"]?.text.flatMap { group in component?["artifactId"]?.text.map { $0 == group ? group : "\(group):\($0)" } }
                ?? component?["name"]?.text ?? "library"
            var finding = makeFinding(
                id: id, name: name, version: component?["version"]?.text, libraryType: component?["libraryType"]?.text,
                description: vulnerability?["description"]?.text, severity: vulnerability?["severity"]?.text,
                score: vulnerability?["score"]?.double ?? vulnerability?["score"]?.text.flatMap(Double.init),
                vector: item["scoreMetadataVector"]?.text,
                fix: item["topFix"], manifest: component?["path"]?.text, direct: component?["dependencyType"]?.text, raw: .json(item),
                tool: output.tool)
            if status == "IGNORED" {
                finding.suppression = Suppression(
                    kind: .accepted, justification: item["findingInfo", "comment", "comment"]?.text ?? "ignored in Mend")
            }
            output.findings.append(finding)
        }
        if removed > 0 {
            output.diagnostics.append(Diagnostic("\(removed) finding(s) of removed libraries or resolved are not findings", level: .note))
        }
        for item in root["vulnerabilities"]?.array ?? [] {
            let library = item["library"]
            let name =
                library?["groupId"]?.text.flatMap { group in library?["artifactId"]?.text.map { "\(group):\($0)" } } ?? library?["name"]?.text
                ?? "library"
            let score = item["cvss3_score"]?.text.flatMap(Double.init) ?? item["score"]?.text.flatMap(Double.init)
            output.findings.append(
                makeFinding(
                    id: item["name"]?.text ?? "vulnerability", name: name, version: library?["version"]?.text, libraryType: library?["type"]?.text,
                    description: item["description"]?.text, severity: item["cvss3_severity"]?.text ?? item["severity"]?.text, score: score,
                    vector: item["scoreMetadataVector"]?.text, fix: item["topFix"],
                    manifest: item["locations"]?.array.first?["path"]?.text ?? library?["filename"]?.text, direct: nil, raw: .json(item),
                    tool: output.tool))
        }
        return output
    }

    private func makeFinding(
        id: String, name: String, version: String?, libraryType: String?, description: String?, severity: String?, score: Double?, vector: String?,
        fix: JSONNode?, manifest: String?, direct: String?, raw: RawEvidence, tool: ToolInfo
    ) -> Finding {
        let ecosystems = [
            "MAVEN_ARTIFACT": "maven", "JAVA_ARCHIVE": "maven", "NPM_PACKAGE": "npm", "GO_PACKAGE": "golang", "PYTHON_PACKAGE": "pypi",
            "NUGET_PACKAGE": "nuget", "RUBY_GEM": "rubygems", "PHP_PACKAGE": "composer", "RUST_PACKAGE": "cargo",
        ]
        let resolution = fix?["fixResolution"]?.text
        let remediation = [fix?["message"]?.text, resolution].compactMap { $0 }.joined(separator: ": ").nonBlank
        return Finding(
            category: .sca, tool: tool, ruleID: id, title: "\(id) | \(name)", description: description, toolSeverity: severity,
            severity: .from(tool: severity, score: score, default: .medium), vulnerabilityIDs: .parsing([id]),
            cvss: CVSSScore(vector: vector, score: score, source: "Mend").map { [$0] } ?? [],
            location: .package(
                packageLocation(
                    name: name, version: version, ecosystem: libraryType.flatMap { ecosystems[$0] },
                    relation: direct.map { $0.lowercased().hasPrefix("direct") ? .direct : .transitive }, manifestPath: manifest)),
            remediation: remediation, references: [fix?["url"]?.text].compactMap { $0 }, raw: raw)
    }
}
