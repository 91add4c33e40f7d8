import ArgumentParser
import Foundation
import RampartCore
import RampartExport
import RampartInventory
import RampartSQLite
import RampartStore

/// The clock of every command: now, or `RAMPART_NOW` (an ISO 8601 time) so that demos and
/// tests can replay a date.
enum Clock {
    static func now() throws -> Date {
        guard let text = ProcessInfo.processInfo.environment["RAMPART_NOW"], !text.isEmpty else { return Date() }
        guard let date = parseTime(text) else { throw CLIError("RAMPART_NOW must be an ISO 8601 date or time, not '\(text.prefix(40))'") }
        return date
    }

    /// `2027-01-31` (the end of that day, UTC) or a full ISO 8601 time.
    static func parseTime(_ text: String, endOfDay: Bool = false) -> Date? {
        if let time = try? Date.ISO8601FormatStyle().parse(text) { return time }
        if let time = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return time }
        guard let day = try? Date.ISO8601FormatStyle().year().month().day().parse(text) else { return nil }
        return endOfDay ? day.addingTimeInterval(86_399) : day
    }

    static func day(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle().year().month().day()) }
}

/// What SLA judgements need: the policy in force, each application's criticality and owner.
struct GovernanceContext {
    var policy: SLAPolicy
    var applications: [String: ApplicationDeclaration]
    var now: Date

    /// Opens the database for a command that reads triage: reads the clock once, lapses what
    /// expired by then, and loads the SLA policy and the inventory.
    static func open(_ database: DatabaseOptions) async throws -> (SQLiteStore, GovernanceContext) {
        let store = try database.openStore()
        let now = try Clock.now()
        _ = try await store.expireTriage(at: now)
        return (store, try await GovernanceContext(store: store, now: now))
    }

    init(store: SQLiteStore, now: Date) async throws {
        policy = try await store.slaPolicy()?.policy ?? .standard
        applications = Dictionary(try await store.inventory().applications.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.now = now
    }

    func sla(_ issue: StoredIssue) -> SLAStatus {
        issue.sla(policy: policy, criticality: applications[issue.application]?.criticality, now: now)
    }

    func owner(_ issue: StoredIssue) -> String? {
        applications[issue.application].flatMap { $0.owner ?? $0.team }
    }
}

extension TriageState: ExpressibleByArgument {}

struct TriageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Decide what an issue means: confirmed, false_positive, accepted_risk (with --until), not_affected (with --justification), "
            + "mitigated, or untriaged again (docs/triage.md).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions
    @Argument(help: "The issue.") var issue: Int64
    @Option(name: .long, help: "The state: \(TriageState.allCases.map(\.rawValue).joined(separator: ", ")).") var state: TriageState
    @Option(name: .long, help: "Why (required; for mitigated, the compensating control).") var reason: String
    @Option(name: .long, help: "accepted_risk: the last day it holds (YYYY-MM-DD, UTC) or an ISO 8601 time.") var until: String?
    @Option(name: .long, help: "accepted_risk: who approved it (default: the actor).") var approver: String?
    @Option(
        name: .long,
        help: "not_affected: the VEX justification (\(VEXJustification.allCases.map(\.rawValue).joined(separator: ", "))).")
    var justification: String?
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func validate() throws {
        if state == .acceptedRisk {
            guard let until else { throw ValidationError("accepted_risk needs --until: an accepted risk always expires") }
            guard Clock.parseTime(until, endOfDay: true) != nil else { throw ValidationError("--until must be YYYY-MM-DD or an ISO 8601 time") }
        } else if until != nil || approver != nil {
            throw ValidationError("--until and --approver belong to accepted_risk")
        }
        if state == .notAffected {
            guard let justification else {
                throw ValidationError(
                    "not_affected needs --justification, one of: \(VEXJustification.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard VEXJustification(vocabulary: justification) != nil else {
                throw ValidationError(
                    "unknown justification '\(justification)'; one of: \(VEXJustification.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        } else if justification != nil {
            throw ValidationError("--justification belongs to not_affected")
        }
    }

    var decision: TriageDecision {
        switch state {
        case .untriaged: .untriaged
        case .confirmed: .confirmed
        case .falsePositive: .falsePositive
        case .mitigated: .mitigated
        case .acceptedRisk:
            .acceptedRisk(until: until.flatMap { Clock.parseTime($0, endOfDay: true) } ?? .distantPast, approver: approver ?? actor.name)
        case .notAffected: .notAffected(justification.flatMap(VEXJustification.init(vocabulary:)) ?? .codeNotPresent)
        }
    }

    func run() async throws {
        let store = try database.openStore()
        let now = try Clock.now()
        let outcome: TriageOutcome
        do {
            outcome = try await store.triage(issue: issue, decision: decision, reason: reason, actor: actor.name, at: now)
        } catch let refusal as TriageRefusal {
            throw CLIError("issue \(issue): \(refusal.message); nothing changed")
        } catch let error as IssueDecisionError {
            throw CLIError(error.message)
        }
        switch outcome {
        case .changed(let triage):
            if json {
                print(JSONOut.object([("id", String(issue)), ("changed", "true")] + TriageJSON.members(triage)))
            } else {
                let until = triage.decision.until.map { " until \(isoTimestamp($0))" } ?? ""
                print("Issue \(issue): \(triage.state.rawValue)\(until), by \(triage.source.summary): \(triage.reason ?? "")")
            }
        case .unchanged(let why):
            if json {
                print(JSONOut.object([("id", String(issue)), ("changed", "false"), ("why", JSONOut.string(why))]))
            } else {
                print("Issue \(issue): unchanged: \(why)")
            }
        }
    }
}

/// Reads a file a command was given, or says which and why not.
func readInput(_ path: String) throws -> Data {
    do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw CLIError("cannot read \(path): \(error.localizedDescription)") }
}

enum TriageJSON {
    static func members(_ triage: Triage) -> [(String, String)] {
        [
            ("triage", JSONOut.string(triage.state.rawValue)), ("triage_reason", JSONOut.string(triage.reason)),
            ("triage_until", JSONOut.string(triage.decision.until.map(isoTimestamp))),
            ("triage_approver", JSONOut.string(triage.decision.approver)),
            ("triage_justification", JSONOut.string(triage.decision.justification?.rawValue)),
            ("triage_source", JSONOut.string(triage.source.kind.rawValue)),
            ("triage_by", JSONOut.string(triage.source.name.isEmpty ? nil : triage.source.name)),
            ("triage_at", JSONOut.string(triage.at.map(isoTimestamp))), ("needs_review", JSONOut.bool(triage.needsReview)),
        ]
    }

    static func sla(_ status: SLAStatus) -> [(String, String)] {
        [
            ("due", JSONOut.string(status.due.map(Clock.day))), ("sla_breached", JSONOut.bool(status.breached)),
            ("sla_due_soon", JSONOut.bool(status.dueSoon)),
        ]
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The tamper-evident audit trail: every import, triage, merge, split, inventory, policy and feed change.",
        subcommands: [AuditListCommand.self, AuditVerifyCommand.self], defaultSubcommand: AuditListCommand.self)
}

struct AuditListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List audit entries, oldest first.")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Only the latest this many entries.") var limit: Int?
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        let entries = try await database.openStore().auditEntries(limit: limit)
        if json {
            print(
                JSONOut.array(
                    entries.map { entry in
                        JSONOut.object([
                            ("id", String(entry.id)), ("at", JSONOut.string(isoTimestamp(entry.at))), ("actor", JSONOut.string(entry.actor)),
                            ("action", JSONOut.string(entry.action.rawValue)), ("subject", JSONOut.string(entry.subject)),
                            ("before", entry.before ?? "null"), ("after", entry.after ?? "null"), ("reason", JSONOut.string(entry.reason)),
                            ("previous_hash", JSONOut.string(entry.previousHash)), ("hash", JSONOut.string(entry.hash)),
                        ])
                    }))
            return
        }
        if entries.isEmpty {
            print("The audit trail is empty.")
            return
        }
        let rows = entries.map { entry in
            [
                String(entry.id), isoTimestamp(entry.at), entry.actor, entry.action.rawValue, entry.subject,
                truncate(entry.reason ?? entry.after ?? "", 70),
            ]
        }
        print(table(["ENTRY", "AT", "ACTOR", "ACTION", "SUBJECT", "DETAIL"], rows))
    }
}

struct AuditVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the audit trail's hash chain: exit 0 when intact, 1 naming the first broken entry.")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "The head hash recorded earlier: a trail cut short after it fails too.") var head: String?
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        let result = try await database.openStore().verifyAudit()
        var broken = result.broken.map { (id: Optional($0.entryID), reason: $0.description) }
        if broken == nil, let head, head.lowercased() != result.head {
            broken = (nil, "the recorded head \(head.prefix(16))… is not the trail's head: entries after it were removed or the trail was replaced")
        }
        if json {
            print(
                JSONOut.object([
                    ("intact", JSONOut.bool(broken == nil)), ("entries", String(result.entries)), ("head", JSONOut.string(result.head)),
                    ("broken_entry", JSONOut.int(broken?.id.map(Int.init))), ("reason", JSONOut.string(broken?.reason)),
                ]))
        } else if let broken {
            print("Audit trail BROKEN: \(broken.reason)")
        } else {
            print("Audit trail intact: \(result.entries) entries; head \(result.head ?? "(none)")")
        }
        if broken != nil { throw ExitCode(1) }
    }
}

struct SLACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sla", abstract: "SLAs: breached and due-soon issues with their owners; the policy in force (docs/triage.md).",
        subcommands: [SLAListCommand.self, SLAApplyCommand.self, SLAShowCommand.self], defaultSubcommand: SLAListCommand.self)
}

struct SLAListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Breached and due-soon issues, most overdue first.")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Only this application.") var app: String?
    @Flag(name: .long, help: "Every active issue with an SLA, not only breached and due soon.") var all = false
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        let (store, context) = try await GovernanceContext.open(database)
        let now = context.now
        let issues = try await store.issues(IssueQuery(application: app, sort: .severity))
        let judged = issues.map { ($0, context.sla($0)) }.filter { $0.1.due != nil && (all || $0.1.breached || $0.1.dueSoon) }
            .sorted { ($0.1.due ?? .distantFuture, $0.0.id) < ($1.1.due ?? .distantFuture, $1.0.id) }
        if json {
            print(
                JSONOut.array(
                    judged.map { issue, status in
                        JSONOut.object(
                            [
                                ("id", String(issue.id)), ("app", JSONOut.string(issue.application)), ("component", JSONOut.string(issue.component)),
                                ("title", JSONOut.string(issue.title)), ("severity", JSONOut.string(issue.severity.rawValue)),
                                ("risk", JSONOut.double(issue.assessment?.assessment.score)), ("owner", JSONOut.string(context.owner(issue))),
                                ("first_seen", JSONOut.string(isoTimestamp(issue.firstSeen))),
                                ("days_overdue", status.due.map { String(max(0, Int(now.timeIntervalSince($0) / 86_400))) } ?? "null"),
                                ("paused_days", JSONOut.double((status.pausedDays * 10).rounded() / 10)),
                            ] + TriageJSON.sla(status) + TriageJSON.members(issue.triage))
                    }))
            return
        }
        let breached = judged.filter { $0.1.breached }.count
        if judged.isEmpty {
            print("No issue is past its SLA or due within \(context.policy.dueSoonDays) days.")
            return
        }
        print(
            table(
                ["ISSUE", "DUE", "STATE", "APP/COMPONENT", "SEVERITY", "TRIAGE", "OWNER", "TITLE"],
                judged.map { issue, status in
                    [
                        String(issue.id), status.due.map(Clock.day) ?? "-", status.breached ? "BREACHED" : status.dueSoon ? "due soon" : "on time",
                        "\(issue.application)/\(issue.component)", issue.severity.rawValue, issue.triage.state.rawValue, context.owner(issue) ?? "-",
                        truncate(issue.title, 60),
                    ]
                }))
        print("\n\(breached) breached, \(judged.count - breached) due within \(context.policy.dueSoonDays) days or on time.")
    }
}

struct SLAApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Apply the `sla:` section of a policy file (YAML or JSON); recorded in the audit trail.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions
    @Argument(help: "The policy file.") var file: String

    func run() async throws {
        let data = try readInput(file)
        let policy: PolicyFile
        do throws(InventoryFileError) { policy = try PolicyFile.read(data, file: file) } catch { throw CLIError(error.description) }
        guard let sla = policy.sla else { throw CLIError("\(file) has no `sla:` section; nothing was applied") }
        try await database.openStore().applySLAPolicy(sla, source: file, actor: actor.name, at: try Clock.now())
        print("SLA policy from \(file) applied: " + SLAShowCommand.summary(sla))
    }
}

struct SLAShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "The SLA policy in force.")

    @OptionGroup var database: DatabaseOptions

    static func summary(_ policy: SLAPolicy) -> String {
        func days(_ table: [Severity: Int]) -> String {
            Severity.allCases.reversed().compactMap { level in table[level].map { "\(level.rawValue) \($0)d" } }.joined(separator: ", ")
        }
        var text = "by \(policy.basis.rawValue): \(days(policy.days))"
        for level in Criticality.allCases.reversed() {
            if let table = policy.byCriticality[level] { text += "; \(level.rawValue)-criticality apps: \(days(table))" }
        }
        return text + "; due soon within \(policy.dueSoonDays) days"
    }

    func run() async throws {
        if let stored = try await database.openStore().slaPolicy() {
            print("SLA policy from \(stored.source), applied \(isoTimestamp(stored.appliedAt)):\n  " + Self.summary(stored.policy))
        } else {
            print("No SLA policy applied; the standard one is in force:\n  " + Self.summary(.standard))
        }
    }
}

struct GateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "CI gate: judge a component's latest scans against a policy. Exit 0 pass, 1 fail, 2 usage (docs/gate.md).")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "The application.") var app: String
    @Option(name: .long, help: "The component.") var component: String
    @Option(name: .long, help: "The branch under test (default: the branch imports made without --branch).") var branch: String = ""
    @Option(name: .long, help: "The baseline branch (default: the policy's, else main or master when scanned).") var baseline: String?
    @Option(name: .long, help: "A policy file with a `gate:` section (and optionally `sla:`).") var policy: String?
    @Option(name: .long, help: "Write the gating issues as SARIF 2.1.0 to this file.") var sarif: String?
    @Option(name: .long, help: "Write the verdict as JUnit XML to this file.") var junit: String?
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        let store = try database.openStore()
        let now = try Clock.now()
        var file = PolicyFile()
        if let policy {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: policy)) } catch {
                throw usage("cannot read \(policy): \(error.localizedDescription)")
            }
            do throws(InventoryFileError) { file = try PolicyFile.read(data, file: policy) } catch { throw usage(error.description) }
        }
        let gatePolicy = file.gate ?? .standard
        _ = try await store.expireTriage(at: now)
        var context = try await GovernanceContext(store: store, now: now)
        if let sla = file.sla { context.policy = sla }
        let scans = try await store.scans(application: app, limit: nil).filter { $0.component == component }
        guard !scans.isEmpty else { throw usage("no scans of \(app)/\(component): import its reports first (rampart import)") }
        let branches = Set(scans.map(\.branch))
        guard branches.contains(branch) else {
            throw usage(
                "no scans of \(app)/\(component) on branch '\(branch)'; scanned branches: "
                    + branches.sorted().map { $0.isEmpty ? "(default)" : $0 }.joined(separator: ", "))
        }
        let base = baseline ?? file.baseline ?? ["main", "master", ""].first(where: branches.contains) ?? ""
        let judged = try await store.issues(IssueQuery(application: app, component: component)).compactMap { issue in
            issue.gateCandidate(branch: branch, baseline: base, sla: context.sla(issue)).map { (issue, $0) }
        }
        let issues = judged.map(\.0)
        let candidates = judged.map(\.1)
        let verdict = GateVerdict(policy: gatePolicy, candidates: candidates)
        let byID = Dictionary(uniqueKeysWithValues: issues.map { ($0.id, $0) })
        let failing = verdict.failures.compactMap { failure in byID[failure.issueID].map { ($0, failure.reasons) } }
        let subject = "\(app)/\(component) on \(branch.isEmpty ? "the default branch" : "branch \(branch)")"
        let baseName =
            (base == branch ? "none" : base.isEmpty ? "(default branch)" : base) + (base != branch && !branches.contains(base) ? ", not scanned" : "")
        if let sarif { try write(IssueExport.sarif(failing.map { IssueExport.Gated(issue: $0.0, reasons: $0.1) }), to: sarif) }
        if let junit {
            try write(
                IssueExport.junit(failing.map { IssueExport.Gated(issue: $0.0, reasons: $0.1) }, evaluated: verdict.evaluated, subject: subject),
                to: junit)
        }
        if json {
            let failures = failing.map { issue, reasons in
                JSONOut.object([
                    ("id", String(issue.id)), ("title", JSONOut.string(issue.title)), ("severity", JSONOut.string(issue.severity.rawValue)),
                    ("reasons", JSONText.array(reasons)),
                ])
            }
            let exempt = verdict.exemptions.map { JSONOut.object([("id", String($0.issueID)), ("reason", JSONOut.string($0.reason))]) }
            let members: [(String, String)] = [
                ("passed", JSONOut.bool(verdict.passed)), ("app", JSONOut.string(app)), ("component", JSONOut.string(component)),
                ("branch", JSONOut.string(branch)), ("baseline", JSONOut.string(base == branch ? nil : base)),
                ("evaluated", String(verdict.evaluated)), ("failures", JSONOut.array(failures)), ("exempt", JSONOut.array(exempt)),
            ]
            print(JSONOut.object(members))
        } else {
            print("Gate \(verdict.passed ? "PASSED" : "FAILED") for \(subject) (baseline: \(baseName)); \(verdict.evaluated) active issue(s) judged.")
            for (issue, reasons) in failing {
                print("  FAIL issue \(issue.id) [\(issue.severity.rawValue)] \(truncate(issue.title, 70)) at \(issue.locations.first ?? "-"):")
                for reason in reasons { print("       - \(reason)") }
            }
            for exemption in verdict.exemptions { print("  exempt issue \(exemption.issueID): \(exemption.reason)") }
        }
        if !verdict.passed { throw ExitCode(1) }
    }

    func usage(_ message: String) -> Error {
        FileHandle.standardError.write(Data(("rampart gate: " + message + "\n").utf8))
        return ExitCode(2)
    }

    func write(_ text: String, to path: String) throws {
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch {
            throw CLIError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}

struct ExportCommand: AsyncParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case sarif
        case cyclonedxVEX = "cyclonedx-vex"
        case openVEX = "openvex"
        case csv
    }

    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export issues: SARIF 2.1.0, CycloneDX VEX or OpenVEX (with triage decisions), or CSV (docs/triage.md).")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "The format: \(Format.allCases.map(\.rawValue).joined(separator: ", ")).") var format: Format
    @Option(name: .long, help: "Only this application.") var app: String?
    @Option(name: .long, help: "Only this component.") var component: String?
    @Option(name: .long, help: "Statuses, comma-separated (new, open, reopened, fixed; active, the default; all).") var status: String = "active"
    @Option(name: .shortAndLong, help: "Write to this file (default: standard output).") var output: String?

    func validate() throws { _ = try FindingsCommand.statuses(status, all: FindingStatus.allCases) }

    func run() async throws {
        let (store, context) = try await GovernanceContext.open(database)
        let now = context.now
        let issues = try await store.issues(
            IssueQuery(
                application: app, component: component, statuses: try FindingsCommand.statuses(status, all: FindingStatus.allCases), sort: .firstSeen)
        ).sorted { $0.id < $1.id }
        let scope = [app, component].compactMap { $0 }.joined(separator: "/")
        let text: String =
            switch format {
            case .sarif: IssueExport.sarif(issues.map { IssueExport.Gated(issue: $0) })
            case .openVEX:
                IssueExport.openVEX(
                    issues, author: "Rampart", at: now,
                    documentID: "urn:rampart:vex:\(scope.isEmpty ? "all" : scope):\(Int(now.timeIntervalSince1970))")
            case .cyclonedxVEX: IssueExport.cycloneDXVEX(issues, at: now, serial: "urn:uuid:\(UUID().uuidString.lowercased())")
            case .csv: IssueExport.csv(issues, sla: context.sla)
            }
        if let output {
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: output)) } catch {
                throw CLIError("cannot write \(output): \(error.localizedDescription)")
            }
            FileHandle.standardError.write(Data("\(issues.count) issue(s) written to \(output) as \(format.rawValue)\n".utf8))
        } else {
            print(text, terminator: format == .csv ? "" : "\n")
        }
    }
}

struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Posture metrics from recorded events: open issues over time, time to remediate, SLA compliance, fix rate, who closed what.")

    /// Who can dismiss an issue, in the order the output lists them.
    static let dismissers: [TriageSource.Kind] = [.person, .rule, .vex]

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Only this application.") var app: String?
    @Option(name: .long, help: "Start of the period (YYYY-MM-DD; default: 90 days ago).") var since: String?
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func validate() throws {
        if let since, Clock.parseTime(since) == nil { throw ValidationError("--since must be YYYY-MM-DD or an ISO 8601 time") }
    }

    func run() async throws {
        let (store, context) = try await GovernanceContext.open(database)
        let now = context.now
        let start = since.flatMap { Clock.parseTime($0) } ?? now.addingTimeInterval(-90 * 86_400)
        guard start < now else { throw ValidationError("--since must be in the past") }
        let issues = try await store.issues(IssueQuery(application: app, statuses: FindingStatus.allCases))
        let slas = Dictionary(uniqueKeysWithValues: issues.map { ($0.id, context.sla($0)) })
        let metrics = PostureMetrics(
            timelines: try await store.issueTimelines(application: app), since: start, until: now, sla: { slas[$0] },
            team: { context.applications[$0]?.team ?? context.applications[$0]?.owner })
        func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
        if json {
            let groups = ["overall", "application", "team", "category", "severity"].map { kind in
                (
                    kind,
                    JSONOut.object(
                        (metrics.remediation[kind] ?? [:]).sorted { $0.key < $1.key }.map { name, time in
                            (
                                name,
                                JSONOut.object([
                                    ("count", String(time.count)), ("mean", JSONOut.double(rounded(time.meanDays))),
                                    ("median", JSONOut.double(rounded(time.medianDays))),
                                ])
                            )
                        })
                )
            }
            let series = metrics.series.map { point in
                JSONOut.object(
                    [("date", JSONOut.string(Clock.day(point.date)))]
                        + Severity.allCases.reversed().map { ($0.rawValue, String(point.open[$0] ?? 0)) })
            }
            print(
                JSONOut.object([
                    ("application", JSONOut.string(app)), ("since", JSONOut.string(isoTimestamp(start))),
                    ("until", JSONOut.string(isoTimestamp(now))),
                    ("open", String(metrics.openNow)), ("sla_breached", String(metrics.breachedNow)),
                    ("sla_compliance", JSONOut.double(metrics.slaCompliance.map(rounded))),
                    ("fix_rate", JSONOut.double(metrics.fixRate.map(rounded))),
                    ("mttr_days", JSONOut.object(groups)),
                    (
                        "closed",
                        JSONOut.object(
                            [("by_rescan", String(metrics.closedByRescan))]
                                + Self.dismissers.map { ("by_\($0.rawValue)", String(metrics.dismissedBy[$0] ?? 0)) })
                    ),
                    ("remediations", String(metrics.remediations)), ("open_by_severity", JSONOut.array(series)),
                ]))
            return
        }
        let scope = app.map { "application \($0)" } ?? "all applications"
        print("Posture of \(scope), \(Clock.day(start)) to \(Clock.day(now)) (from recorded scans and triage):")
        print("  open now: \(metrics.openNow), past SLA: \(metrics.breachedNow)")
        print("  SLA compliance: " + (metrics.slaCompliance.map { String(format: "%.0f%%", $0 * 100) } ?? "no issue with an SLA"))
        print("  fix rate: " + (metrics.fixRate.map { String(format: "%.0f%%", $0 * 100) } ?? "no active issue"))
        let dismissed = Self.dismissers.map { "\(metrics.dismissedBy[$0] ?? 0) by \($0 == .vex ? "VEX" : "a \($0.rawValue)")" }
        print("  closed: \(metrics.closedByRescan) fixed by a rescan; dismissed \(dismissed.joined(separator: ", "))")
        for kind in ["overall", "application", "team", "category", "severity"] {
            guard let groups = metrics.remediation[kind], !groups.isEmpty else { continue }
            print("  time to remediate by \(kind):")
            for (name, time) in groups.sorted(by: { $0.key < $1.key }) {
                print(String(format: "    %-24@ mean %6.1f d, median %6.1f d (%d fixed)", name, time.meanDays, time.medianDays, time.count))
            }
        }
        print("  open issues by severity:")
        print(
            table(
                ["DATE"] + Severity.allCases.reversed().map { $0.rawValue.uppercased() },
                metrics.series.map { point in [Clock.day(point.date)] + Severity.allCases.reversed().map { String(point.open[$0] ?? 0) } }))
    }
}
