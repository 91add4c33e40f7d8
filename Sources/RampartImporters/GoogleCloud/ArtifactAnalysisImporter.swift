import Foundation
import RampartCore

/// Google Cloud Artifact Analysis: the vulnerabilities it found in a container image, as
/// `gcloud artifacts docker images describe IMAGE --show-package-vulnerability --format=json`
/// writes them (`package_vulnerability_summary.vulnerabilities`, grouped by severity), as
/// `gcloud artifacts docker images list-vulnerabilities --format=json` writes them (an array of
/// occurrences), or as the Container Analysis API lists them (`{"occurrences": [...]}`). Each
/// occurrence is a Grafeas `VULNERABILITY` occurrence: its note names the advisory, and each
/// package issue a vulnerable package of the image (OS packages and language packages alike).
struct ArtifactAnalysisImporter: ReportImporter {
    let info = FormatInfo(
        id: "gcloud-artifact-analysis-json", name: "Google Cloud Artifact Analysis JSON", tool: "Google Cloud Artifact Analysis",
        category: .container, syntax: .json,
        notes:
            "image vulnerability occurrences (gcloud describe and list-vulnerabilities, Container Analysis API) with CVSS, fix versions and file paths",
        defectDojoScanTypes: ["Google Cloud Artifact Vulnerability Scan"])

    /// The report's occurrences, and the image the report describes when it names one.
    static func occurrences(_ root: JSONNode) -> [JSONNode]? {
        if let groups = root["package_vulnerability_summary", "vulnerabilities"], groups.isObject { return groups.entries.flatMap(\.value.array) }
        let list = root.isArray ? root.array : root["occurrences"]?.array
        guard let list, let first = list.first, first["kind"]?.text == "VULNERABILITY", first["vulnerability"]?.isObject == true else { return nil }
        return list
    }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        if root.isObject, root["package_vulnerability_summary"] != nil, root["image_summary"] != nil { return .certain }
        return Self.occurrences(root).map { _ in .certain }
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, let occurrences = Self.occurrences(root) else {
            throw ImportError.content("expected Artifact Analysis vulnerability occurrences")
        }
        var output = ImporterOutput(tool: ToolInfo(name: "Google Cloud Artifact Analysis"))
        let described = (root.isObject ? root["image_summary", "fully_qualified_digest"]?.text : nil).map(Self.image)
        var images: Set<String> = []
        for occurrence in occurrences {
            let named = occurrence["resourceUri"]?.text.map(Self.image)
            if let named { images.insert(named.name) }
            guard occurrence["kind"]?.text ?? "VULNERABILITY" == "VULNERABILITY", let vulnerability = occurrence["vulnerability"] else { continue }
            let image = named ?? described
            let id =
                occurrence["noteName"]?.text.flatMap { $0.split(separator: "/").last.map(String.init) } ?? vulnerability["shortDescription"]?.text
                ?? "unknown"
            let cvss = Self.cvss(vulnerability)
            let issues = vulnerability["packageIssue"]?.array ?? []
            if issues.isEmpty {
                output.diagnostics.append(Diagnostic("the occurrence of \(id) names no package and was skipped", at: occurrence.position))
            }
            for issue in issues {
                let name = issue["affectedPackage"]?.text ?? "unknown"
                let version = issue["affectedVersion", "fullName"]?.text ?? issue["affectedVersion", "name"]?.text
                // A fixed version of kind MAXIMUM means that no version fixes it.
                let fixed =
                    issue["fixedVersion", "kind"]?.text == "MAXIMUM"
                    ? nil : issue["fixedVersion", "fullName"]?.text ?? issue["fixedVersion", "name"]?.text
                let path = issue["fileLocation"]?.array.first?["filePath"]?.text
                let severityText = issue["effectiveSeverity"]?.text ?? vulnerability["effectiveSeverity"]?.text ?? vulnerability["severity"]?.text
                output.findings.append(
                    Finding(
                        category: .container, tool: output.tool, ruleID: id, title: "\(id) in \(name)",
                        description: vulnerability["longDescription"]?.text?.nonBlank, toolSeverity: severityText,
                        severity: Self.severity(severityText, score: cvss.first?.score), vulnerabilityIDs: .parsing([id]), cvss: cvss,
                        location: .package(
                            packageLocation(
                                name: name, version: version, ecosystem: Self.ecosystem(issue), fixedVersions: fixed.map { [$0] } ?? [],
                                manifestPath: path.flatMap { isManifestFile($0) ? $0 : nil },
                                artifactPath: path.flatMap { isManifestFile($0) ? nil : $0 },
                                image: image)),
                        remediation: fixed.map { "Upgrade \(name) to \($0)" },
                        references: (vulnerability["relatedUrls"]?.array ?? []).compactMap { $0["url"]?.text },
                        raw: .json(occurrence)))
            }
        }
        // The image scanned: the one described, else the one every occurrence is of.
        if let target = described?.name ?? (images.count == 1 ? images.first : nil) { output.scope = ScanScope(kind: "image", target: target) }
        return output
    }

    /// Grafeas severities; MINIMAL is below low, and an unspecified one falls back to the score.
    static func severity(_ text: String?, score: Double?) -> Severity {
        switch text?.uppercased() {
        case "MINIMAL": .info
        case nil, "SEVERITY_UNSPECIFIED": .from(tool: nil, score: score, default: .info)
        default: .from(tool: text, score: score)
        }
    }

    /// OS packages are named by the image's distribution (the CPE's vendor); others by their type.
    static func ecosystem(_ issue: JSONNode) -> String? {
        let type = issue["packageType"]?.text
        guard type == nil || type == "OS" else { return type == "GO_STDLIB" ? "go" : type }
        let cpe = issue["affectedCpeUri"]?.text?.split(separator: ":", omittingEmptySubsequences: false) ?? []
        return cpe.count > 2 ? String(cpe[2]) : nil
    }

    /// The CVSS v3 rating: the vector NIST's text names (`NIST vectors: CVSS:3.1/...`), else the
    /// one the metric fields spell; and the v2 score when that is all there is.
    static func cvss(_ vulnerability: JSONNode) -> [CVSSScore] {
        let written = vulnerability["longDescription"]?.text.flatMap { text in
            text.range(of: "CVSS:3.[01]/[A-Z:/]+", options: .regularExpression).map { String(text[$0]) }
        }
        var ratings: [CVSSScore] = []
        if let v3 = vulnerability["cvssv3"], v3.isObject {
            if let rating = CVSSScore(vector: written ?? spelled(v3), score: v3["baseScore"]?.double ?? vulnerability["cvssScore"]?.double) {
                ratings.append(rating)
            }
        } else if vulnerability["cvssVersion"]?.text == "CVSS_VERSION_3",
            let rating = CVSSScore(vector: written, score: vulnerability["cvssScore"]?.double)
        {
            ratings.append(rating)
        }
        if ratings.isEmpty,
            let rating = CVSSScore(vector: nil, score: vulnerability["cvssV2", "baseScore"]?.double ?? vulnerability["cvssScore"]?.double)
        {
            ratings.append(rating)
        }
        return ratings
    }

    /// A v3.1 vector from Grafeas' metric enums (`ATTACK_VECTOR_NETWORK`...); nil when one is missing.
    static func spelled(_ v3: JSONNode) -> String? {
        let impact = ["NONE": "N", "LOW": "L", "HIGH": "H"]
        let metrics: [(key: String, field: String, prefix: String, values: [String: String])] = [
            ("AV", "attackVector", "ATTACK_VECTOR_", ["NETWORK": "N", "ADJACENT": "A", "ADJACENT_NETWORK": "A", "LOCAL": "L", "PHYSICAL": "P"]),
            ("AC", "attackComplexity", "ATTACK_COMPLEXITY_", ["LOW": "L", "HIGH": "H"]),
            ("PR", "privilegesRequired", "PRIVILEGES_REQUIRED_", impact),
            ("UI", "userInteraction", "USER_INTERACTION_", ["NONE": "N", "REQUIRED": "R"]),
            ("S", "scope", "SCOPE_", ["UNCHANGED": "U", "CHANGED": "C"]), ("C", "confidentialityImpact", "IMPACT_", impact),
            ("I", "integrityImpact", "IMPACT_", impact), ("A", "availabilityImpact", "IMPACT_", impact),
        ]
        var parts = ["CVSS:3.1"]
        for metric in metrics {
            guard let text = v3[metric.field]?.text, text.hasPrefix(metric.prefix),
                let value = metric.values[String(text.dropFirst(metric.prefix.count))]
            else { return nil }
            parts.append("\(metric.key):\(value)")
        }
        return parts.joined(separator: "/")
    }

    /// The image a resource URI names (`https://REGISTRY/PATH@sha256:...`).
    static func image(_ uri: String) -> ImageLocation {
        for scheme in ["https://", "http://"] where uri.hasPrefix(scheme) { return ImageLocation(reference: String(uri.dropFirst(scheme.count))) }
        return ImageLocation(reference: uri)
    }
}
