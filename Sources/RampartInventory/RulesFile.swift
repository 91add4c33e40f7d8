import Foundation
import RampartCore
import Yams

/// A rules file (docs/triage.md, "Rules"): the triage rules as a team reviews them in code
/// review, in YAML or JSON. `rampart rules export` writes one; `rampart rules apply` makes the
/// stored rules what it says.
///
///     rules:
///       - match: {app: shop, tool: semgrep, path: "tests/*"}
///         triage: false_positive
///         reason: test fixtures are not shipped
///         owner: appsec@example.com
///         expires: 2027-06-30
///       - match: {package: "pkg:npm/lodash", vuln: CVE-2021-23337}
///         triage: accepted_risk
///         until: 2027-01-31
///         approver: ciso
///         reason: no exploitable path; upgrade planned in Q1
///         owner: payments-team
///       - match: {tool: zap, rule: "10038"}
///         severity: low
///         reason: CSP header findings are tracked elsewhere
///         owner: appsec@example.com
public enum RulesFile {
    static let matchKeys: Set<String> = ["app", "component", "tool", "category", "rule", "cwe", "vuln", "package", "path", "url", "severity"]
    static let ruleKeys: Set<String> = ["match", "triage", "until", "approver", "justification", "severity", "reason", "owner", "expires"]

    public static func read(_ data: Data, file: String, at now: Date) throws(InventoryFileError) -> [TriageRule] {
        func fail(_ issues: [InventoryIssue]) -> InventoryFileError {
            var error = InventoryFileError(file: file, issues: issues)
            error.kind = "rules file"
            return error
        }
        guard data.count <= InventoryFile.maximumBytes else {
            throw fail([InventoryIssue(field: "(file)", message: "larger than \(InventoryFile.maximumBytes >> 20) MB")])
        }
        guard let text = String(validating: data, as: UTF8.self) else { throw fail([InventoryIssue(field: "(file)", message: "not UTF-8 text")]) }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw fail([InventoryFile.issue(error)])
        } catch {
            throw fail([InventoryIssue(field: "(file)", message: "not YAML or JSON")])
        }
        var reader = InventoryFile.Reader()
        var rules: [TriageRule] = []
        if let root, let entries = reader.mapping(root, "", keys: ["rules"]) {
            for (index, node) in reader.sequence(entries["rules"], "rules").enumerated() {
                if let rule = reader.rule(node, "rules[\(index)]", at: now) { rules.append(rule) }
            }
        }
        guard reader.issues.isEmpty else { throw fail(reader.issues) }
        return rules
    }

    /// The rules as a file `read` reads back to the same rules.
    public static func yaml(_ rules: [TriageRule]) -> String {
        func quoted(_ text: String) -> String { JSONText.quoted(text) }
        func day(_ date: Date) -> String { quoted(date.formatted(Date.ISO8601FormatStyle())) }
        var lines = ["rules:"]
        if rules.isEmpty { return "rules: []\n" }
        for rule in rules {
            let match = rule.match
            var criteria: [String] = []
            func add(_ key: String, _ value: String?) { if let value { criteria.append("\(key): \(quoted(value))") } }
            add("app", match.application)
            add("component", match.component)
            add("tool", match.tool)
            add("category", match.category?.rawValue)
            add("rule", match.ruleID)
            if let cwe = match.cwe { criteria.append("cwe: \(cwe)") }
            add("vuln", match.vulnerabilityID)
            add("package", match.package)
            add("path", match.path)
            add("url", match.url)
            add("severity", match.severity?.rawValue)
            lines.append("  - match: {\(criteria.joined(separator: ", "))}")
            switch rule.action {
            case .triage(let decision):
                lines.append("    triage: \(decision.state.rawValue)")
                if let until = decision.until { lines.append("    until: \(day(until))") }
                if let approver = decision.approver { lines.append("    approver: \(quoted(approver))") }
                if let justification = decision.justification { lines.append("    justification: \(justification.rawValue)") }
            case .severity(let severity):
                lines.append("    severity: \(severity.rawValue)")
            }
            lines.append("    reason: \(quoted(rule.reason))")
            lines.append("    owner: \(quoted(rule.owner))")
            if let expires = rule.expires { lines.append("    expires: \(day(expires))") }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension InventoryFile.Reader {
    /// A date (`2027-01-31`, the end of that day UTC) or an ISO 8601 time.
    mutating func time(_ node: Node?, _ field: String) -> Date? {
        guard let text = string(node, field) else { return nil }
        if let time = try? Date.ISO8601FormatStyle().parse(text) { return time }
        if let time = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return time }
        if let day = try? Date.ISO8601FormatStyle().year().month().day().parse(text) { return day.addingTimeInterval(86_399) }
        issue(node, field, "expected a date (YYYY-MM-DD) or an ISO 8601 time")
        return nil
    }

    mutating func rule(_ node: Node, _ field: String, at now: Date) -> TriageRule? {
        guard let entries = mapping(node, field, keys: RulesFile.ruleKeys) else { return nil }
        var match = RuleMatch()
        if let matchNode = entries["match"], let criteria = mapping(matchNode, field + ".match", keys: RulesFile.matchKeys) {
            match.application = string(criteria["app"], field + ".match.app")
            match.component = string(criteria["component"], field + ".match.component")
            match.tool = string(criteria["tool"], field + ".match.tool")
            match.category = choice(criteria["category"], field + ".match.category", as: FindingCategory.self)
            match.ruleID = string(criteria["rule"], field + ".match.rule")
            if let text = string(criteria["cwe"], field + ".match.cwe") {
                let digits = text.uppercased().hasPrefix("CWE-") ? String(text.dropFirst(4)) : text
                if let cwe = Int(digits), cwe > 0 { match.cwe = cwe } else { issue(criteria["cwe"], field + ".match.cwe", "expected a CWE number") }
            }
            match.vulnerabilityID = string(criteria["vuln"], field + ".match.vuln")
            match.package = string(criteria["package"], field + ".match.package")
            match.path = string(criteria["path"], field + ".match.path")
            match.url = string(criteria["url"], field + ".match.url")
            match.severity = choice(criteria["severity"], field + ".match.severity", as: Severity.self)
        } else if entries["match"] == nil {
            issue(node, field + ".match", "required: what the rule matches")
        }
        let reason = string(entries["reason"], field + ".reason", required: true) ?? ""
        let owner = string(entries["owner"], field + ".owner", required: true) ?? ""
        let expires = time(entries["expires"], field + ".expires")
        let action: RuleAction
        switch (entries["triage"], entries["severity"]) {
        case (let triageNode?, nil):
            guard let state = choice(triageNode, field + ".triage", as: TriageState.self) else { return nil }
            switch state {
            case .acceptedRisk:
                guard let until = time(entries["until"], field + ".until") else {
                    if entries["until"] == nil { issue(triageNode, field + ".until", "required for accepted_risk: an accepted risk always expires") }
                    return nil
                }
                let approver = string(entries["approver"], field + ".approver") ?? owner
                action = .triage(.acceptedRisk(until: until, approver: approver))
            case .notAffected:
                guard let text = string(entries["justification"], field + ".justification", required: true) else { return nil }
                guard let justification = VEXJustification(vocabulary: text) else {
                    issue(entries["justification"], field + ".justification", "'\(text)' is not a VEX justification")
                    return nil
                }
                action = .triage(.notAffected(justification))
            case .confirmed: action = .triage(.confirmed)
            case .falsePositive: action = .triage(.falsePositive)
            case .mitigated: action = .triage(.mitigated)
            case .untriaged:
                issue(triageNode, field + ".triage", "a rule sets a decision; untriaged is no decision")
                return nil
            }
        case (nil, let severityNode?):
            guard let severity = choice(severityNode, field + ".severity", as: Severity.self) else { return nil }
            action = .severity(severity)
        default:
            issue(node, field, "a rule sets either `triage:` or `severity:`")
            return nil
        }
        let rule = TriageRule(match: match, action: action, reason: reason, owner: owner, expires: expires)
        for problem in rule.problems(at: now) where !reason.isEmpty && !owner.isEmpty { issue(node, field, problem) }
        return rule
    }
}
