import ArgumentParser
import Foundation
import RampartCore
import RampartInventory
import RampartSQLite
import RampartStore

struct RulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "Scoped rules that carry triage decisions and severities forward to current and future issues (docs/triage.md).",
        subcommands: [RulesListCommand.self, RulesAddCommand.self, RulesRemoveCommand.self, RulesExportCommand.self, RulesApplyCommand.self],
        defaultSubcommand: RulesListCommand.self)

    static func printEffects(_ effects: [RuleEffect], dryRun: Bool) {
        let changing = effects.filter(\.applies)
        print("\(changing.count) issue change(s)\(dryRun ? " it would make" : ""):")
        for effect in changing { print("  issue \(effect.issueID): \(effect.change) (rule \(effect.rule))") }
        for effect in effects where !effect.applies { print("  issue \(effect.issueID): unchanged: \(effect.change)") }
    }

    static func effectsJSON(_ effects: [RuleEffect]) -> String {
        JSONOut.array(
            effects.map {
                JSONOut.object([
                    ("issue", String($0.issueID)), ("rule", String($0.rule)), ("change", JSONOut.string($0.change)),
                    ("applies", JSONOut.bool($0.applies)),
                ])
            })
    }
}

struct RulesListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List rules with how many active issues each matches now.")

    @OptionGroup var database: DatabaseOptions
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        let now = try Clock.now()
        let rules = try await database.openStore().rules(at: now)
        if json {
            print(
                JSONOut.array(
                    rules.map { stored in
                        JSONOut.object([
                            ("id", String(stored.id)), ("match", JSONOut.string(stored.rule.match.summary)),
                            ("action", JSONOut.string(stored.rule.action.summary)), ("reason", JSONOut.string(stored.rule.reason)),
                            ("owner", JSONOut.string(stored.rule.owner)), ("expires", JSONOut.string(stored.rule.expires.map(isoTimestamp))),
                            ("active", JSONOut.bool(stored.rule.isActive(at: now))), ("matches", String(stored.matches)),
                            ("created_by", JSONOut.string(stored.createdBy)), ("created_at", JSONOut.string(isoTimestamp(stored.createdAt))),
                        ])
                    }))
            return
        }
        if rules.isEmpty {
            print("No rules. Add one with `rampart rules add` or `rampart rules apply FILE`.")
            return
        }
        print(
            table(
                ["RULE", "MATCH", "ACTION", "OWNER", "EXPIRES", "MATCHES", "REASON"],
                rules.map { stored in
                    [
                        String(stored.id), stored.rule.match.summary, stored.rule.action.summary, stored.rule.owner,
                        stored.rule.expires.map { (stored.rule.isActive(at: now) ? "" : "EXPIRED ") + Clock.day($0) } ?? "-", String(stored.matches),
                        truncate(stored.rule.reason, 50),
                    ]
                }))
    }
}

struct RulesAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add a rule, applied now to the issues it matches and to every later import; --dry-run previews exactly that.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions
    @Option(name: .long, help: "Match: application (wildcards with *).") var app: String?
    @Option(name: .long, help: "Match: component.") var component: String?
    @Option(name: .long, help: "Match: tool.") var tool: String?
    @Option(name: .long, help: "Match: category (sast, sca, container, iac, secrets, dast, cloud, infra).") var category: FindingCategory?
    @Option(name: .customLong("rule-id"), help: "Match: the tool's rule id.") var ruleID: String?
    @Option(name: .long, help: "Match: a CWE number.") var cwe: Int?
    @Option(name: .long, help: "Match: a vulnerability id or alias (CVE-..., GHSA-...).") var vuln: String?
    @Option(name: .long, help: "Match: a package URL without version (pkg:npm/lodash).") var package: String?
    @Option(name: .long, help: "Match: a file path glob (tests/*).") var path: String?
    @Option(name: .long, help: "Match: a URL pattern (https://staging.example.com/*).") var url: String?
    @Option(name: .customLong("match-severity"), help: "Match: findings of this severity.") var matchSeverity: Severity?
    @Option(name: .customLong("set-triage"), help: "Action: set this triage state.") var setTriage: TriageState?
    @Option(name: .long, help: "accepted_risk: the last day it holds (YYYY-MM-DD).") var until: String?
    @Option(name: .long, help: "accepted_risk: who approved it (default: the owner).") var approver: String?
    @Option(name: .long, help: "not_affected: the VEX justification.") var justification: String?
    @Option(name: .customLong("set-severity"), help: "Action: set this severity.") var setSeverity: Severity?
    @Option(name: .long, help: "Why (required).") var reason: String
    @Option(name: .long, help: "Who owns the rule (default: the actor).") var owner: String?
    @Option(name: .long, help: "When the rule stops applying (YYYY-MM-DD); what it set lapses then.") var expires: String?
    @Flag(name: .long, help: "Only show which current issues it would change.") var dryRun = false
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func validate() throws {
        guard (setTriage == nil) != (setSeverity == nil) else { throw ValidationError("give one action: --set-triage or --set-severity") }
        if setTriage == .acceptedRisk, until.flatMap({ Clock.parseTime($0, endOfDay: true) }) == nil {
            throw ValidationError("accepted_risk needs --until YYYY-MM-DD: an accepted risk always expires")
        }
        if setTriage == .notAffected, justification.flatMap(VEXJustification.init(vocabulary:)) == nil {
            throw ValidationError("not_affected needs --justification, one of: \(VEXJustification.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let expires, Clock.parseTime(expires, endOfDay: true) == nil { throw ValidationError("--expires must be YYYY-MM-DD or an ISO 8601 time") }
    }

    func run() async throws {
        let owner = owner ?? actor.name
        let action: RuleAction
        if let setSeverity {
            action = .severity(setSeverity)
        } else {
            switch setTriage ?? .confirmed {
            case .acceptedRisk:
                action = .triage(
                    .acceptedRisk(until: until.flatMap { Clock.parseTime($0, endOfDay: true) } ?? .distantPast, approver: approver ?? owner))
            case .notAffected: action = .triage(.notAffected(justification.flatMap(VEXJustification.init(vocabulary:)) ?? .codeNotPresent))
            case .falsePositive: action = .triage(.falsePositive)
            case .mitigated: action = .triage(.mitigated)
            case .confirmed: action = .triage(.confirmed)
            case .untriaged: action = .triage(.untriaged)
            }
        }
        let rule = TriageRule(
            match: RuleMatch(
                application: app, component: component, tool: tool, category: category, ruleID: ruleID, cwe: cwe, vulnerabilityID: vuln,
                package: package, path: path, url: url, severity: matchSeverity),
            action: action, reason: reason, owner: owner, expires: expires.flatMap { Clock.parseTime($0, endOfDay: true) })
        let result: (id: Int64, effects: [RuleEffect])
        do {
            result = try await database.openStore().addRule(rule, actor: actor.name, at: try Clock.now(), dryRun: dryRun)
        } catch let error as RuleError {
            throw CLIError("\(error.message); nothing was added")
        }
        if json {
            print(
                JSONOut.object([
                    ("id", dryRun ? "null" : String(result.id)), ("dry_run", JSONOut.bool(dryRun)),
                    ("effects", RulesCommand.effectsJSON(result.effects)),
                ]))
            return
        }
        print(
            dryRun
                ? "Dry run: rule not added (\(rule.match.summary) → \(rule.action.summary))."
                : "Rule \(result.id) added: \(rule.match.summary) → \(rule.action.summary).")
        RulesCommand.printEffects(result.effects, dryRun: dryRun)
    }
}

struct RulesRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a rule: what it set lapses.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions
    @Argument(help: "The rule.") var id: Int64
    @Flag(name: .long, help: "Only show what would change.") var dryRun = false

    func run() async throws {
        do {
            let effects = try await database.openStore().removeRule(id: id, actor: actor.name, at: try Clock.now(), dryRun: dryRun)
            print(dryRun ? "Dry run: rule \(id) not removed." : "Rule \(id) removed.")
            RulesCommand.printEffects(effects, dryRun: dryRun)
        } catch let error as RuleError {
            throw CLIError(error.message)
        }
    }
}

struct RulesExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write the rules as a rules file (YAML), for code review.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The file to write (default: standard output).") var file: String?

    func run() async throws {
        let text = RulesFile.yaml(try await database.openStore().rules(at: try Clock.now()).map(\.rule))
        if let file {
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: file)) } catch {
                throw CLIError("cannot write \(file): \(error.localizedDescription)")
            }
        } else {
            print(text, terminator: "")
        }
    }
}

struct RulesApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply", abstract: "Make the stored rules what a rules file says: new ones are added, missing ones removed.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions
    @Argument(help: "The rules file (YAML or JSON).") var file: String
    @Flag(name: .long, help: "Only show what would change.") var dryRun = false

    func run() async throws {
        let now = try Clock.now()
        let data = try readInput(file)
        let rules: [TriageRule]
        do throws(InventoryFileError) { rules = try RulesFile.read(data, file: file, at: now) } catch { throw CLIError(error.description) }
        let change: RuleSetChange
        do {
            change = try await database.openStore().replaceRules(rules, source: file, actor: actor.name, at: now, dryRun: dryRun)
        } catch let error as RuleError {
            throw CLIError("\(file): \(error.message); nothing was applied")
        }
        print(
            "\(dryRun ? "Dry run: would add" : "Added") \(change.added.count) rule(s), \(dryRun ? "remove" : "removed") \(change.removed.count), kept \(change.kept.count)."
        )
        for rule in change.added { print("  + rule \(rule.id.map(String.init) ?? "-"): \(rule.match.summary) → \(rule.action.summary)") }
        for id in change.removed { print("  - rule \(id)") }
        RulesCommand.printEffects(change.effects, dryRun: dryRun)
    }
}
