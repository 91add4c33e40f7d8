import Foundation
import GRDB
import RampartCore
import RampartStore

/// Triage rules in the store (docs/triage.md, "Rules"). Rules are evaluated in id order: for
/// each issue, the first active triage rule that matches sets its decision (through the state
/// machine, so a person's decision wins), and the first active severity rule sets its severity.
/// A preview runs the very same code in a transaction that is rolled back, so a preview is
/// exactly the effect.
extension SQLiteStore {
    static func encodeMatch(_ match: RuleMatch) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(match), as: UTF8.self)
    }

    static func rule(_ row: Row) throws -> TriageRule {
        let matchText: String = row["match"]
        guard let match = try? JSONDecoder().decode(RuleMatch.self, from: Data(matchText.utf8)) else {
            throw StoredValueError(column: "triage_rule.match", value: matchText)
        }
        let action: RuleAction
        if let severity = row["severity"] as String? {
            action = .severity(try stored(Severity.self, severity, column: "triage_rule.severity"))
        } else {
            let decision = try storedDecision(
                state: row["state"], until: row["until"], approver: row["approver"], justification: row["justification"], table: "triage_rule")
            action = .triage(decision)
        }
        return TriageRule(
            id: row["id"], match: match, action: action, reason: row["reason"], owner: row["owner"],
            expires: try (row["expires"] as String?).map(date))
    }

    static func storedRules(in db: Database) throws -> [(rule: TriageRule, createdAt: Date, createdBy: String)] {
        try Row.fetchAll(db, sql: "SELECT * FROM triage_rule ORDER BY id").map { row in
            (try rule(row), try date(row["created_at"]), row["created_by"])
        }
    }

    static func ruleJSON(_ rule: TriageRule) -> String {
        var object = JSONObjectBuilder()
        object.add("match", rule.match.summary)
        object.add("action", rule.action.summary)
        object.add("reason", rule.reason)
        object.add("owner", rule.owner)
        object.add("expires", rule.expires.map { $0.formatted(Date.ISO8601FormatStyle()) })
        return object.result
    }

    static func insertRule(_ rule: TriageRule, actor: String, at date: Date, in db: Database) throws -> Int64 {
        let problems = rule.problems(at: date)
        guard problems.isEmpty else { throw RuleError(problems.joined(separator: "; ")) }
        var state: String?
        var until: String?
        var approver: String?
        var justification: String?
        var severity: String?
        switch rule.action {
        case .triage(let decision):
            state = decision.state.rawValue
            until = decision.until.map(timestamp)
            approver = decision.approver
            justification = decision.justification?.rawValue
        case .severity(let level): severity = level.rawValue
        }
        try db.execute(
            sql: """
                INSERT INTO triage_rule (match, action, state, until, approver, justification, severity, reason, owner, expires, created_at, created_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                try encodeMatch(rule.match), severity == nil ? "triage" : "severity", state, until, approver, justification, severity, rule.reason,
                rule.owner, rule.expires.map(timestamp), timestamp(date), actor,
            ])
        let id = db.lastInsertedRowID
        var stored = rule
        stored.id = id
        try appendAudit(.ruleAdded, subject: "rule \(id)", after: ruleJSON(stored), reason: rule.reason, actor: actor, at: date, in: db)
        return id
    }

    /// The findings of each issue (all of `issues`, or every issue), as rules see them.
    static func ruleSubjects(issues: [Int64]?, in db: Database) throws -> [Int64: [RuleSubject]] {
        var sql = """
            SELECT m.issue_id, a.name AS application, c.name AS component, s.tool, f.category, f.rule_id, f.cwes, f.vulnerability_ids, g.purl,
                f.file_path, f.url, f.severity
            FROM issue_member m JOIN finding f ON f.id = m.finding_id JOIN finding_sighting g ON g.finding_id = f.id
            JOIN stream s ON s.id = f.stream_id JOIN component c ON c.id = s.component_id JOIN application a ON a.id = c.application_id
            """
        var arguments = StatementArguments()
        if let issues {
            if issues.isEmpty { return [:] }
            sql += " WHERE m.issue_id IN (SELECT value FROM json_each(?))"
            arguments = [JSONText.array(issues.map { Int($0) })]
        }
        var subjects: [Int64: [RuleSubject]] = [:]
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            let subject = RuleSubject(
                application: row["application"], component: row["component"], tool: row["tool"],
                category: try stored(FindingCategory.self, row["category"], column: "category"), ruleID: row["rule_id"],
                cwes: try decodeJSON([Int].self, row["cwes"], column: "cwes"),
                vulnerabilityIDs: try decodeJSON([String].self, row["vulnerability_ids"], column: "vulnerability_ids"),
                purl: (row["purl"] as String?).flatMap(PackageURL.init(parsing:)), path: row["file_path"], url: row["url"],
                severity: try stored(Severity.self, row["severity"], column: "severity"))
            subjects[row["issue_id"], default: []].append(subject)
        }
        return subjects
    }

    /// Applies the active rules to `issues` (nil: every issue); returns what each did.
    @discardableResult
    /// - Parameter component: when every issue is of this application and component (an
    ///   import's), rules scoped to others are left out first, and with none left nothing is read.
    static func applyRules(
        issues: [Int64]?, of component: (application: String, component: String)? = nil, actor: String, at date: Date, in db: Database
    ) throws -> [RuleEffect] {
        let rules = try storedRules(in: db).map(\.rule).filter { rule in
            guard rule.isActive(at: date) else { return false }
            guard let component else { return true }
            return rule.match.mayMatch(application: component.application, component: component.component)
        }
        guard !rules.isEmpty else { return [] }
        let subjects = try ruleSubjects(issues: issues, in: db)
        var effects: [RuleEffect] = []
        for issue in subjects.keys.sorted() {
            guard let findings = subjects[issue] else { continue }
            var triageDone = false
            var severityDone = false
            for rule in rules where rule.matches(findings) {
                guard let id = rule.id else { continue }
                switch rule.action {
                case .triage(let decision) where !triageDone:
                    triageDone = true
                    guard let current = try storedTriage(issue: issue, in: db) else { continue }
                    switch try current.applying(.decide(decision, reason: rule.reason, by: .rule(id)), at: date) {
                    case .changed(let next):
                        try write(
                            next, previous: current, issue: issue, action: .triage, actor: actor, note: "rule \(id): \(rule.reason)", at: date, in: db
                        )
                        effects.append(
                            RuleEffect(issueID: issue, rule: id, change: "triage \(current.state.rawValue) → \(next.state.rawValue)", applies: true))
                    case .unchanged(let why):
                        if current.source != .rule(id) { effects.append(RuleEffect(issueID: issue, rule: id, change: why, applies: false)) }
                    }
                case .severity(let level) where !severityDone:
                    severityDone = true
                    let row = try Row.fetchOne(db, sql: "SELECT severity_override, severity_rule FROM issue WHERE id = ?", arguments: [issue])
                    let current = (row?["severity_override"] as String?).flatMap(Severity.init(rawValue:))
                    guard current != level || (row?["severity_rule"] as Int64?) != id else { continue }
                    let reported = findings.map(\.severity).max() ?? .info
                    try db.execute(
                        sql: "UPDATE issue SET severity_override = ?, severity_rule = ? WHERE id = ?", arguments: [level.rawValue, id, issue])
                    try appendAudit(
                        .triage, subject: "issue \(issue)", before: "{\"severity\":\"\((current ?? reported).rawValue)\"}",
                        after: "{\"severity\":\"\(level.rawValue)\"}", reason: "rule \(id): \(rule.reason)", actor: actor, at: date, in: db)
                    effects.append(
                        RuleEffect(issueID: issue, rule: id, change: "severity \((current ?? reported).rawValue) → \(level.rawValue)", applies: true))
                default: continue
                }
            }
        }
        return effects
    }

    /// The issues a rule set return to untriaged and their tools' severity: the rule expired
    /// or was removed. Other rules then apply to them afresh.
    static func lapse(rule id: Int64, why: String, actor: String, at date: Date, in db: Database) throws -> [RuleEffect] {
        var effects: [RuleEffect] = []
        let triaged = try Int64.fetchAll(
            db, sql: "SELECT id FROM issue WHERE triage_source = 'rule' AND triage_by = ? ORDER BY id", arguments: [String(id)])
        for issue in triaged {
            guard let current = try storedTriage(issue: issue, in: db), let next = current.lapsing(rule: id, why: why, at: date) else { continue }
            try write(next, previous: current, issue: issue, action: .triage, actor: actor, at: date, in: db)
            effects.append(RuleEffect(issueID: issue, rule: id, change: "triage \(current.state.rawValue) → untriaged (\(why))", applies: true))
        }
        let overridden = try Int64.fetchAll(db, sql: "SELECT id FROM issue WHERE severity_rule = ? ORDER BY id", arguments: [id])
        if !overridden.isEmpty {
            try db.execute(sql: "UPDATE issue SET severity_override = NULL, severity_rule = NULL WHERE severity_rule = ?", arguments: [id])
            for issue in overridden {
                try appendAudit(
                    .triage, subject: "issue \(issue)", before: "{\"severity_rule\":\(id)}", after: "{\"severity_rule\":null}", reason: why,
                    actor: actor, at: date, in: db)
                effects.append(RuleEffect(issueID: issue, rule: id, change: "severity back to the tools' (\(why))", applies: true))
            }
        }
        effects += try applyRules(issues: triaged + overridden, actor: actor, at: date, in: db)
        return effects
    }

    /// Lapses the rules that expired by `date` and still hold issues.
    static func expireRules(at date: Date, in db: Database) throws {
        let expired = try Int64.fetchAll(
            db,
            sql: """
                SELECT r.id FROM triage_rule r WHERE r.expires <= ? AND (
                    EXISTS (SELECT 1 FROM issue WHERE triage_source = 'rule' AND triage_by = CAST(r.id AS TEXT))
                    OR EXISTS (SELECT 1 FROM issue WHERE severity_rule = r.id))
                ORDER BY r.id
                """, arguments: [timestamp(date)])
        for id in expired { _ = try lapse(rule: id, why: "rule \(id) expired", actor: "rampart", at: date, in: db) }
    }

    /// Runs `body` in one transaction, committed unless `dryRun` (then rolled back).
    func transaction<T: Sendable>(dryRun: Bool, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writer.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return dryRun ? .rollback : .commit
            }
            guard let result else { throw RuleError("the transaction returned nothing") }
            return result
        }
    }
}

extension SQLiteStore {
    public func rules(at date: Date) async throws -> [StoredRule] {
        try await writer.read { db in
            let rules = try Self.storedRules(in: db)
            guard !rules.isEmpty else { return [] }
            let active = try Int64.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT m.issue_id FROM issue_member m JOIN finding_sighting g ON g.finding_id = m.finding_id WHERE g.status != 'fixed'
                    """)
            let subjects = try Self.ruleSubjects(issues: active, in: db)
            return rules.map { stored in
                let matches = stored.rule.isActive(at: date) ? subjects.values.filter { stored.rule.matches($0) }.count : 0
                return StoredRule(
                    rule: stored.rule, id: stored.rule.id ?? 0, createdAt: stored.createdAt, createdBy: stored.createdBy, matches: matches)
            }
        }
    }

    public func addRule(_ rule: TriageRule, actor: String, at date: Date, dryRun: Bool) async throws -> (id: Int64, effects: [RuleEffect]) {
        try await transaction(dryRun: dryRun) { db in
            try Self.expireTriage(at: date, in: db)
            let id = try Self.insertRule(rule, actor: actor, at: date, in: db)
            var stored = rule
            stored.id = id
            let matching = try Self.ruleSubjects(issues: nil, in: db).filter { stored.matches($0.value) }.keys.sorted()
            return (id, try Self.applyRules(issues: matching, actor: actor, at: date, in: db))
        }
    }

    public func removeRule(id: Int64, actor: String, at date: Date, dryRun: Bool) async throws -> [RuleEffect] {
        try await transaction(dryRun: dryRun) { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM triage_rule WHERE id = ?", arguments: [id]) else {
                throw RuleError("rule \(id) does not exist (see `rampart rules`)")
            }
            let rule = try Self.rule(row)
            try db.execute(sql: "DELETE FROM triage_rule WHERE id = ?", arguments: [id])
            try Self.appendAudit(.ruleRemoved, subject: "rule \(id)", before: Self.ruleJSON(rule), after: nil, actor: actor, at: date, in: db)
            return try Self.lapse(rule: id, why: "rule \(id) removed", actor: actor, at: date, in: db)
        }
    }

    public func replaceRules(_ rules: [TriageRule], source: String, actor: String, at date: Date, dryRun: Bool) async throws -> RuleSetChange {
        try await transaction(dryRun: dryRun) { db in
            let current = try Self.storedRules(in: db).map(\.rule)
            var byKey: [String: Int64] = [:]
            for rule in current { if let id = rule.id { byKey[rule.contentKey] = id } }
            let wanted = Set(rules.map(\.contentKey))
            var effects: [RuleEffect] = []
            var removed: [Int64] = []
            for rule in current where !wanted.contains(rule.contentKey) {
                guard let id = rule.id else { continue }
                try db.execute(sql: "DELETE FROM triage_rule WHERE id = ?", arguments: [id])
                try Self.appendAudit(
                    .ruleRemoved, subject: "rule \(id)", before: Self.ruleJSON(rule), after: nil, reason: source, actor: actor, at: date, in: db)
                effects += try Self.lapse(rule: id, why: "rule \(id) removed", actor: actor, at: date, in: db)
                removed.append(id)
            }
            var added: [TriageRule] = []
            var seen: Set<String> = []
            for var rule in rules where byKey[rule.contentKey] == nil && seen.insert(rule.contentKey).inserted {
                rule.id = try Self.insertRule(rule, actor: actor, at: date, in: db)
                added.append(rule)
            }
            if !added.isEmpty { effects += try Self.applyRules(issues: nil, actor: actor, at: date, in: db) }
            let kept = current.compactMap { rule in wanted.contains(rule.contentKey) ? rule.id : nil }
            return RuleSetChange(added: added, removed: removed, kept: kept, effects: effects)
        }
    }
}
