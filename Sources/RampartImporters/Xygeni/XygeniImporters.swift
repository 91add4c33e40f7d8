import Foundation
import RampartCore

/// Xygeni's scanner reports (`xygeni scan --format json`): each names its kind in
/// `metadata.format` (`sast-xygeni`, `deps-xygeni`, `secrets-xygeni`) and `metadata.scanType`.
enum Xygeni {
    static func format(of report: ParsedReport) -> String? {
        guard let root = report.jsonRoot, root.isObject, let metadata = root["metadata"], metadata.isObject else { return nil }
        return metadata["format"]?.text ?? metadata["scanType"]?.text.map { "\($0)-xygeni" }
    }

    static func tool(_ root: JSONNode) -> ToolInfo {
        ToolInfo(name: "Xygeni", version: root["metadata"]?["reportProperties"]?["tool.version"]?.text)
    }

    /// "CWE-94" → 94; numbers as numbers.
    static func cwes(_ node: JSONNode?) -> [Int] {
        (node?.array ?? []).compactMap { item in
            if let number = item.int { return number }
            return item.text.flatMap { CWE.parse($0) }
        }
    }

    static func severity(_ text: String?) -> Severity { .from(tool: text, default: .medium) }

    static func codeLocation(_ node: JSONNode?) -> CodeLocation {
        CodeLocation(
            file: node?["filepath"]?.text ?? "", startLine: node?["beginLine"]?.int, endLine: node?["endLine"]?.int,
            snippet: node?["code"]?.text?.nonBlank)
    }
}

/// Xygeni SAST (`sast-xygeni`): code weaknesses per detector, file and line, with CWEs,
/// confidence and Xygeni's explanation.
struct XygeniSASTImporter: ReportImporter {
    let info = FormatInfo(
        id: "xygeni-sast-json", name: "Xygeni SAST JSON", tool: "Xygeni", category: .sast, syntax: .json,
        notes: "code weaknesses per detector, file and line with CWEs, confidence and explanation", defectDojoScanTypes: ["Xygeni SAST Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? { Xygeni.format(of: report) == "sast-xygeni" ? .certain : nil }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: Xygeni.tool(root))
        for vulnerability in root["vulnerabilities"]?.array ?? [] {
            let detector = vulnerability["detector"]?.text ?? vulnerability["issueId"]?.text ?? "unknown"
            var cwes = Xygeni.cwes(vulnerability["cwes"])
            if cwes.isEmpty, let cwe = vulnerability["cwe"]?.int { cwes = [cwe] }
            let kind = vulnerability["kind"]?.text
            var finding = Finding(
                category: .sast, tool: output.tool, ruleID: detector,
                title: vulnerability["title"]?.text ?? kind.map { "\($0.prefix(1).uppercased() + $0.dropFirst()): \(detector)" } ?? detector,
                description: vulnerability["explanation"]?.text ?? vulnerability["description"]?.text,
                toolSeverity: vulnerability["severity"]?.text, severity: Xygeni.severity(vulnerability["severity"]?.text),
                confidence: vulnerability["confidence"]?.text.flatMap(Confidence.init(toolText:)), cwes: cwes,
                location: .code(Xygeni.codeLocation(vulnerability["location"])),
                tags: (vulnerability["tags"]?.array.compactMap(\.text) ?? []).filter { !$0.hasPrefix("CWE:") }, raw: .json(vulnerability))
            finding.toolFingerprint = vulnerability["uniqueHash"]?.text
            output.findings.append(finding)
        }
        return output
    }
}

/// Xygeni SCA (`deps-xygeni`): the dependencies found, each with the vulnerabilities known in
/// it; one finding per vulnerability and dependency, with aliases, CVSS ratings, fix version,
/// CWEs and whether the dependency is direct. Dependencies without vulnerabilities are not findings.
struct XygeniSCAImporter: ReportImporter {
    let info = FormatInfo(
        id: "xygeni-sca-json", name: "Xygeni SCA JSON", tool: "Xygeni", category: .sca, syntax: .json,
        notes: "vulnerabilities per dependency with aliases, CVSS ratings, fix version, CWEs, direct or transitive, manifest",
        defectDojoScanTypes: ["Xygeni SCA Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? { Xygeni.format(of: report) == "deps-xygeni" ? .certain : nil }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: Xygeni.tool(root))
        for dependency in root["dependencies"]?.array ?? [] {
            let vulnerabilities = dependency["vulnerabilities"]?.array ?? []
            guard !vulnerabilities.isEmpty else { continue }
            let ecosystem = dependency["ecosystem"]?.text?.lowercased()
            let group = dependency["group"]?.text?.nonBlank
            let simpleName = dependency["name"]?.text ?? "unknown"
            let name = ecosystem == "maven" && group != nil ? "\(group!):\(simpleName)" : group.map { "\($0)/\(simpleName)" } ?? simpleName
            let version = dependency["version"]?.text?.nonBlank
            let paths = dependency["paths"]
            let direct = paths?["directDependency"]?.bool
            let manifest = paths?["dependencyPaths"]?.array.first?.text ?? paths?["dependencyDescriptor"]?.text ?? dependency["fileName"]?.text
            for vulnerability in vulnerabilities {
                let id = vulnerability["cve"]?.text?.nonBlank ?? vulnerability["id"]?.text ?? vulnerability["name"]?.text ?? "unknown"
                let aliases = vulnerability["aliases"]?.array.compactMap(\.text) ?? []
                var cvss: [CVSSScore] = []
                for rating in vulnerability["ratings"]?.array ?? [] {
                    let score = rating["score"]?.double.flatMap { $0 >= 0 ? $0 : nil }
                    if let made = CVSSScore(vector: rating["vector"]?.text?.nonBlank, score: score, source: rating["method"]?.text) {
                        cvss.append(made)
                    }
                }
                if cvss.isEmpty, let overall = vulnerability["overallCvssScore"]?.double, overall >= 0,
                    let made = CVSSScore(vector: nil, score: overall)
                {
                    cvss.append(made)
                }
                let references = (vulnerability["references"]?.array.compactMap(\.text) ?? []).compactMap(Self.link)
                let fixed = vulnerability["fixedVersion"]?.text?.nonBlank
                let severityText = vulnerability["severity"]?.text
                output.findings.append(
                    Finding(
                        category: .sca, tool: output.tool, ruleID: id, title: "\(id) in \(name)\(version.map { " \($0)" } ?? "")",
                        description: vulnerability["description"]?.text, toolSeverity: severityText,
                        severity: .from(tool: severityText, score: cvss.first?.score), cwes: Xygeni.cwes(vulnerability["cwes"]),
                        vulnerabilityIDs: .parsing([id] + aliases), cvss: cvss,
                        location: .package(
                            packageLocation(
                                name: name, version: version, ecosystem: ecosystem, fixedVersions: fixed.map { [$0] } ?? [],
                                relation: direct.map { $0 ? .direct : .transitive }, manifestPath: manifest)),
                        remediation: fixed.map { "Upgrade \(name) to \($0)." }, references: references, raw: .json(vulnerability)))
            }
        }
        return output
    }

    /// "[WEB](https://...)" → the address; a bare address as it is.
    static func link(_ text: String) -> String? {
        if let open = text.range(of: "]("), text.hasSuffix(")") { return String(text[open.upperBound..<text.index(before: text.endIndex)]) }
        return text.hasPrefix("http") ? text : nil
    }
}

/// Xygeni secrets (`secrets-xygeni`): secrets per detector, file and line. Xygeni masks the
/// secret (`secret`, and the line in `location.code`) but the mask shows its first characters,
/// and `hash` is its unsalted digest: all three are hidden, and the digest is kept only as a
/// keyed hash (the finding's identity).
struct XygeniSecretsImporter: ReportImporter {
    let info = FormatInfo(
        id: "xygeni-secrets-json", name: "Xygeni secrets JSON", tool: "Xygeni", category: .secrets, syntax: .json,
        notes: "secrets per detector, file and line; masked values and digests kept only as keyed hashes",
        defectDojoScanTypes: ["Xygeni Secrets Scan"])

    static let fields = SecretFields(secret: [["hash"], ["secret"]], quoting: [["secret"], ["location", "code"]])
    var secretFields: [SecretFields] { [Self.fields] }

    func detect(_ report: ParsedReport) -> DetectionConfidence? { Xygeni.format(of: report) == "secrets-xygeni" ? .certain : nil }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: Xygeni.tool(root))
        for secret in root["secrets"]?.array ?? [] {
            let detector = secret["detector"]?.text ?? secret["type"]?.text ?? "secret"
            let kind = secret["description"]?.text ?? detector
            let location = Xygeni.codeLocation(secret["location"])
            var finding = Finding(
                category: .secrets, tool: output.tool, ruleID: detector, title: "\(kind) in \(location.file)",
                description: secret["key"]?.text?.nonBlank.map { "Key: \($0)" }, toolSeverity: secret["severity"]?.text,
                severity: Xygeni.severity(secret["severity"]?.text), confidence: secret["confidence"]?.text.flatMap(Confidence.init(toolText:)),
                cwes: [798],
                location: .code(location), tags: secret["tags"]?.array.compactMap(\.text) ?? [], raw: .json(secret))
            finding.revealedSecrets = Self.fields.values(in: secret)
            output.findings.append(finding)
        }
        return output
    }
}
