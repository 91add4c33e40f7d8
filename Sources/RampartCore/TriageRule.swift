import Foundation

/// What a triage rule matches (docs/triage.md, "Rules"). Every criterion given must hold for
/// one finding of the issue; criteria left nil match anything. Texts with `*` are wildcards
/// (`*` matches any run of characters, `/` included); others compare exactly (rule ids, paths and
/// URLs case-sensitively, the rest without case).
public struct RuleMatch: Sendable, Hashable, Codable {
    public var application: String?
    public var component: String?
    /// The tool's canonical id (`semgrep`, `trivy`, ...).
    public var tool: String?
    public var category: FindingCategory?
    public var ruleID: String?
    public var cwe: Int?
    /// A vulnerability id or alias (`CVE-2021-44228`, `GHSA-...`).
    public var vulnerabilityID: String?
    /// A package URL without version (`pkg:npm/lodash`): any version of the package.
    public var package: String?
    /// A file path glob (`tests/*`, `*.min.js`).
    public var path: String?
    /// A URL pattern (`https://staging.example.com/*`).
    public var url: String?
    /// Only findings of this severity.
    public var severity: Severity?

    public init(
        application: String? = nil, component: String? = nil, tool: String? = nil, category: FindingCategory? = nil, ruleID: String? = nil,
        cwe: Int? = nil, vulnerabilityID: String? = nil, package: String? = nil, path: String? = nil, url: String? = nil, severity: Severity? = nil
    ) {
        self.application = application
        self.component = component
        self.tool = tool
        self.category = category
        self.ruleID = ruleID
        self.cwe = cwe
        self.vulnerabilityID = vulnerabilityID
        self.package = package
        self.path = path
        self.url = url
        self.severity = severity
    }

    /// Whether the match names no criterion at all (a rule must name at least one).
    public var isEmpty: Bool { self == RuleMatch() }

    /// The criteria as `key=value` words, in a fixed order.
    public var summary: String {
        var words: [String] = []
        func add(_ key: String, _ value: String?) { if let value { words.append("\(key)=\(value)") } }
        add("app", application)
        add("component", component)
        add("tool", tool)
        add("category", category?.rawValue)
        add("rule", ruleID)
        add("cwe", cwe.map(String.init))
        add("vuln", vulnerabilityID)
        add("package", package)
        add("path", path)
        add("url", url)
        add("severity", severity?.rawValue)
        return words.joined(separator: " ")
    }

    /// Whether a finding of this application and component can meet the criteria at all.
    public func mayMatch(application: String, component: String) -> Bool {
        func text(_ pattern: String?, _ value: String) -> Bool {
            guard let pattern = pattern?.lowercased() else { return true }
            return pattern.contains("*") ? Wildcard.matches(value.lowercased(), pattern: pattern) : pattern == value.lowercased()
        }
        return text(self.application, application) && text(self.component, component)
    }

    /// Whether `finding` meets every criterion.
    public func matches(_ finding: RuleSubject) -> Bool {
        func text(_ pattern: String?, _ value: String?, caseSensitive: Bool) -> Bool {
            guard let pattern else { return true }
            guard let value else { return false }
            let (p, v) = caseSensitive ? (pattern, value) : (pattern.lowercased(), value.lowercased())
            return p.contains("*") ? Wildcard.matches(v, pattern: p) : p == v
        }
        guard text(application, finding.application, caseSensitive: false), text(component, finding.component, caseSensitive: false),
            text(tool.map(ToolIdentity.canonicalID), finding.tool, caseSensitive: false), text(ruleID, finding.ruleID, caseSensitive: true),
            text(path, finding.path, caseSensitive: true), text(url, finding.url, caseSensitive: true)
        else { return false }
        if let category, category != finding.category { return false }
        if let severity, severity != finding.severity { return false }
        if let cwe, !finding.cwes.contains(cwe) { return false }
        if let vulnerabilityID, !finding.vulnerabilityIDs.contains(where: { $0.caseInsensitiveCompare(vulnerabilityID) == .orderedSame }) {
            return false
        }
        if let package {
            guard let purl = finding.purl, let wanted = PackageURL(parsing: package) else { return false }
            if wanted.versionlessKey != purl.versionlessKey { return false }
        }
        return true
    }
}

/// A finding as rules see it.
public struct RuleSubject: Sendable, Hashable {
    public var application: String
    public var component: String
    public var tool: String
    public var category: FindingCategory
    public var ruleID: String
    public var cwes: [Int]
    public var vulnerabilityIDs: [String]
    public var purl: PackageURL?
    public var path: String?
    public var url: String?
    public var severity: Severity

    public init(
        application: String, component: String, tool: String, category: FindingCategory, ruleID: String, cwes: [Int], vulnerabilityIDs: [String],
        purl: PackageURL?, path: String?, url: String?, severity: Severity
    ) {
        self.application = application
        self.component = component
        self.tool = tool
        self.category = category
        self.ruleID = ruleID
        self.cwes = cwes
        self.vulnerabilityIDs = vulnerabilityIDs
        self.purl = purl
        self.path = path
        self.url = url
        self.severity = severity
    }
}

/// What a rule does to the issues it matches.
public enum RuleAction: Sendable, Hashable {
    /// Sets a triage decision (people's decisions win over it).
    case triage(TriageDecision)
    /// Sets the severity, whatever its tools say.
    case severity(Severity)

    public var summary: String {
        switch self {
        case .triage(let decision):
            var text = "triage \(decision.state.rawValue)"
            if let until = decision.until { text += " until \(Triage.day(until))" }
            if let justification = decision.justification { text += " (\(justification.rawValue))" }
            return text
        case .severity(let severity): return "severity \(severity.rawValue)"
        }
    }
}

/// A scoped rule that carries decisions forward: it applies to the issues it matches now and to
/// every later import's, until it expires or is removed.
public struct TriageRule: Sendable, Hashable {
    /// Nil until stored.
    public var id: Int64?
    public var match: RuleMatch
    public var action: RuleAction
    public var reason: String
    public var owner: String
    /// After this time the rule no longer applies, and the states it set lapse.
    public var expires: Date?

    public init(id: Int64? = nil, match: RuleMatch, action: RuleAction, reason: String, owner: String, expires: Date? = nil) {
        self.id = id
        self.match = match
        self.action = action
        self.reason = reason
        self.owner = owner
        self.expires = expires
    }

    /// Problems that make the rule unusable at `now`; empty when it is sound.
    public func problems(at now: Date) -> [String] {
        var problems: [String] = []
        if match.isEmpty { problems.append("a rule must match on at least one criterion") }
        if reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("a rule needs a reason") }
        if owner.trimmingCharacters(in: .whitespaces).isEmpty { problems.append("a rule needs an owner") }
        if let expires, expires <= now { problems.append("the rule expires in the past (\(Triage.day(expires)))") }
        if let package = match.package, PackageURL(parsing: package) == nil { problems.append("package '\(package)' is not a package URL") }
        if case .triage(.acceptedRisk(let until, _)) = action, until <= now {
            problems.append("the accepted risk expires in the past (\(Triage.day(until)))")
        }
        if case .triage(.untriaged) = action { problems.append("a rule sets a decision; untriaged is no decision") }
        return problems
    }

    public func isActive(at now: Date) -> Bool { expires.map { $0 > now } ?? true }

    /// Whether the rule applies to an issue with these findings.
    public func matches(_ findings: [RuleSubject]) -> Bool { findings.contains(where: match.matches) }
}

extension Triage {
    /// A rule that set this triage expired or was removed: the issue returns to untriaged.
    public func lapsing(rule id: Int64, why: String, at now: Date) -> Triage? {
        guard source == .rule(id) else { return nil }
        return Triage(decision: .untriaged, reason: why, source: .expiry, at: now, needsReview: false, pausedSeconds: pausedSeconds(asOf: now))
    }
}
