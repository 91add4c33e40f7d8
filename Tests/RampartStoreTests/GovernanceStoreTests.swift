import Foundation
import GRDB
import RampartCore
import RampartStore
import Testing

@testable import RampartSQLite

@Suite("Triage, audit trail and SLA in the store")
struct GovernanceStoreTests {
    static let day = 86_400.0

    /// Two SAST issues in shop/api, imported at `epoch`.
    static func twoIssues(_ store: any Store) async throws -> (sqli: StoredIssue, xss: StoredIssue) {
        _ = try await store.record(
            submission([codeFinding("sqli", line: 3, snippet: "q1"), codeFinding("xss", line: 40, snippet: "q2", severity: .medium)], content: "one"))
        let issues = try await store.issues(IssueQuery())
        return (try #require(issues.first { $0.title.hasPrefix("sqli") }), try #require(issues.first { $0.title.hasPrefix("xss") }))
    }

    @Test("a person's decision is stored with actor, time and reason, audited, and refused when invalid", arguments: StoreBackend.all)
    func triageStored(backend: StoreBackend) async throws {
        let store = try backend.make()
        let (sqli, xss) = try await Self.twoIssues(store)
        #expect(sqli.triage == .untriaged)
        let at = epoch.addingTimeInterval(Self.day)
        let outcome = try await store.triage(
            issue: sqli.id, decision: .acceptedRisk(until: at.addingTimeInterval(30 * Self.day), approver: "carol"), reason: "vendor fix due",
            actor: "alice", at: at)
        guard case .changed = outcome else { throw TriageRefusal("not changed") }
        _ = try await store.triage(issue: xss.id, decision: .notAffected(.vulnerableCodeNotInExecutePath), reason: "dead code", actor: "bob", at: at)
        let stored = try #require(try await store.issues(IssueQuery(ids: [sqli.id])).first?.triage)
        #expect(stored.state == .acceptedRisk && stored.source == .person("alice") && stored.reason == "vendor fix due")
        #expect(stored.decision.approver == "carol" && stored.decision.until == at.addingTimeInterval(30 * Self.day))
        #expect(try await store.issues(IssueQuery(ids: [xss.id])).first?.triage.decision == .notAffected(.vulnerableCodeNotInExecutePath))

        // Refused: a past expiry; a missing issue. Nothing changes and nothing is audited.
        let entries = try await store.auditEntries(limit: nil).count
        await #expect(throws: TriageRefusal.self) {
            try await store.triage(issue: xss.id, decision: .acceptedRisk(until: epoch, approver: "x"), reason: "r", actor: "bob", at: at)
        }
        await #expect(throws: IssueDecisionError.self) {
            try await store.triage(issue: 999, decision: .confirmed, reason: "r", actor: "bob", at: at)
        }
        #expect(try await store.issues(IssueQuery(ids: [xss.id])).first?.triage.state == .notAffected)
        #expect(try await store.auditEntries(limit: nil).count == entries)

        let audit = try await store.auditEntries(limit: nil)
        #expect(audit.map(\.action) == [.import, .triage, .triage])
        #expect(audit[1].actor == "alice" && audit[1].subject == "issue \(sqli.id)" && audit[1].reason == "vendor fix due")
        #expect(audit[1].after?.contains("\"state\":\"accepted_risk\"") == true && audit[1].before?.contains("\"state\":\"untriaged\"") == true)
        let verification = try await store.verifyAudit()
        #expect(verification.broken == nil && verification.entries == 3 && verification.head == audit.last?.hash)
    }

    @Test("an accepted risk expires by the clock passed in, and counts against its SLA again", arguments: StoreBackend.all)
    func expiry(backend: StoreBackend) async throws {
        let store = try backend.make()
        let (sqli, _) = try await Self.twoIssues(store)
        let until = epoch.addingTimeInterval(10 * Self.day)
        _ = try await store.triage(
            issue: sqli.id, decision: .acceptedRisk(until: until, approver: "carol"), reason: "wait", actor: "alice", at: epoch)
        #expect(try await store.expireTriage(at: until.addingTimeInterval(-1)).isEmpty)
        #expect(try await store.expireTriage(at: until.addingTimeInterval(1)) == [sqli.id])
        let expired = try #require(try await store.issues(IssueQuery(ids: [sqli.id])).first)
        #expect(expired.triage.state == .untriaged && expired.triage.source == .expiry)
        #expect(expired.triage.pausedSeconds == 10 * Self.day)
        // High: 30 days, plus the 10 the accepted risk paused.
        let sla = expired.sla(policy: .standard, criticality: nil, now: until.addingTimeInterval(Self.day))
        #expect(sla.due == epoch.addingTimeInterval(40 * Self.day) && !sla.breached)
        #expect(try await store.auditEntries(limit: 1).first?.action == .triageExpired)
        // An import past the date expires too, inside its transaction.
        _ = try await store.triage(
            issue: sqli.id, decision: .acceptedRisk(until: until.addingTimeInterval(Self.day), approver: "carol"), reason: "again", actor: "alice",
            at: until.addingTimeInterval(2))
        _ = try await store.record(
            submission(
                [codeFinding("sqli", line: 3, snippet: "q1"), codeFinding("xss", line: 40, snippet: "q2", severity: .medium)], content: "two",
                at: until.addingTimeInterval(2 * Self.day)))
        #expect(try await store.issues(IssueQuery(ids: [sqli.id])).first?.triage.state == .untriaged)
    }

    @Test("a false positive that comes back after a fix is flagged for review", arguments: StoreBackend.all)
    func regression(backend: StoreBackend) async throws {
        let store = try backend.make()
        let (sqli, _) = try await Self.twoIssues(store)
        _ = try await store.triage(issue: sqli.id, decision: .falsePositive, reason: "test fixture", actor: "alice", at: epoch)
        _ = try await store.record(
            submission([codeFinding("xss", line: 40, snippet: "q2", severity: .medium)], content: "fixed", at: epoch.addingTimeInterval(Self.day)))
        #expect(try await store.issues(IssueQuery(statuses: FindingStatus.allCases, ids: [sqli.id])).first?.triage.needsReview == false)
        _ = try await store.record(
            submission(
                [codeFinding("sqli", line: 3, snippet: "q1"), codeFinding("xss", line: 40, snippet: "q2", severity: .medium)], content: "back",
                at: epoch.addingTimeInterval(2 * Self.day)))
        let back = try #require(try await store.issues(IssueQuery(ids: [sqli.id])).first)
        #expect(back.status == .reopened && back.triage.state == .falsePositive && back.triage.needsReview && !back.triage.dismisses)
        let entry = try #require(try await store.auditEntries(limit: nil).last { $0.action == .triage })
        #expect(entry.reason?.contains("regression") == true)
    }

    @Test("a rebuild of the issues keeps their triage", arguments: StoreBackend.all)
    func rebuildKeepsTriage(backend: StoreBackend) async throws {
        let store = try backend.make()
        let (sqli, xss) = try await Self.twoIssues(store)
        _ = try await store.triage(issue: sqli.id, decision: .falsePositive, reason: "fixture", actor: "alice", at: epoch)
        _ = try await store.rebuildCorrelation(actor: "alice", at: epoch.addingTimeInterval(60))
        let issues = try await store.issues(IssueQuery())
        #expect(issues.first { $0.title.hasPrefix("sqli") }?.triage.state == .falsePositive)
        #expect(issues.first { $0.title.hasPrefix("sqli") }?.triage.source == .person("alice"))
        #expect(issues.first { $0.title.hasPrefix("xss") }?.triage == .untriaged)
        _ = xss
        #expect(try await store.auditEntries(limit: 1).first?.action == .correlationRebuilt)
    }

    @Test("editing or deleting an audit row directly is detected at that entry", arguments: StoreBackend.all)
    func tamper(backend: StoreBackend) async throws {
        let store = try #require(try backend.make() as? SQLiteStore)
        let (sqli, xss) = try await Self.twoIssues(store)
        _ = try await store.triage(issue: sqli.id, decision: .confirmed, reason: "real", actor: "alice", at: epoch)
        _ = try await store.triage(issue: xss.id, decision: .falsePositive, reason: "fixture", actor: "alice", at: epoch)
        try await store.applySLAPolicy(SLAPolicy(days: [.critical: 5]), source: "policy.yaml", actor: "carol", at: epoch)
        #expect(try await store.verifyAudit().broken == nil)
        #expect(try await store.verifyAudit().entries == 4)
        // The triggers refuse casual edits.
        await #expect(throws: DatabaseError.self) {
            try await store.writer.write { db in try db.execute(sql: "UPDATE audit_entry SET actor = 'mallory' WHERE id = 2") }
        }
        // Someone who drops them first is caught by the chain.
        try await store.writer.write { db in
            try db.execute(sql: "DROP TRIGGER audit_entry_no_update; DROP TRIGGER audit_entry_no_delete")
            try db.execute(sql: "UPDATE audit_entry SET reason = 'harmless' WHERE id = 3")
        }
        #expect(try await store.verifyAudit().broken?.entryID == 3)
        try await store.writer.write { db in try db.execute(sql: "UPDATE audit_entry SET reason = 'fixture' WHERE id = 3") }
        #expect(try await store.verifyAudit().broken == nil)
        try await store.writer.write { db in try db.execute(sql: "DELETE FROM audit_entry WHERE id = 2") }
        let deleted = try await store.verifyAudit()
        #expect(deleted.broken?.entryID == 3 && deleted.broken?.reason.contains("missing") == true)
        // A new entry after the deletion does not hide it.
        _ = try await store.triage(issue: sqli.id, decision: .mitigated, reason: "WAF rule 12", actor: "alice", at: epoch)
        #expect(try await store.verifyAudit().broken?.entryID == 3)
    }

    @Test("an SLA policy is stored, read back and audited", arguments: StoreBackend.all)
    func slaPolicy(backend: StoreBackend) async throws {
        let store = try backend.make()
        #expect(try await store.slaPolicy() == nil)
        let policy = SLAPolicy(basis: .risk, days: [.critical: 5, .high: 20], byCriticality: [.critical: [.critical: 2]], dueSoonDays: 3)
        try await store.applySLAPolicy(policy, source: "policy.yaml", actor: "carol", at: epoch)
        try await store.applySLAPolicy(policy, source: "policy.yaml", actor: "carol", at: epoch)
        #expect(try await store.slaPolicy()?.policy == policy)
        #expect(try await store.auditEntries(limit: nil).map(\.action) == [.slaPolicyApplied])
    }

    @Test("the gate judges the branch under test against its baseline", arguments: StoreBackend.all)
    func gateBranches(backend: StoreBackend) async throws {
        let store = try backend.make()
        let main = StreamKey(application: "shop", component: "api", tool: "Semgrep", branch: "main")
        let feature = StreamKey(application: "shop", component: "api", tool: "Semgrep", branch: "feature")
        _ = try await store.record(submission([codeFinding("sqli", line: 3, snippet: "q1")], stream: main, content: "main"))
        _ = try await store.record(
            submission(
                [
                    codeFinding("sqli", line: 3, snippet: "q1"), codeFinding("xss", line: 40, snippet: "q2"),
                    codeFinding("rce", line: 90, snippet: "q3"),
                ],
                stream: feature, content: "feature"))
        var issues = try await store.issues(IssueQuery())
        let rce = try #require(issues.first { $0.title.hasPrefix("rce") })
        _ = try await store.triage(issue: rce.id, decision: .falsePositive, reason: "test code", actor: "alice", at: epoch)
        issues = try await store.issues(IssueQuery())
        let candidates = issues.compactMap { issue in
            issue.gateCandidate(
                branch: "feature", baseline: "main", sla: issue.sla(policy: .standard, criticality: nil, now: epoch)
            ).map { (issue.title, $0) }
        }
        #expect(candidates.count == 3)
        let verdict = GateVerdict(policy: .standard, candidates: candidates.map(\.1))
        let failing = Set(verdict.failures.compactMap { failure in candidates.first { $0.1.issueID == failure.issueID }?.0 })
        #expect(failing == ["xss issue"])
        #expect(verdict.exemptions.count == 2)
        // On main itself, the issue main has is judged (it has no baseline).
        let onMain = issues.compactMap {
            $0.gateCandidate(branch: "main", baseline: "main", sla: SLAStatus(due: nil, breached: false, dueSoon: false, pausedDays: 0))
        }
        #expect(onMain.count == 1 && !GateVerdict(policy: .standard, candidates: onMain).passed)
    }
}
