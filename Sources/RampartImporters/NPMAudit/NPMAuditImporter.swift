import Foundation
import RampartCore

/// `npm audit --json`: npm 6 (`advisories` keyed by id, with `findings[].paths`) and npm 7+
/// (`auditReportVersion: 2`, `vulnerabilities` keyed by package with `via` advisories).
/// An `error` object (no lock file, registry failure) is a tool error: nothing is closed.
struct NPMAuditImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "npm-audit-json", name: "npm audit JSON", tool: "npm audit", category: .sca, syntax: .json,
        notes: "npm 6 advisories and npm 7+ vulnerabilities (auditReportVersion 2); pnpm audit and Yarn 2-3 write the npm 6 form",
        defectDojoScanTypes: ["NPM Audit Scan", "NPM Audit v7+ Scan", "pnpm Audit Scan", "Yarn Audit Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if root["auditReportVersion"] != nil { return .certain }
        if root["advisories"]?.isObject == true && (root["metadata"] != nil || root["actions"] != nil) { return .likely }
        if let error = root["error"], error["code"] != nil && error["summary"] != nil { return .possible }
        if let vulnerabilities = root["vulnerabilities"], vulnerabilities.isObject, let first = vulnerabilities.entries.first?.value {
            return first["via"] != nil && first["severity"] != nil ? .likely : nil
        }
        return nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "npm audit"))
        if let error = root["error"] {
            output.toolReportedError = true
            output.diagnostics.append(
                Diagnostic("npm audit reported an error: \(error["code"]?.text ?? "unknown") \(error["summary"]?.text ?? "")", at: error.position))
        }
        if let advisories = root["advisories"], advisories.isObject {
            readVersion6(advisories, into: &output)
        } else if let vulnerabilities = root["vulnerabilities"], vulnerabilities.isObject {
            readVersion7(vulnerabilities, into: &output)
        }
        return output
    }

    /// "Prototype Pollution in lodash", not "... in lodash in lodash".
    static func title(_ advisoryTitle: String, package: String) -> String {
        advisoryTitle.lowercased().contains(package.lowercased()) ? advisoryTitle : "\(advisoryTitle) in \(package)"
    }

    private func readVersion6(_ advisories: JSONNode, into output: inout ImporterOutput) {
        for (key, advisory) in advisories.entries {
            let findings = advisory["findings"]?.array ?? []
            output.findings.append(
                Self.advisoryFinding(
                    advisory, key: key, versions: findings.compactMap { $0["version"]?.text }, paths: findings.flatMap { $0["paths"]?.strings ?? [] },
                    manifest: "package-lock.json", tool: output.tool))
        }
    }

    /// One npm registry advisory (npm 6's `advisories` entries, Yarn classic's `auditAdvisory`
    /// lines) about the package it names, installed at `versions`, reached through `paths`.
    static func advisoryFinding(_ advisory: JSONNode, key: String, versions: [String], paths: [String], manifest: String, tool: ToolInfo) -> Finding {
        let module = advisory["module_name"]?.text ?? key
        let id = advisory["github_advisory_id"]?.text ?? advisory["id"]?.text ?? key
        let ids = [advisory["github_advisory_id"]?.text].compactMap { $0 } + (advisory["cves"]?.strings ?? [])
        let severityText = advisory["severity"]?.text
        let direct = paths.contains { !$0.contains(">") }
        var description = [advisory["overview"]?.text].compactMap { $0 }
        if !paths.isEmpty { description.append("Paths:\n" + paths.prefix(20).map { "- \($0)" }.joined(separator: "\n")) }
        return Finding(
            category: .sca, tool: tool, ruleID: id, title: title(advisory["title"]?.text ?? id, package: module),
            description: description.joined(separator: "\n\n").nonBlank, toolSeverity: severityText,
            severity: .from(tool: severityText, default: .medium), cwes: CWE.parseAll(advisory["cwe"]?.strings ?? []),
            vulnerabilityIDs: .parsing(ids),
            cvss: CVSSScore(vector: advisory["cvss", "vectorString"]?.text, score: advisory["cvss", "score"]?.double).map { [$0] } ?? [],
            location: .package(
                packageLocation(
                    name: module, version: versions.first, ecosystem: "npm", fixedVersions: advisory["patched_versions"]?.text.map { [$0] } ?? [],
                    relation: paths.isEmpty ? nil : (direct ? .direct : .transitive), manifestPath: manifest)),
            remediation: advisory["recommendation"]?.text,
            references: [advisory["url"]?.text].compactMap { $0 }
                + (advisory["references"]?.text?.split(separator: "\n").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "- ")) } ?? []),
            raw: .json(advisory))
    }

    private func readVersion7(_ vulnerabilities: JSONNode, into output: inout ImporterOutput) {
        var throughOthers = 0
        for (packageName, entry) in vulnerabilities.entries {
            let advisories = (entry["via"]?.array ?? []).filter(\.isObject)
            if advisories.isEmpty {
                throughOthers += 1
                continue
            }
            let fix = entry["fixAvailable"]
            let fixedVersion = fix?["version"]?.text.flatMap { fix?["name"]?.text == packageName ? $0 : nil }
            for advisory in advisories {
                let url = advisory["url"]?.text
                let ghsa = url.flatMap { $0.split(separator: "/").last.map(String.init) }.flatMap { VulnerabilityID($0)?.scheme == .ghsa ? $0 : nil }
                let id = ghsa ?? advisory["source"]?.text ?? packageName
                let severityText = advisory["severity"]?.text ?? entry["severity"]?.text
                let cvss = CVSSScore(vector: advisory["cvss", "vectorString"]?.text, score: advisory["cvss", "score"]?.double)
                var tags: [String] = []
                if fix?.bool == false { tags.append("fix:none") }
                if fix?["isSemVerMajor"]?.bool == true { tags.append("fix:semver-major") }
                output.findings.append(
                    Finding(
                        category: .sca, tool: output.tool, ruleID: id,
                        title: NPMAuditImporter.title(advisory["title"]?.text ?? id, package: advisory["name"]?.text ?? packageName),
                        description:
                            "Vulnerable versions: \(advisory["range"]?.text ?? entry["range"]?.text ?? "unknown")\nAffected nodes: \((entry["nodes"]?.strings ?? []).joined(separator: ", "))",
                        toolSeverity: severityText, severity: .from(tool: severityText, score: cvss?.score),
                        cwes: CWE.parseAll(advisory["cwe"]?.strings ?? []),
                        vulnerabilityIDs: .parsing([ghsa].compactMap { $0 }), cvss: cvss.map { [$0] } ?? [],
                        location: .package(
                            packageLocation(
                                name: advisory["name"]?.text ?? packageName, version: nil, ecosystem: "npm",
                                fixedVersions: fixedVersion.map { [$0] } ?? [], relation: entry["isDirect"]?.bool.map { $0 ? .direct : .transitive },
                                manifestPath: "package-lock.json", artifactPath: entry["nodes"]?.strings.first)),
                        remediation: fix?.bool == true
                            ? "Run npm audit fix" : fix?["name"]?.text.map { "Upgrade \($0) to \(fix?["version"]?.text ?? "a fixed version")" },
                        references: [url].compactMap { $0 }, tags: tags, raw: .json(advisory)))
            }
        }
        if throughOthers > 0 {
            output.diagnostics.append(
                Diagnostic("\(throughOthers) package(s) are vulnerable only through dependencies reported as their own findings", level: .note))
        }
    }
}
