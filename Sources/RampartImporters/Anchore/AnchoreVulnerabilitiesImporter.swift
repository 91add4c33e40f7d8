import Foundation
import RampartCore

/// Anchore's image vulnerability reports: Anchore Engine's (`anchore-cli --json image vuln IMAGE
/// all`, snake_case fields), AnchoreCTL's (`anchorectl image vulnerabilities -o json`, the same
/// fields in camelCase, as an array or under `vulnerabilities`), and Anchore Enterprise's
/// export (`metadata` and `securityEvaluation`). Anchore writes the string "None" for absent
/// values.
struct AnchoreVulnerabilitiesImporter: ReportImporter {
    let info = FormatInfo(
        id: "anchore-vulnerabilities-json", name: "Anchore image vulnerabilities JSON", tool: "Anchore", category: .container, syntax: .json,
        notes: "Anchore Engine, AnchoreCTL and Enterprise exports: OS and language packages with fix, feed, CVSS and package path",
        defectDojoScanTypes: ["Anchore Engine Scan", "AnchoreCTL Vuln Report"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        if root.isObject, root["securityEvaluation"]?.isArray == true { return .certain }
        let records = root.isArray ? root : root["vulnerabilities"]
        guard let first = records?.array.first else {
            return root.isObject && root["imageDigest"] != nil && root["vulnerability_type"] != nil ? .certain : nil
        }
        return first["vuln"] != nil && (first["feed_group"] != nil || first["feedGroup"] != nil) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "Anchore"))
        var image: ImageLocation?
        if let metadata = root["metadata"], let repository = metadata["repository"]?.text {
            let registry = metadata["registry"]?.text.flatMap { $0 == "docker.io" ? nil : $0 }
            image = ImageLocation(
                reference: [registry, repository].compactMap { $0 }.joined(separator: "/") + (metadata["tag"]?.text.map { ":\($0)" } ?? ""))
            image?.digest = metadata["imageDigest"]?.text
        } else if let digest = root["imageDigest"]?.text {
            // Engine's report names the image by digest only, which every build changes: no place to key findings on.
            output.diagnostics.append(Diagnostic("the report names its image by digest only (\(digest)); pass --component to place it", level: .note))
        }
        if let image { output.scope = ScanScope(kind: "image", target: image.name) }
        let records = root["securityEvaluation"]?.array ?? (root.isArray ? root.array : root["vulnerabilities"]?.array ?? [])
        for record in records { output.findings.append(finding(record, image: image, tool: output.tool)) }
        return output
    }

    /// A field by its snake_case or camelCase name, "None" and blank read as absent.
    static func field(_ record: JSONNode, _ snake: String, _ camel: String) -> String? {
        guard let text = record[snake]?.text ?? record[camel]?.text, text != "None" else { return nil }
        return text.nonBlank
    }

    private func finding(_ record: JSONNode, image: ImageLocation?, tool: ToolInfo) -> Finding {
        let id = Self.field(record, "vuln", "vulnerabilityId") ?? "unknown"
        var name = Self.field(record, "package_name", "packageName")
        var version = Self.field(record, "package_version", "packageVersion")
        if name == nil, let combined = Self.field(record, "package", "package") {
            // Enterprise exports name and version as one "name-version".
            (name, version) = Self.split(combined)
        }
        let path = Self.field(record, "package_path", "packagePath") ?? record["path"]?.text.flatMap { $0 == "None" ? nil : $0 }
        let fix = Self.field(record, "fix", "fixAvailable")
        let fixedVersions = fix.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? []
        let severityText = Self.field(record, "severity", "severity")
        var cvss: [CVSSScore] = []
        for (key, source) in [("nvd_data", "nvd"), ("nvdData", "nvd"), ("vendor_data", "vendor"), ("vendorData", "vendor")] {
            for data in record[key]?.array ?? [] {
                let v3 = data["cvss_v3"] ?? data["cvssV3"]
                if let score = CVSSScore(
                    vector: v3?["vector_string"]?.text ?? v3?["vectorString"]?.text, score: v3?["base_score"]?.double ?? v3?["baseScore"]?.double,
                    source: source)
                {
                    cvss.append(score)
                }
            }
        }
        if cvss.isEmpty, let score = CVSSScore(vector: nil, score: record["nvdCvssBaseScore"]?.double, source: "nvd") { cvss.append(score) }
        let type = Self.field(record, "package_type", "packageType")
        let ids = [id] + (record["cves"]?.text.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? [])
        let packageName = name ?? "unknown"
        return Finding(
            category: .container, tool: tool, ruleID: [VulnerabilityID].parsing(ids).canonical?.value ?? id, title: "\(id) in \(packageName)",
            description: [
                Self.field(record, "feed_group", "feedGroup").map { "Feed group: \($0)" },
                record["inherited_from_base"]?.bool == true ? "Inherited from the base image" : nil,
            ]
            .compactMap { $0 }.joined(separator: "\n").nonBlank,
            toolSeverity: severityText, severity: .from(tool: severityText == "Unknown" ? nil : severityText, score: cvss.first?.score),
            vulnerabilityIDs: .parsing(ids), cvss: cvss,
            location: .package(
                packageLocation(
                    name: packageName, version: version, ecosystem: type.map(Self.ecosystem), purl: record["purl"]?.text,
                    fixedVersions: fixedVersions,
                    artifactPath: path.flatMap { $0 == "pkgdb" ? nil : $0 }, image: image)),
            remediation: fix.map { "Upgrade \(packageName) to \($0)" }, references: [Self.field(record, "url", "link")].compactMap { $0 },
            tags: record["will_not_fix"]?.bool == true || record["willNotFix"]?.bool == true ? ["will-not-fix"] : [], raw: .json(record))
    }

    /// "tomcat-annotations-api-9.0.97" → ("tomcat-annotations-api", "9.0.97"); an OS package's
    /// "openssl-libs-1:1.1.1k-14.el8_6" → ("openssl-libs", "1:1.1.1k-14.el8_6"): the version is
    /// the last dash-separated part, with the one before it when that starts with a digit too
    /// (a Debian revision or an RPM release follows the version).
    static func split(_ combined: String) -> (String, String?) {
        let parts = combined.split(separator: "-", omittingEmptySubsequences: false)
        func numeric(_ part: Substring) -> Bool { part.first.map { $0.isASCII && $0.isNumber } ?? false }
        guard parts.count >= 2, numeric(parts[parts.count - 1]) || parts.count >= 3 && numeric(parts[parts.count - 2]) else { return (combined, nil) }
        let versionParts = parts.count >= 3 && numeric(parts[parts.count - 2]) ? 2 : 1
        return (parts.dropLast(versionParts).joined(separator: "-"), parts.suffix(versionParts).joined(separator: "-"))
    }

    /// Anchore's package types onto ecosystems: dpkg, rpm, apkg; java, python, npm, gem, go, nuget.
    static func ecosystem(_ type: String) -> String {
        switch type.lowercased() {
        case "dpkg": "deb"
        case "apkg": "apk"
        case "java", "java-archive", "maven": "maven"
        case "python": "pypi"
        default: type.lowercased()
        }
    }
}
