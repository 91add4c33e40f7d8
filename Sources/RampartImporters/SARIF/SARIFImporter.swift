import Foundation
import RampartCore

/// SARIF 2.1.0 from any producer (CodeQL, Semgrep, Trivy, Checkov, Bandit, Gitleaks, ...).
/// Reads rules from the driver and extensions, `partialFingerprints`, `suppressions`,
/// `properties.security-severity`, CWE tags and taxa, and message templates.
struct SARIFImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "sarif", name: "SARIF 2.1.0", tool: "any SARIF producer", category: .sast, syntax: .json,
        notes: "CodeQL, Semgrep, Trivy, Checkov, Bandit, Gitleaks...; suppressions, partialFingerprints, security-severity, CWE taxa",
        defectDojoScanTypes: ["SARIF", "Snyk Code Scan", "DevSkim Scan", "Flawfinder Scan", "Mayhem SARIF Report"], isStandard: true)

    static let secretTools: Set<String> = [
        "gitleaks", "trufflehog", "detect-secrets", "ggshield", "secretlint", "talisman", "noseyparker", "kingfisher",
    ]
    static let scaTools: Set<String> = [
        "dependency-check", "snyk", "grype", "osv-scanner", "npm-audit", "retire.js", "dependabot", "mend", "sonatype",
    ]
    static let iacTools: Set<String> = [
        "checkov", "tfsec", "kics", "terrascan", "trivy-config", "cfn-lint", "cfn_nag", "hadolint", "kube-linter", "kubescape", "tflint", "defsec",
    ]
    static let containerTools: Set<String> = ["dockle", "trivy", "clair", "anchore"]

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let runs = root["runs"], runs.isArray || runs.isNull else { return nil }
        let schema = root["$schema"]?.string?.lowercased() ?? ""
        return schema.contains("sarif") || root["version"]?.string?.hasPrefix("2.") == true ? .certain : nil
    }

    var secretFields: [SecretFields] { [Self.secretFields] }

    struct Rule: Sendable {
        var node: JSONNode
        var id: String
        /// Read once per rule, so that its thousands of results share the strings.
        var facts: RuleFacts
    }

    /// What a rule says about all its results.
    struct RuleFacts: Sendable {
        var name: String?
        var shortDescription: String?
        var fullDescription: String?
        var help: String?
        var helpURI: String?
        var tags: [String]
        var cweTexts: [String]
        var vulnerabilityTexts: [String]
        var securitySeverity: Double?
        var severityWord: String?
        var defaultLevel: String?
        var confidence: Confidence?

        init(_ rule: JSONNode) {
            let properties = rule["properties"]
            name = rule["name"]?.text
            shortDescription = rule["shortDescription", "text"]?.text
            fullDescription = rule["fullDescription", "text"]?.text ?? rule["help", "text"]?.text
            help = rule["help", "text"]?.text
            helpURI = rule["helpUri"]?.text
            tags = properties?["tags"]?.strings ?? []
            var cwes = tags.filter { $0.lowercased().contains("cwe") } + (properties?["cwe"]?.strings ?? [])
            for relationship in rule["relationships"]?.array ?? []
            where (relationship["target", "toolComponent", "name"]?.string ?? "").uppercased().contains("CWE") {
                if let id = relationship["target", "id"]?.text { cwes.append("CWE-" + id.replacingOccurrences(of: "CWE-", with: "")) }
            }
            cweTexts = cwes
            vulnerabilityTexts = tags.filter { VulnerabilityID($0)?.scheme == .cve || VulnerabilityID($0)?.scheme == .ghsa }
            securitySeverity = properties?["security-severity"]?.double
            severityWord = properties?["severity"]?.text ?? properties?["problem.severity"]?.text
            defaultLevel = rule["defaultConfiguration", "level"]?.string
            confidence = (properties?["precision"]?.string).flatMap {
                ["very-high": Confidence.high, "high": .high, "medium": .medium, "low": .low][$0]
            }
        }
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "SARIF"))
        var toolNames: [String] = []
        // Results of kind pass or notApplicable record that a check ran clean; they are counted, not imported.
        var notFindings = 0
        var scopes: [ScanScope] = []
        for (runIndex, run) in (root["runs"]?.array ?? []).enumerated() {
            let driver = run["tool", "driver"]
            let toolName = driver?["name"]?.text ?? "SARIF"
            let tool = ToolInfo(name: toolName, version: driver?["semanticVersion"]?.text ?? driver?["version"]?.text)
            if !toolNames.contains(toolName) { toolNames.append(toolName) }
            if runIndex == 0 { output.tool = tool }
            // `versionControlProvenance` names the repository the run analyzed.
            for provenance in run["versionControlProvenance"]?.array ?? [] {
                if let uri = provenance["repositoryUri"]?.text, !output.subject.repositories.contains(uri) { output.subject.repositories.append(uri) }
            }
            for notification in run["invocations"]?.array.flatMap({ $0["toolExecutionNotifications"]?.array ?? [] }) ?? []
            where notification["level"]?.string == "error" {
                output.toolReportedError = true
                output.diagnostics.append(
                    Diagnostic("tool reported an error: \(notification["message", "text"]?.text ?? "unknown")", at: notification.position))
            }
            if run["invocations"]?.array.contains(where: { $0["executionSuccessful"]?.bool == false }) == true {
                output.toolReportedError = true
            }
            let components: [JSONNode] = [driver].compactMap { $0 } + (run["tool", "extensions"]?.array ?? [])
            // Rules are kept once; results refer to them by position (a result per job would
            // otherwise copy its rule's strings).
            var rules: [Rule] = []
            var rulesByID: [String: Int] = [:]
            var rulesByComponent: [[Int]] = []
            for component in components {
                var list: [Int] = []
                for rule in component["rules"]?.array ?? [] {
                    let id = rule["id"]?.text ?? rule["name"]?.text ?? ""
                    rules.append(Rule(node: rule, id: id, facts: RuleFacts(rule)))
                    list.append(rules.count - 1)
                    if rulesByID[id] == nil { rulesByID[id] = rules.count - 1 }
                }
                rulesByComponent.append(list)
            }
            let artifacts = run["artifacts"]?.array ?? []
            let category = category(forTool: toolName)
            scopes.append(scope(of: run, toolName: toolName, rules: rules))
            var jobs: [(result: JSONNode, location: JSONNode?, rule: Int?, ruleID: String)] = []
            for result in run["results"]?.array ?? [] {
                let kind = result["kind"]?.string ?? "fail"
                if kind == "pass" || kind == "notApplicable" {
                    notFindings += 1
                    continue
                }
                var rule: Int?
                let ruleID = result["ruleId"]?.text ?? result["rule", "id"]?.text
                if let ruleID { rule = rulesByID[ruleID] }
                if rule == nil, let index = result["ruleIndex"]?.int ?? result["rule", "index"]?.int {
                    let componentIndex = result["rule", "toolComponent", "index"]?.int.map { $0 + 1 } ?? 0
                    if componentIndex < rulesByComponent.count, index >= 0, index < rulesByComponent[componentIndex].count {
                        rule = rulesByComponent[componentIndex][index]
                    }
                }
                var id = ruleID ?? rule.map { rules[$0].id } ?? ""
                if id.isEmpty {
                    output.diagnostics.append(Diagnostic("result without a rule id; kept under rule 'unknown'", at: result.position))
                    id = "unknown"
                }
                // A result with several locations occurs at each of them: one finding per location.
                let locations = result["locations"]?.array ?? []
                for location in locations.isEmpty ? [nil] : locations.map({ Optional($0) }) {
                    jobs.append((result, location, rule, id))
                }
            }
            // Results are independent of each other: read them on every core.
            let allJobs = jobs
            let allRules = rules
            let produced = await Concurrently.map(count: allJobs.count) { index in
                let job = allJobs[index]
                return finding(
                    job.result, location: job.location, rule: job.rule.map { allRules[$0] }, ruleID: job.ruleID, tool: tool, category: category,
                    artifacts: artifacts, context: context)
            }
            if output.findings.isEmpty { output.findings = produced } else { output.findings += produced }
        }
        if toolNames.count > 1 { output.tool = ToolInfo(name: toolNames.joined(separator: "+"), version: nil) }
        output.scope = ScanScope(
            kinds: Set(scopes.map(\.kind).filter { !$0.isEmpty }), target: scopes.first { !$0.target.isEmpty }?.target ?? "")
        if notFindings > 0 {
            output.diagnostics.append(
                Diagnostic("\(notFindings) result(s) of kind pass or notApplicable are not findings and were not imported", level: .note))
        }
        return output
    }

    /// A run's stream scope. Its `automationDetails.id` names the analysis: the part before the
    /// last `/` is the category, as GitHub code scanning reads it, and the rest a run id that
    /// changes every run. Trivy, which writes none, is scoped as its JSON is.
    func scope(of run: JSONNode, toolName: String, rules: [Rule]) -> ScanScope {
        if let id = run["automationDetails", "id"]?.text {
            let category = id.lastIndex(of: "/").map { String(id[..<$0]) } ?? id
            if !category.isEmpty { return ScanScope(kind: category) }
        }
        if ToolIdentity.canonicalID(toolName) == "trivy" {
            let used = Set((run["results"]?.array ?? []).compactMap { $0["ruleId"]?.text })
            let tags = rules.filter { used.contains($0.id) }.flatMap(\.facts.tags)
            return TrivyScope.scope(classes: tags, image: run["properties", "imageName"]?.text)
        }
        return .component
    }

    func category(forTool name: String) -> FindingCategory {
        let lower = name.lowercased()
        func has(_ set: Set<String>) -> Bool { set.contains { lower.contains($0) } }
        if has(SARIFImporter.secretTools) { return .secrets }
        if has(SARIFImporter.iacTools) { return .iac }
        if has(SARIFImporter.scaTools) { return .sca }
        if has(SARIFImporter.containerTools) { return .container }
        if lower.contains("zap") || lower.contains("nuclei") || lower.contains("burp") { return .dast }
        return .sast
    }

    private func message(_ result: JSONNode, rule: Rule?) -> String? {
        if let text = result["message", "text"]?.text { return text }
        if let messageID = result["message", "id"]?.text, let template = rule?.node["messageStrings", messageID, "text"]?.text {
            var text = template
            for (index, argument) in (result["message", "arguments"]?.strings ?? []).enumerated() {
                text = text.replacingOccurrences(of: "{\(index)}", with: argument)
            }
            return text
        }
        return nil
    }

    private func finding(
        _ result: JSONNode, location locationNode: JSONNode?, rule: Rule?, ruleID: String, tool: ToolInfo, category toolCategory: FindingCategory,
        artifacts: [JSONNode], context: ImportContext
    ) -> Finding {
        let facts = rule?.facts
        // A rule tagged as a secret (Trivy's secret scanner) or a code scanner's secrets rules
        // (Semgrep's generic.secrets.*) report secrets like a secret scanner; a rule tagged as a
        // misconfiguration (Trivy's config scanner) reports infrastructure as code.
        let tags = Set((facts?.tags ?? []).map { $0.lowercased() })
        let category: FindingCategory
        if !tags.isDisjoint(with: ["secret", "secrets"]) || (toolCategory == .sast && isSecretsRule(ruleID, tags: facts?.tags ?? []))
            || Self.secretsRulePrefixes.contains(where: { ruleID.hasPrefix($0) })
        {
            category = .secrets
        } else if tags.contains("misconfiguration") {
            category = .iac
        } else {
            category = toolCategory
        }
        let messageText = message(result, rule: rule)
        // A short description that only restates the rule id (Semgrep writes "Semgrep Finding:
        // <rule>") says less than the result's message.
        let shortDescription = facts?.shortDescription.flatMap { $0.contains(ruleID) ? nil : $0 }
        let title = shortDescription ?? messageText.map { String($0.prefix(200)) } ?? facts?.name ?? ruleID

        // Severity: security-severity (a CVSS-like score) beats level.
        let securitySeverity = result["properties", "security-severity"]?.double ?? facts?.securitySeverity
        // Checkov writes level "error" for every failed check; its severity, when it has one, is
        // in security-severity. Its level says nothing, as its JSON's null severity says nothing.
        let levelIsSeverity = !Self.levelWithoutSeverity.contains(ToolIdentity.canonicalID(tool.name))
        let level = levelIsSeverity ? result["level"]?.string ?? facts?.defaultLevel : nil
        // Tools that have a severity scale of their own carry it in properties (Bandit's
        // issue_severity): it is what their native format says, so both formats agree.
        let toolSeverityWord = result["properties", "severity"]?.text ?? result["properties", "issue_severity"]?.text ?? facts?.severityWord
        let severity: Severity
        if let securitySeverity {
            severity = Severity(cvssScore: securitySeverity)
        } else if let word = toolSeverityWord, let parsed = Severity(toolText: word) {
            severity = parsed
        } else {
            switch level ?? "warning" {  // SARIF's default level
            case "error": severity = .high
            case "warning": severity = .medium
            case "note": severity = .low
            default: severity = .info
            }
        }
        let toolSeverity = securitySeverity.map { "security-severity \($0)" } ?? toolSeverityWord ?? level

        // CWEs: the rule's tags, properties and relationships, and the result's tags and taxa.
        var cweTexts = facts?.cweTexts ?? []
        cweTexts += (result["properties", "tags"]?.strings ?? []).filter { $0.lowercased().contains("cwe") }
        cweTexts += result["properties", "cwe"]?.strings ?? []
        for taxon in result["taxa"]?.array ?? [] where (taxon["toolComponent", "name"]?.string ?? "CWE").uppercased().contains("CWE") {
            if let id = taxon["id"]?.text { cweTexts.append("CWE-" + id.replacingOccurrences(of: "CWE-", with: "")) }
        }

        var vulnerabilityTexts: [String] = []
        if VulnerabilityID.isAdvisoryLike(ruleID) { vulnerabilityTexts.append(ruleID) }
        vulnerabilityTexts += facts?.vulnerabilityTexts ?? []

        // Location.
        let physical = locationNode?["physicalLocation"]
        var uri = physical?["artifactLocation", "uri"]?.text
        if uri == nil, let index = physical?["artifactLocation", "index"]?.int, index >= 0, index < artifacts.count {
            uri = artifacts[index]["location", "uri"]?.text
        }
        if uri == nil {
            uri = locationNode?["logicalLocations"]?.array.first.flatMap { $0["fullyQualifiedName"]?.text ?? $0["name"]?.text }
        }
        let region = physical?["region"]
        let snippet = region?["snippet", "text"]?.string ?? physical?["contextRegion", "snippet", "text"]?.string
        let cwes = CWE.parseAll(cweTexts)
        // A secret scanner's result carries the secret; a hard-coded credential finding quotes
        // the credential in its snippet.
        var revealed: [String] = []
        if category == .secrets {
            revealed = Self.secretFields.values(in: result)
        } else if let snippet, !Set(cwes).isDisjoint(with: hardcodedCredentialCWEs) {
            // The credential is the quoted literal in the flagged code; the message may quote it too.
            revealed =
                quotedLiterals(in: snippet) + [snippet]
                + SecretFields.strings(at: ["locations", "*", "physicalLocation", "contextRegion", "snippet", "text"], in: result)
        }
        let location: Location
        if let target = result["webRequest", "target"]?.text {
            location = .endpoint(EndpointLocation(url: target, method: result["webRequest", "method"]?.text))
        } else {
            let code = CodeLocation(
                file: uri ?? "", startLine: region?["startLine"]?.int, endLine: region?["endLine"]?.int,
                startColumn: region?["startColumn"]?.int, endColumn: region?["endColumn"]?.int, snippet: snippet)
            location = category == .iac ? .iac(IaCLocation(file: code.file, startLine: code.startLine, endLine: code.endLine)) : .code(code)
        }

        // Identity hints: partialFingerprints, else fingerprints.
        let fingerprintNode = result["partialFingerprints"] ?? result["fingerprints"]
        // Semgrep without a login writes "requires login" for every fingerprint: no identity at all.
        var toolFingerprint = fingerprintNode?.entries.compactMap { entry in
            entry.value.text.flatMap { $0 == "requires login" ? nil : "\(entry.key)=\($0)" }
        }.sorted().joined(separator: "|")
        if toolFingerprint?.isEmpty != false, ToolIdentity.canonicalID(tool.name) == "semgrep", let messageText {
            toolFingerprint = semgrepMessageFingerprint(messageText)
        }

        // Suppressions: accepted ones (or ones with no status) suppress the finding.
        var suppression: Suppression?
        for item in result["suppressions"]?.array ?? [] {
            let status = item["status"]?.string ?? "accepted"
            guard status == "accepted" else { continue }
            suppression = Suppression(kind: item["kind"]?.string == "inSource" ? .inSource : .external, justification: item["justification"]?.text)
        }

        var description = [messageText, facts?.fullDescription].compactMap { $0 }
        if description.count == 2 && description[0] == description[1] { description.removeLast() }
        var finding = Finding(
            category: category, tool: tool, ruleID: ruleID, title: title,
            description: description.joined(separator: "\n\n").nonBlank,
            toolSeverity: toolSeverity, severity: severity,
            confidence: (result["properties", "issue_confidence"]?.text).flatMap(Confidence.init(toolText:)) ?? facts?.confidence,
            cwes: cwes, vulnerabilityIDs: .parsing(vulnerabilityTexts),
            cvss: securitySeverity.flatMap { CVSSScore(vector: nil, score: $0, source: "security-severity") }.map { [$0] } ?? [],
            location: location, remediation: facts?.help,
            references: [facts?.helpURI].compactMap { $0 }, tags: facts?.tags ?? [],
            toolFingerprint: toolFingerprint?.nonBlank, suppression: suppression, raw: .json(result))
        finding.revealedSecrets = revealed
        return finding
    }

    /// Tools whose SARIF level is the same for every result.
    static let levelWithoutSeverity: Set<String> = ["checkov"]

    /// Rule-id prefixes that mark a tool's secrets checks (Checkov's secrets framework).
    static let secretsRulePrefixes = ["CKV_SECRET_"]

    /// Where secret scanners' SARIF carries the secret: Gitleaks 7 in `properties.offender`,
    /// Gitleaks 8 as the region's snippet, other tools in a `secret` or `match` property or
    /// the snippets; code flows quote the same lines.
    static let secretFields = SecretFields(
        secret: [
            ["properties", "offender"], ["properties", "secret"], ["properties", "Secret"],
            ["locations", "*", "physicalLocation", "region", "snippet", "text"],
        ],
        quoting: [
            ["properties", "match"], ["properties", "Match"], ["properties", "line"],
            ["locations", "*", "physicalLocation", "region", "snippet", "text"],
            ["locations", "*", "physicalLocation", "contextRegion", "snippet", "text"],
            ["codeFlows", "*", "threadFlows", "*", "locations", "*", "location", "physicalLocation", "region", "snippet", "text"],
            ["relatedLocations", "*", "physicalLocation", "region", "snippet", "text"],
        ],
        labelled: [(["message", "text"], "Match: ")])
}

/// Semgrep run without a login hides its fingerprints and matched lines in both formats; the
/// message (with its interpolated metavariables) is then what tells its findings apart, the
/// same way from its JSON and its SARIF.
func semgrepMessageFingerprint(_ message: String) -> String {
    "message=" + message.split(whereSeparator: \.isWhitespace).joined(separator: " ")
}
