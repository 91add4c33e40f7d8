import ArgumentParser
import Foundation
import RampartCore
import RampartSQLite
import RampartStore

extension IssueSort: ExpressibleByArgument {}

struct IssuesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issues",
        abstract: "Issues: one per real problem, however many tools, streams and files report it (docs/correlation.md).",
        subcommands: [IssuesListCommand.self, IssuesMergeCommand.self, IssuesSplitCommand.self],
        defaultSubcommand: IssuesListCommand.self)
}

struct IssuesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List issues, most severe first.")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Only this application.") var app: String?
    @Option(name: .long, help: "Only this component.") var component: String?
    @Option(
        name: .long,
        help: "Statuses, comma-separated: new, open, reopened, fixed; 'active' (the default) is new,open,reopened; 'all' is every status.")
    var status: String = "active"
    @Option(name: .long, help: "Only these SSVC decisions, comma-separated: act, attend, track*, track.") var ssvc: String?
    @Flag(name: .long, help: "Only issues of a CISA KEV-listed vulnerability.") var kev = false
    @Option(name: .long, help: "Only issues with at least this risk (0-100).") var minRisk: Double?
    @Option(name: .long, help: "Sort by: \(IssueSort.allCases.map(\.rawValue).joined(separator: ", ")) (default: risk, most risky first).")
    var sort: IssueSort = .risk
    @Option(name: .long, help: "At most this many issues.") var limit: Int?
    @Option(name: .long, help: "Only these triage states, comma-separated: \(TriageState.allCases.map(\.rawValue).joined(separator: ", ")).")
    var triage: String?
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func statuses() throws -> [FindingStatus] { try FindingsCommand.statuses(status, all: FindingStatus.allCases) }

    func triageStates() throws -> Set<TriageState>? {
        guard let triage else { return nil }
        return Set(
            try triage.split(separator: ",").map { word in
                let text = word.trimmingCharacters(in: .whitespaces).lowercased()
                guard let state = TriageState(rawValue: text) else {
                    throw ValidationError("unknown triage state '\(text)' (\(TriageState.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                return state
            })
    }

    func decisions() throws -> [SSVCAssessment.Decision] {
        try (ssvc ?? "").split(separator: ",").map { word in
            let text = word.trimmingCharacters(in: .whitespaces).lowercased()
            guard let decision = SSVCAssessment.Decision(rawValue: text == "track-star" ? "track*" : text) else {
                throw ValidationError("unknown SSVC decision '\(text)' (act, attend, track*, track)")
            }
            return decision
        }
    }

    func validate() throws {
        _ = try statuses()
        _ = try decisions()
        _ = try triageStates()
        if let limit, limit < 1 { throw ValidationError("--limit must be positive") }
        if let minRisk, !(0...100).contains(minRisk) { throw ValidationError("--min-risk must be between 0 and 100") }
    }

    func run() async throws {
        let (store, context) = try await GovernanceContext.open(database)
        var issues = try await store.issues(
            IssueQuery(
                application: app, component: component, statuses: try statuses(), ssvc: try decisions(), kevOnly: kev, minimumRisk: minRisk,
                sort: sort, limit: triage == nil ? limit : nil))
        if let wanted = try triageStates() {
            issues = Array(issues.filter { wanted.contains($0.triage.state) }.prefix(limit ?? .max))
        }
        if json {
            print(JSONOut.array(issues.map { Self.jsonObject($0, sla: context.sla($0)) }))
            return
        }
        if issues.isEmpty {
            print("No issues match.")
            return
        }
        let rows = issues.map { issue in
            [
                String(issue.id), issue.assessment.map { String(format: "%.1f", $0.assessment.score) } ?? "-",
                issue.assessment?.assessment.ssvc.decision.rawValue ?? "-", issue.assessment?.kev == nil ? "" : "KEV",
                "\(issue.application)/\(issue.component)", issue.severity.rawValue, issue.status.rawValue,
                issue.triage.state.rawValue + (issue.triage.needsReview ? " (review)" : ""),
                context.sla(issue).breached ? "BREACHED" : context.sla(issue).due.map(Clock.day) ?? "-",
                String(issue.title.prefix(60)), issue.tools.joined(separator: ","), String(issue.members.count),
                (issue.locations.first ?? "-") + (issue.locations.count > 1 ? " (+\(issue.locations.count - 1))" : ""),
            ]
        }
        print(
            table(
                ["ISSUE", "RISK", "SSVC", "KEV", "APP/COMPONENT", "SEVERITY", "STATUS", "TRIAGE", "DUE", "TITLE", "TOOLS", "FINDINGS", "WHERE"], rows)
        )
        let multi = issues.filter { $0.tools.count > 1 }.count
        print("\n\(issues.count) issue(s) from \(issues.map(\.members.count).reduce(0, +)) finding(s); \(multi) reported by several tools.")
    }

    static func jsonObject(_ issue: StoredIssue, sla: SLAStatus) -> String {
        JSONOut.object(
            [
                ("id", String(issue.id)), ("app", JSONOut.string(issue.application)), ("component", JSONOut.string(issue.component)),
                ("title", JSONOut.string(issue.title)), ("category", JSONOut.string(issue.category.rawValue)),
                ("severity", JSONOut.string(issue.severity.rawValue)), ("risk", JSONOut.double(issue.assessment?.assessment.score)),
                ("ssvc", JSONOut.string(issue.assessment?.assessment.ssvc.decision.rawValue)), ("kev", JSONOut.bool(issue.assessment?.kev != nil)),
                ("epss", JSONOut.double(issue.assessment?.epss?.probability)), ("vulnerability_ids", JSONText.array(issue.vulnerabilityIDs)),
                ("cwe", JSONOut.int(issue.cwe)), ("status", JSONOut.string(issue.status.rawValue)), ("tools", JSONText.array(issue.tools)),
                ("finding_ids", JSONOut.array(issue.members.map { String($0.finding.id) })), ("findings", String(issue.members.count)),
                ("locations", JSONText.array(issue.locations)), ("confirmed_by_dast", JSONOut.bool(issue.confirmedByDAST)),
                ("first_seen", JSONOut.string(isoTimestamp(issue.firstSeen))), ("last_seen", JSONOut.string(isoTimestamp(issue.lastSeen))),
            ] + TriageJSON.members(issue.triage) + TriageJSON.sla(sla))
    }
}

struct IssuesMergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Merge issues into the first: a person's decision, kept across reimports and rebuilds.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions
    @Argument(help: "The issue to keep, then the issues to merge into it.") var issues: [Int64]
    @Option(name: .long, help: "Why they are one problem (kept with the decision).") var reason: String

    func validate() throws {
        guard issues.count >= 2 else { throw ValidationError("name the issue to keep and at least one to merge into it") }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must not be empty") }
    }

    func run() async throws {
        do {
            try await database.openStore().mergeIssues(
                into: issues[0], from: Array(issues.dropFirst()), reason: reason, actor: actor.name, at: try Clock.now())
        } catch let error as IssueDecisionError {
            throw CLIError("\(error.message); nothing was changed")
        }
        print("Merged \(issues.dropFirst().map(String.init).joined(separator: ", ")) into issue \(issues[0]).")
    }
}

struct IssuesSplitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split", abstract: "Split findings off an issue into a new one: a person's decision, kept across reimports and rebuilds.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions
    @Argument(help: "The issue, then the findings to split off it.") var ids: [Int64]
    @Option(name: .long, help: "Why they are a different problem (kept with the decision).") var reason: String

    func validate() throws {
        guard ids.count >= 2 else { throw ValidationError("name the issue and at least one of its findings") }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must not be empty") }
    }

    func run() async throws {
        let store = try database.openStore()
        let findings = Array(ids.dropFirst())
        let members = try await store.issues(IssueQuery(statuses: FindingStatus.allCases, ids: [ids[0]])).first?.members.map(\.finding.id) ?? []
        guard findings.allSatisfy(members.contains) else {
            throw CLIError(
                "findings \(findings.filter { !members.contains($0) }.map(String.init).joined(separator: ", ")) are not in issue \(ids[0]); nothing was changed"
            )
        }
        do {
            let issue = try await store.splitIssue(findings: findings, reason: reason, actor: actor.name, at: try Clock.now())
            print("Split \(findings.map(String.init).joined(separator: ", ")) off issue \(ids[0]) into issue \(issue).")
        } catch let error as IssueDecisionError {
            throw CLIError("\(error.message); nothing was changed")
        }
    }
}

struct CorrelateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "correlate",
        abstract: "Recompute every finding's issue by the current correlation rules, then replay people's merges and splits.",
        discussion: "Imports correlate what they add as they go; a rebuild is needed only after the rules change. Issue numbers may change.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions
    @Flag(name: .long, help: "Rebuild all issues (required: the only mode).") var rebuild = false

    func validate() throws {
        guard rebuild else { throw ValidationError("pass --rebuild: imports already correlate what they add") }
    }

    func run() async throws {
        let count = try await database.openStore().rebuildCorrelation(actor: actor.name, at: try Clock.now())
        print("Rebuilt: \(count) issue(s).")
    }
}

struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain", abstract: "Why an issue is what it is: its findings, each tool's view, and the rule that linked each.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The issue.") var issue: Int64
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        let (store, context) = try await GovernanceContext.open(database)
        guard let found = try await store.issues(IssueQuery(statuses: FindingStatus.allCases, ids: [issue])).first else {
            throw CLIError("no issue \(issue)")
        }
        let related = found.related(
            among: try await store.issues(IssueQuery(application: found.application, component: found.component, statuses: FindingStatus.allCases)))
        if json {
            print(
                JSONOut.object(
                    [
                        ("id", String(found.id)), ("app", JSONOut.string(found.application)), ("component", JSONOut.string(found.component)),
                        ("title", JSONOut.string(found.title)), ("severity", JSONOut.string(found.severity.rawValue)),
                        ("status", JSONOut.string(found.status.rawValue)), ("cwe", JSONOut.int(found.cwe)),
                        ("risk", JSONOut.double(found.assessment?.assessment.score)),
                        ("risk_model", JSONOut.string(found.assessment?.assessment.model)),
                        ("kev", JSONOut.bool(found.assessment?.kev != nil)), ("epss", JSONOut.double(found.assessment?.epss?.probability)),
                    ] + TriageJSON.members(found.triage) + TriageJSON.sla(context.sla(found)) + [
                        (
                            "factors",
                            JSONOut.array(
                                (found.assessment?.assessment.factors ?? []).map {
                                    JSONOut.object([
                                        ("name", JSONOut.string($0.name)), ("value", JSONOut.string($0.value)),
                                        ("contribution", JSONOut.double($0.contribution)),
                                    ])
                                })
                        ),
                        (
                            "ssvc",
                            found.assessment.map { stored in
                                let ssvc = stored.assessment.ssvc
                                return JSONOut.object([
                                    ("decision", JSONOut.string(ssvc.decision.rawValue)),
                                    ("exploitation", JSONOut.string(ssvc.exploitation.rawValue)),
                                    ("automatable", JSONOut.bool(ssvc.automatable)),
                                    ("technical_impact", JSONOut.string(ssvc.technicalImpact.rawValue)),
                                    ("mission_wellbeing", JSONOut.string(ssvc.missionWellbeing.rawValue)),
                                    ("exposure", JSONOut.string(ssvc.exposure.rawValue)),
                                ])
                            } ?? "null"
                        ),
                        (
                            "related",
                            JSONOut.array(related.map { JSONOut.object([("id", String($0.id)), ("reason", JSONOut.string($0.reason))]) })
                        ),
                        (
                            "findings",
                            JSONOut.array(
                                found.members.map { member in
                                    JSONOut.object([
                                        ("id", String(member.finding.id)), ("tool", JSONOut.string(member.finding.tool)),
                                        ("rule_id", JSONOut.string(member.finding.ruleID)),
                                        ("severity", JSONOut.string(member.finding.severity.rawValue)),
                                        ("cwe", JSONText.array(member.finding.cwes)), ("status", JSONOut.string(member.finding.status.rawValue)),
                                        (
                                            "location",
                                            JSONOut.string(member.finding.place)
                                        ),
                                        ("rule", JSONOut.string(member.rule.rawValue)), ("confidence", JSONOut.string(member.confidence.rawValue)),
                                        ("linked_to", JSONOut.int(member.linkedTo.map(Int.init))),
                                    ])
                                })
                        ),
                    ]))
            return
        }
        print("Issue \(found.id): \(found.title)")
        print("  \(found.application)/\(found.component), \(found.category.rawValue), \(found.status.rawValue)")
        if let override = found.severityOverride {
            print("  severity \(override.severity.rawValue), set by rule \(override.rule) (the tools say \(found.reportedSeverity.rawValue))")
        } else {
            print("  severity \(found.severity.rawValue): the highest any tool gives (docs/correlation.md)")
        }
        let triage = found.triage
        if triage.source == .none {
            print("  triage untriaged: nobody has decided yet")
        } else {
            var line = "  triage \(triage.state.rawValue), set by \(triage.source.summary)"
            if let at = triage.at { line += " on \(Clock.day(at))" }
            if let until = triage.decision.until { line += ", until \(Clock.day(until))" }
            if let approver = triage.decision.approver { line += ", approved by \(approver)" }
            if let justification = triage.decision.justification { line += ", justification \(justification.rawValue)" }
            print(line + (triage.reason.map { ": \($0)" } ?? ""))
            if triage.needsReview { print("  REVIEW: it came back after being fixed; confirm or change the decision") }
        }
        let sla = context.sla(found)
        if let due = sla.due {
            let paused = sla.pausedDays > 0 ? String(format: ", paused %.1f days by accepted risks", sla.pausedDays) : ""
            print("  SLA due \(Clock.day(due))\(sla.breached ? " (BREACHED)" : sla.dueSoon ? " (due soon)" : "")\(paused)")
        }
        if let cwe = found.cwe { print("  weakness CWE-\(cwe): the one most of its findings name") }
        if let stored = found.assessment {
            let assessment = stored.assessment
            let ssvc = assessment.ssvc
            print("\n  risk \(String(format: "%.1f", assessment.score)) of 100 (\(assessment.model), docs/risk.md):")
            for factor in assessment.factors {
                print("    \(String(format: "%+6.1f", factor.contribution))  \(factor.name): \(factor.value)")
            }
            print(
                "  SSVC \(ssvc.decision.rawValue): exploitation \(ssvc.exploitation.rawValue), automatable \(ssvc.automatable ? "yes" : "no"), "
                    + "technical impact \(ssvc.technicalImpact.rawValue), mission and well-being \(ssvc.missionWellbeing.rawValue), exposure \(ssvc.exposure.rawValue)"
            )
        }
        if !found.vulnerabilityIDs.isEmpty { print("  vulnerabilities \(found.vulnerabilityIDs.joined(separator: ", "))") }
        if !related.isEmpty {
            print("\n  related, not merged (a different problem at the same place):")
            for item in related { print("  - issue \(item.id): \(item.reason)") }
        }
        print("\n  \(found.members.count) finding(s) from \(found.tools.joined(separator: ", ")):")
        for member in found.members {
            let finding = member.finding
            let place = finding.place
            let link =
                switch member.rule {
                case .first: "opened the issue"
                case .mergedByPerson: "merged by a person"
                case .splitByPerson: "split off by a person"
                default: "linked by \(member.rule.rawValue) (\(member.confidence.rawValue))" + (member.linkedTo.map { " to finding \($0)" } ?? "")
                }
            let cwe = finding.cwes.isEmpty ? "" : " CWE-" + finding.cwes.map(String.init).joined(separator: ",")
            print(
                "  - finding \(finding.id) \(finding.tool) \(finding.ruleID) \(finding.severity.rawValue)\(cwe) at \(place) [\(finding.status.rawValue)]: \(link)"
            )
        }
    }
}
