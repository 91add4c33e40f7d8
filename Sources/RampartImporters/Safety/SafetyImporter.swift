import Foundation
import RampartCore

/// Safety (pyup.io), the Python dependency checker, in the three JSON shapes its versions write:
/// - 1.x `safety check --json`: an array of `[name, spec, version, advisory, id]`, with the
///   CVSS v2 and v3 objects as sixth and seventh items since 1.10 (null without an API key);
/// - 2.x and 3.x `safety check --output json`: `{report_meta, vulnerabilities,
///   ignored_vulnerabilities, ...}`, each vulnerability with its CVE, severity and fixes;
/// - 3.x `safety scan --output json`: `{meta, scan_results: {projects: [{files: [...]}]}}`,
///   the dependencies of each scanned file with the ids of their known vulnerabilities.
/// A finding is one advisory on one package version. Safety's advisory id is kept as the rule
/// and as a `pyup.io-N` alias (the form of Safety's database); ignored vulnerabilities are kept,
/// suppressed, with their reason.
struct SafetyImporter: ReportImporter {
    let info = FormatInfo(
        id: "safety-json", name: "Safety JSON", tool: "Safety", category: .sca, syntax: .json,
        notes: "Python dependency advisories of Safety 1.x, 2.x and 3.x (check and scan); CVE, CVSS and fixes where given; ignored kept suppressed",
        defectDojoScanTypes: ["Safety Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        if root.isArray {
            guard let first = root.array.first, Self.isListRecord(first) else { return nil }
            return .likely
        }
        guard root.isObject else { return nil }
        if let meta = root["report_meta"] ?? root["report"], meta["safety_version"] != nil { return .certain }
        if let meta = root["meta"], meta["safety_version"] != nil, root["scan_results"] != nil { return .certain }
        return nil
    }

    /// A 1.x record: five to seven items, the first five strings, the fifth Safety's numeric id.
    static func isListRecord(_ node: JSONNode) -> Bool {
        let items = node.array
        guard node.isArray, (5...7).contains(items.count), items.prefix(5).allSatisfy({ $0.kind == .string }) else { return false }
        return items[4].string.map { !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } } ?? false
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected JSON") }
        if root.isArray { return readList(root) }
        if let meta = root["meta"], root["scan_results"] != nil { return readScan(root, meta: meta) }
        return readCheck(root)
    }

    // MARK: 1.x

    private func readList(_ root: JSONNode) -> ImporterOutput {
        var output = ImporterOutput(tool: ToolInfo(name: "Safety"))
        for record in root.array {
            guard Self.isListRecord(record) else {
                output.diagnostics.append(Diagnostic("a record that is not [name, spec, version, advisory, id] was skipped", at: record.position))
                continue
            }
            let items = record.array
            let name = items[0].string ?? ""
            let advisory = items[3].string
            let cvss = [items.count > 5 ? items[5] : nil, items.count > 6 ? items[6] : nil].compactMap { $0.flatMap(Self.cvss) }
            output.findings.append(
                finding(
                    id: items[4].string ?? "", name: name, version: items[2].string, spec: items[1].string, advisory: advisory,
                    cves: Self.cves(mentionedIn: advisory), cvss: cvss, tool: output.tool, raw: record))
        }
        return output
    }

    // MARK: 2.x and 3.x check

    private func readCheck(_ root: JSONNode) -> ImporterOutput {
        let meta = root["report_meta"] ?? root["report"]
        var output = ImporterOutput(tool: ToolInfo(name: "Safety", version: meta?["safety_version"]?.text))
        // A requirements file scanned alone is where every package was found.
        let scanned = meta?["scanned"]?.strings ?? []
        let onlyFile = meta?["scan_target"]?.string == "files" && scanned.count == 1 ? scanned.first : nil
        let affected = root["affected_packages"]
        for (list, ignored) in [(root["vulnerabilities"], false), (root["ignored_vulnerabilities"], true)] {
            for vulnerability in list?.array ?? [] {
                guard let id = vulnerability["vulnerability_id"]?.text, let name = vulnerability["package_name"]?.text else {
                    output.diagnostics.append(Diagnostic("a vulnerability without id or package was skipped", at: vulnerability.position))
                    continue
                }
                let severity = vulnerability["severity"]
                let cvss = [severity?["cvssv3"], severity?["cvssv2"]].compactMap { $0.flatMap(Self.cvss) }
                let spec = Self.range(vulnerability["vulnerable_spec"])
                let manifest = affected?[name]?["found"]?.text ?? onlyFile
                var finding = finding(
                    id: id, name: name, version: vulnerability["analyzed_version"]?.text, spec: spec, advisory: vulnerability["advisory"]?.text,
                    cves: [vulnerability["CVE"]?.text].compactMap { $0 }, cvss: cvss, tool: output.tool, raw: vulnerability,
                    fixedVersions: vulnerability["fixed_versions"]?.strings ?? [],
                    relation: vulnerability["is_transitive"]?.bool.map { $0 ? .transitive : .direct }, manifestPath: manifest,
                    references: [vulnerability["more_info_url"]?.text].compactMap { $0 } + (vulnerability["resources"]?.strings ?? []))
                if ignored || vulnerability["ignored"]?.bool == true {
                    finding.suppression = Self.ignored(
                        reason: vulnerability["ignored_reason"]?.text, expires: vulnerability["ignored_expires"]?.text)
                }
                output.findings.append(finding)
            }
        }
        return output
    }

    // MARK: 3.x scan

    private func readScan(_ root: JSONNode, meta: JSONNode) -> ImporterOutput {
        var output = ImporterOutput(tool: ToolInfo(name: "Safety", version: meta["safety_version"]?.text))
        var files: [JSONNode] = []
        for project in root["scan_results", "projects"]?.array ?? [] { files += project["files"]?.array ?? [] }
        files += root["scan_results", "files"]?.array ?? []
        for file in files {
            let location = file["location"]?.text
            for dependency in file["results", "dependencies"]?.array ?? [] {
                guard let name = dependency["name"]?.text else { continue }
                for specification in dependency["specifications"]?.array ?? [] {
                    let version = specification["raw"]?.text.flatMap(Self.pinnedVersion)
                    let vulnerabilities = specification["vulnerabilities"]
                    let fixes = vulnerabilities?["remediation"].flatMap { remediation in
                        [remediation["recommended"]?.text].compactMap { $0 } + (remediation["other_recommended"]?.strings ?? [])
                    }
                    for known in vulnerabilities?["known_vulnerabilities"]?.array ?? [] {
                        guard let id = known["id"]?.text else {
                            output.diagnostics.append(Diagnostic("a vulnerability without id was skipped", at: known.position))
                            continue
                        }
                        var finding = finding(
                            id: id, name: name, version: version, spec: Self.range(known["vulnerable_spec"]), advisory: nil, cves: [], cvss: [],
                            tool: output.tool, raw: known,
                            fixedVersions: fixes ?? [], manifestPath: location)
                        if let ignored = known["ignored"], ignored.isObject {
                            finding.suppression = Self.ignored(
                                reason: ignored["reason"]?.text, code: ignored["code"]?.text, expires: ignored["expires"]?.text)
                        }
                        output.findings.append(finding)
                    }
                }
            }
        }
        return output
    }

    // MARK: Shared

    private func finding(
        id: String, name: String, version: String?, spec: String?, advisory: String?, cves: [String], cvss: [CVSSScore], tool: ToolInfo,
        raw: JSONNode, fixedVersions: [String] = [], relation: DependencyRelation? = nil, manifestPath: String? = nil, references: [String] = []
    ) -> Finding {
        let best = cvss.max { ($0.score ?? 0) < ($1.score ?? 0) }
        // Without fix versions (offline, or 1.x), a range that ends below a version names the fix.
        let fixedVersions = fixedVersions.isEmpty ? spec.flatMap(Self.exclusiveUpperBound).map { [$0] } ?? [] : fixedVersions
        let title = [cves.first ?? "Safety \(id)", "in", name, version].compactMap { $0 }.joined(separator: " ")
        let remediation =
            fixedVersions.isEmpty
            ? spec.map { "Upgrade \(name) to a version outside \($0)" } : "Upgrade \(name) to \(fixedVersions.joined(separator: " or "))"
        return Finding(
            category: .sca, tool: tool, ruleID: id, title: title, description: advisory, severity: .from(tool: nil, score: best?.score),
            vulnerabilityIDs: .parsing(cves + ["pyup.io-\(id)"]), cvss: cvss,
            location: .package(
                packageLocation(
                    name: name, version: version, ecosystem: "pypi", fixedVersions: fixedVersions, relation: relation, manifestPath: manifestPath)),
            remediation: remediation, references: references, raw: .json(raw))
    }

    /// A vulnerable range as Safety writes it: a string, or a list of strings in some 3.x reports.
    static func range(_ node: JSONNode?) -> String? {
        node.flatMap { $0.isArray ? $0.strings.joined(separator: ",") : $0.text }
    }

    /// A vulnerability ignored in Safety's policy, with what the policy says of it.
    static func ignored(reason: String?, code: String? = nil, expires: String?) -> Suppression {
        let why = [reason, code, expires.map { "until \($0)" }].compactMap { $0 }.joined(separator: ", ")
        return Suppression(kind: .external, justification: why.isEmpty ? "ignored in Safety" : why)
    }

    /// Safety's CVSS object: `{base_score, vector_string, ...}`; null or empty without an API key.
    static func cvss(_ node: JSONNode) -> CVSSScore? {
        guard node.isObject else { return nil }
        return CVSSScore(vector: node["vector_string"]?.text, score: node["base_score"]?.double, source: "Safety")
    }

    /// The version a vulnerable range ends below (`<0.12.3`, `>=1.0,<1.0.1`): the first that is
    /// not affected. Nil for ranges that end at a version (`<=2.19.1`) or have several ends.
    static func exclusiveUpperBound(_ spec: String) -> String? {
        let bounds = spec.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0.hasPrefix("<") }
        guard bounds.count == 1, let bound = bounds.first, !bound.hasPrefix("<=") else { return nil }
        let version = bound.dropFirst().trimmingCharacters(in: .whitespaces)
        return version.isEmpty ? nil : version
    }

    /// The version a requirement pins (`requests==2.19.1`, `flask===1.0`); nil for ranges.
    static func pinnedVersion(_ requirement: String) -> String? {
        guard let range = requirement.range(of: "==") else { return nil }
        let version = requirement[range.upperBound...].drop { $0 == "=" }.prefix { !$0.isWhitespace && $0 != ";" && $0 != "," }
        return version.isEmpty ? nil : String(version)
    }

    /// The CVE a 1.x advisory names, as that format has no CVE field: the one CVE id the text
    /// names, leaving out NVD's notes ("NOTE: this may overlap CVE-...") and mentions of other
    /// advisories ("an incomplete fix for CVE-...", "a different vulnerability than CVE-...").
    /// A text that still names several is ambiguous and gives none. Checked against Safety's
    /// July 2021 database: 722 of the 729 CVEs this finds in advisories with a CVE field match it.
    static func cves(mentionedIn advisory: String?) -> [String] {
        guard var text = advisory else { return [] }
        while let note = text.range(of: "(NOTE:") {
            let end = text[note.upperBound...].firstIndex(of: ")").map { text.index(after: $0) } ?? text.endIndex
            text.removeSubrange(note.lowerBound..<end)
        }
        if let note = text.range(of: "NOTE:") { text.removeSubrange(note.lowerBound...) }
        let otherAdvisory = ["incomplete fix", "overlap", "similar", "than ", "regression", "related to", "different", "split from"]
        var found: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: "CVE-") {
            defer { rest = rest[start.upperBound...] }
            let body = rest[start.upperBound...].prefix { $0.isASCII && ($0.isNumber || $0 == "-") }
            let parts = body.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[0].count == 4, parts[1].count >= 4 else { continue }
            // What the sentence says before the id, up to 40 characters.
            var before = text[..<start.lowerBound].suffix(40)
            if let end = before.range(of: ". ", options: .backwards) { before = before[end.upperBound...] }
            let lead = before.lowercased()
            if otherAdvisory.contains(where: { lead.contains($0) }) { continue }
            let id = "CVE-\(parts[0])-\(parts[1])"
            if !found.contains(id) { found.append(id) }
        }
        return found.count == 1 ? found : []
    }
}
