import Foundation
import RampartCore

/// GitLab's security report format (schemas 2.x to 15.x), written by GitLab's analyzers and by
/// any tool that feeds GitLab's security dashboard: SAST, dependency scanning, container and
/// cluster image scanning, secret detection, DAST, API fuzzing and coverage fuzzing. `scan.type`
/// says which; older DAST reports without `scan` are ZAP's report with `vulnerabilities` added.
struct GitLabSecurityReportImporter: ReportImporter {
    let info = FormatInfo(
        id: "gitlab-security-report", name: "GitLab security report JSON", tool: "GitLab analyzers", category: .sast, syntax: .json,
        notes: "SAST, dependency, container, secret detection, DAST and fuzzing reports (schemas 2-15); CVE, CWE and analyzer ids kept",
        defectDojoScanTypes: [
            "GitLab SAST Report", "GitLab Dependency Scanning Report", "GitLab Container Scan", "GitLab Secret Detection Report",
            "GitLab DAST Report", "GitLab API Fuzzing Report Scan",
        ], isStandard: true)

    static let scanTypes: Set<String> = [
        "sast", "dependency_scanning", "container_scanning", "cluster_image_scanning", "secret_detection", "dast", "api_fuzzing",
        "coverage_fuzzing",
    ]

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if let type = root["scan", "type"]?.string, Self.scanTypes.contains(type) { return .certain }
        if root["schema"]?.string?.contains("security-report-schemas") == true { return .certain }
        guard let vulnerabilities = root["vulnerabilities"], vulnerabilities.isArray else { return nil }
        // A bare `{"vulnerabilities": []}` names no format (Mend writes the same).
        guard let first = vulnerabilities.array.first else { return root["version"] != nil && root["remediations"] != nil ? .likely : nil }
        return first["identifiers"]?.isArray == true && first["location"]?.isObject == true ? .likely : nil
    }

    /// The secret detection analyzer quotes the secret in `raw_source_code_extract`.
    var secretFields: [SecretFields] { [SecretFields(secret: [["raw_source_code_extract"]])] }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        guard let vulnerabilities = root["vulnerabilities"], vulnerabilities.isArray else {
            throw ImportError.content("a GitLab security report must list its vulnerabilities (an empty list when there are none)")
        }
        let scan = root["scan"]
        let analyzer = scan?["analyzer"] ?? scan?["scanner"]
        var output = ImporterOutput(tool: ToolInfo(name: analyzer?["name"]?.text ?? "GitLab", version: analyzer?["version"]?.text))
        var scanType = scan?["type"]?.string
        if scanType == nil, root["site"] != nil || root["@version"] != nil { scanType = "dast" }
        output.scope = ScanScope(kind: scanType.map { "gitlab-\($0)" } ?? "gitlab", target: "")
        if scan?["status"]?.string == "failure" {
            output.toolReportedError = true
            let messages = (scan?["messages"]?.array ?? []).compactMap { $0["value"]?.text }
            output.diagnostics.append(Diagnostic("the scan failed: \(messages.first ?? "no message"); findings missing from it are not closed"))
        }
        // Dependency scanning names each lock file's package manager once, at the top.
        var packageManagers: [String: String] = [:]
        for file in root["dependency_files"]?.array ?? [] {
            if let path = file["path"]?.text, let manager = file["package_manager"]?.text { packageManagers[path] = manager }
        }
        for vulnerability in vulnerabilities.array {
            output.findings.append(finding(vulnerability, scanType: scanType, packageManagers: packageManagers, tool: output.tool))
        }
        return output
    }

    private func finding(_ item: JSONNode, scanType: String?, packageManagers: [String: String], tool: ToolInfo) -> Finding {
        let identifiers = item["identifiers"]?.array ?? []
        func identifierValues(_ types: Set<String>) -> [String] {
            identifiers.filter { types.contains(($0["type"]?.string ?? "").lowercased()) }.compactMap { $0["value"]?.text ?? $0["name"]?.text }
        }
        let location = item["location"]
        // Before secret detection had its own report (GitLab 13), SAST reports carried the secrets analyzer's findings.
        let secretRule = identifiers.contains { ["gitleaks_rule_id", "trufflehog_rule_id"].contains(($0["type"]?.string ?? "").lowercased()) }
        let category = secretRule ? .secrets : Self.category(scanType: scanType, legacy: item["category"]?.string, location: location)
        // Gemnasium ids name GitLab's database entries, not advisories: they stay in the record and the references.
        let vulnerabilityIDs = Array.parsing(identifierValues(["cve", "ghsa", "osvdb", "elsa", "rhsa", "usn", "dsa", "glad"]))
        let cwes = CWE.parseAll(identifierValues(["cwe"]))
        // The first identifier is the analyzer's own rule (semgrep_id, gitleaks_rule_id, ZAProxy_PluginId...) unless it is an advisory.
        let ruleIdentifier = identifiers.first { !["cve", "cwe", "owasp"].contains(($0["type"]?.string ?? "").lowercased()) } ?? identifiers.first
        let ruleID = vulnerabilityIDs.canonical?.value ?? ruleIdentifier?["value"]?.text ?? item["name"]?.text ?? item["id"]?.text ?? "unknown"
        let name = item["name"]?.text ?? item["message"]?.text ?? ruleID
        let severityText = item["severity"]?.text
        let references = (item["links"]?.array ?? []).compactMap { $0["url"]?.text } + identifiers.compactMap { $0["url"]?.text }
        var finding = Finding(
            category: category, tool: tool, ruleID: ruleID,
            title: category == .sca || category == .container ? "\(name) in \(location?["dependency", "package", "name"]?.text ?? "?")" : name,
            description: item["description"]?.text ?? item["message"]?.text, toolSeverity: severityText,
            severity: .from(tool: severityText == "Unknown" || severityText == "Undefined" ? nil : severityText, default: .medium),
            confidence: item["confidence"]?.text.flatMap(Confidence.init(toolText:)), cwes: cwes, vulnerabilityIDs: vulnerabilityIDs,
            location: Self.location(location, item: item, category: category, packageManagers: packageManagers),
            remediation: item["solution"]?.text, references: references.uniqued(),
            tags: (item["flags"]?.array ?? []).compactMap { $0["type"]?.text.map { "flag:\($0)" } }, raw: .json(item))
        if category == .secrets { finding.revealedSecrets = secretFields[0].values(in: item) }
        return finding
    }

    static func category(scanType: String?, legacy: String?, location: JSONNode?) -> FindingCategory {
        switch scanType ?? legacy {
        case "dependency_scanning": return .sca
        case "container_scanning", "cluster_image_scanning": return .container
        case "secret_detection": return .secrets
        case "dast", "api_fuzzing": return .dast
        case "sast", "coverage_fuzzing": return .sast
        default:
            if location?["image"] != nil { return .container }
            if location?["dependency", "package", "name"] != nil { return .sca }
            if location?["hostname"] != nil { return .dast }
            return .sast
        }
    }

    static func location(_ location: JSONNode?, item: JSONNode, category: FindingCategory, packageManagers: [String: String]) -> Location {
        if let package = location?["dependency", "package", "name"]?.text {
            let version = location?["dependency", "version"]?.text
            let file = location?["file"]?.text
            var image: ImageLocation?
            var ecosystem = file.flatMap { packageManagers[$0] } ?? file.flatMap(Self.ecosystem(ofLockFile:))
            if let reference = location?["image"]?.text {
                image = ImageLocation(reference: reference)
                ecosystem = location?["operating_system"]?.text.map { String($0.split(separator: ":").first ?? "") }
            }
            let direct = location?["dependency", "direct"]?.bool
            return .package(
                packageLocation(
                    name: package, version: version, ecosystem: ecosystem, relation: direct.map { $0 ? .direct : .transitive },
                    manifestPath: image == nil ? file : nil, image: image))
        }
        if let hostname = location?["hostname"]?.text {
            let path = location?["path"]?.text ?? ""
            return .endpoint(
                EndpointLocation(
                    url: hostname + path, method: location?["method"]?.text, parameter: location?["param"]?.text?.nonBlank,
                    evidence: item["evidence", "summary"]?.text))
        }
        if let crash = location?["crash_type"]?.text {
            // Coverage fuzzing: the crash's top frame is the place.
            let state = location?["crash_state"]?.text?.split(separator: "\n").first.map(String.init)
            return .code(CodeLocation(file: state ?? crash, snippet: location?["stacktrace_snippet"]?.text))
        }
        let file = location?["file"]?.text ?? ""
        let code = CodeLocation(file: file, startLine: location?["start_line"]?.int, endLine: location?["end_line"]?.int)
        return category == .iac ? .iac(IaCLocation(file: file, startLine: code.startLine, endLine: code.endLine)) : .code(code)
    }

    static func ecosystem(ofLockFile path: String) -> String? {
        let name = (path.split(separator: "/").last.map(String.init) ?? path).lowercased()
        switch name {
        case "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "package.json": return "npm"
        case "go.sum", "go.mod": return "golang"
        case "gemfile.lock", "gems.locked": return "gem"
        case "pom.xml", "build.gradle", "build.gradle.kts", "gradle.lockfile", "build.sbt": return "maven"
        case "pipfile.lock", "poetry.lock", "requirements.txt", "requirements.pip", "setup.py", "pipdeptree.json": return "pypi"
        case "composer.lock": return "composer"
        case "packages.lock.json", "packages.config": return "nuget"
        case "cargo.lock": return "cargo"
        case "conan.lock": return "conan"
        default: return nil
        }
    }
}
