import Foundation

/// What an issue means, as people, rules and VEX documents decided: the triage axis,
/// independent of presence (`FindingStatus`, which scans drive). docs/triage.md.
public enum TriageState: String, Sendable, Hashable, Codable, CaseIterable {
    case untriaged, confirmed
    case falsePositive = "false_positive"
    case acceptedRisk = "accepted_risk"
    case notAffected = "not_affected"
    case mitigated
}

/// Why a product is not affected, in the CycloneDX, OpenVEX and CSAF vocabularies (OpenVEX and
/// CSAF share theirs).
public enum VEXJustification: String, Sendable, Hashable, Codable, CaseIterable {
    // OpenVEX and CSAF.
    case componentNotPresent = "component_not_present"
    case vulnerableCodeNotPresent = "vulnerable_code_not_present"
    case vulnerableCodeNotInExecutePath = "vulnerable_code_not_in_execute_path"
    case vulnerableCodeCannotBeControlledByAdversary = "vulnerable_code_cannot_be_controlled_by_adversary"
    case inlineMitigationsAlreadyExist = "inline_mitigations_already_exist"
    // CycloneDX `analysis.justification`.
    case codeNotPresent = "code_not_present"
    case codeNotReachable = "code_not_reachable"
    case requiresConfiguration = "requires_configuration"
    case requiresDependency = "requires_dependency"
    case requiresEnvironment = "requires_environment"
    case protectedByCompiler = "protected_by_compiler"
    case protectedAtRuntime = "protected_at_runtime"
    case protectedAtPerimeter = "protected_at_perimeter"
    case protectedByMitigatingControl = "protected_by_mitigating_control"
    // OpenVEX and CSAF accept "not affected" explained by an impact statement alone, with no
    // vocabulary justification; the triage reason carries that statement.
    case impactStatement = "impact_statement"

    /// Reads any vocabulary's spelling (CycloneDX writes `code_not_present`, OpenVEX
    /// `vulnerable_code_not_present`; hyphens and case are forgiven).
    public init?(vocabulary text: String) {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "-", with: "_")
        self.init(rawValue: key)
    }
}

/// A triage decision with what it needs to be valid: an accepted risk always has an expiry and
/// an approver, not-affected always a justification. A decision without them cannot be made.
public enum TriageDecision: Sendable, Hashable {
    case untriaged
    case confirmed
    case falsePositive
    case acceptedRisk(until: Date, approver: String)
    case notAffected(VEXJustification)
    /// A compensating control is in place; the reason names it.
    case mitigated

    public var state: TriageState {
        switch self {
        case .untriaged: .untriaged
        case .confirmed: .confirmed
        case .falsePositive: .falsePositive
        case .acceptedRisk: .acceptedRisk
        case .notAffected: .notAffected
        case .mitigated: .mitigated
        }
    }

    public var until: Date? {
        if case .acceptedRisk(let until, _) = self { return until }
        return nil
    }

    public var approver: String? {
        if case .acceptedRisk(_, let approver) = self { return approver }
        return nil
    }

    public var justification: VEXJustification? {
        if case .notAffected(let justification) = self { return justification }
        return nil
    }

    /// Whether the decision takes the issue off the list of things to fix: false positives,
    /// accepted risks, not affected and mitigated. Untriaged and confirmed issues still need fixing.
    public var dismisses: Bool {
        switch self {
        case .untriaged, .confirmed: false
        case .falsePositive, .acceptedRisk, .notAffected, .mitigated: true
        }
    }

    /// Rebuilds a decision from its stored parts; nil when they do not make a valid one.
    public init?(state: TriageState, until: Date?, approver: String?, justification: VEXJustification?) {
        switch state {
        case .untriaged: self = .untriaged
        case .confirmed: self = .confirmed
        case .falsePositive: self = .falsePositive
        case .mitigated: self = .mitigated
        case .acceptedRisk:
            guard let until, let approver, !approver.isEmpty else { return nil }
            self = .acceptedRisk(until: until, approver: approver)
        case .notAffected:
            guard let justification else { return nil }
            self = .notAffected(justification)
        }
    }
}

/// Who set an issue's triage.
public enum TriageSource: Sendable, Hashable {
    /// Nobody yet.
    case none
    /// A person's explicit decision: it wins over rules and VEX documents.
    case person(String)
    /// A stored rule, by id.
    case rule(Int64)
    /// A VEX document, by name.
    case vex(String)
    /// The clock: an accepted risk expired.
    case expiry

    /// What kind of source it is, as stored and counted.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case none, person, rule, vex, expiry
    }

    public var kind: Kind {
        switch self {
        case .none: .none
        case .person: .person
        case .rule: .rule
        case .vex: .vex
        case .expiry: .expiry
        }
    }

    /// The actor, rule id or document; empty for none and expiry.
    public var name: String {
        switch self {
        case .none, .expiry: ""
        case .person(let name): name
        case .rule(let id): String(id)
        case .vex(let document): document
        }
    }

    public init?(kind: String, name: String) {
        switch Kind(rawValue: kind) {
        case .none?: self = .none
        case .person?: self = .person(name)
        case .rule?:
            guard let id = Int64(name) else { return nil }
            self = .rule(id)
        case .vex?: self = .vex(name)
        case .expiry?: self = .expiry
        case nil: return nil
        }
    }

    public var summary: String {
        switch self {
        case .none: "nobody"
        case .person(let name): name
        case .rule(let id): "rule \(id)"
        case .vex(let document): "VEX \(document)"
        case .expiry: "expiry"
        }
    }
}

/// An issue's triage: the decision, why, who made it and when, and whether a regression asks a
/// person to look again.
public struct Triage: Sendable, Hashable {
    public var decision: TriageDecision
    public var reason: String?
    public var source: TriageSource
    public var at: Date?
    /// A dismissed issue came back after being fixed: the decision stands, but a person should
    /// confirm it, and until then the issue counts as one to fix.
    public var needsReview: Bool
    /// Seconds the SLA clock stood still under accepted risks that have ended (the
    /// current one's time is counted from `at`).
    public var pausedSeconds: Double

    public init(
        decision: TriageDecision, reason: String? = nil, source: TriageSource = .none, at: Date? = nil, needsReview: Bool = false,
        pausedSeconds: Double = 0
    ) {
        self.decision = decision
        self.reason = reason
        self.source = source
        self.at = at
        self.needsReview = needsReview
        self.pausedSeconds = pausedSeconds
    }

    public static let untriaged = Triage(decision: .untriaged)

    public var state: TriageState { decision.state }

    /// Whether the issue is off the list of things to fix (and so exempt from SLAs and gates).
    public var dismisses: Bool { decision.dismisses && !needsReview }

    /// How long the SLA clock has stood still by `date`: ended pauses, and the current accepted
    /// risk's time so far.
    public func pausedSeconds(asOf date: Date) -> Double {
        guard case .acceptedRisk = decision, let at, date > at else { return pausedSeconds }
        return pausedSeconds + date.timeIntervalSince(at)
    }
}

/// Something that may change an issue's triage.
public enum TriageEvent: Sendable, Hashable {
    /// A person, rule or VEX document decides.
    case decide(TriageDecision, reason: String, by: TriageSource)
    /// Time passes: an accepted risk past its expiry returns to untriaged.
    case clockTick
    /// Scans moved the presence.
    case presence(from: FindingStatus, to: FindingStatus)
}

/// A triage event that cannot be applied; nothing changed. The message says why and what to do.
public struct TriageRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What an event did.
public enum TriageOutcome: Sendable, Hashable {
    case changed(Triage)
    /// Nothing to change, and why (e.g. a person's decision wins over a rule).
    case unchanged(String)
}

extension Triage {
    /// The triage state machine: the triage after `event` at `now`, or why nothing changes.
    /// Pure, so every state × event pair is tested without a database.
    ///
    /// - A person's decision always applies (with a reason; an accepted risk must expire after
    ///   `now`) and clears a review flag.
    /// - A rule's or VEX document's decision applies unless a person decided: people win; and a
    ///   rule does not override a VEX document.
    /// - The clock returns an expired accepted risk to untriaged (source `expiry`).
    /// - A dismissed issue that comes back after being fixed keeps its decision but is flagged
    ///   for review.
    public func applying(_ event: TriageEvent, at now: Date) throws(TriageRefusal) -> TriageOutcome {
        switch event {
        case .decide(let decision, let reason, let source):
            let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            if reason.isEmpty { throw TriageRefusal("a reason is required for every triage decision") }
            switch source {
            case .none, .expiry: throw TriageRefusal("a decision is made by a person, a rule or a VEX document")
            case .person(let name) where name.trimmingCharacters(in: .whitespaces).isEmpty:
                throw TriageRefusal("a person's decision needs the person's name (--actor)")
            case .person, .rule, .vex: break
            }
            if case .acceptedRisk(let until, let approver) = decision {
                if until <= now {
                    if case .person = source {
                        throw TriageRefusal("an accepted risk must expire after now (\(Self.day(now))); --until \(Self.day(until)) has passed")
                    }
                    return .unchanged("the accepted risk expired on \(Self.day(until))")
                }
                if approver.trimmingCharacters(in: .whitespaces).isEmpty { throw TriageRefusal("an accepted risk needs an approver") }
            }
            // People win over documents and rules; a VEX document, which speaks of this very
            // product, wins over a rule.
            if case .person = source {
            } else if case .person(let name) = self.source {
                let when = at.map { " on \(Self.day($0))" } ?? ""
                return .unchanged("\(name) decided \(state.rawValue)\(when); a person's decision wins over \(source.summary)")
            } else if case .rule = source, case .vex(let document) = self.source {
                return .unchanged("VEX \(document) decided \(state.rawValue); a VEX statement wins over \(source.summary)")
            }
            if decision == self.decision, reason == self.reason, source == self.source, !needsReview {
                return .unchanged("already \(state.rawValue) for the same reason")
            }
            // Time under an accepted risk so far is banked; a new accepted risk counts from `now`.
            return .changed(
                Triage(decision: decision, reason: reason, source: source, at: now, needsReview: false, pausedSeconds: pausedSeconds(asOf: now)))
        case .clockTick:
            guard case .acceptedRisk(let until, _) = decision, until <= now else { return .unchanged("nothing expires") }
            let was = reason.map { " (accepted: \($0))" } ?? ""
            return .changed(
                Triage(
                    decision: .untriaged, reason: "accepted risk expired on \(Self.day(until))\(was)", source: .expiry, at: until,
                    needsReview: false, pausedSeconds: pausedSeconds(asOf: until)))
        case .presence(let from, let to):
            guard from == .fixed, to.isActive, decision.dismisses, !needsReview else { return .unchanged("no regression of a dismissed issue") }
            var next = self
            next.needsReview = true
            return .changed(next)
        }
    }

    static func day(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle().year().month().day())
    }
}
