import Foundation
import RampartCore

/// WPScan's JSON output (`wpscan --format json`): what it found interesting on the WordPress
/// site (headers, readme, XML-RPC, backups...), and the known vulnerabilities of the WordPress
/// version, the main theme and each plugin found.
struct WPScanImporter: ReportImporter {
    let info = FormatInfo(
        id: "wpscan-json", name: "WPScan JSON", tool: "WPScan", category: .dast, syntax: .json,
        notes: "vulnerabilities of WordPress core, themes and plugins (CVE, WPScan ids, fixed in), and interesting findings",
        defectDojoScanTypes: ["Wpscan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if root["banner", "description"]?.string?.contains("WPScan") == true { return .certain }
        return root["target_url"] != nil && root["interesting_findings"] != nil ? .likely : nil
    }

    var secretFields: [SecretFields] { [Self.passwordFields] }

    /// A password found by `--passwords` sits beside the user it opens.
    static let passwordFields = SecretFields(secret: [["password"]])

    /// Files WPScan found readable that should never be served: `{url: {found_by, ...}}`.
    static let exposedFiles = [
        (
            "config_backups", "WordPress configuration backup exposed",
            "A backup of wp-config.php, with the database credentials and keys, can be downloaded."
        ),
        ("db_exports", "Database export exposed", "A database dump can be downloaded from the site."),
    ]

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "WPScan", version: root["banner", "version"]?.text))
        let site = root["effective_url"]?.text ?? root["target_url"]?.text ?? "unknown"
        output.scope = ScanScope(kind: "dast", target: site)
        for item in root["interesting_findings"]?.array ?? [] {
            let type = item["type"]?.text ?? "interesting"
            output.findings.append(
                Finding(
                    category: .dast, tool: output.tool, ruleID: "interesting:\(type)", title: item["to_s"]?.text ?? type,
                    description: ([item["found_by"]?.text.map { "Found by \($0)" }]
                        + (item["interesting_entries"]?.strings ?? []).map { Optional($0) })
                        .compactMap { $0 }.joined(separator: "\n").nonBlank,
                    severity: .info, location: .endpoint(EndpointLocation(url: item["url"]?.text ?? site)),
                    references: Self.references(item["references"]), raw: .json(item)))
        }
        if let version = root["version"], version.isObject {
            output.findings += vulnerabilities(
                version, component: "wordpress", kind: "wordpress", version: version["number"]?.text, tool: output.tool)
        }
        // The main theme also appears among the enumerated themes when `--enumerate` covered them.
        var themes: [(slug: String, node: JSONNode)] = []
        if let theme = root["main_theme"], theme.isObject { themes.append((theme["slug"]?.text ?? "theme", theme)) }
        for (slug, theme) in root["themes"]?.entries ?? [] where !themes.contains(where: { $0.slug == slug }) { themes.append((slug, theme)) }
        for (slug, theme) in themes {
            output.findings += vulnerabilities(
                theme, component: slug, kind: "wordpress-theme", version: theme["version", "number"]?.text, tool: output.tool)
        }
        for (slug, plugin) in root["plugins"]?.entries ?? [] {
            output.findings += vulnerabilities(
                plugin, component: slug, kind: "wordpress-plugin", version: plugin["version", "number"]?.text, tool: output.tool)
        }
        for (url, timthumb) in root["timthumbs"]?.entries ?? [] {
            // Each TimThumb copy is its own file on the site: its path tells them apart.
            output.findings += vulnerabilities(
                timthumb, component: "timthumb", kind: "wordpress-timthumb", version: timthumb["version", "number"]?.text,
                file: URLComponents(string: url)?.path.nonBlank ?? url, tool: output.tool)
        }
        for (key, title, detail) in Self.exposedFiles {
            for (url, item) in root[key]?.entries ?? [] {
                output.findings.append(
                    Finding(
                        category: .dast, tool: output.tool, ruleID: "exposed:\(key)", title: title,
                        description: ([detail, item["found_by"]?.text.map { "Found by \($0)" }]
                            + (item["interesting_entries"]?.strings ?? []).map { Optional($0) })
                            .compactMap { $0 }.joined(separator: "\n"),
                        severity: .high, cwes: [530], location: .endpoint(EndpointLocation(url: url)),
                        remediation: "Remove the file from the web root and rotate any credential it holds", raw: .json(item)))
            }
        }
        for (username, user) in root["password_attack"]?.entries ?? [] {
            var finding = Finding(
                category: .dast, tool: output.tool, ruleID: "password-attack:valid-credentials",
                title: "Valid WordPress credentials found for \(username)",
                description: "WPScan's password attack logged in as this user with a password from its word list.", severity: .critical, cwes: [521],
                location: .endpoint(EndpointLocation(url: site, parameter: username)),
                remediation: "Change the user's password, enforce a strong password policy and rate-limit logins", raw: .json(user))
            finding.revealedSecrets = Self.passwordFields.values(in: user)
            output.findings.append(finding)
        }
        if let problem = root["vuln_api", "error"]?.text {
            // Without the vulnerability API the report lists no vulnerabilities at all; it must not close earlier ones.
            output.toolReportedError = true
            output.diagnostics.append(Diagnostic("WPScan's vulnerability API was not used (\(problem)); vulnerabilities were not checked"))
        }
        return output
    }

    /// The known vulnerabilities of one component. The site is the scan's scope, so a component
    /// needs no place of its own unless the site holds several copies.
    private func vulnerabilities(_ node: JSONNode, component: String, kind: String, version: String?, file: String? = nil, tool: ToolInfo)
        -> [Finding]
    {
        (node["vulnerabilities"]?.array ?? []).map { vulnerability in
            let references = vulnerability["references"]
            let cves = (references?["cve"]?.strings ?? []).map { $0.hasPrefix("CVE-") ? $0 : "CVE-\($0)" }
            let wpscanID = references?["wpvulndb"]?.strings.first ?? references?["wpscan"]?.strings.first
            let fixed = vulnerability["fixed_in"]?.text
            let title = vulnerability["title"]?.text ?? "Vulnerability in \(component)"
            let cvss = CVSSScore(vector: vulnerability["cvss", "vector"]?.text, score: vulnerability["cvss", "score"]?.double)
            return Finding(
                category: .dast, tool: tool, ruleID: [VulnerabilityID].parsing(cves).canonical?.value ?? wpscanID.map { "wpscan:\($0)" } ?? title,
                title: title,
                description: vulnerability["vuln_type"]?.text.map { "Type: \($0)" }, severity: .from(tool: nil, score: cvss?.score, default: .medium),
                vulnerabilityIDs: .parsing(cves), cvss: cvss.map { [$0] } ?? [],
                location: .package(
                    packageLocation(
                        name: component, version: version, ecosystem: kind, fixedVersions: fixed.map { [$0] } ?? [], manifestPath: file)),
                remediation: fixed.map { "Upgrade \(component) to \($0)" }, references: Self.references(references), raw: .json(vulnerability))
        }
    }

    /// WPScan's references: {"url": [...], "cve": [...], "wpvulndb": [...]}; the URLs and a link per WPScan id.
    static func references(_ node: JSONNode?) -> [String] {
        let urls = node?["url"]?.strings ?? []
        let ids = (node?["wpvulndb"]?.strings ?? []).map { "https://wpscan.com/vulnerability/\($0)" }
        return (urls + ids).uniqued()
    }
}
