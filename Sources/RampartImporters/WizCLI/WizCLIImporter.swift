import Foundation
import RampartCore

/// Wiz CLI's JSON results (`wizcli docker scan`, `wizcli dir scan`, `wizcli iac scan` with
/// `--format json`): the scanned resource and its result — OS packages, libraries and
/// applications with their vulnerabilities, secrets found in files, and IaC rule matches.
/// Wiz already masks secrets in its snippets; the snippet is still treated as secret-bearing.
struct WizCLIImporter: ReportImporter {
    let info = FormatInfo(
        id: "wizcli-json", name: "Wiz CLI JSON", tool: "Wiz CLI", category: .container, syntax: .json,
        notes: "image and directory package vulnerabilities (CVSS, EPSS, CISA KEV), secrets, and IaC rule matches",
        defectDojoScanTypes: ["Wizcli Img Scan", "Wizcli Dir Scan", "Wizcli IaC Scan"])

    var secretFields: [SecretFields] { [Self.secretFields] }
    static let secretFields = SecretFields(secret: [], quoting: [["snippet"]])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let result = root["result"], root["scanOriginResource"] != nil || root["reportUrl"] != nil
        else {
            return nil
        }
        return result["__typename"]?.string?.hasPrefix("CICD") == true ? .certain : .likely
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, let result = root["result"] else { throw ImportError.content("expected a Wiz CLI result") }
        var output = ImporterOutput(tool: ToolInfo(name: "Wiz CLI"))
        let origin = root["scanOriginResource"]
        let isImage = origin?["__typename"]?.string?.contains("ContainerImage") == true
        let image = isImage ? origin?["name"]?.text.map { ImageLocation(reference: $0) } : nil
        if let name = origin?["name"]?.text { output.scope = ScanScope(kind: result["__typename"]?.text ?? "", target: isImage ? name : "") }
        for key in ["osPackages", "libraries", "applications"] {
            for package in result[key]?.array ?? [] {
                for vulnerability in package["vulnerabilities"]?.array ?? [] {
                    output.findings.append(
                        packageFinding(
                            vulnerability, package: package, image: image, category: isImage || key == "osPackages" ? .container : .sca,
                            tool: output.tool))
                }
            }
        }
        for secret in result["secrets"]?.array ?? [] {
            let path = secret["path"]?.text ?? "unknown"
            var finding = Finding(
                category: .secrets, tool: output.tool, ruleID: secret["type"]?.text ?? "secret",
                title: "Secret: \(secret["description"]?.text ?? secret["type"]?.text ?? "secret")", description: secret["description"]?.text,
                severity: .high, cwes: [798],
                location: .code(CodeLocation(file: path, startLine: secret["lineNumber"]?.int, snippet: secret["snippet"]?.text)),
                raw: .json(secret))
            finding.revealedSecrets = Self.secretFields.values(in: secret)
            output.findings.append(finding)
        }
        for ruleMatch in result["ruleMatches"]?.array ?? [] {
            let rule = ruleMatch["rule"]
            let ruleID = rule?["id"]?.text ?? rule?["name"]?.text ?? "iac"
            let severityText = ruleMatch["severity"]?.text ?? rule?["severity"]?.text
            for match in ruleMatch["matches"]?.array ?? [] {
                var description = [rule?["description"]?.text]
                if let expected = match["expected"]?.text { description.append("Expected: \(expected)") }
                if let found = match["found"]?.text { description.append("Found: \(found)") }
                output.findings.append(
                    Finding(
                        category: .iac, tool: output.tool, ruleID: ruleID, title: rule?["name"]?.text ?? ruleID,
                        description: description.compactMap { $0 }.joined(separator: "\n"), toolSeverity: severityText,
                        severity: .from(tool: severityText, default: .medium),
                        location: .iac(
                            IaCLocation(
                                file: match["fileName"]?.text ?? "unknown", resource: match["resourceName"]?.text,
                                startLine: match["lineNumber"]?.int,
                                framework: match["fileType"]?.text?.lowercased())),
                        remediation: match["remediation"]?.text ?? rule?["remediationInstructions"]?.text, raw: .json(match)))
            }
        }
        return output
    }

    private func packageFinding(_ vulnerability: JSONNode, package: JSONNode, image: ImageLocation?, category: FindingCategory, tool: ToolInfo)
        -> Finding
    {
        let id = vulnerability["name"]?.text ?? "vulnerability"
        let name = package["name"]?.text ?? "package"
        let severityText = vulnerability["severity"]?.text
        let score = vulnerability["score"]?.double
        var tags: [String] = []
        if vulnerability["hasCisaKevExploit"]?.bool == true { tags.append("cisa-kev") }
        let fixed = vulnerability["fixedVersion"]?.text
        var location = packageLocation(
            name: name, version: package["version"]?.text, ecosystem: nil, fixedVersions: [fixed].compactMap { $0 }, image: image)
        if let path = package["path"]?.text { location.manifestPath = path }
        var finding = Finding(
            category: category, tool: tool, ruleID: id, title: "\(name) - \(id)", description: vulnerability["description"]?.text,
            toolSeverity: severityText,
            severity: .from(tool: severityText, score: score, default: .medium), vulnerabilityIDs: .parsing([id]),
            cvss: CVSSScore(vector: nil, score: score, source: "Wiz").map { [$0] } ?? [], location: .package(location),
            remediation: fixed.map { "Upgrade \(name) to \($0)" }, references: [vulnerability["source"]?.text].compactMap { $0 }, tags: tags,
            raw: .json(vulnerability))
        if vulnerability["hasExploit"]?.bool == true { finding.exploitMaturity = .proofOfConcept }
        return finding
    }
}
