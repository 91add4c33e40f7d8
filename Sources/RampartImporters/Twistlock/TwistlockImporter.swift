import Foundation
import RampartCore

/// Prisma Cloud Compute (Twistlock) image scan JSON (`twistcli images scan --output-file`):
/// per scanned image, its vulnerabilities (CVE, CVSS, package, risk factors, fix status) and
/// compliance issues (CIS Docker and Prisma's own checks).
struct TwistlockImporter: ReportImporter {
    let info = FormatInfo(
        id: "twistlock-json", name: "Prisma Cloud (Twistlock) image scan JSON", tool: "Prisma Cloud Compute", category: .container, syntax: .json,
        notes: "twistcli image scans: vulnerabilities with CVSS, risk factors and fix status, and compliance issues",
        defectDojoScanTypes: ["Twistlock Image Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let first = root["results"]?.array.first, first.isObject else { return nil }
        if first["vulnerabilityDistribution"] != nil || first["complianceDistribution"] != nil { return .certain }
        return first["distro"] != nil && (first["vulnerabilities"] != nil || first["compliances"] != nil) ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Prisma Cloud Compute"))
        for result in root["results"]?.array ?? [] {
            var imageWithDigest = result["name"]?.text.map { ImageLocation(reference: $0) }
            if let image = imageWithDigest { output.scope = ScanScope(kind: "image", target: image.name) }
            if let id = result["id"]?.text, id.hasPrefix("sha256:") { imageWithDigest?.digest = id }
            let distro = result["distro"]?.text
            for vulnerability in result["vulnerabilities"]?.array ?? [] {
                output.findings.append(vulnerabilityFinding(vulnerability, image: imageWithDigest, distro: distro, tool: output.tool))
            }
            for compliance in result["compliances"]?.array ?? [] {
                let id = compliance["id"]?.text ?? "compliance"
                let severityText = compliance["severity"]?.text
                output.findings.append(
                    Finding(
                        category: .container, tool: output.tool, ruleID: "compliance:\(id)", title: compliance["title"]?.text ?? id,
                        description: [compliance["description"]?.text, compliance["cause"]?.text].compactMap { $0?.nonBlank }.joined(
                            separator: "\n\n"
                        ).nonBlank,
                        toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
                        location: .containerImage(imageWithDigest ?? ImageLocation(reference: "image")),
                        tags: [compliance["category"]?.text.map { "category:\($0)" }].compactMap { $0 }, raw: .json(compliance)))
            }
        }
        return output
    }

    private func vulnerabilityFinding(_ item: JSONNode, image: ImageLocation?, distro: String?, tool: ToolInfo) -> Finding {
        let id = item["id"]?.text ?? "unknown"
        let name = item["packageName"]?.text ?? "unknown"
        let version = item["packageVersion"]?.text
        let cvss = CVSSScore(vector: item["vector"]?.text, score: item["cvss"]?.double)
        let severityText = item["severity"]?.text
        let status = item["status"]?.text
        let riskFactors = item["riskFactors"]?.keys ?? []
        // "fixed in 1.2.3" (or several, comma-separated) when a fix exists.
        let fixed =
            status.flatMap { $0.lowercased().hasPrefix("fixed in ") ? String($0.dropFirst(9)) : nil }
            .map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? []
        var description = [item["description"]?.text].compactMap { $0 }
        if !riskFactors.isEmpty { description.append("Risk factors: " + riskFactors.joined(separator: ", ")) }
        return Finding(
            category: .container, tool: tool, ruleID: id, title: "\(id) in \(name)", description: description.joined(separator: "\n\n").nonBlank,
            toolSeverity: severityText, severity: .from(tool: severityText, score: cvss?.score), vulnerabilityIDs: .parsing([id]),
            cvss: cvss.map { [$0] } ?? [],
            location: .package(
                packageLocation(
                    name: name, version: version, ecosystem: Self.ecosystem(type: item["packageType"]?.text, distro: distro), fixedVersions: fixed,
                    image: image)),
            remediation: status, references: [item["link"]?.text].compactMap { $0 },
            tags: riskFactors.contains("Has fix") ? ["fix:available"] : [], raw: .json(item))
    }

    /// An OS package's ecosystem is its distribution's; an application package's, its type (jar, python, nodejs...).
    static func ecosystem(type: String?, distro: String?) -> String? {
        guard let type, type.lowercased() != "os" else { return distro.flatMap(ecosystem(ofDistro:)) }
        switch type.lowercased() {
        case "nodejs": return "npm"
        case "gem": return "gem"
        default: return type
        }
    }

    /// "Debian GNU/Linux 9 (stretch)" → "debian".
    static func ecosystem(ofDistro distro: String) -> String? {
        let lower = distro.lowercased()
        for name in ["debian", "ubuntu", "alpine", "centos", "red hat", "rhel", "amazon", "oracle", "fedora", "suse", "rocky", "alma"]
        where lower.contains(name) {
            return name == "red hat" ? "redhat" : name
        }
        return nil
    }
}
