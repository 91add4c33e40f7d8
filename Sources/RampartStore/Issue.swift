import Foundation
import RampartCore

/// A finding as a member of its issue: the finding, and the rule that linked it.
public struct IssueMember: Sendable, Hashable {
    public var finding: StoredFinding
    public var rule: CorrelationRule
    public var confidence: LinkConfidence
    /// The finding it was linked through; nil for the issue's first finding and people's decisions.
    public var linkedTo: Int64?

    public init(finding: StoredFinding, rule: CorrelationRule, confidence: LinkConfidence, linkedTo: Int64?) {
        self.finding = finding
        self.rule = rule
        self.confidence = confidence
        self.linkedTo = linkedTo
    }
}

extension StoredFinding {
    /// Where the finding is, as one string: `file:line`, purl, URL, host, or component.
    public var place: String {
        if let filePath { return line.map { "\(filePath):\($0)" } ?? filePath }
        return purl ?? url ?? host ?? componentName.map { name in componentVersion.map { "\(name)@\($0)" } ?? name } ?? ruleID
    }
}

/// One real problem, however many tools, streams and files report it: its member findings and
/// what the issue says by the rules of docs/correlation.md. Every backend builds it the same way.
public struct StoredIssue: Sendable, Hashable {
    public var id: Int64
    public var application: String
    public var component: String
    /// Members, first found first.
    public var members: [IssueMember]
    /// The risk as last scored; nil until the issue is scored.
    public var assessment: StoredAssessment?
    /// What people, rules and VEX documents decided it means (docs/triage.md).
    public var triage: Triage
    /// The severity a rule set, whatever the tools say; nil when none did.
    public var severityOverride: SeverityOverride?

    public init(
        id: Int64, application: String, component: String, members: [IssueMember], assessment: StoredAssessment? = nil, triage: Triage = .untriaged
    ) {
        self.id = id
        self.application = application
        self.component = component
        self.assessment = assessment
        self.triage = triage
        self.members = members.sorted { ($0.finding.firstSeen, $0.finding.id) < ($1.finding.firstSeen, $1.finding.id) }
    }

    /// Members that are not fixed.
    public var activeMembers: [IssueMember] { members.filter { $0.finding.status != .fixed } }

    /// Active while any finding is: `reopened` when one came back, `new` when all are new,
    /// `open` otherwise; `fixed` when every finding is.
    public var status: FindingStatus {
        let active = activeMembers.map(\.finding.status)
        if active.isEmpty { return .fixed }
        if active.contains(.reopened) { return .reopened }
        if active.allSatisfy({ $0 == .new }) { return .new }
        return .open
    }

    /// The findings that speak for the issue: the active ones, or all when it is fixed.
    var speaking: [StoredFinding] {
        let active = activeMembers.map(\.finding)
        return active.isEmpty ? members.map(\.finding) : active
    }

    /// The highest severity any tool gives (a problem is as severe as its most severe credible
    /// report: tools under-rate as often as they over-rate, and the issue must not hide either).
    public var severity: Severity { severityOverride?.severity ?? reportedSeverity }

    /// The severity the tools give, before any rule's override.
    public var reportedSeverity: Severity { speaking.map(\.severity).max() ?? .info }

    /// The finding whose words the issue takes: the most severe, then the first found.
    public var lead: StoredFinding {
        speaking.max { ($0.severity, $1.firstSeen, $1.id) < ($1.severity, $0.firstSeen, $0.id) } ?? members[0].finding
    }

    public var title: String { lead.title }
    public var category: FindingCategory { lead.category }

    /// The weakness most findings name; ties go to the lead finding's, then the lowest number.
    public var cwe: Int? {
        var counts: [Int: Int] = [:]
        for finding in speaking { for cwe in Set(finding.cwes) { counts[cwe, default: 0] += 1 } }
        guard let top = counts.values.max() else { return nil }
        let tied = counts.filter { $0.value == top }.map(\.key)
        return lead.cwes.first(where: tied.contains) ?? tied.min()
    }

    /// Every vulnerability id any finding gives, CVE first, then alphabetical.
    public var vulnerabilityIDs: [String] {
        let ids = Set(members.flatMap(\.finding.vulnerabilityIDs))
        return ids.sorted { ($0.hasPrefix("CVE-") ? 0 : 1, $0) < ($1.hasPrefix("CVE-") ? 0 : 1, $1) }
    }

    /// Distinct tools, in the order they first reported it.
    public var tools: [String] {
        var tools: [String] = []
        for member in members where !tools.contains(member.finding.tool) { tools.append(member.finding.tool) }
        return tools
    }

    /// Where it is, one string per distinct place: `file:line`, purl, URL, host, resource.
    public var locations: [String] {
        var places: [String] = []
        for member in members where !places.contains(member.finding.place) { places.append(member.finding.place) }
        return places
    }

    public var firstSeen: Date { members.map(\.finding.firstSeen).min() ?? .distantPast }

    /// When the issue was fixed: when its last finding was; nil while it is active.
    public var fixedAt: Date? {
        guard status == .fixed else { return nil }
        return members.compactMap(\.finding.fixedAt).max()
    }

    /// Where the issue stands against `policy` at `now`, in an application of this criticality.
    public func sla(policy: SLAPolicy, criticality: Criticality?, now: Date) -> SLAStatus {
        SLAStatus(
            policy: policy, severity: severity, risk: assessment?.assessment.score, criticality: criticality, firstSeen: firstSeen, triage: triage,
            fixedAt: fixedAt, now: now)
    }
    public var lastSeen: Date { members.map(\.finding.lastSeen).max() ?? .distantPast }

    /// Whether a DAST finding on a route confirms a SAST finding in its files.
    public var confirmedByDAST: Bool { members.contains { $0.rule == .dastConfirmsSAST } }
}

/// A severity a triage rule gave an issue.
public struct SeverityOverride: Sendable, Hashable {
    public var severity: Severity
    public var rule: Int64

    public init(severity: Severity, rule: Int64) {
        self.severity = severity
        self.rule = rule
    }
}

public enum IssueSort: String, Sendable, CaseIterable {
    case risk, severity
    case firstSeen = "first-seen"
}

/// An issue's risk as stored: the model's assessment, and the KEV entry and EPSS score it read.
public struct StoredAssessment: Sendable, Hashable, Codable {
    public var assessment: RiskAssessment
    public var kev: KEVEntry?
    public var epss: EPSSScore?

    public init(assessment: RiskAssessment, kev: KEVEntry?, epss: EPSSScore?) {
        self.assessment = assessment
        self.kev = kev
        self.epss = epss
    }
}

/// The two prioritization feeds.
public enum FeedKind: String, Sendable, Hashable, Codable, CaseIterable {
    case kev, epss
}

/// A feed to load: it replaces the stored one whole.
public struct FeedUpdate: Sendable {
    public enum Content: Sendable {
        case kev([KEVEntry])
        case epss([EPSSScore])
    }

    public var content: Content
    /// KEV's catalog version, or EPSS's model version.
    public var version: String?
    /// KEV's release date, or EPSS's score date.
    public var published: String?
    public var source: String

    public init(content: Content, version: String?, published: String?, source: String) {
        self.content = content
        self.version = version
        self.published = published
        self.source = source
    }

    public var kind: FeedKind {
        switch content {
        case .kev: .kev
        case .epss: .epss
        }
    }

    public var count: Int {
        switch content {
        case .kev(let entries): entries.count
        case .epss(let scores): scores.count
        }
    }
}

/// A loaded feed.
public struct FeedInfo: Sendable, Hashable, Codable {
    public var kind: FeedKind
    public var version: String?
    public var published: String?
    public var entries: Int
    public var source: String
    public var loadedAt: Date

    public init(kind: FeedKind, version: String?, published: String?, entries: Int, source: String, loadedAt: Date) {
        self.kind = kind
        self.version = version
        self.published = published
        self.entries = entries
        self.source = source
        self.loadedAt = loadedAt
    }
}

public struct IssueQuery: Sendable {
    public var application: String?
    public var component: String?
    /// Issue statuses to keep; empty: the active ones.
    public var statuses: [FindingStatus]
    public var ids: [Int64]?
    /// Only these SSVC decisions; empty: any.
    public var ssvc: [SSVCAssessment.Decision]
    /// Only issues of a CISA KEV-listed vulnerability.
    public var kevOnly: Bool
    public var minimumRisk: Double?
    public var sort: IssueSort
    public var limit: Int?

    public init(
        application: String? = nil, component: String? = nil, statuses: [FindingStatus] = [], ids: [Int64]? = nil,
        ssvc: [SSVCAssessment.Decision] = [], kevOnly: Bool = false, minimumRisk: Double? = nil, sort: IssueSort = .risk, limit: Int? = nil
    ) {
        self.application = application
        self.component = component
        self.statuses = statuses
        self.ids = ids
        self.ssvc = ssvc
        self.kevOnly = kevOnly
        self.minimumRisk = minimumRisk
        self.sort = sort
        self.limit = limit
    }

    /// Filters, sorts and limits issues as the query says; shared by every backend.
    public func arrange(_ issues: [StoredIssue]) -> [StoredIssue] {
        var kept = issues.filter { issue in
            (statuses.isEmpty ? issue.status != .fixed : statuses.contains(issue.status))
                && (ssvc.isEmpty || issue.assessment.map { ssvc.contains($0.assessment.ssvc.decision) } == true)
                && (!kevOnly || issue.assessment?.kev != nil)
                && (minimumRisk.map { (issue.assessment?.assessment.score ?? 0) >= $0 } ?? true)
        }
        switch sort {
        case .risk:
            kept.sort {
                let left = $0.assessment?.assessment.score ?? -1
                let right = $1.assessment?.assessment.score ?? -1
                return (right, $0.id) < (left, $1.id)
            }
        case .severity:
            kept.sort { ($1.severity, $0.firstSeen, $0.id) < ($0.severity, $1.firstSeen, $1.id) }
        case .firstSeen:
            kept.sort { ($1.firstSeen, $0.id) < ($0.firstSeen, $1.id) }
        }
        if let limit { kept = Array(kept.prefix(limit)) }
        return kept
    }
}

/// A merge or split that cannot be made; nothing was changed.
public struct IssueDecisionError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}

extension StoredAssessment {
    /// The assessment as stored in an issue row: JSON arrays in place of objects, written by
    /// hand. Every import writes one per issue it opens, so the bytes count twice (in the log
    /// and in the database): the keyed form cost 890 bytes an issue, this one about 400.
    ///
    ///     {"model":M,"score":S,"factors":[[name,value,contribution],...],
    ///      "ssvc":[exploitation,automatable,technical impact,mission and well-being,exposure,decision],
    ///      "kev":[cve,vendor,product,name,date added,due date,ransomware],"epss":[cve,probability,percentile]}
    public var jsonText: String {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        func append(_ text: StaticString) { out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)) }
        func string(_ value: String?) {
            if let value { JSONText.appendQuoted(value, to: &out) } else { append("null") }
        }
        func number(_ value: Double) { out.append(contentsOf: (value.isFinite ? String(value) : "0").utf8) }
        // Scores and contributions are tenths (the model rounds them): written as such, which is
        // exact and cheaper than Double's description; anything else falls back to it.
        func tenths(_ value: Double) {
            let scaled = (value * 10).rounded()
            guard value.isFinite, abs(scaled) < 1e15, abs(scaled / 10 - value) < 1e-9 else { return number(value) }
            let whole = Int(scaled)
            if whole < 0 { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: String(abs(whole) / 10).utf8)
            out.append(UInt8(ascii: "."))
            out.append(UInt8(ascii: "0") + UInt8(abs(whole) % 10))
        }
        append("{\"model\":")
        string(assessment.model)
        append(",\"score\":")
        tenths(assessment.score)
        append(",\"factors\":[")
        for (index, factor) in assessment.factors.enumerated() {
            append(index == 0 ? "[" : ",[")
            string(factor.name)
            append(",")
            string(factor.value)
            append(",")
            tenths(factor.contribution)
            append("]")
        }
        let ssvc = assessment.ssvc
        append("],\"ssvc\":[")
        string(ssvc.exploitation.rawValue)
        append(ssvc.automatable ? ",true," : ",false,")
        string(ssvc.technicalImpact.rawValue)
        append(",")
        string(ssvc.missionWellbeing.rawValue)
        append(",")
        string(ssvc.exposure.rawValue)
        append(",")
        string(ssvc.decision.rawValue)
        append("]")
        if let kev {
            append(",\"kev\":[")
            for (index, value) in [kev.cve, kev.vendor, kev.product, kev.name, kev.dateAdded, kev.dueDate].enumerated() {
                if index > 0 { append(",") }
                string(value)
            }
            append(kev.knownRansomwareUse ? ",true]" : ",false]")
        }
        if let epss {
            append(",\"epss\":[")
            string(epss.cve)
            append(",")
            number(epss.probability)
            append(",")
            number(epss.percentile)
            append("]")
        }
        append("}")
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads `jsonText`'s form back.
    public init(jsonText: String) throws {
        let stored = try JSONDecoder().decode(StoredForm.self, from: Data(jsonText.utf8))
        self.init(
            assessment: RiskAssessment(
                model: stored.model, score: stored.score,
                factors: stored.factors.map { RiskFactor(name: $0.name, value: $0.value, contribution: $0.contribution) },
                ssvc: SSVCAssessment(
                    exploitation: stored.ssvc.exploitation, automatable: stored.ssvc.automatable, technicalImpact: stored.ssvc.technicalImpact,
                    missionWellbeing: stored.ssvc.missionWellbeing, exposure: stored.ssvc.exposure)),
            kev: stored.kev.map {
                KEVEntry(
                    cve: $0.cve, vendor: $0.vendor, product: $0.product, name: $0.name, dateAdded: $0.dateAdded, dueDate: $0.dueDate,
                    knownRansomwareUse: $0.ransomware)
            },
            epss: stored.epss.map { EPSSScore(cve: $0.cve, probability: $0.probability, percentile: $0.percentile) })
        // The decision as it was made, even if a later tree would decide otherwise.
        assessment.ssvc.decision = stored.ssvc.decision
    }

    private struct StoredForm: Decodable {
        var model: String
        var score: Double
        var factors: [Factor]
        var ssvc: SSVC
        var kev: KEV?
        var epss: EPSS?

        struct Factor: Decodable {
            var name: String
            var value: String
            var contribution: Double

            init(from decoder: any Decoder) throws {
                var row = try decoder.unkeyedContainer()
                name = try row.decode(String.self)
                value = try row.decode(String.self)
                contribution = try row.decode(Double.self)
            }
        }

        struct SSVC: Decodable {
            var exploitation: SSVCAssessment.Exploitation
            var automatable: Bool
            var technicalImpact: SSVCAssessment.TechnicalImpact
            var missionWellbeing: SSVCAssessment.MissionWellbeing
            var exposure: Exposure
            var decision: SSVCAssessment.Decision

            init(from decoder: any Decoder) throws {
                var row = try decoder.unkeyedContainer()
                exploitation = try row.decode(SSVCAssessment.Exploitation.self)
                automatable = try row.decode(Bool.self)
                technicalImpact = try row.decode(SSVCAssessment.TechnicalImpact.self)
                missionWellbeing = try row.decode(SSVCAssessment.MissionWellbeing.self)
                exposure = try row.decode(Exposure.self)
                decision = try row.decode(SSVCAssessment.Decision.self)
            }
        }

        struct KEV: Decodable {
            var cve: String
            var vendor, product, name, dateAdded, dueDate: String?
            var ransomware: Bool

            init(from decoder: any Decoder) throws {
                var row = try decoder.unkeyedContainer()
                cve = try row.decode(String.self)
                vendor = try row.decodeIfPresent(String.self)
                product = try row.decodeIfPresent(String.self)
                name = try row.decodeIfPresent(String.self)
                dateAdded = try row.decodeIfPresent(String.self)
                dueDate = try row.decodeIfPresent(String.self)
                ransomware = try row.decode(Bool.self)
            }
        }

        struct EPSS: Decodable {
            var cve: String
            var probability: Double
            var percentile: Double

            init(from decoder: any Decoder) throws {
                var row = try decoder.unkeyedContainer()
                cve = try row.decode(String.self)
                probability = try row.decode(Double.self)
                percentile = try row.decode(Double.self)
            }
        }
    }
}

/// An issue similar to another without being the same problem: shown beside it, never merged
/// (docs/correlation.md, "Related issues").
public struct RelatedIssue: Sendable, Hashable {
    public var id: Int64
    public var reason: String

    public init(id: Int64, reason: String) {
        self.id = id
        self.reason = reason
    }
}

extension StoredIssue {
    /// The issues of the same component that share a place with this one but were not merged:
    /// another weakness at the same file and nearby line, another advisory of the same
    /// package, another weakness at the same endpoint.
    public func related(among candidates: [StoredIssue]) -> [RelatedIssue] {
        var related: [RelatedIssue] = []
        for other in candidates where other.id != id && other.application == application && other.component == component {
            if let reason = relation(to: other) { related.append(RelatedIssue(id: other.id, reason: reason)) }
        }
        return related
    }

    func relation(to other: StoredIssue) -> String? {
        for mine in members.map(\.finding) {
            for theirs in other.members.map(\.finding) {
                if let a = mine.filePath, let b = theirs.filePath,
                    Correlation.sameFile(Correlation.normalizedPath(a), Correlation.normalizedPath(b))
                {
                    if let x = mine.line, let y = theirs.line, abs(x - y) <= Correlation.lineWindow {
                        return "same place, \(b):\(y), another weakness or rule"
                    }
                }
                if let a = mine.purl.flatMap(PackageURL.init(parsing:)), let b = theirs.purl.flatMap(PackageURL.init(parsing:)),
                    a.versionlessKey == b.versionlessKey
                {
                    return "same package, \(b.versionlessKey), another advisory"
                }
                if let a = mine.url.flatMap(EndpointMatch.parts), let b = theirs.url.flatMap(EndpointMatch.parts), a.origin == b.origin,
                    Correlation.endpointTemplate(a.path) == Correlation.endpointTemplate(b.path)
                {
                    return "same endpoint, \(b.origin)\(Correlation.endpointTemplate(b.path)), another weakness"
                }
            }
        }
        return nil
    }
}
