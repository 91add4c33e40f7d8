import Foundation
import RampartCore

/// SonarQube's findings as JSON, in the three shapes teams export them:
/// - the Web API's `api/issues/search` page (`issues[]` with `components[]` naming their files),
/// - the Web API's `api/hotspots/search` page (`hotspots[]`, security-sensitive code to review),
/// - sonar-report's `--json` (`issues[]` with a `rules{}` dictionary).
///
/// Every issue type is imported (vulnerability, bug, code smell), tagged with its type, so that
/// a team sees what SonarQube shows. Resolved issues (fixed, removed) are not findings; issues
/// marked false positive, won't fix or accepted, and hotspots reviewed safe or acknowledged, are
/// kept as suppressed with the reason.
struct SonarQubeImporter: ReportImporter {
    let info = FormatInfo(
        id: "sonarqube-json", name: "SonarQube JSON", tool: "SonarQube", category: .sast, syntax: .json,
        notes: "issues and security hotspots from the Web API (api/issues/search, api/hotspots/search) or sonar-report --json",
        defectDojoScanTypes: ["SonarQube Scan", "SonarQube Scan detailed", "SonarQube API Import"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        // A page's `issues` or `hotspots` alone, as `jq .issues` leaves them.
        if root.isArray, let first = root.array.first {
            let issue = first["rule"] != nil && first["component"] != nil && first["key"] != nil && first["status"] != nil
            let hotspot = first["vulnerabilityProbability"] != nil && first["component"] != nil && first["key"] != nil
            return issue || hotspot ? .likely : nil
        }
        guard root.isObject else { return nil }
        if root["sonarComponent"] != nil, root["issues"] != nil { return .certain }
        if let hotspots = root["hotspots"], hotspots.isArray, root["paging"] != nil { return .certain }
        guard let issues = root["issues"], issues.isArray, root["paging"] != nil || root["components"] != nil || root["effortTotal"] != nil else {
            return nil
        }
        guard let first = issues.array.first else { return .likely }
        return first["rule"] != nil && first["component"] != nil && first["key"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "SonarQube"))
        let bare = root.isArray ? root.array : []
        let issues = root["issues"]?.array ?? bare.filter { $0["rule"] != nil }
        let hotspots = root["hotspots"]?.array ?? bare.filter { $0["rule"] == nil && $0["vulnerabilityProbability"] != nil }
        // The API names a file by component key (`project:path`); `components[]` gives its path.
        var paths: [String: String] = [:]
        for component in root["components"]?.array ?? [] {
            if let key = component["key"]?.text, let path = component["path"]?.text ?? component["longName"]?.text { paths[key] = path }
        }
        let project = root["sonarComponent"]?.text
        func path(of component: String?) -> String {
            guard let component else { return project ?? "unknown" }
            if let known = paths[component] { return known }
            // `project:src/file.py`: the part after the project key.
            if let colon = component.firstIndex(of: ":") { return String(component[component.index(after: colon)...]) }
            return component
        }
        var rules: [String: JSONNode] = [:]
        for (key, rule) in root["rules"]?.entries ?? [] { rules[key] = rule }
        var resolved = 0
        for issue in issues {
            guard let rule = issue["rule"]?.text else {
                output.diagnostics.append(Diagnostic("an issue without a rule was skipped", at: issue.position))
                continue
            }
            let status = issue["status"]?.text?.uppercased()
            let resolution = issue["resolution"]?.text?.uppercased()
            if resolution == "FIXED" || resolution == "REMOVED" || (status == "CLOSED" && resolution == nil) {
                resolved += 1
                continue
            }
            let message = issue["message"]?.text
            let type = issue["type"]?.text
            let ruleInfo = rules[rule]
            var finding = Finding(
                category: .sast, tool: output.tool, ruleID: rule,
                title: ruleInfo?["name"]?.text ?? issue["description"]?.text ?? message ?? rule,
                description: [message, ruleInfo?["htmlDesc"]?.text.map(plainText(fromHTML:))].compactMap { $0 }.joined(separator: "\n\n").nonBlank,
                toolSeverity: Self.securityImpact(issue) ?? issue["severity"]?.text, severity: Self.severity(issue),
                cwes: Self.cwes(in: message ?? ""), vulnerabilityIDs: Self.advisories(in: message ?? ""),
                cvss: Self.cvssScore(in: message ?? "").map { [$0] } ?? [],
                location: Self.dependencyLocation(message: message, file: path(of: issue["component"]?.text))
                    ?? .code(Self.codeLocation(issue, file: path(of: issue["component"]?.text))),
                tags: [type].compactMap { $0?.lowercased() } + (issue["tags"]?.strings ?? []), toolFingerprint: issue["key"]?.text,
                raw: .json(issue))
            finding.suppression = Self.suppression(status: status, resolution: resolution, comment: nil)
            output.findings.append(finding)
        }
        for hotspot in hotspots {
            let rule = hotspot["ruleKey"]?.text ?? hotspot["rule", "key"]?.text ?? hotspot["securityCategory"]?.text ?? "hotspot"
            let status = hotspot["status"]?.text?.uppercased()
            let resolution = hotspot["resolution"]?.text?.uppercased()
            if resolution == "FIXED" {
                resolved += 1
                continue
            }
            let probability = hotspot["vulnerabilityProbability"]?.text
            let category = hotspot["securityCategory"]?.text
            var finding = Finding(
                category: .sast, tool: output.tool, ruleID: rule, title: hotspot["rule", "name"]?.text ?? hotspot["message"]?.text ?? rule,
                description: [hotspot["message"]?.text, category.map { "Security category: \($0)" }].compactMap { $0 }.joined(separator: "\n"),
                toolSeverity: probability, severity: .from(tool: probability, default: .medium),
                location: .code(Self.codeLocation(hotspot, file: path(of: hotspot["component"]?.text))),
                tags: ["security_hotspot"] + [category].compactMap { $0 }, toolFingerprint: hotspot["key"]?.text, raw: .json(hotspot))
            finding.suppression = Self.suppression(status: status, resolution: resolution, comment: nil)
            output.findings.append(finding)
        }
        if resolved > 0 { output.diagnostics.append(Diagnostic("\(resolved) resolved issue(s) or hotspot(s) are not findings", level: .note)) }
        return output
    }

    /// The dependency-check plugin's issues concern a package it names in the message
    /// (`Filename: jackson-databind-2.13.2.jar | Reference: ...`, or `name:version`).
    static func dependencyLocation(message: String?, file: String) -> Location? {
        guard let message, message.hasPrefix("Filename: ") else { return nil }
        let name = message.dropFirst("Filename: ".count).prefix { $0 != "|" }.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return nil }
        var package = name
        var version: String?
        if let colon = name.lastIndex(of: ":") {
            package = String(name[..<colon])
            version = String(name[name.index(after: colon)...])
        } else if let dash = name.range(of: #"-[0-9][^-]*\.(jar|war|ear|dll|js|whl|gem|tgz|zip)$"#, options: .regularExpression) {
            // An archive's file name: `name-1.2.3.jar`.
            package = String(name[..<dash.lowerBound])
            version = String(name[name.index(after: dash.lowerBound)...]).replacingOccurrences(
                of: #"\.[a-z]+$"#, with: "", options: .regularExpression)
        }
        return .package(packageLocation(name: package, version: version, ecosystem: nil, manifestPath: file))
    }

    static func codeLocation(_ node: JSONNode, file: String) -> CodeLocation {
        let range = node["textRange"]
        return CodeLocation(
            file: file, startLine: range?["startLine"]?.int ?? node["line"]?.int, endLine: range?["endLine"]?.int,
            startColumn: range?["startOffset"]?.int.map { $0 + 1 }, endColumn: range?["endOffset"]?.int.map { $0 + 1 })
    }

    /// SonarQube 10 rates an issue per software quality (`impacts`); the security one, if any, is
    /// the one that matters here. Older releases have one `severity`.
    static func securityImpact(_ issue: JSONNode) -> String? {
        issue["impacts"]?.array.first { $0["softwareQuality"]?.string == "SECURITY" }?["severity"]?.text
    }

    static func severity(_ issue: JSONNode) -> Severity {
        if let impact = securityImpact(issue) { return .from(tool: impact, default: .medium) }
        switch issue["severity"]?.text?.uppercased() {
        case "BLOCKER": return .critical
        case "CRITICAL": return .high
        case "MAJOR": return .medium
        case "MINOR": return .low
        case "INFO": return .info
        default: return .medium
        }
    }

    static func suppression(status: String?, resolution: String?, comment: String?) -> Suppression? {
        switch resolution ?? status {
        case "FALSE-POSITIVE": Suppression(kind: .falsePositive, justification: "marked false positive in SonarQube")
        case "WONTFIX": Suppression(kind: .accepted, justification: "marked won't fix in SonarQube")
        case "ACCEPTED", "ACKNOWLEDGED": Suppression(kind: .accepted, justification: "accepted in SonarQube")
        case "SAFE": Suppression(kind: .falsePositive, justification: "hotspot reviewed as safe in SonarQube")
        default: nil
        }
    }

    /// Words of `text` that start with `prefix` (`CWE-`, `GHSA-`), without trailing punctuation.
    static func words(in text: String, prefix: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "|" || $0 == "," || $0 == "(" || $0 == ")" || $0 == "\n" }).compactMap { word in
            word.hasPrefix(prefix) ? String(word).trimmingCharacters(in: .punctuationCharacters) : nil
        }
    }

    /// Plugins such as dependency-check's write the advisory into the message
    /// (`Reference: CVE-2024-2529 | CVSS Score: 6.4 | Category: CWE-120`).
    static func cwes(in message: String) -> [Int] { CWE.parseAll(words(in: message, prefix: "CWE-")) }

    static func advisories(in message: String) -> [VulnerabilityID] {
        VulnerabilityID.cves(mentionedIn: message) + [VulnerabilityID].parsing(words(in: message, prefix: "GHSA-"))
    }

    static func cvssScore(in message: String) -> CVSSScore? {
        guard let range = message.range(of: "CVSS Score: ") else { return nil }
        let number = message[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        return CVSSScore(vector: nil, score: Double(number), source: "SonarQube plugin")
    }
}
