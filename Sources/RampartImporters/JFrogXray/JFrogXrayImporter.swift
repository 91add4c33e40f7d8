import Foundation
import RampartCore

/// JFrog Xray's JSON, in the four shapes Xray writes:
/// - the unified Vulnerabilities report export (`rows[]`, one per issue, component and artifact),
/// - the REST `summary/artifact` answer (`artifacts[].issues[]` with impact paths),
/// - the CLI's on-demand binary scan (`jf scan --format simple-json`'s predecessor: a list of
///   scans, each `vulnerabilities[].components{id: {fixed_versions, impact_paths}}`),
/// - the older violations/issues listing (`total_count`, `data[]` with `component_versions`).
///
/// One finding per issue and vulnerable component. Xray names a component by its own id
/// (`pypi://sqlparse:0.4.3`, `gav://group:artifact:1.0`, `deb://debian:bookworm:libc6:2.36-9`),
/// read here into name, version and ecosystem; an impacted Docker artifact is the image.
struct JFrogXrayImporter: ReportImporter {
    let info = FormatInfo(
        id: "jfrog-xray-json", name: "JFrog Xray JSON", tool: "JFrog Xray", category: .sca, syntax: .json,
        notes: "vulnerable components (Xray id, CVEs, CVSS v2/v3, CWE, fixed versions, impact path); unified report, summary API, on-demand scan",
        defectDojoScanTypes: [
            "JFrog Xray Unified Scan", "JFrog Xray API Summary Artifact Scan", "JFrog Xray On Demand Binary Scan", "JFrog Xray Scan",
        ])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        if root.isArray {
            guard let first = root.array.first, first.isObject else { return nil }
            return first["scan_id"] != nil && first["vulnerabilities"] != nil && first["component_id"] != nil ? .certain : nil
        }
        if let rows = root["rows"], rows.isArray, root["total_rows"] != nil {
            guard let first = rows.array.first else { return .likely }
            return first["vulnerable_component"] != nil || first["issue_id"] != nil ? .certain : nil
        }
        if let artifacts = root["artifacts"], artifacts.isArray {
            guard let first = artifacts.array.first else { return .possible }
            return first["general"] != nil && first["issues"] != nil ? .certain : nil
        }
        if let data = root["data"], data.isArray, root["total_count"] != nil {
            guard let first = data.array.first else { return .possible }
            return first["source_comp_id"] != nil || first["component_versions"] != nil ? .certain : nil
        }
        return nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "JFrog Xray"))
        if root.isArray {
            for scan in root.array {
                for vulnerability in scan["vulnerabilities"]?.array ?? [] {
                    for (componentID, component) in vulnerability["components"]?.entries ?? [] {
                        let paths = (component["impact_paths"]?.array.first?.array ?? []).compactMap { $0["component_id"]?.text }
                        output.findings.append(
                            finding(
                                vulnerability, component: Self.component(componentID), fixed: component["fixed_versions"]?.strings ?? [],
                                cves: vulnerability["cves"]?.array ?? [], impactPath: paths, artifact: scan["component_id"]?.text, tool: output.tool))
                    }
                }
            }
        } else if let rows = root["rows"] {
            for row in rows.array {
                output.findings.append(
                    finding(
                        row, component: Self.component(row["vulnerable_component"]?.text ?? "unknown"), fixed: row["fixed_versions"]?.strings ?? [],
                        cves: row["cves"]?.array ?? [], impactPath: row["impact_path"]?.strings ?? [], artifact: row["impacted_artifact"]?.text,
                        tool: output.tool))
            }
        } else if let artifacts = root["artifacts"] {
            for artifact in artifacts.array {
                let general = artifact["general"]
                let artifactID = general?["component_id"]?.text.map { general?["pkg_type"]?.text?.lowercased() == "docker" ? "docker://\($0)" : $0 }
                for issue in artifact["issues"]?.array ?? [] where issue["issue_type"]?.string ?? "security" == "security" {
                    // Each impact path ends at the vulnerable component, `.../3.12:busybox:1.31.1-r20`.
                    let paths = issue["impact_path"]?.strings ?? []
                    let components =
                        paths.isEmpty ? [general?["component_id"]?.text ?? "unknown"] : paths.map { String($0.split(separator: "/").last ?? "") }
                    for component in components.uniqued() {
                        output.findings.append(
                            finding(
                                issue, component: Self.component(component, type: general?["pkg_type"]?.text),
                                fixed: issue["fixed_versions"]?.strings ?? [],
                                cves: issue["cves"]?.array ?? [], impactPath: paths, artifact: artifactID, tool: output.tool))
                    }
                }
            }
        } else if let data = root["data"] {
            for item in data.array {
                let versions = item["component_versions"]
                output.findings.append(
                    finding(
                        item, component: Self.component(item["source_comp_id"]?.text ?? item["component"]?.text ?? "unknown"),
                        fixed: versions?["fixed_versions"]?.strings ?? [], cves: versions?["more_details", "cves"]?.array ?? [], impactPath: [],
                        artifact: nil,
                        tool: output.tool))
            }
        }
        return output
    }

    private func finding(
        _ record: JSONNode, component: (name: String, version: String?, ecosystem: String?), fixed: [String], cves: [JSONNode], impactPath: [String],
        artifact: String?, tool: ToolInfo
    ) -> Finding {
        let issueID = record["issue_id"]?.text?.nonBlank ?? record["id"]?.text?.nonBlank
        let cveIDs = cves.compactMap { $0["cve"]?.text?.nonBlank }
        let ids = [VulnerabilityID].parsing(cveIDs + [issueID].compactMap { $0 })
        var scores: [CVSSScore] = []
        for cve in cves {
            for (vectorKey, scoreKey) in [("cvss_v3_vector", "cvss_v3_score"), ("cvss_v2_vector", "cvss_v2_score")] {
                if let score = CVSSScore(
                    vector: cve[vectorKey]?.text, score: cve[scoreKey]?.double ?? cve[scoreKey]?.text.flatMap(Double.init), source: "JFrog")
                {
                    scores.append(score)
                }
            }
            // `7.2/CVSS:3.1/AV:N/...`: the score, then the vector.
            for key in ["cvss_v3", "cvss_v2"] {
                guard let text = cve[key]?.text, let slash = text.firstIndex(of: "/") else { continue }
                if let score = CVSSScore(vector: String(text[text.index(after: slash)...]), score: Double(text[..<slash]), source: "JFrog") {
                    scores.append(score)
                }
            }
        }
        let cwes = CWE.parseAll(cves.flatMap { $0["cwe"]?.strings ?? [] })
        // `[0.4.4]`, `≥ 4.15.0-117.118`, `[1.2, 1.3)`: the first version named.
        let fixedVersions = fixed.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "[]() ≥>=")) }.filter { !$0.isEmpty }
        let severity = record["severity"]?.text
        let summary = record["summary"]?.text
        let image = artifact.flatMap { $0.hasPrefix("docker://") ? ImageLocation(reference: String($0.dropFirst("docker://".count))) : nil }
        var description = [summary, record["description"]?.text].compactMap { $0 }.uniqued()
        if !impactPath.isEmpty { description.append("Impact path:\n" + impactPath.joined(separator: "\n")) }
        if let artifact, image == nil { description.append("Artifact: \(artifact)") }
        return Finding(
            category: image == nil ? .sca : .container, tool: tool, ruleID: ids.canonical?.value ?? issueID ?? summary ?? "xray",
            title: "\(ids.canonical?.value ?? issueID ?? "Vulnerability") in \(component.name)",
            description: description.joined(separator: "\n\n").nonBlank,
            toolSeverity: severity, severity: .from(tool: severity, score: scores.first?.score, default: .medium), cwes: cwes, vulnerabilityIDs: ids,
            cvss: scores,
            location: .package(
                packageLocation(
                    name: component.name, version: component.version, ecosystem: component.ecosystem, fixedVersions: fixedVersions, image: image)),
            remediation: fixedVersions.isEmpty ? nil : "Upgrade \(component.name) to \(fixedVersions.joined(separator: " or "))",
            references: record["references"]?.strings ?? [], raw: .json(record))
    }

    /// An Xray component id: `type://` and the type's own parts, the version last.
    static func component(_ id: String, type: String? = nil) -> (name: String, version: String?, ecosystem: String?) {
        var scheme = type?.lowercased()
        var rest = Substring(id)
        if let range = id.range(of: "://") {
            scheme = String(id[..<range.lowerBound]).lowercased()
            rest = id[range.upperBound...]
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let ecosystems = [
            "pypi": "pypi", "npm": "npm", "gav": "maven", "maven": "maven", "go": "golang", "nuget": "nuget", "rpm": "rpm", "deb": "deb",
            "alpine": "apk", "composer": "composer", "gem": "rubygems", "cargo": "cargo", "conan": "conan", "cocoapods": "cocoapods",
        ]
        let ecosystem = scheme.flatMap { ecosystems[$0] }
        switch scheme {
        case "deb" where parts.count >= 4:
            // distribution:release:name:version, the version with its epoch.
            return (parts[2], parts[3...].joined(separator: ":"), ecosystem)
        case "rpm" where parts.count >= 4:
            // release:name:epoch:version
            return (
                parts[1], parts[2] == "0" || parts[2].isEmpty ? parts[3...].joined(separator: ":") : parts[2...].joined(separator: ":"), ecosystem
            )
        case "alpine" where parts.count >= 3, "docker" where parts.count >= 3:
            return (parts[parts.count - 2], parts[parts.count - 1], ecosystem)
        default:
            guard parts.count >= 2 else { return (String(rest), nil, ecosystem) }
            // An image layer's OS package: `3.12:busybox:1.31.1-r20`.
            if scheme == "docker", parts.count == 3 { return (parts[1], parts[2], nil) }
            return (parts.dropLast().joined(separator: ":"), parts.last, ecosystem)
        }
    }
}
