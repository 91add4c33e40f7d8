import Foundation

/// An issue's history as recorded: when scans saw it active, and what triage decided when.
/// Metrics are computed from these, never estimated (docs/triage.md, "Metrics").
public struct IssueTimeline: Sendable, Hashable {
    /// A span during which the issue was active (some finding of it was); `end` is nil while it lasts.
    public struct Span: Sendable, Hashable {
        public var start: Date
        public var end: Date?
        public init(start: Date, end: Date?) {
            self.start = start
            self.end = end
        }
    }

    /// A triage change: the state it moved to, who set it, and when.
    public struct Decision: Sendable, Hashable {
        public var at: Date
        public var state: TriageState
        public var source: TriageSource.Kind
        public init(at: Date, state: TriageState, source: TriageSource.Kind) {
            self.at = at
            self.state = state
            self.source = source
        }
    }

    public var issueID: Int64
    public var application: String
    public var component: String
    public var category: FindingCategory
    public var severity: Severity
    public var spans: [Span]
    public var decisions: [Decision]

    public init(
        issueID: Int64, application: String, component: String, category: FindingCategory, severity: Severity, spans: [Span], decisions: [Decision]
    ) {
        self.issueID = issueID
        self.application = application
        self.component = component
        self.category = category
        self.severity = severity
        self.spans = spans
        self.decisions = decisions
    }

    /// The union of member findings' spans: each finding is active from its first sighting, until
    /// a scan fixed it, again from a scan that reopened it.
    public static func spans(of findings: [(firstSeen: Date, events: [(at: Date, fixed: Bool)])]) -> [Span] {
        var all: [Span] = []
        for finding in findings {
            var start: Date? = finding.firstSeen
            for event in finding.events.sorted(by: { $0.at < $1.at }) {
                if event.fixed, let open = start {
                    all.append(Span(start: open, end: event.at))
                    start = nil
                } else if !event.fixed, start == nil {
                    start = event.at
                }
            }
            if let start { all.append(Span(start: start, end: nil)) }
        }
        all.sort { $0.start < $1.start }
        var merged: [Span] = []
        for span in all {
            if var last = merged.last, last.end.map({ span.start <= $0 }) ?? true {
                if last.end != nil { last.end = span.end.map { max($0, last.end!) } }
                merged[merged.count - 1] = last
            } else {
                merged.append(span)
            }
        }
        return merged
    }

    public func isActive(at date: Date) -> Bool {
        spans.contains { $0.start <= date && ($0.end.map { date < $0 } ?? true) }
    }

    /// The triage state at `date`: the last decision made by then.
    public func triage(at date: Date) -> TriageState {
        decisions.last { $0.at <= date }?.state ?? .untriaged
    }
}

/// Remediation times of a group: mean and median days, over remediations that ended in the period.
public struct RemediationTime: Sendable, Hashable {
    public var count: Int
    public var meanDays: Double
    public var medianDays: Double

    public init(days: [Double]) {
        count = days.count
        guard !days.isEmpty else {
            meanDays = 0
            medianDays = 0
            return
        }
        let sorted = days.sorted()
        meanDays = sorted.reduce(0, +) / Double(sorted.count)
        medianDays = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

/// Posture metrics over a period, computed from timelines.
public struct PostureMetrics: Sendable, Hashable {
    /// Active issues by severity at each point of the period, triage-dismissed ones left out.
    public struct Point: Sendable, Hashable {
        public var date: Date
        public var open: [Severity: Int]
    }

    public var since: Date
    public var until: Date
    public var series: [Point]
    /// Mean and median time to remediate, by group kind (`application`, `team`, `category`,
    /// `severity`) and group name; `overall` has the one group "all".
    public var remediation: [String: [String: RemediationTime]]
    /// Issues with an SLA that were fixed within it or are open and not past it, over all issues
    /// with an SLA active in the period; nil when there are none.
    public var slaCompliance: Double?
    /// Issues fixed by a rescan in the period over issues active at some time in it.
    public var fixRate: Double?
    /// Issues that left the to-fix list in the period: fixed by a rescan, or dismissed by a
    /// person, a rule or a VEX document.
    public var closedByRescan: Int
    /// Remediations that ended in the period (an issue fixed, reopened and fixed again counts twice).
    public var remediations: Int
    public var dismissedBy: [TriageSource.Kind: Int]
    public var openNow: Int
    public var breachedNow: Int

    /// - Parameters:
    ///   - sla: the SLA of an issue at `until` (its due date and whether it is or was breached).
    ///   - team: the team an application belongs to, if declared.
    public init(
        timelines: [IssueTimeline], since: Date, until: Date, sla: (Int64) -> SLAStatus?, team: (String) -> String?
    ) {
        self.since = since
        self.until = until
        let span = until.timeIntervalSince(since)
        let step: TimeInterval = span <= 31 * 86_400 ? 86_400 : 7 * 86_400
        var points: [Point] = []
        var date = since
        while date <= until {
            points.append(Point(date: date, open: [:]))
            date = date.addingTimeInterval(step)
        }
        // The period ends at `until`: the last point is then, not a step before or beside it.
        if let last = points.last, until.timeIntervalSince(last.date) < step / 2 { points.removeLast() }
        points.append(Point(date: until, open: [:]))
        for timeline in timelines {
            for index in points.indices where timeline.isActive(at: points[index].date) {
                let state = timeline.triage(at: points[index].date)
                guard state == .untriaged || state == .confirmed else { continue }
                points[index].open[timeline.severity, default: 0] += 1
            }
        }
        series = points

        var days: [String: [String: [Double]]] = [:]
        var closed = 0
        var fixedIssues = 0
        var activeInPeriod = 0
        var dismissed: [TriageSource.Kind: Int] = [:]
        var withSLA = 0
        var compliant = 0
        var open = 0
        var breached = 0
        for timeline in timelines {
            let touchesPeriod = timeline.spans.contains { $0.start <= until && ($0.end.map { $0 >= since } ?? true) }
            if touchesPeriod { activeInPeriod += 1 }
            var fixedInPeriod = false
            for remediation in timeline.spans {
                guard let end = remediation.end, end >= since, end <= until else { continue }
                let value = end.timeIntervalSince(remediation.start) / 86_400
                closed += 1
                fixedInPeriod = true
                days["overall", default: [:]]["all", default: []].append(value)
                days["application", default: [:]][timeline.application, default: []].append(value)
                days["team", default: [:]][team(timeline.application) ?? "(none)", default: []].append(value)
                days["category", default: [:]][timeline.category.rawValue, default: []].append(value)
                days["severity", default: [:]][timeline.severity.rawValue, default: []].append(value)
            }
            if fixedInPeriod { fixedIssues += 1 }
            for decision in timeline.decisions where decision.at >= since && decision.at <= until {
                guard [.falsePositive, .acceptedRisk, .notAffected, .mitigated].contains(decision.state), decision.source != .expiry else {
                    continue
                }
                dismissed[decision.source, default: 0] += 1
            }
            let activeNow = timeline.isActive(at: until)
            let state = timeline.triage(at: until)
            if activeNow && (state == .untriaged || state == .confirmed) { open += 1 }
            if touchesPeriod, let status = sla(timeline.issueID), status.due != nil {
                withSLA += 1
                if !status.breached { compliant += 1 } else if activeNow { breached += 1 }
            }
        }
        remediation = days.mapValues { groups in groups.mapValues(RemediationTime.init(days:)) }
        remediations = closed
        closedByRescan = fixedIssues
        dismissedBy = dismissed
        fixRate = activeInPeriod == 0 ? nil : Double(fixedIssues) / Double(activeInPeriod)
        slaCompliance = withSLA == 0 ? nil : Double(compliant) / Double(withSLA)
        openNow = open
        breachedNow = breached
    }
}
