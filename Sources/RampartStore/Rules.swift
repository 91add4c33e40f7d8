import Foundation
import RampartCore

/// A stored rule, with who made it and how many current issues it matches.
public struct StoredRule: Sendable, Hashable {
    public var rule: TriageRule
    public var id: Int64
    public var createdAt: Date
    public var createdBy: String
    /// Active issues the rule matches now.
    public var matches: Int

    public init(rule: TriageRule, id: Int64, createdAt: Date, createdBy: String, matches: Int) {
        self.rule = rule
        self.id = id
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.matches = matches
    }
}

/// What applying rules does, or would do, to one issue.
public struct RuleEffect: Sendable, Hashable {
    public var issueID: Int64
    public var rule: Int64
    /// `triage untriaged → false_positive`, `severity high → low`, or why nothing changes.
    public var change: String
    /// False when the rule matches but does not change the issue (a person decided).
    public var applies: Bool

    public init(issueID: Int64, rule: Int64, change: String, applies: Bool) {
        self.issueID = issueID
        self.rule = rule
        self.change = change
        self.applies = applies
    }
}

/// What replacing the rule set with a file's does.
public struct RuleSetChange: Sendable, Hashable {
    public var added: [TriageRule]
    public var removed: [Int64]
    public var kept: [Int64]
    public var effects: [RuleEffect]

    public init(added: [TriageRule], removed: [Int64], kept: [Int64], effects: [RuleEffect]) {
        self.added = added
        self.removed = removed
        self.kept = kept
        self.effects = effects
    }
}

/// A rule that cannot be stored; nothing changed.
public struct RuleError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension StoredFinding {
    /// The finding as rules see it.
    public var ruleSubject: RuleSubject {
        RuleSubject(
            application: application, component: component, tool: tool, category: category, ruleID: ruleID, cwes: cwes,
            vulnerabilityIDs: vulnerabilityIDs, purl: purl.flatMap(PackageURL.init(parsing:)), path: filePath, url: url, severity: severity)
    }
}

extension TriageRule {
    /// The rule's identity as a file states it: two rules with the same content are one rule.
    public var contentKey: String {
        let expires = expires.map { String($0.timeIntervalSince1970) } ?? "-"
        return [match.summary, action.summary, action.decisionApprover ?? "-", reason, owner, expires].joined(separator: "\u{1F}")
    }
}

extension RuleAction {
    var decisionApprover: String? {
        if case .triage(let decision) = self { return decision.approver }
        return nil
    }
}
