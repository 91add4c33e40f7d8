import Foundation
import GRDB
import RampartCore
import RampartStore

/// Triage, the audit trail and the SLA policy (docs/triage.md). Every change goes through the
/// pure state machine (`Triage.applying`) and is written with its history row and audit entry
/// in the caller's transaction.
extension SQLiteStore {
    static let triageColumns = """
        i.triage, i.triage_reason, i.triage_until, i.triage_approver, i.triage_justification, i.triage_source, i.triage_by, i.triage_at,
            i.triage_review, i.sla_paused
        """

    /// Reads the triage columns of an issue row.
    static func triage(_ row: Row) throws -> Triage {
        let decision = try storedDecision(
            state: row["triage"], until: row["triage_until"], approver: row["triage_approver"], justification: row["triage_justification"],
            table: "issue")
        let kind: String = row["triage_source"]
        guard let source = TriageSource(kind: kind, name: row["triage_by"]) else {
            throw StoredValueError(column: "issue.triage_source", value: kind)
        }
        return Triage(
            decision: decision, reason: row["triage_reason"], source: source, at: try (row["triage_at"] as String?).map(date),
            needsReview: row["triage_review"], pausedSeconds: row["sla_paused"])
    }

    /// A decision from its stored columns; one that is not whole is damage, and an error.
    static func storedDecision(state text: String, until: String?, approver: String?, justification: String?, table: String) throws
        -> TriageDecision
    {
        let state = try stored(TriageState.self, text, column: "\(table).state")
        let reason = try justification.map { try stored(VEXJustification.self, $0, column: "\(table).justification") }
        guard let decision = TriageDecision(state: state, until: try until.map(date), approver: approver, justification: reason) else {
            throw StoredValueError(column: "\(table).state", value: state.rawValue)
        }
        return decision
    }

    static func storedTriage(issue: Int64, in db: Database) throws -> Triage? {
        try Row.fetchOne(db, sql: "SELECT \(triageColumns) FROM issue i WHERE i.id = ?", arguments: [issue]).map(triage)
    }

    /// Stores an issue's new triage, its history row and its audit entry.
    static func write(
        _ triage: Triage, previous: Triage, issue: Int64, action: AuditAction, actor: String, note: String? = nil, at date: Date, in db: Database
    ) throws {
        try setTriage(triage, issue: issue, in: db)
        let findings = try Int64.fetchAll(db, sql: "SELECT finding_id FROM issue_member WHERE issue_id = ? ORDER BY finding_id", arguments: [issue])
        try db.execute(
            sql: """
                INSERT INTO triage_event (issue_id, findings, state, previous, reason, until, source, source_name, review, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                issue, JSONText.array(findings.map { Int($0) }), triage.state.rawValue, previous.state.rawValue, triage.reason,
                triage.decision.until.map(timestamp), triage.source.kind.rawValue, triage.source.name, triage.needsReview, timestamp(date),
            ])
        try appendAudit(
            action, subject: "issue \(issue)", before: previous.auditJSON, after: triage.auditJSON, reason: note ?? triage.reason, actor: actor,
            at: date, in: db)
    }

    static func setTriage(_ triage: Triage, issue: Int64, in db: Database) throws {
        try db.execute(
            sql: """
                UPDATE issue SET triage = ?, triage_reason = ?, triage_until = ?, triage_approver = ?, triage_justification = ?, triage_source = ?,
                    triage_by = ?, triage_at = ?, triage_review = ?, sla_paused = ?
                WHERE id = ?
                """,
            arguments: [
                triage.state.rawValue, triage.reason, triage.decision.until.map(timestamp), triage.decision.approver,
                triage.decision.justification?.rawValue, triage.source.kind.rawValue, triage.source.name, triage.at.map(timestamp),
                triage.needsReview,
                triage.pausedSeconds, issue,
            ])
    }

    /// Appends one entry to the hash chain. Its id is the next the table's AUTOINCREMENT
    /// sequence gives (never a reused one), and its time is hashed as stored.
    static func appendAudit(
        _ action: AuditAction, subject: String, before: String? = nil, after: String?, reason: String? = nil, actor: String, at date: Date,
        in db: Database
    ) throws {
        let stamp = timestamp(date)
        let at = try Self.date(stamp)
        let sequence = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'audit_entry'") ?? 0
        let previous = try String.fetchOne(db, sql: "SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1") ?? AuditChain.genesis
        let id = sequence + 1
        let hash = AuditChain.hash(
            id: id, at: at, actor: actor, action: action, subject: subject, before: before, after: after, reason: reason, previousHash: previous)
        try db.execute(
            sql:
                "INSERT INTO audit_entry (id, at, actor, action, subject, before, after, reason, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [id, stamp, actor, action.rawValue, subject, before, after, reason, previous, hash])
    }

    /// Returns every accepted risk past its expiry at `date` to untriaged; returns the issues.
    @discardableResult
    static func expireTriage(at date: Date, in db: Database) throws -> [Int64] {
        try expireRules(at: date, in: db)
        let due = try Int64.fetchAll(
            db, sql: "SELECT id FROM issue WHERE triage = 'accepted_risk' AND triage_until <= ? ORDER BY id", arguments: [timestamp(date)])
        var expired: [Int64] = []
        for issue in due {
            guard let current = try storedTriage(issue: issue, in: db), case .changed(let next) = try current.applying(.clockTick, at: date)
            else { continue }
            try write(next, previous: current, issue: issue, action: .triageExpired, actor: "rampart", at: date, in: db)
            expired.append(issue)
        }
        return expired
    }

    /// Flags the dismissed issues of findings that came back after being fixed.
    static func flagRegressions(reopened findings: [Int64], actor: String, at date: Date, in db: Database) throws {
        guard !findings.isEmpty else { return }
        let issues = try Int64.fetchAll(
            db,
            sql: """
                SELECT DISTINCT i.id FROM issue i JOIN issue_member m ON m.issue_id = i.id
                WHERE m.finding_id IN (SELECT value FROM json_each(?)) AND i.triage IN ('false_positive', 'accepted_risk', 'not_affected', 'mitigated')
                    AND i.triage_review = 0
                ORDER BY i.id
                """, arguments: [JSONText.array(findings.map { Int($0) })])
        for issue in issues {
            guard let current = try storedTriage(issue: issue, in: db),
                case .changed(let next) = try current.applying(.presence(from: .fixed, to: .reopened), at: date)
            else { continue }
            try write(
                next, previous: current, issue: issue, action: .triage, actor: actor,
                note: "regression: fixed, then reported again; the \(current.state.rawValue) decision needs review", at: date, in: db)
        }
    }

    /// The triage of each finding's issue before a rebuild, to give the rebuilt issues.
    static func triageByFinding(in db: Database) throws -> [Int64: Triage] {
        var kept: [Int64: Triage] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT m.finding_id, \(triageColumns) FROM issue_member m JOIN issue i ON i.id = m.issue_id
                WHERE i.triage != 'untriaged' OR i.triage_source != 'none' OR i.sla_paused > 0
                """)
        {
            kept[row["finding_id"]] = try triage(row)
        }
        return kept
    }

    /// Gives each issue the latest decision any of its findings' former issues had.
    static func restoreTriage(_ kept: [Int64: Triage], in db: Database) throws -> Int {
        guard !kept.isEmpty else { return 0 }
        var byIssue: [Int64: Triage] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT finding_id, issue_id FROM issue_member") {
            guard let triage = kept[row["finding_id"]] else { continue }
            let issue: Int64 = row["issue_id"]
            if let current = byIssue[issue], (current.at ?? .distantPast) >= (triage.at ?? .distantPast) { continue }
            byIssue[issue] = triage
        }
        for (issue, triage) in byIssue { try setTriage(triage, issue: issue, in: db) }
        return byIssue.count
    }

    static func auditEntry(_ row: Row) throws -> AuditEntry {
        AuditEntry(
            id: row["id"], at: try date(row["at"]), actor: row["actor"],
            action: try stored(AuditAction.self, row["action"], column: "audit_entry.action"),
            subject: row["subject"], before: row["before"], after: row["after"], reason: row["reason"], previousHash: row["previous_hash"],
            hash: row["hash"])
    }
}

extension SQLiteStore {
    public func triage(issue: Int64, decision: TriageDecision, reason: String, actor: String, at date: Date) async throws -> TriageOutcome {
        try await writer.write { db in
            try Self.expireTriage(at: date, in: db)
            guard let current = try Self.storedTriage(issue: issue, in: db) else {
                throw IssueDecisionError(message: "issue \(issue) does not exist (see `rampart issues`)")
            }
            let outcome = try current.applying(.decide(decision, reason: reason, by: .person(actor)), at: date)
            if case .changed(let next) = outcome {
                try Self.write(next, previous: current, issue: issue, action: .triage, actor: actor, at: date, in: db)
            }
            return outcome
        }
    }

    public func expireTriage(at date: Date) async throws -> [Int64] {
        // Most calls find nothing: look before taking the write lock.
        let any = try await writer.read { db in
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM issue WHERE triage = 'accepted_risk' AND triage_until <= ?1)
                        OR EXISTS (SELECT 1 FROM triage_rule WHERE expires <= ?1)
                    """, arguments: [Self.timestamp(date)])
        }
        guard any == true else { return [] }
        return try await writer.write { db in try Self.expireTriage(at: date, in: db) }
    }

    public func auditEntries(limit: Int?) async throws -> [AuditEntry] {
        try await writer.read { db in
            let rows =
                if let limit {
                    try Row.fetchAll(db, sql: "SELECT * FROM (SELECT * FROM audit_entry ORDER BY id DESC LIMIT ?) ORDER BY id", arguments: [limit])
                } else {
                    try Row.fetchAll(db, sql: "SELECT * FROM audit_entry ORDER BY id")
                }
            return try rows.map(Self.auditEntry)
        }
    }

    public func verifyAudit() async throws -> AuditVerification {
        try await writer.read { db in
            var entries: [AuditEntry] = []
            var count = 0
            let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit_entry ORDER BY id")
            while let row = try cursor.next() {
                count += 1
                // A row edited into something unreadable breaks the chain there; it is no error of the store.
                guard let entry = try? Self.auditEntry(row) else {
                    return AuditVerification(
                        entries: count, head: nil, broken: AuditChain.Break(entryID: row["id"], reason: "its fields are not valid (edited)"))
                }
                entries.append(entry)
            }
            return AuditVerification(entries: count, head: entries.last?.hash, broken: AuditChain.verify(entries))
        }
    }

    public func slaPolicy() async throws -> StoredSLAPolicy? {
        try await writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT body, source, applied_at FROM policy WHERE kind = 'sla'") else { return nil }
            let body: String = row["body"]
            guard let policy = try? SLAPolicy(jsonText: body) else { throw StoredValueError(column: "policy.body", value: body) }
            return StoredSLAPolicy(policy: policy, source: row["source"], appliedAt: try Self.date(row["applied_at"]))
        }
    }

    public func applySLAPolicy(_ policy: SLAPolicy, source: String, actor: String, at date: Date) async throws {
        try await writer.write { db in
            let before = try String.fetchOne(db, sql: "SELECT body FROM policy WHERE kind = 'sla'")
            let body = policy.jsonText
            guard before != body else { return }
            try db.execute(
                sql: """
                    INSERT INTO policy (kind, body, source, applied_at) VALUES ('sla', ?, ?, ?)
                    ON CONFLICT (kind) DO UPDATE SET body = excluded.body, source = excluded.source, applied_at = excluded.applied_at
                    """, arguments: [body, source, Self.timestamp(date)])
            try Self.appendAudit(
                .slaPolicyApplied, subject: "sla policy", before: before, after: body, reason: source, actor: actor, at: date, in: db)
        }
    }
}

/// VEX statements as triage: a statement that applies to an issue's finding sets its decision,
/// with the document as the source (a person's decision wins).
extension SQLiteStore {
    /// What a VEX statement decides, with the reason recorded; nil when it decides nothing
    /// Rampart can hold (not affected without a justification). Under investigation takes the
    /// issue back to untriaged, with the document as the source.
    static func vexDecision(_ applied: AppliedVEX) -> (TriageDecision, String)? {
        let statement = applied.statement
        let detail = statement.detail.map { ": \($0)" } ?? ""
        switch statement.status {
        case .notAffected:
            // CycloneDX's own `false_positive` analysis state arrives as not-affected with that word.
            if statement.justification == "false_positive" { return (.falsePositive, "VEX \(applied.document): false_positive\(detail)") }
            if let justification = statement.justification.flatMap(VEXJustification.init(vocabulary:)) {
                return (.notAffected(justification), "VEX \(applied.document): not_affected (\(justification.rawValue))\(detail)")
            }
            // OpenVEX and CSAF allow an impact statement in place of a justification; a statement
            // with neither is not a valid not-affected claim and decides nothing.
            guard let impact = statement.detail, !impact.isEmpty else { return nil }
            let unlisted = statement.justification.map { " [\($0)]" } ?? ""
            return (.notAffected(.impactStatement), "VEX \(applied.document): not_affected\(unlisted): \(impact)")
        case .affected: return (.confirmed, "VEX \(applied.document): affected\(detail)")
        case .fixed: return (.mitigated, "VEX \(applied.document): fixed in this product\(detail)")
        case .underInvestigation: return (.untriaged, "VEX \(applied.document): under investigation\(detail)")
        }
    }

    /// Applies the application's VEX statements to `issues` (nil: all of the application's).
    static func applyVEXTriage(application: String, issues: [Int64]?, actor: String, at date: Date, in db: Database) throws {
        if let issues, issues.isEmpty { return }
        guard
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM vex_statement v JOIN stream s ON s.id = v.stream_id JOIN component c ON c.id = s.component_id
                        JOIN application a ON a.id = c.application_id WHERE a.name = ?)
                    """, arguments: [application]) == true
        else { return }
        let statements = try keptStatements(applications: [application], in: db)[application] ?? []
        var sql = """
            SELECT m.issue_id, c.name AS component, f.vulnerability_ids, g.purl
            FROM issue_member m JOIN finding f ON f.id = m.finding_id JOIN finding_sighting g ON g.finding_id = f.id
            JOIN stream s ON s.id = f.stream_id JOIN component c ON c.id = s.component_id JOIN application a ON a.id = c.application_id
            WHERE a.name = ? AND f.vulnerability_ids != '[]'
            """
        var arguments: StatementArguments = [application]
        if let issues {
            sql += " AND m.issue_id IN (SELECT value FROM json_each(?))"
            arguments += [JSONText.array(issues.map { Int($0) })]
        }
        sql += " ORDER BY m.issue_id, f.id"
        var decided: [Int64: AppliedVEX] = [:]
        for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
            let issue: Int64 = row["issue_id"]
            if decided[issue] != nil { continue }
            let ids = try decodeJSON([String].self, row["vulnerability_ids"], column: "vulnerability_ids").compactMap(VulnerabilityID.init)
            let purl = (row["purl"] as String?).flatMap(PackageURL.init(parsing:))
            let component: String = row["component"]
            // Statements come latest first: the newest document that speaks of the finding decides.
            if let kept = statements.first(where: {
                $0.applied.statement.applies(toFindingNaming: ids, purl: purl, sameComponent: $0.component == component)
            }) {
                decided[issue] = kept.applied
            }
        }
        for (issue, applied) in decided.sorted(by: { $0.key < $1.key }) {
            guard let (decision, reason) = vexDecision(applied), let current = try storedTriage(issue: issue, in: db),
                case .changed(let next) = try current.applying(.decide(decision, reason: reason, by: .vex(applied.document)), at: date)
            else { continue }
            try write(next, previous: current, issue: issue, action: .triage, actor: actor, at: date, in: db)
        }
    }
}

extension SQLiteStore {
    public func issueTimelines(application: String?) async throws -> [IssueTimeline] {
        let issues = try await issues(IssueQuery(application: application, statuses: FindingStatus.allCases))
        let findingIDs = issues.flatMap { $0.members.map(\.finding.id) }
        let issueIDs = issues.map(\.id)
        let (events, decisions) = try await writer.read { db in
            var events: [Int64: [(at: Date, fixed: Bool)]] = [:]
            for start in stride(from: 0, to: findingIDs.count, by: 20_000) {
                let chunk = findingIDs[start..<min(start + 20_000, findingIDs.count)]
                for row in try Row.fetchAll(
                    db, sql: "SELECT finding_id, kind, at FROM finding_event WHERE finding_id IN (SELECT value FROM json_each(?)) ORDER BY id",
                    arguments: [JSONText.array(chunk.map { Int($0) })])
                {
                    events[row["finding_id"], default: []].append((try Self.date(row["at"]), (row["kind"] as String) == "fixed"))
                }
            }
            var decisions: [Int64: [IssueTimeline.Decision]] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT issue_id, state, source, at FROM triage_event WHERE issue_id IN (SELECT value FROM json_each(?)) ORDER BY id",
                arguments: [JSONText.array(issueIDs.map { Int($0) })])
            {
                decisions[row["issue_id"], default: []].append(
                    IssueTimeline.Decision(
                        at: try Self.date(row["at"]), state: try Self.stored(TriageState.self, row["state"], column: "triage_event.state"),
                        source: try Self.stored(TriageSource.Kind.self, row["source"], column: "triage_event.source")))
            }
            return (events, decisions)
        }
        return issues.map { issue in
            IssueTimeline(
                issueID: issue.id, application: issue.application, component: issue.component, category: issue.category, severity: issue.severity,
                spans: IssueTimeline.spans(of: issue.members.map { ($0.finding.firstSeen, events[$0.finding.id] ?? []) }),
                decisions: decisions[issue.id] ?? [])
        }
    }
}
