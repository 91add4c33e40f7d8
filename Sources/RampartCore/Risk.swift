import Foundation

/// A CISA Known Exploited Vulnerabilities catalog entry.
public struct KEVEntry: Sendable, Hashable, Codable {
    public var cve: String
    public var vendor: String?
    public var product: String?
    public var name: String?
    /// `YYYY-MM-DD`, as CISA writes it.
    public var dateAdded: String?
    public var dueDate: String?
    public var knownRansomwareUse: Bool

    public init(
        cve: String, vendor: String? = nil, product: String? = nil, name: String? = nil, dateAdded: String? = nil, dueDate: String? = nil,
        knownRansomwareUse: Bool = false
    ) {
        self.cve = cve
        self.vendor = vendor
        self.product = product
        self.name = name
        self.dateAdded = dateAdded
        self.dueDate = dueDate
        self.knownRansomwareUse = knownRansomwareUse
    }
}

/// A FIRST EPSS score: the probability of exploitation activity in the next 30 days, and its
/// rank among the day's scores.
public struct EPSSScore: Sendable, Hashable, Codable {
    public var cve: String
    public var probability: Double
    public var percentile: Double

    public init(cve: String, probability: Double, percentile: Double) {
        self.cve = cve
        self.probability = probability
        self.percentile = percentile
    }
}

/// The SSVC decision points (CISA's tree) and the decision.
public struct SSVCAssessment: Sendable, Hashable, Codable {
    public enum Exploitation: String, Sendable, Hashable, Codable, CaseIterable { case none, poc, active }
    public enum TechnicalImpact: String, Sendable, Hashable, Codable, CaseIterable { case partial, total }
    public enum MissionWellbeing: String, Sendable, Hashable, Codable, CaseIterable { case low, medium, high }
    public enum Decision: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        case track
        case trackStar = "track*"
        case attend, act

        var rank: Int {
            switch self {
            case .track: 0
            case .trackStar: 1
            case .attend: 2
            case .act: 3
            }
        }

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
    }

    public var exploitation: Exploitation
    public var automatable: Bool
    public var technicalImpact: TechnicalImpact
    public var missionWellbeing: MissionWellbeing
    /// Exposure from the inventory (`internet`, `internal`, `isolated`): it decides whether an
    /// automatable attack can reach the system.
    public var exposure: Exposure
    public var decision: Decision

    public init(
        exploitation: Exploitation, automatable: Bool, technicalImpact: TechnicalImpact, missionWellbeing: MissionWellbeing, exposure: Exposure
    ) {
        self.exploitation = exploitation
        self.automatable = automatable
        self.technicalImpact = technicalImpact
        self.missionWellbeing = missionWellbeing
        self.exposure = exposure
        self.decision = Self.decide(exploitation, automatable, technicalImpact, missionWellbeing)
    }

    /// CISA's SSVC decision tree (CISA, "Stakeholder-Specific Vulnerability Categorization
    /// Guide", 2022), one row per combination.
    public static func decide(_ exploitation: Exploitation, _ automatable: Bool, _ impact: TechnicalImpact, _ mission: MissionWellbeing) -> Decision {
        switch (exploitation, automatable, impact, mission) {
        case (.none, false, .total, .high): .trackStar
        case (.none, true, _, .high): .attend
        case (.none, _, _, _): .track
        case (.poc, false, .partial, .high): .trackStar
        case (.poc, _, .total, .medium): .trackStar
        case (.poc, false, .total, .high): .attend
        case (.poc, true, _, .high): .attend
        case (.poc, _, _, _): .track
        case (.active, false, .partial, .high): .attend
        case (.active, false, .total, .medium): .attend
        case (.active, false, .total, .high): .act
        case (.active, false, _, _): .track
        case (.active, true, _, .low): .attend
        case (.active, true, .partial, .medium): .attend
        case (.active, true, _, _): .act
        }
    }
}

/// What the risk model reads about one issue.
public struct RiskInput: Sendable, Hashable {
    public var severity: Severity
    /// The highest CVSS base score any finding gives.
    public var cvssScore: Double?
    /// A CVSS vector of the issue (the highest-scored), for SSVC's automatable and technical impact.
    public var cvssVector: String?
    public var kev: KEVEntry?
    /// The highest EPSS among the issue's CVEs.
    public var epss: EPSSScore?
    /// The most mature exploit any finding's tool reports.
    public var exploitMaturity: ExploitMaturity?
    /// A tool reports a public exploit or proof of concept.
    public var exploitAvailable: Bool { (exploitMaturity ?? .unproven) >= .proofOfConcept }
    public var tools: Int
    public var confirmedByDAST: Bool
    public var fixAvailable: Bool
    /// Every active finding is `not_affected` or `fixed` by VEX.
    public var vexNotAffected: Bool
    public var firstSeen: Date
    /// The component as the inventory declares it; nil when it is not declared.
    public var context: ComponentContext?

    public init(
        severity: Severity, cvssScore: Double? = nil, cvssVector: String? = nil, kev: KEVEntry? = nil, epss: EPSSScore? = nil,
        exploitMaturity: ExploitMaturity? = nil, tools: Int = 1, confirmedByDAST: Bool = false, fixAvailable: Bool = false,
        vexNotAffected: Bool = false,
        firstSeen: Date, context: ComponentContext? = nil
    ) {
        self.severity = severity
        self.cvssScore = cvssScore
        self.cvssVector = cvssVector
        self.kev = kev
        self.epss = epss
        self.exploitMaturity = exploitMaturity
        self.tools = tools
        self.confirmedByDAST = confirmedByDAST
        self.fixAvailable = fixAvailable
        self.vexNotAffected = vexNotAffected
        self.firstSeen = firstSeen
        self.context = context
    }
}

/// A component's business context, from the inventory.
public struct ComponentContext: Sendable, Hashable, Codable {
    public var criticality: Criticality
    public var exposure: Exposure
    public var production: Bool
    public var data: [DataClassification]

    public init(criticality: Criticality, exposure: Exposure, production: Bool, data: [DataClassification]) {
        self.criticality = criticality
        self.exposure = exposure
        self.production = production
        self.data = data
    }

    public init(application: ApplicationDeclaration, component: ComponentDeclaration?) {
        self.init(
            criticality: application.criticality, exposure: component?.exposure ?? application.exposure,
            production: application.environments.isEmpty || application.deployedToProduction, data: application.data)
    }
}

/// One factor of a risk score: its value as the model read it and the points it contributed.
public struct RiskFactor: Sendable, Hashable, Codable {
    public var name: String
    public var value: String
    public var contribution: Double

    public init(name: String, value: String, contribution: Double) {
        self.name = name
        self.value = value
        self.contribution = contribution
    }
}

public struct RiskAssessment: Sendable, Hashable, Codable {
    public var model: String
    /// 0 to 100, one decimal.
    public var score: Double
    /// Each factor's contribution; they add up to the score.
    public var factors: [RiskFactor]
    public var ssvc: SSVCAssessment

    public init(model: String, score: Double, factors: [RiskFactor], ssvc: SSVCAssessment) {
        self.model = model
        self.score = score
        self.factors = factors
        self.ssvc = ssvc
    }
}

/// Rampart's risk model, open and versioned (docs/risk.md): technical severity and
/// exploitation, then corroboration, fix and age, all scaled by the component's context.
public enum RiskModel {
    public static let version = "rampart-risk-1"

    public static func assess(_ input: RiskInput, now: Date) -> RiskAssessment {
        let context = input.context ?? ComponentContext(criticality: .medium, exposure: .internal, production: true, data: [])
        var factors: [RiskFactor] = []
        // Points, before the context scales them.
        let base = input.cvssScore ?? severityScore(input.severity)
        let severityPoints = base * 5
        var exploitation: (points: Double, value: String)
        if let kev = input.kev {
            exploitation = (35, "CISA KEV since \(kev.dateAdded ?? "unknown date")" + (kev.knownRansomwareUse ? ", used by ransomware" : ""))
        } else if let epss = input.epss {
            exploitation = (
                min(25, 30 * epss.probability.squareRoot()),
                "EPSS " + decimals(epss.probability, 4) + " (percentile " + decimals(epss.percentile, 3) + ")"
            )
            if let maturity = input.exploitMaturity, exploitPoints(maturity) > exploitation.points {
                exploitation = (exploitPoints(maturity), exploitation.value + "; exploit maturity " + maturity.rawValue)
            }
        } else if let maturity = input.exploitMaturity, maturity > .unproven {
            exploitation = (exploitPoints(maturity), "exploit maturity " + maturity.rawValue + " (reported by a tool)")
        } else {
            exploitation = (0, "no known exploitation")
        }
        let corroboration = (input.tools > 1 ? 3.0 : 0) + (input.confirmedByDAST ? 5 : 0)
        let ageDays = max(0, Int(now.timeIntervalSince(input.firstSeen) / 86_400))
        let age = Double(min(4, ageDays / 30))
        let fix = input.fixAvailable ? 3.0 : 0
        let raw = severityPoints + exploitation.points + corroboration + age + fix
        // The context multiplies.
        let exposure: Double =
            switch context.exposure {
            case .internet: 1.0
            case .internal: 0.7
            case .isolated: 0.4
            }
        let environment = context.production ? 1.0 : 0.7
        let criticality: Double =
            switch context.criticality {
            case .critical: 1.0
            case .high: 0.9
            case .medium: 0.75
            case .low: 0.6
            }
        let sensitive = context.data.contains(where: \.isSensitive)
        let data = sensitive ? 1.0 : 0.9
        let vex = input.vexNotAffected ? 0.0 : 1.0
        let multiplier = exposure * environment * criticality * data * vex
        let score = (min(100, raw * multiplier) * 10).rounded() / 10
        func add(_ name: String, _ value: String, _ points: Double) {
            factors.append(RiskFactor(name: name, value: value, contribution: (points * multiplier * 10).rounded() / 10))
        }
        add("severity", input.cvssScore.map { "CVSS " + oneDecimal($0) } ?? input.severity.rawValue, severityPoints)
        add("exploitation", exploitation.value, exploitation.points)
        add("corroboration", "\(input.tools) tool(s)" + (input.confirmedByDAST ? ", confirmed by DAST" : ""), corroboration)
        // The date, not the days: a value that moves every day would make every rescoring rewrite every issue.
        add("age", "first seen " + isoDay(input.firstSeen), age)
        add("fix", input.fixAvailable ? "a fixed version exists" : "no fix known", fix)
        // What the context took away, so that the contributions add up to the score.
        var remaining = raw
        func scale(_ name: String, _ value: String, _ factor: Double) {
            let after = remaining * factor
            factors.append(RiskFactor(name: name, value: value, contribution: ((after - remaining) * 10).rounded() / 10))
            remaining = after
        }
        scale("exposure", context.exposure.rawValue + (input.context == nil ? " (not in the inventory)" : ""), exposure)
        scale("environment", context.production ? "production" : "not in production", environment)
        scale("criticality", context.criticality.rawValue, criticality)
        scale(
            "data", sensitive ? context.data.filter(\.isSensitive).map(\.rawValue).joined(separator: ",") : "no sensitive data declared", data)
        scale("vex", input.vexNotAffected ? "not affected (VEX)" : "no VEX statement says not affected", vex)
        if raw * multiplier > 100 {
            factors.append(RiskFactor(name: "cap", value: "at most 100", contribution: ((100 - raw * multiplier) * 10).rounded() / 10))
        }
        // Rounding: the first factor absorbs the difference, so the sum is the score.
        let sum = factors.map(\.contribution).reduce(0, +)
        factors[0].contribution = ((factors[0].contribution + score - sum) * 10).rounded() / 10
        return RiskAssessment(model: version, score: score, factors: factors, ssvc: ssvc(input, context: context))
    }

    /// Points for a tool's exploit maturity: proof of concept 10, functional 15, high 20 (below
    /// KEV's 35: a tool's claim, not evidence of exploitation in the wild).
    static func exploitPoints(_ maturity: ExploitMaturity) -> Double {
        switch maturity {
        case .unproven: 0
        case .proofOfConcept: 10
        case .functional: 15
        case .high: 20
        }
    }

    static func severityScore(_ severity: Severity) -> Double {
        switch severity {
        case .critical: 9.5
        case .high: 7.5
        case .medium: 5
        case .low: 2.5
        case .info: 0
        }
    }

    /// SSVC's decision points from what Rampart knows: exploitation from KEV (active) or a
    /// public exploit or EPSS ≥ 0.1 (poc); automatable when CVSS says network, low complexity,
    /// no privileges and no user interaction and the component is not isolated; technical
    /// impact total when confidentiality and integrity are both high; mission and well-being
    /// from criticality, exposure and data.
    static func ssvc(_ input: RiskInput, context: ComponentContext) -> SSVCAssessment {
        let exploitation: SSVCAssessment.Exploitation =
            input.kev != nil ? .active : (input.exploitAvailable || (input.epss?.probability ?? 0) >= 0.1) ? .poc : .none
        let metrics = cvssMetrics(input.cvssVector)
        let automatable =
            context.exposure != .isolated && metrics.attackVector == UInt8(ascii: "N") && metrics.attackComplexity == UInt8(ascii: "L")
            && metrics.privileges == UInt8(ascii: "N") && metrics.userInteraction == UInt8(ascii: "N")
        let total: Bool
        if let confidentiality = metrics.confidentiality, let integrity = metrics.integrity {
            total = confidentiality == UInt8(ascii: "H") && integrity == UInt8(ascii: "H")
        } else {
            total = input.severity == .critical
        }
        let sensitive = context.data.contains(where: \.isSensitive)
        let mission: SSVCAssessment.MissionWellbeing
        switch context.criticality {
        case .critical: mission = .high
        case .high: mission = context.exposure == .internet || sensitive ? .high : .medium
        case .medium: mission = sensitive ? .medium : .low
        case .low: mission = .low
        }
        return SSVCAssessment(
            exploitation: exploitation, automatable: automatable, technicalImpact: total ? .total : .partial, missionWellbeing: mission,
            exposure: context.exposure)
    }

    /// The metrics SSVC reads from a CVSS vector (3.x or 4.0; 4.0's `AT` is ignored), each as
    /// its one-letter value. Read on bytes without allocating: every issue is scored on every
    /// rescoring, a million at a time.
    struct SSVCMetrics {
        var attackVector: UInt8?
        var attackComplexity: UInt8?
        var privileges: UInt8?
        var userInteraction: UInt8?
        var confidentiality: UInt8?
        var integrity: UInt8?
    }

    static func cvssMetrics(_ vector: String?) -> SSVCMetrics {
        var metrics = SSVCMetrics()
        guard var vector else { return metrics }
        vector.withUTF8 { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != UInt8(ascii: "/") { end += 1 }
                // NAME:V with a one-letter value; names of one or two letters.
                if end - start >= 3, end - start <= 4, bytes[end - 2] == UInt8(ascii: ":") {
                    let value = bytes[end - 1]
                    let first = bytes[start]
                    let second: UInt8? = end - start == 4 ? bytes[start + 1] : nil
                    switch (first, second) {
                    case (UInt8(ascii: "A"), UInt8(ascii: "V")?): metrics.attackVector = value
                    case (UInt8(ascii: "A"), UInt8(ascii: "C")?): metrics.attackComplexity = value
                    case (UInt8(ascii: "P"), UInt8(ascii: "R")?): metrics.privileges = value
                    case (UInt8(ascii: "U"), UInt8(ascii: "I")?): metrics.userInteraction = value
                    case (UInt8(ascii: "C"), nil): metrics.confidentiality = metrics.confidentiality ?? value
                    case (UInt8(ascii: "I"), nil): metrics.integrity = metrics.integrity ?? value
                    // CVSS 4.0: the vulnerable system's impacts.
                    case (UInt8(ascii: "V"), UInt8(ascii: "C")?): metrics.confidentiality = value
                    case (UInt8(ascii: "V"), UInt8(ascii: "I")?): metrics.integrity = value
                    default: break
                    }
                }
                start = end + 1
            }
        }
        return metrics
    }

    /// `value` with `places` decimals (0.0123 → "0.0123" for 4), without Foundation's formatter.
    static func decimals(_ value: Double, _ places: Int) -> String {
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((value * Double(scale)).rounded())
        let fraction = String(abs(scaled % scale))
        return (scaled < 0 ? "-" : "") + String(abs(scaled / scale)) + "." + String(repeating: "0", count: places - fraction.count) + fraction
    }

    /// `YYYY-MM-DD` in UTC, by the civil-from-days algorithm (Howard Hinnant's), without a formatter.
    static func isoDay(_ date: Date) -> String {
        let days = Int((date.timeIntervalSince1970 / 86_400).rounded(.down)) + 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func padded(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2)
    }

    /// One decimal, without Foundation's formatter (every new issue is scored during its import).
    static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}
