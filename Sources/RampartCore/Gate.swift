/// What fails a CI gate (docs/gate.md). Every criterion applies to issues that are neither on
/// the baseline nor dismissed by triage.
public struct GatePolicy: Sendable, Hashable, Codable {
    /// Fail on an issue at or above this severity; nil: severity alone never fails.
    public var failOnSeverity: Severity?
    /// Fail on an issue at or above this risk score (0-100); nil: risk alone never fails.
    public var failOnRisk: Double?
    /// Fail on an issue of a CISA KEV-listed vulnerability.
    public var failOnKEV: Bool
    /// Fail on an issue whose SSVC decision is `act`.
    public var failOnSSVCAct: Bool
    /// Fail on an issue past its SLA.
    public var failOnSLABreach: Bool

    public init(failOnSeverity: Severity?, failOnRisk: Double?, failOnKEV: Bool, failOnSSVCAct: Bool, failOnSLABreach: Bool) {
        self.failOnSeverity = failOnSeverity
        self.failOnRisk = failOnRisk
        self.failOnKEV = failOnKEV
        self.failOnSSVCAct = failOnSSVCAct
        self.failOnSLABreach = failOnSLABreach
    }

    /// The policy without a file: new high and critical issues, KEV, SSVC act and SLA breaches fail.
    public static let standard = GatePolicy(failOnSeverity: .high, failOnRisk: nil, failOnKEV: true, failOnSSVCAct: true, failOnSLABreach: true)

    public var problems: [String] {
        if let failOnRisk, !(0...100).contains(failOnRisk) { return ["fail_on.risk must be between 0 and 100"] }
        return []
    }
}

/// An issue as the gate judges it.
public struct GateCandidate: Sendable, Hashable {
    public var issueID: Int64
    public var severity: Severity
    public var risk: Double?
    public var kev: Bool
    public var ssvc: SSVCAssessment.Decision?
    public var slaBreached: Bool
    public var triage: Triage
    /// The issue is also active on the baseline branch: the change under test did not bring it.
    public var onBaseline: Bool

    public init(
        issueID: Int64, severity: Severity, risk: Double?, kev: Bool, ssvc: SSVCAssessment.Decision?, slaBreached: Bool, triage: Triage,
        onBaseline: Bool
    ) {
        self.issueID = issueID
        self.severity = severity
        self.risk = risk
        self.kev = kev
        self.ssvc = ssvc
        self.slaBreached = slaBreached
        self.triage = triage
        self.onBaseline = onBaseline
    }
}

/// The gate's decision, with every reason.
public struct GateVerdict: Sendable, Hashable {
    public struct Failure: Sendable, Hashable {
        public var issueID: Int64
        public var reasons: [String]
    }

    public struct Exemption: Sendable, Hashable {
        public var issueID: Int64
        public var reason: String
    }

    public var failures: [Failure]
    /// Issues that would have failed but are on the baseline or dismissed by triage.
    public var exemptions: [Exemption]
    public var evaluated: Int

    public var passed: Bool { failures.isEmpty }

    /// Judges each candidate by the policy.
    public init(policy: GatePolicy, candidates: [GateCandidate]) {
        failures = []
        exemptions = []
        evaluated = candidates.count
        for candidate in candidates {
            var reasons: [String] = []
            if let floor = policy.failOnSeverity, candidate.severity >= floor {
                reasons.append("severity \(candidate.severity.rawValue) is at or above \(floor.rawValue)")
            }
            if let floor = policy.failOnRisk, let risk = candidate.risk, risk >= floor {
                reasons.append("risk \(risk) is at or above \(floor)")
            }
            if policy.failOnKEV, candidate.kev { reasons.append("listed in CISA KEV") }
            if policy.failOnSSVCAct, candidate.ssvc == .act { reasons.append("SSVC decision is act") }
            if policy.failOnSLABreach, candidate.slaBreached { reasons.append("past its SLA") }
            guard !reasons.isEmpty else { continue }
            if candidate.triage.dismisses {
                let by = candidate.triage.source.summary
                exemptions.append(Exemption(issueID: candidate.issueID, reason: "triaged \(candidate.triage.state.rawValue) by \(by)"))
            } else if candidate.onBaseline {
                exemptions.append(Exemption(issueID: candidate.issueID, reason: "already on the baseline branch"))
            } else {
                failures.append(Failure(issueID: candidate.issueID, reasons: reasons))
            }
        }
    }
}
