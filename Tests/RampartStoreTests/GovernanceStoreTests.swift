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

    @Test("an issue's timeline is what its scans and decisions recorded", arguments: StoreBackend.all)
    func timelines(backend: StoreBackend) async throws {
        let store = try backend.make()
        let (sqli, xss) = try await Self.twoIssues(store)
        let xssOnly = [codeFinding("xss", line: 40, snippet: "q2", severity: .medium)]
        _ = try await store.record(submission(xssOnly, content: "fixed", at: epoch + 3 * Self.day))
        _ = try await store.record(
            submission([codeFinding("sqli", line: 3, snippet: "q1")] + xssOnly, content: "back", at: epoch + 5 * Self.day))
        _ = try await store.record(submission(xssOnly, content: "fixed again", at: epoch + 6 * Self.day))
        _ = try await store.triage(issue: xss.id, decision: .falsePositive, reason: "fixture", actor: "alice", at: epoch + 7 * Self.day)
        let timelines = try await store.issueTimelines(application: "shop")
        let sqliLine = try #require(timelines.first { $0.issueID == sqli.id })
        #expect(
            sqliLine.spans == [
                .init(start: epoch, end: epoch + 3 * Self.day), .init(start: epoch + 5 * Self.day, end: epoch + 6 * Self.day),
            ])
        let xssLine = try #require(timelines.first { $0.issueID == xss.id })
        #expect(xssLine.spans == [.init(start: epoch, end: nil)])
        #expect(xssLine.decisions == [.init(at: epoch + 7 * Self.day, state: .falsePositive, source: .person)])
        let metrics = PostureMetrics(timelines: timelines, since: epoch, until: epoch + 8 * Self.day, sla: { _ in nil }, team: { _ in nil })
        #expect(metrics.remediation["overall"]?["all"]?.meanDays == 2)
        #expect(metrics.dismissedBy == [.person: 1] && metrics.openNow == 0)
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

@Suite("Triage rules in the store")
struct RuleStoreTests {
    static let day = 86_400.0

    static func testsRule(expires: Date? = nil) -> TriageRule {
        TriageRule(
            match: RuleMatch(tool: "semgrep", path: "tests/*"), action: .triage(.falsePositive), reason: "test code is not shipped", owner: "appsec",
            expires: expires)
    }

    static func findings(_ extra: [Finding] = []) -> [Finding] {
        [
            codeFinding("sqli", file: "tests/test_db.py", line: 3, snippet: "q1"), codeFinding("xss", file: "app/views.py", line: 40, snippet: "q2"),
            codeFinding("cmd", file: "tests/test_shell.py", line: 9, snippet: "q3"),
        ] + extra
    }

    @Test("a rule's preview is exactly its effect, and changes nothing", arguments: StoreBackend.all)
    func previewIsEffect(backend: StoreBackend) async throws {
        let store = try backend.make()
        _ = try await store.record(submission(Self.findings(), content: "one"))
        let issues = try await store.issues(IssueQuery())
        let person = try #require(issues.first { $0.title.hasPrefix("cmd") })
        _ = try await store.triage(issue: person.id, decision: .confirmed, reason: "real: shipped by mistake", actor: "bob", at: epoch)
        let audit = try await store.auditEntries(limit: nil).count

        let preview = try await store.addRule(Self.testsRule(), actor: "alice", at: epoch + 10, dryRun: true)
        #expect(try await store.rules(at: epoch).isEmpty)
        #expect(try await store.auditEntries(limit: nil).count == audit)
        #expect(try await store.issues(IssueQuery()).allSatisfy { $0.triage.source != .rule(preview.id) })

        let added = try await store.addRule(Self.testsRule(), actor: "alice", at: epoch + 10, dryRun: false)
        #expect(added.effects == preview.effects && added.id == preview.id)
        // It changes the test-file issue; bob's decision on the other wins.
        #expect(added.effects.filter(\.applies).count == 1)
        #expect(added.effects.contains { $0.issueID == person.id && !$0.applies && $0.change.contains("bob") })
        let after = try await store.issues(IssueQuery())
        #expect(after.first { $0.title.hasPrefix("sqli") }?.triage.source == .rule(added.id))
        #expect(after.first { $0.title.hasPrefix("cmd") }?.triage.source == .person("bob"))
        #expect(after.first { $0.title.hasPrefix("xss") }?.triage == .untriaged)
        let listed = try await store.rules(at: epoch + 20)
        #expect(listed.map(\.matches) == [2] && listed.first?.createdBy == "alice")
    }

    @Test("a rule applies to later imports inside their transaction, lapses when it expires or is removed", arguments: StoreBackend.all)
    func carriesForward(backend: StoreBackend) async throws {
        let store = try backend.make()
        _ = try await store.record(submission(Self.findings(), content: "one"))
        let expires = epoch + 10 * Self.day
        let rule = try await store.addRule(Self.testsRule(expires: expires), actor: "alice", at: epoch, dryRun: false)
        let severity = try await store.addRule(
            TriageRule(match: RuleMatch(path: "app/*"), action: .severity(.low), reason: "internal admin app", owner: "appsec"), actor: "alice",
            at: epoch, dryRun: false)
        // A rescan brings a new test finding: the rule dismisses it as it is imported.
        _ = try await store.record(
            submission(Self.findings([codeFinding("path", file: "tests/test_io.py", line: 5, snippet: "q4")]), content: "two", at: epoch + Self.day))
        var issues = try await store.issues(IssueQuery())
        #expect(issues.first { $0.title.hasPrefix("path") }?.triage.source == .rule(rule.id))
        let xss = try #require(issues.first { $0.title.hasPrefix("xss") })
        #expect(xss.severity == .low && xss.reportedSeverity == .high && xss.severityOverride?.rule == severity.id)
        // The rule expires: what it set lapses to untriaged when time has passed it.
        _ = try await store.expireTriage(at: expires + 1)
        issues = try await store.issues(IssueQuery())
        #expect(issues.filter { $0.triage.source == .rule(rule.id) }.isEmpty)
        #expect(issues.first { $0.title.hasPrefix("sqli") }?.triage.state == .untriaged)
        // Removing the severity rule gives the issue back its tools' severity.
        let removed = try await store.removeRule(id: severity.id, actor: "alice", at: expires + 2, dryRun: false)
        #expect(removed.contains { $0.issueID == xss.id })
        #expect(try await store.issues(IssueQuery(ids: [xss.id])).first?.severity == .high)
        let actions = try await store.auditEntries(limit: nil).map(\.action)
        #expect(actions.contains(.ruleAdded) && actions.contains(.ruleRemoved))
        #expect(try await store.verifyAudit().broken == nil)
    }

    @Test("a rules file replaces the rule set: same rules kept, others added or removed", arguments: StoreBackend.all)
    func replaceRules(backend: StoreBackend) async throws {
        let store = try backend.make()
        _ = try await store.record(submission(Self.findings(), content: "one"))
        let first = try await store.addRule(Self.testsRule(), actor: "alice", at: epoch, dryRun: false)
        let other = TriageRule(
            match: RuleMatch(ruleID: "xss"), action: .triage(.acceptedRisk(until: epoch + 90 * Self.day, approver: "ciso")), reason: "WAF covers it",
            owner: "appsec")
        let preview = try await store.replaceRules([Self.testsRule(), other], source: "rules.yaml", actor: "carol", at: epoch + 1, dryRun: true)
        #expect(preview.kept == [first.id] && preview.added.count == 1 && preview.removed.isEmpty)
        #expect(try await store.rules(at: epoch).count == 1)
        let change = try await store.replaceRules([other], source: "rules.yaml", actor: "carol", at: epoch + 1, dryRun: false)
        #expect(change.removed == [first.id] && change.added.count == 1)
        let issues = try await store.issues(IssueQuery())
        #expect(issues.first { $0.title.hasPrefix("xss") }?.triage.state == .acceptedRisk)
        #expect(issues.first { $0.title.hasPrefix("sqli") }?.triage.state == .untriaged)
        // An unsound rule is refused, and nothing changes.
        await #expect(throws: RuleError.self) {
            _ = try await store.addRule(
                TriageRule(match: RuleMatch(), action: .triage(.falsePositive), reason: "all", owner: "x"), actor: "x", at: epoch, dryRun: false)
        }
        #expect(try await store.rules(at: epoch).count == 1)
    }
}
