import Foundation

/// How long an issue may stay open: days to fix by severity (or by risk band), optionally
/// tighter for applications of a given business criticality. docs/triage.md.
public struct SLAPolicy: Sendable, Hashable, Codable {
    /// What the days are keyed by.
    public enum Basis: String, Sendable, Hashable, Codable, CaseIterable {
        /// The severity.
        case severity
        /// The risk score, read as a band (`SLAPolicy.band(risk:)`).
        case risk
    }

    public var basis: Basis
    /// Days to fix by severity or band; a level without an entry has no SLA.
    public var days: [Severity: Int]
    /// Per business criticality, days that replace `days` for the levels they name.
    public var byCriticality: [Criticality: [Severity: Int]]
    /// An issue due within this many days is "due soon".
    public var dueSoonDays: Int

    public init(basis: Basis = .severity, days: [Severity: Int], byCriticality: [Criticality: [Severity: Int]] = [:], dueSoonDays: Int = 7) {
        self.basis = basis
        self.days = days
        self.byCriticality = byCriticality
        self.dueSoonDays = dueSoonDays
    }

    /// The policy when none was applied: DefectDojo's defaults, which many teams already use.
    public static let standard = SLAPolicy(days: [.critical: 7, .high: 30, .medium: 90, .low: 120])

    /// A risk score's band, on the CVSS scale ×10: critical from 90, high from 70, medium from
    /// 40, low from 10, info below.
    public static func band(risk: Double) -> Severity {
        switch risk {
        case 90...: .critical
        case 70..<90: .high
        case 40..<70: .medium
        case 10..<40: .low
        default: .info
        }
    }

    /// The problems that make a policy unusable, empty when it is sound.
    public var problems: [String] {
        var problems: [String] = []
        for (level, value) in days where value < 1 { problems.append("days.\(level.rawValue) must be at least 1 (is \(value))") }
        for (criticality, table) in byCriticality {
            for (level, value) in table where value < 1 {
                problems.append("criticality.\(criticality.rawValue).\(level.rawValue) must be at least 1 (is \(value))")
            }
        }
        if dueSoonDays < 0 { problems.append("due_soon_days must not be negative") }
        return problems
    }

    /// The days allowed for an issue of this severity and risk in an application of this
    /// criticality; nil when the policy sets none.
    public func allowedDays(severity: Severity, risk: Double?, criticality: Criticality?) -> Int? {
        let level = basis == .risk ? risk.map(Self.band(risk:)) ?? severity : severity
        if let criticality, let days = byCriticality[criticality]?[level] { return days }
        return days[level]
    }
}

/// Where one issue stands against its SLA.
public struct SLAStatus: Sendable, Hashable {
    /// Nil when no SLA applies: the policy sets none for its level, or triage dismissed it.
    public var due: Date?
    public var breached: Bool
    public var dueSoon: Bool
    /// Days the clock stood still under accepted risks.
    public var pausedDays: Double

    public init(due: Date?, breached: Bool, dueSoon: Bool, pausedDays: Double) {
        self.due = due
        self.breached = breached
        self.dueSoon = dueSoon
        self.pausedDays = pausedDays
    }

    /// The SLA of an issue first seen at `firstSeen`: due that many days later, plus the time
    /// accepted risks paused it. A fixed issue is judged by when it was fixed; an accepted risk
    /// still has a due date (it moves while the pause lasts) but is not breached; a false
    /// positive, not-affected or mitigated issue has none.
    public init(
        policy: SLAPolicy, severity: Severity, risk: Double?, criticality: Criticality?, firstSeen: Date, triage: Triage, fixedAt: Date?,
        now: Date
    ) {
        let paused = triage.pausedSeconds(asOf: fixedAt ?? now)
        let exempt: Bool =
            switch triage.decision {
            case .falsePositive, .notAffected, .mitigated: !triage.needsReview
            case .untriaged, .confirmed, .acceptedRisk: false
            }
        guard !exempt, let days = policy.allowedDays(severity: severity, risk: risk, criticality: criticality) else {
            self.init(due: nil, breached: false, dueSoon: false, pausedDays: paused / 86_400)
            return
        }
        let due = firstSeen.addingTimeInterval(Double(days) * 86_400 + paused)
        var pausedNow = false
        if case .acceptedRisk = triage.decision, !triage.needsReview, fixedAt == nil { pausedNow = true }
        let end = fixedAt ?? now
        let breached = !pausedNow && end > due
        let soon = !breached && !pausedNow && fixedAt == nil && due.timeIntervalSince(now) <= Double(policy.dueSoonDays) * 86_400
        self.init(due: due, breached: breached, dueSoon: soon, pausedDays: paused / 86_400)
    }
}
