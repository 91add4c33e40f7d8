import Foundation
import RampartCore
import Testing

@Suite("Triage state machine, SLA, audit chain, gate")
struct TriageTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let day = 86_400.0
    static let later = now.addingTimeInterval(30 * day)

    /// One triage per state, set by a person, a rule or nobody.
    static func triage(_ state: TriageState, source: TriageSource = .person("alice"), review: Bool = false) -> Triage {
        let decision: TriageDecision =
            switch state {
            case .untriaged: .untriaged
            case .confirmed: .confirmed
            case .falsePositive: .falsePositive
            case .acceptedRisk: .acceptedRisk(until: later, approver: "carol")
            case .notAffected: .notAffected(.vulnerableCodeNotPresent)
            case .mitigated: .mitigated
            }
        if state == .untriaged && source == .person("alice") { return .untriaged }
        return Triage(decision: decision, reason: "because", source: source, at: now.addingTimeInterval(-day), needsReview: review)
    }

    static let decisions: [TriageDecision] = [
        .untriaged, .confirmed, .falsePositive, .acceptedRisk(until: later, approver: "carol"), .notAffected(.componentNotPresent), .mitigated,
    ]

    @Test("a person's decision applies from every state, with actor, time and reason", arguments: TriageState.allCases)
    func personDecides(from state: TriageState) throws {
        for source: TriageSource in [.person("alice"), .rule(3), .vex("vex.json")] {
            let current = Self.triage(state, source: source, review: state == .falsePositive)
            for decision in Self.decisions {
                let outcome = try current.applying(.decide(decision, reason: "checked", by: .person("bob")), at: Self.now)
                guard case .changed(let next) = outcome else {
                    Issue.record("\(state) → \(decision.state) by a person did not change")
                    continue
                }
                #expect(next.decision == decision)
                #expect(next.source == .person("bob"))
                #expect(next.at == Self.now)
                #expect(next.reason == "checked")
                #expect(!next.needsReview)
            }
        }
    }

    @Test("rules and VEX apply unless a person decided: people win", arguments: TriageState.allCases)
    func peopleWin(from state: TriageState) throws {
        for by: TriageSource in [.rule(7), .vex("openvex.json")] {
            let personal = Self.triage(state, source: .person("alice"))
            let byRule = Self.triage(state, source: .rule(1))
            // A VEX document's decision stands against rules.
            if state != .untriaged {
                let byVEX = Self.triage(state, source: .vex("vex.json"))
                let overRule = try byVEX.applying(.decide(.confirmed, reason: "policy", by: .rule(9)), at: Self.now)
                #expect(overRule == .unchanged("VEX vex.json decided \(state.rawValue); a VEX statement wins over rule 9"))
                guard case .changed = try byRule.applying(.decide(.confirmed, reason: "doc", by: .vex("v2.json")), at: Self.now) else {
                    Issue.record("a VEX document did not override a rule")
                    continue
                }
            }
            for decision in Self.decisions {
                // Over another rule's or document's decision, a rule applies.
                if case .changed(let next) = try byRule.applying(.decide(decision, reason: "policy", by: by), at: Self.now) {
                    #expect(next.source == by && next.decision == decision)
                } else {
                    Issue.record("\(by) did not replace a rule's \(state)")
                }
                if state == .untriaged {
                    // Nobody decided an untriaged issue yet: a rule applies.
                    guard case .changed = try personal.applying(.decide(decision, reason: "policy", by: by), at: Self.now) else {
                        Issue.record("\(by) did not apply to an untriaged issue")
                        continue
                    }
                } else {
                    guard case .unchanged(let why) = try personal.applying(.decide(decision, reason: "policy", by: by), at: Self.now) else {
                        Issue.record("a rule overrode alice's \(state)")
                        continue
                    }
                    #expect(why.contains("alice"))
                }
            }
        }
    }

    @Test("invalid decisions are refused with a message, and nothing changes")
    func refusals() throws {
        let current = Triage.untriaged
        #expect(throws: TriageRefusal.self) { try current.applying(.decide(.confirmed, reason: "  ", by: .person("bob")), at: Self.now) }
        #expect(throws: TriageRefusal.self) {
            try current.applying(
                .decide(.acceptedRisk(until: Self.now.addingTimeInterval(-1), approver: "x"), reason: "r", by: .person("bob")), at: Self.now)
        }
        #expect(throws: TriageRefusal.self) {
            try current.applying(.decide(.acceptedRisk(until: Self.later, approver: " "), reason: "r", by: .person("bob")), at: Self.now)
        }
        #expect(throws: TriageRefusal.self) { try current.applying(.decide(.confirmed, reason: "r", by: .person("")), at: Self.now) }
        #expect(throws: TriageRefusal.self) { try current.applying(.decide(.confirmed, reason: "r", by: .expiry), at: Self.now) }
        // A rule's accepted risk past its date is not an error: it just no longer applies.
        #expect(
            try current.applying(.decide(.acceptedRisk(until: Self.now, approver: "x"), reason: "r", by: .rule(1)), at: Self.now)
                == .unchanged("the accepted risk expired on \(Self.now.formatted(Date.ISO8601FormatStyle().year().month().day()))"))
        // A decision without its parts cannot be built from storage either.
        #expect(TriageDecision(state: .acceptedRisk, until: nil, approver: "x", justification: nil) == nil)
        #expect(TriageDecision(state: .notAffected, until: nil, approver: nil, justification: nil) == nil)
    }

    @Test("the clock expires an accepted risk, and only that", arguments: TriageState.allCases)
    func expiry(state: TriageState) throws {
        let current = Self.triage(state)
        let before = try current.applying(.clockTick, at: Self.later.addingTimeInterval(-1))
        #expect(before == .unchanged("nothing expires"))
        let after = try current.applying(.clockTick, at: Self.later.addingTimeInterval(Self.day))
        if state == .acceptedRisk {
            guard case .changed(let next) = after else {
                Issue.record("an expired accepted risk stayed")
                return
            }
            #expect(next.state == .untriaged && next.source == .expiry && next.at == Self.later)
            #expect(next.reason?.contains("expired") == true)
            // The SLA clock stood still from the decision to the expiry, 31 days.
            #expect(next.pausedSeconds == 31 * Self.day)
            #expect(!next.dismisses)
        } else {
            #expect(after == .unchanged("nothing expires"))
        }
    }

    @Test("a dismissed issue that comes back is flagged for review, not hidden", arguments: TriageState.allCases)
    func regression(state: TriageState) throws {
        let current = Self.triage(state)
        let outcome = try current.applying(.presence(from: .fixed, to: .reopened), at: Self.now)
        let dismissing: Set<TriageState> = [.falsePositive, .acceptedRisk, .notAffected, .mitigated]
        if dismissing.contains(state) {
            guard case .changed(let next) = outcome else {
                Issue.record("regression of \(state) not flagged")
                return
            }
            #expect(next.needsReview && next.decision == current.decision && !next.dismisses)
            // A person's look clears the flag.
            guard case .changed(let reviewed) = try next.applying(.decide(current.decision, reason: "because", by: .person("alice")), at: Self.now)
            else {
                Issue.record("a review did not clear the flag")
                return
            }
            #expect(!reviewed.needsReview && reviewed.dismisses)
        } else {
            #expect(outcome == .unchanged("no regression of a dismissed issue"))
        }
        // Other presence moves never flag.
        for (from, to) in [(FindingStatus.new, FindingStatus.open), (.open, .fixed), (.reopened, .open)] {
            #expect(try current.applying(.presence(from: from, to: to), at: Self.now) == .unchanged("no regression of a dismissed issue"))
        }
    }

    @Test("VEX justifications read every vocabulary's spelling")
    func justifications() {
        #expect(VEXJustification(vocabulary: "code_not_reachable") == .codeNotReachable)
        #expect(VEXJustification(vocabulary: "Vulnerable-Code-Not-Present") == .vulnerableCodeNotPresent)
        #expect(VEXJustification(vocabulary: "inline_mitigations_already_exist") == .inlineMitigationsAlreadyExist)
        #expect(VEXJustification(vocabulary: "because") == nil)
    }

    @Test("SLA: due from first seen, tighter for critical apps, paused by accepted risks, judged at the fix")
    func sla() {
        let policy = SLAPolicy(days: [.critical: 7, .high: 30], byCriticality: [.critical: [.critical: 3]], dueSoonDays: 5)
        let seen = Self.now
        let open = SLAStatus(
            policy: policy, severity: .critical, risk: nil, criticality: .high, firstSeen: seen, triage: .untriaged, fixedAt: nil,
            now: seen.addingTimeInterval(8 * Self.day))
        #expect(open.due == seen.addingTimeInterval(7 * Self.day) && open.breached && !open.dueSoon)
        let criticalApp = SLAStatus(
            policy: policy, severity: .critical, risk: nil, criticality: .critical, firstSeen: seen, triage: .untriaged, fixedAt: nil,
            now: seen.addingTimeInterval(Self.day))
        #expect(criticalApp.due == seen.addingTimeInterval(3 * Self.day) && criticalApp.dueSoon && !criticalApp.breached)
        #expect(
            SLAStatus(policy: policy, severity: .low, risk: nil, criticality: nil, firstSeen: seen, triage: .untriaged, fixedAt: nil, now: seen).due
                == nil)
        // Fixed on day 6: within its SLA however late it is now.
        let fixed = SLAStatus(
            policy: policy, severity: .critical, risk: nil, criticality: nil, firstSeen: seen, triage: .untriaged,
            fixedAt: seen.addingTimeInterval(6 * Self.day), now: seen.addingTimeInterval(90 * Self.day))
        #expect(!fixed.breached)
        // Accepted on day 2 for ten days: never breached while accepted, and due ten days later once it expired.
        let accepted = Triage(
            decision: .acceptedRisk(until: seen.addingTimeInterval(12 * Self.day), approver: "carol"), reason: "r", source: .person("a"),
            at: seen.addingTimeInterval(2 * Self.day))
        let during = SLAStatus(
            policy: policy, severity: .critical, risk: nil, criticality: nil, firstSeen: seen, triage: accepted, fixedAt: nil,
            now: seen.addingTimeInterval(11 * Self.day))
        #expect(!during.breached && !during.dueSoon)
        guard case .changed(let expired) = try? accepted.applying(.clockTick, at: seen.addingTimeInterval(13 * Self.day)) else {
            Issue.record("did not expire")
            return
        }
        let afterwards = SLAStatus(
            policy: policy, severity: .critical, risk: nil, criticality: nil, firstSeen: seen, triage: expired, fixedAt: nil,
            now: seen.addingTimeInterval(16 * Self.day))
        #expect(afterwards.due == seen.addingTimeInterval(17 * Self.day) && !afterwards.breached && afterwards.dueSoon)
        // False positives have no SLA; risk bands key the days when the policy says so.
        let dismissed = Triage(decision: .falsePositive, reason: "r", source: .person("a"), at: seen)
        #expect(
            SLAStatus(policy: policy, severity: .critical, risk: nil, criticality: nil, firstSeen: seen, triage: dismissed, fixedAt: nil, now: seen)
                .due == nil)
        let byRisk = SLAPolicy(basis: .risk, days: [.critical: 2, .high: 30])
        #expect(byRisk.allowedDays(severity: .high, risk: 95, criticality: nil) == 2)
        #expect(byRisk.allowedDays(severity: .critical, risk: 75, criticality: nil) == 30)
        #expect(SLAPolicy(days: [.high: 0]).problems == ["days.high must be at least 1 (is 0)"])
    }

    static func chain(_ count: Int) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        var previous = AuditChain.genesis
        for id in 1...Int64(count) {
            let at = Self.now.addingTimeInterval(Double(id))
            let hash = AuditChain.hash(
                id: id, at: at, actor: "alice", action: .triage, subject: "issue \(id)", before: nil, after: "{\"state\":\"confirmed\"}",
                reason: "r", previousHash: previous)
            entries.append(
                AuditEntry(
                    id: id, at: at, actor: "alice", action: .triage, subject: "issue \(id)", before: nil, after: "{\"state\":\"confirmed\"}",
                    reason: "r", previousHash: previous, hash: hash))
            previous = hash
        }
        return entries
    }

    @Test("the audit chain detects an edit, a deletion, a reorder and a rehashed forgery")
    func auditChain() {
        let entries = Self.chain(5)
        #expect(AuditChain.verify(entries) == nil)
        var edited = entries
        edited[2].reason = "nothing to see"
        #expect(AuditChain.verify(edited)?.entryID == 3)
        var deleted = entries
        deleted.remove(at: 1)
        #expect(AuditChain.verify(deleted)?.entryID == 3)
        var reordered = entries
        reordered.swapAt(1, 2)
        #expect(AuditChain.verify(reordered)?.entryID == 3)
        // Rehashing the edited entry itself moves the break to its successor.
        var forged = entries
        forged[1].actor = "mallory"
        forged[1].hash = AuditChain.hash(of: forged[1])
        #expect(AuditChain.verify(forged)?.entryID == 3)
        // Deleting a middle entry and rehashing everything after it still leaves the gap.
        var rewritten = Array(entries.prefix(2))
        var previous = rewritten[1].hash
        for var entry in entries.dropFirst(3) {
            entry.previousHash = previous
            entry.hash = AuditChain.hash(of: entry)
            previous = entry.hash
            rewritten.append(entry)
        }
        #expect(AuditChain.verify(rewritten)?.entryID == 4)
        #expect(AuditChain.verify(rewritten)?.reason.contains("missing") == true)
    }

    static func candidate(
        _ id: Int64, _ severity: Severity, kev: Bool = false, ssvc: SSVCAssessment.Decision? = nil, breached: Bool = false,
        triage: Triage = .untriaged, baseline: Bool = false, risk: Double? = nil
    ) -> GateCandidate {
        GateCandidate(issueID: id, severity: severity, risk: risk, kev: kev, ssvc: ssvc, slaBreached: breached, triage: triage, onBaseline: baseline)
    }

    @Test("the gate fails on new severe, KEV, act and breached issues; baseline and triaged ones pass")
    func gate() {
        let policy = GatePolicy.standard
        #expect(GateVerdict(policy: policy, candidates: [Self.candidate(1, .medium), Self.candidate(2, .low)]).passed)
        let verdict = GateVerdict(
            policy: policy,
            candidates: [
                Self.candidate(1, .high), Self.candidate(2, .low, kev: true), Self.candidate(3, .medium, ssvc: .act),
                Self.candidate(4, .low, breached: true), Self.candidate(5, .critical, baseline: true),
                Self.candidate(6, .critical, triage: Self.triage(.falsePositive)), Self.candidate(7, .critical, triage: Self.triage(.confirmed)),
                Self.candidate(8, .critical, triage: Self.triage(.acceptedRisk, review: true)), Self.candidate(9, .medium),
            ])
        #expect(!verdict.passed)
        #expect(verdict.failures.map(\.issueID) == [1, 2, 3, 4, 7, 8])
        #expect(verdict.failures.first { $0.issueID == 2 }?.reasons == ["listed in CISA KEV"])
        #expect(Set(verdict.exemptions.map(\.issueID)) == [5, 6])
        #expect(verdict.exemptions.first { $0.issueID == 6 }?.reason.contains("false_positive") == true)
        let riskOnly = GatePolicy(failOnSeverity: nil, failOnRisk: 60, failOnKEV: false, failOnSSVCAct: false, failOnSLABreach: false)
        let byRisk = GateVerdict(
            policy: riskOnly, candidates: [Self.candidate(1, .critical, risk: 59.9), Self.candidate(2, .low, kev: true, risk: 60)])
        #expect(byRisk.failures.map(\.issueID) == [2])
    }
}

@Suite("Posture metrics from timelines")
struct MetricsTests {
    static let d0 = Date(timeIntervalSince1970: 1_800_000_000)
    static func day(_ n: Double) -> Date { d0.addingTimeInterval(n * 86_400) }

    @Test("a finding's events make spans; an issue's spans are its findings' union")
    func spans() {
        let spans = IssueTimeline.spans(of: [
            (Self.day(0), [(Self.day(10), true), (Self.day(20), false), (Self.day(24), true)]), (Self.day(8), [(Self.day(12), true)]),
        ])
        #expect(spans == [.init(start: Self.day(0), end: Self.day(12)), .init(start: Self.day(20), end: Self.day(24))])
        let open = IssueTimeline.spans(of: [(Self.day(0), [(Self.day(10), true)]), (Self.day(5), [])])
        #expect(open == [.init(start: Self.day(0), end: nil)])
    }

    @Test("time to remediate, fix rate, SLA compliance and who closed what come from the recorded history")
    func metrics() throws {
        let fixedTwice = IssueTimeline(
            issueID: 1, application: "shop", component: "api", category: .sast, severity: .high,
            spans: [.init(start: Self.day(0), end: Self.day(10)), .init(start: Self.day(20), end: Self.day(24))], decisions: [])
        let open = IssueTimeline(
            issueID: 2, application: "shop", component: "api", category: .sca, severity: .critical, spans: [.init(start: Self.day(5), end: nil)],
            decisions: [])
        let dismissed = IssueTimeline(
            issueID: 3, application: "blog", component: "web", category: .sast, severity: .medium, spans: [.init(start: Self.day(2), end: nil)],
            decisions: [.init(at: Self.day(3), state: .falsePositive, source: .person)])
        let byRule = IssueTimeline(
            issueID: 4, application: "blog", component: "web", category: .iac, severity: .low, spans: [.init(start: Self.day(2), end: nil)],
            decisions: [.init(at: Self.day(4), state: .acceptedRisk, source: .rule), .init(at: Self.day(14), state: .untriaged, source: .expiry)])
        let slas: [Int64: SLAStatus] = [
            1: SLAStatus(due: Self.day(30), breached: false, dueSoon: false, pausedDays: 0),
            2: SLAStatus(due: Self.day(12), breached: true, dueSoon: false, pausedDays: 0),
            4: SLAStatus(due: Self.day(40), breached: false, dueSoon: false, pausedDays: 0),
        ]
        let metrics = PostureMetrics(
            timelines: [fixedTwice, open, dismissed, byRule], since: Self.day(0), until: Self.day(28), sla: { slas[$0] },
            team: { $0 == "shop" ? "payments" : nil })
        let overall = try #require(metrics.remediation["overall"]?["all"])
        #expect(overall.count == 2 && overall.meanDays == 7 && overall.medianDays == 7)
        #expect(metrics.remediation["team"]?["payments"]?.count == 2 && metrics.remediation["severity"]?["high"]?.meanDays == 7)
        #expect(metrics.closedByRescan == 1 && metrics.remediations == 2)
        #expect(metrics.fixRate == 0.25)
        #expect(metrics.dismissedBy == [.person: 1, .rule: 1])
        #expect(metrics.slaCompliance == 2.0 / 3.0)
        #expect(metrics.openNow == 2 && metrics.breachedNow == 1)
        // Daily points over four weeks: on day 6, issue 1 and 2 are open (3 dismissed, 4 accepted).
        let day6 = try #require(metrics.series.first { $0.date == Self.day(6) })
        #expect(day6.open == [.high: 1, .critical: 1])
        // On day 15 issue 1 is fixed and issue 4's accepted risk has expired.
        #expect(metrics.series.first { $0.date == Self.day(15) }?.open == [.critical: 1, .low: 1])
        #expect(metrics.series.last?.date == Self.day(28) && metrics.series.count == 29)
    }
}

@Suite("Rule matching")
struct RuleMatchTests {
    static let finding = RuleSubject(
        application: "Shop", component: "api", tool: "semgrep", category: .sca, ruleID: "python.lang.B602", cwes: [78],
        vulnerabilityIDs: ["CVE-2021-23337", "GHSA-35jh-r3h4-6jhm"], purl: PackageURL(parsing: "pkg:npm/lodash@4.17.20"),
        path: "tests/unit/test_a.py",
        url: "https://staging.example.com/api/v1", severity: .high)

    @Test("every criterion must hold; wildcards, aliases, versionless packages and case as documented")
    func matching() {
        #expect(RuleMatch(application: "shop", path: "tests/*").matches(Self.finding))
        #expect(RuleMatch(tool: "Semgrep", ruleID: "python.lang.*", cwe: 78).matches(Self.finding))
        #expect(RuleMatch(vulnerabilityID: "ghsa-35jh-r3h4-6jhm", package: "pkg:npm/lodash").matches(Self.finding))
        #expect(RuleMatch(url: "https://staging.example.com/*", severity: .high).matches(Self.finding))
        #expect(!RuleMatch(ruleID: "PYTHON.LANG.B602").matches(Self.finding))
        #expect(!RuleMatch(path: "tests/*", severity: .low).matches(Self.finding))
        #expect(!RuleMatch(package: "pkg:npm/underscore").matches(Self.finding))
        #expect(!RuleMatch(category: .sast).matches(Self.finding))
        #expect(!RuleMatch(cwe: 79).matches(Self.finding))
        #expect(RuleMatch(application: "sh*", component: "api").mayMatch(application: "Shop", component: "api"))
        #expect(!RuleMatch(application: "blog").mayMatch(application: "Shop", component: "api"))
        #expect(RuleMatch(tool: "zap").mayMatch(application: "Shop", component: "api"))
        #expect(RuleMatch().isEmpty && !RuleMatch(cwe: 1).isEmpty)
    }
}
