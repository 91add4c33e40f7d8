import Foundation
import RampartCore

/// bundler-audit's JSON output (`bundle-audit check --format json`): gems of the Gemfile.lock
/// with an advisory of the Ruby Advisory Database, and gem sources fetched over plain HTTP or git.
/// Its default text output, a `Name:`/`Version:`/... block per advisory, is read too.
struct BundlerAuditImporter: ReportImporter {
    let info = FormatInfo(
        id: "bundler-audit-json", name: "bundler-audit JSON / text", tool: "bundler-audit", category: .sca, syntax: .json,
        notes: "vulnerable gems (CVE, GHSA, CVSS, patched versions) and insecure gem sources; also the default text output",
        defectDojoScanTypes: ["Bundler-Audit Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        if let text = report.text {
            let head = text.head(24)
            if head.first?.hasPrefix("Insecure Source URI found: ") == true { return .likely }
            let advisory = head.indices.dropLast(2).contains { index in
                head[index].hasPrefix("Name: ") && head[index + 1].hasPrefix("Version: ")
                    && ["CVE: ", "GHSA: ", "Advisory: "].contains { head[index + 2].hasPrefix($0) }
            }
            return advisory ? .likely : nil
        }
        guard let root = report.jsonRoot, root.isObject, let results = root["results"], results.isArray else { return nil }
        if let first = results.array.first {
            let type = first["type"]?.string
            return type == "unpatched_gem" || type == "insecure_source" ? .certain : nil
        }
        return root["created_at"] != nil && root["version"] != nil && root.entries.count == 3 ? .possible : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        if let text = report.text { return readText(text) }
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "bundler-audit", version: root["version"]?.text))
        for result in root["results"]?.array ?? [] {
            switch result["type"]?.string {
            case "unpatched_gem":
                guard let gem = result["gem"], let name = gem["name"]?.text, let advisory = result["advisory"] else {
                    output.diagnostics.append(Diagnostic("an unpatched gem without a name or advisory was skipped", at: result.position))
                    continue
                }
                output.findings.append(
                    vulnerableGem(name: name, version: gem["version"]?.text, advisory: advisory, record: result, tool: output.tool))
            case "insecure_source":
                let source = result["source"]?.text ?? "unknown"
                output.findings.append(
                    Finding(
                        category: .sca, tool: output.tool, ruleID: "insecure-source", title: "Insecure gem source: \(source)",
                        description: "Gems are fetched from \(source) without TLS: a network attacker can substitute them.", severity: .medium,
                        cwes: [319], location: .code(CodeLocation(file: "Gemfile")), remediation: "Use an https:// source", raw: .json(result)))
            default:
                output.diagnostics.append(Diagnostic("a result of unknown type was skipped", at: result.position))
            }
        }
        return output
    }

    private func vulnerableGem(name: String, version: String?, advisory: JSONNode, record: JSONNode, tool: ToolInfo) -> Finding {
        // The advisory database writes the CVE and GHSA without their prefixes.
        let cve = advisory["cve"]?.text.map { $0.hasPrefix("CVE-") ? $0 : "CVE-\($0)" }
        let ghsa = advisory["ghsa"]?.text.map { $0.hasPrefix("GHSA-") ? $0 : "GHSA-\($0)" }
        let osvdb = advisory["osvdb"]?.text.map { $0.hasPrefix("OSVDB-") ? $0 : "OSVDB-\($0)" }
        let ids = [VulnerabilityID].parsing([advisory["id"]?.text, cve, ghsa].compactMap { $0 })
        let scores = [
            advisory["cvss_v3"]?.double.flatMap { CVSSScore(vector: nil, score: $0, source: "CVSS v3 (Ruby Advisory Database)") },
            advisory["cvss_v2"]?.double.flatMap { CVSSScore(vector: nil, score: $0, source: "CVSS v2 (Ruby Advisory Database)") },
        ].compactMap { $0 }
        let patched = advisory["patched_versions"]?.strings ?? []
        let criticality = advisory["criticality"]?.text
        let title = advisory["title"]?.text ?? advisory["id"]?.text ?? "Advisory"
        return Finding(
            category: .sca, tool: tool, ruleID: ids.canonical?.value ?? advisory["id"]?.text ?? title, title: "\(name): \(title)",
            description: [advisory["description"]?.text, osvdb, advisory["date"]?.text.map { "Published \($0)" }].compactMap { $0 }.joined(
                separator: "\n\n"
            )
            .nonBlank,
            toolSeverity: criticality, severity: .from(tool: criticality, score: scores.first?.score, default: .medium), vulnerabilityIDs: ids,
            cvss: scores,
            location: .package(
                packageLocation(name: name, version: version, ecosystem: "rubygems", fixedVersions: patched, manifestPath: "Gemfile.lock")),
            remediation: patched.isEmpty
                ? "No patched version is known; remove the gem or mitigate" : "Upgrade \(name) to \(patched.joined(separator: ", "))",
            references: [advisory["url"]?.text].compactMap { $0 }, raw: .json(record))
    }

    /// The text output: per advisory `Name`, `Version`, `CVE` and/or `GHSA` (or `Advisory` in
    /// old releases), `Criticality`, `URL`, `Title`, `Solution`; then `Insecure Source URI found: ...`
    /// lines and a closing "Vulnerabilities found!".
    private func readText(_ text: TextReport) -> ImporterOutput {
        var output = ImporterOutput(tool: ToolInfo(name: "bundler-audit"))
        for block in text.keyValueBlocks {
            let fields = block.fields
            var values: [String: String] = [:]
            for (key, value) in fields where values[key] == nil { values[key] = value }
            if let source = values["Insecure Source URI found"] {
                output.findings.append(
                    Finding(
                        category: .sca, tool: output.tool, ruleID: "insecure-source", title: "Insecure gem source: \(source)",
                        description: "Gems are fetched from \(source) without TLS: a network attacker can substitute them.", severity: .medium,
                        cwes: [319], location: .code(CodeLocation(file: "Gemfile")), remediation: "Use an https:// source",
                        raw: .text(text, lines: block.lines)))
                continue
            }
            guard let name = values["Name"] else { continue }
            guard values["CVE"] != nil || values["GHSA"] != nil || values["Advisory"] != nil || values["Title"] != nil else {
                output.diagnostics.append(Diagnostic("a block naming a gem but no advisory was skipped", at: block.position))
                continue
            }
            let criticality = values["Criticality"].flatMap { $0.lowercased() == "unknown" ? nil : $0 }
            // "upgrade to ~> 2.1.3, >= 2.2.0": the requirements bundler-audit lists, comma-separated.
            let solution = values["Solution"]
            // Since 0.9 each patched requirement set is quoted: `'~> 6.1.7.4', '>= 7.0.5.1'`.
            let requirements = solution.flatMap { $0.lowercased().hasPrefix("upgrade to ") ? String($0.dropFirst("upgrade to ".count)) : nil }
            let patched =
                requirements.map { text in
                    text.hasPrefix("'")
                        ? text.split(separator: "'").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && $0 != "," }
                        : [text]
                } ?? []
            let ids = [VulnerabilityID].parsing([values["CVE"], values["GHSA"], values["Advisory"]].compactMap { $0 })
            let title = values["Title"] ?? ids.canonical?.value ?? "Advisory"
            output.findings.append(
                Finding(
                    category: .sca, tool: output.tool, ruleID: ids.canonical?.value ?? title, title: "\(name): \(title)", toolSeverity: criticality,
                    severity: .from(tool: criticality, default: .medium), vulnerabilityIDs: ids,
                    location: .package(
                        packageLocation(
                            name: name, version: values["Version"], ecosystem: "rubygems", fixedVersions: patched, manifestPath: "Gemfile.lock")),
                    remediation: solution.map { $0.prefix(1).uppercased() + $0.dropFirst() }, references: [values["URL"]].compactMap { $0 },
                    raw: .text(text, lines: block.lines)))
        }
        return output
    }
}
