import Foundation
import RampartCore

/// Aqua's image scan JSON: the scanner CLI's report (`resources[]`, each package or file with
/// its vulnerabilities and sensitive data), the same wrapped per image (`[{image_name,
/// results}]`, Aqua DevOps), the API v2 scan result (`cves[]`), and the API's paged `result[]`.
/// A package's vulnerability is placed at the package in the image; a file holding sensitive
/// data (a private key, a token) is a secrets finding at the file (Aqua names the kind of
/// secret, never its value). Aqua's own severity comes first, then the vendor's and NVD's.
struct AquaImporter: ReportImporter {
    let info = FormatInfo(
        id: "aqua-json", name: "Aqua image scan JSON", tool: "Aqua", category: .container, syntax: .json,
        notes: "image package vulnerabilities (Aqua, vendor and NVD scores and vectors, fix version, layer) and files with sensitive data",
        defectDojoScanTypes: ["Aqua Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        if root.isArray {
            guard let first = root.array.first, first.isObject else { return nil }
            return first["image_name"] != nil && first["results"] != nil ? .certain : nil
        }
        guard root.isObject else { return nil }
        if root["resources"] != nil, root["image"] != nil || root["digest"] != nil { return .certain }
        if root["cves"] != nil, root["image_name"] != nil, root["cves_counts"] != nil || root["disallowed"] != nil { return .certain }
        if let result = root["result"], result.isArray, root["more_data_all_pages"] != nil { return .certain }
        return nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "Aqua"))
        let scans: [JSONNode] = root.isArray ? root.array.compactMap { $0["results"] } : root["result"]?.array ?? [root]
        for scan in scans {
            let imageName = scan["image"]?.text ?? scan["image_name"]?.text
            var image = imageName.map { ImageLocation(reference: $0) }
            image?.digest = scan["digest"]?.text
            for resource in scan["resources"]?.array ?? [] {
                let item = resource["resource"]
                for vulnerability in resource["vulnerabilities"]?.array ?? [] {
                    output.findings.append(packageFinding(vulnerability, resource: item, image: image, tool: output.tool))
                }
                if let kinds = resource["sensitive_data_items"]?.array.compactMap({ $0["type"]?.text }), !kinds.isEmpty {
                    let path = item?["path"]?.text ?? item?["name"]?.text ?? "file"
                    output.findings.append(
                        Finding(
                            category: .secrets, tool: output.tool, ruleID: "sensitive-data:" + kinds.sorted().joined(separator: ","),
                            title: "Sensitive data in \(item?["name"]?.text ?? path): \(kinds.joined(separator: ", "))",
                            description: "Aqua found \(kinds.joined(separator: ", ")) in \(path)"
                                + (item?["layer"]?.text.map { ", added by layer `\($0)`" } ?? "") + ".",
                            severity: .high, cwes: [798], location: .code(CodeLocation(file: path)),
                            remediation: "Remove the file from the image and rotate the secret", raw: .json(resource)))
                }
            }
            // API v2: `cves[]`, each naming its file and vulnerability.
            for cve in scan["cves"]?.array ?? [] {
                let id = cve["name"]?.text ?? "vulnerability"
                let file = cve["file"]?.text
                let severityText = cve["severity"]?.text
                let score = cve["score"]?.double ?? cve["score"]?.text.flatMap(Double.init)
                output.findings.append(
                    Finding(
                        category: .container, tool: output.tool, ruleID: id, title: "\(id) in \(file ?? imageName ?? "image")",
                        description: cve["description"]?.text, toolSeverity: severityText,
                        severity: .from(tool: severityText, score: score, default: .medium),
                        vulnerabilityIDs: .parsing([id]),
                        cvss: CVSSScore(vector: nil, score: score, source: cve["score_version"]?.text).map { [$0] } ?? [],
                        location: .package(
                            packageLocation(
                                name: file.map { String($0.split(separator: "/").last ?? Substring($0)) } ?? id, version: nil, ecosystem: nil,
                                fixedVersions: [cve["fix_version"]?.text].compactMap { $0?.nonBlank }, artifactPath: file, image: image)),
                        remediation: cve["solution"]?.text, references: [cve["url"]?.text].compactMap { $0 }, raw: .json(cve)))
            }
        }
        return output
    }

    private func packageFinding(_ vulnerability: JSONNode, resource: JSONNode?, image: ImageLocation?, tool: ToolInfo) -> Finding {
        let id = vulnerability["name"]?.text ?? "vulnerability"
        let name = resource?["name"]?.text ?? "package"
        var scores: [CVSSScore] = []
        for prefix in ["aqua_", "vendor_", "nvd_"] {
            if let score = CVSSScore(
                vector: vulnerability[prefix + "vectors_v3"]?.text?.nonBlank, score: vulnerability[prefix + "score_v3"]?.double,
                source: prefix.dropLast() + " v3")
            {
                scores.append(score)
            }
        }
        if scores.isEmpty,
            let score = CVSSScore(vector: nil, score: vulnerability["aqua_score"]?.double ?? vulnerability["nvd_score"]?.double, source: "aqua")
        {
            scores.append(score)
        }
        let severityText =
            vulnerability["aqua_severity"]?.text ?? vulnerability["vendor_severity_v3"]?.text ?? vulnerability["vendor_severity"]?.text
            ?? vulnerability["nvd_severity_v3"]?.text ?? vulnerability["nvd_severity"]?.text
        let fixed = vulnerability["fix_version"]?.text?.nonBlank
        let format = resource?["format"]?.text
        let ecosystems = [
            "apk": "apk", "deb": "deb", "rpm": "rpm", "npm": "npm", "python": "pypi", "pip": "pypi", "jar": "maven", "gem": "rubygems",
            "go": "golang", "nuget": "nuget",
        ]
        var location = packageLocation(
            name: name, version: resource?["version"]?.text, ecosystem: format.flatMap { ecosystems[$0] }, fixedVersions: fixed.map { [$0] } ?? [],
            artifactPath: resource?["path"]?.text, image: image)
        location.image?.layer = resource?["layer_digest"]?.text
        return Finding(
            category: .container, tool: tool, ruleID: id, title: "\(id) in \(name)", description: vulnerability["description"]?.text,
            toolSeverity: severityText, severity: .from(tool: severityText, score: scores.first?.score, default: .medium),
            vulnerabilityIDs: .parsing([id]), cvss: scores, location: .package(location),
            remediation: vulnerability["solution"]?.text ?? fixed.map { "Upgrade \(name) to \($0)" },
            references: [vulnerability["nvd_url"]?.text, vulnerability["vendor_url"]?.text].compactMap { $0?.nonBlank }, raw: .json(vulnerability))
    }
}
