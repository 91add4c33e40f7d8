import Foundation
import RampartCore

/// Dawnscanner's JSON output (`dawn --json`): the Ruby application it checked (`target`, with
/// its framework) and the vulnerabilities found, each with severity, CVSS score, message and
/// remediation. A CVE check is about a gem: the gem and the versions that fix it are read from
/// Dawn's remediation ("Please upgrade actionview gem to version 4.2.7.1, 5.0.0.1..."), and the
/// finding sits at that gem in `Gemfile.lock`. Other checks (OWASP Rails cheat sheet,
/// code-level patterns) sit at the application.
struct DawnscannerImporter: ReportImporter {
    let info = FormatInfo(
        id: "dawnscanner-json", name: "Dawnscanner JSON", tool: "Dawnscanner", category: .sast, syntax: .json,
        notes: "Ruby application checks; CVE checks at the gem named in the remediation, with fix versions",
        defectDojoScanTypes: ["DawnScanner Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        return root["dawn_version"] != nil && root["vulnerabilities"] != nil ? .certain : nil
    }

    /// "upgrade <gem> gem to version <versions>" in Dawn's remediation texts.
    static func gemAndFixes(_ remediation: String?) -> (gem: String, fixes: [String])? {
        guard let remediation, let upgrade = remediation.range(of: "upgrade ", options: .caseInsensitive) else { return nil }
        let rest = remediation[upgrade.upperBound...]
        guard let gemWord = rest.range(of: " gem") else { return nil }
        let gem = rest[..<gemWord.lowerBound].trimmingCharacters(in: .whitespaces)
        guard !gem.isEmpty, !gem.contains(" ") else { return nil }
        var fixes: [String] = []
        if let to = rest.range(of: "to version") {
            var versions = String(rest[to.upperBound...])
            for stop in [" or ", ". ", "Please"] {
                if let end = versions.range(of: stop) { versions = String(versions[..<end.lowerBound]) }
            }
            fixes = versions.split(whereSeparator: { $0 == "," || $0 == " " }).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ".")) }
                .filter { $0.first?.isNumber == true }
        }
        return (gem, fixes)
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Dawnscanner", version: root["dawn_version"]?.text))
        let target = root["target"]?.text?.nonBlank ?? "."
        let framework = [root["mvc"]?.text, root["mvc_version"]?.text].compactMap { $0?.nonBlank }.joined(separator: " ").nonBlank
        for vulnerability in root["vulnerabilities"]?.array ?? [] {
            guard let name = vulnerability["name"]?.text?.nonBlank else {
                output.diagnostics.append(Diagnostic("vulnerability without a name skipped", at: vulnerability.position))
                continue
            }
            let ids: [VulnerabilityID] = .parsing([name].filter(VulnerabilityID.isAdvisoryLike))
            // Blank scores are written as spaces.
            let score = vulnerability["cvss_score"]?.double ?? vulnerability["cvss_score"]?.text.flatMap { Double($0.asciiTrimmed) }
            let remediation = vulnerability["remediation"]?.text?.nonBlank
            let severityText = vulnerability["severity"]?.text
            let location: Location
            if !ids.isEmpty, let (gem, fixes) = Self.gemAndFixes(remediation) {
                location = .package(
                    packageLocation(name: gem, version: nil, ecosystem: "rubygems", fixedVersions: fixes, manifestPath: "Gemfile.lock"))
            } else {
                location = .code(CodeLocation(file: target))
            }
            var lines = [vulnerability["message"]?.text?.nonBlank].compactMap { $0 }
            if let framework { lines.append("Application \(target) (\(framework)).") }
            let link = vulnerability["cve_link"]?.text.flatMap { ids.isEmpty || $0.contains(" ") ? nil : $0 }
            output.findings.append(
                Finding(
                    category: ids.isEmpty ? .sast : .sca, tool: output.tool, ruleID: name, title: name,
                    description: lines.joined(separator: "\n\n").nonBlank,
                    toolSeverity: severityText, severity: .from(tool: severityText, score: score), vulnerabilityIDs: ids,
                    cvss: CVSSScore(vector: nil, score: score).map { [$0] } ?? [], location: location, remediation: remediation,
                    references: [link].compactMap { $0 }, raw: .json(vulnerability)))
        }
        return output
    }
}
