import Foundation
import RampartCore

/// The result of checking the audit trail's hash chain.
public struct AuditVerification: Sendable, Hashable {
    public var entries: Int
    /// The last entry's hash: record it elsewhere to detect a truncated tail later.
    public var head: String?
    /// The first entry that does not verify; nil when the chain holds.
    public var broken: AuditChain.Break?

    public init(entries: Int, head: String?, broken: AuditChain.Break?) {
        self.entries = entries
        self.head = head
        self.broken = broken
    }
}

/// An applied SLA policy, with where it came from.
public struct StoredSLAPolicy: Sendable, Hashable {
    public var policy: SLAPolicy
    public var source: String
    public var appliedAt: Date

    public init(policy: SLAPolicy, source: String, appliedAt: Date) {
        self.policy = policy
        self.source = source
        self.appliedAt = appliedAt
    }
}

extension Triage {
    /// The triage as compact JSON, as audit entries record it before and after a change.
    public var auditJSON: String {
        var object = JSONObjectBuilder()
        object.add("state", state.rawValue)
        object.add("reason", reason)
        object.add("until", decision.until.map { $0.formatted(Date.ISO8601FormatStyle()) })
        object.add("approver", decision.approver)
        object.add("justification", decision.justification?.rawValue)
        object.add("source", source.kind.rawValue)
        object.add("by", source.name.isEmpty ? nil : source.name)
        object.add("review", needsReview ? 1 : 0)
        return object.result
    }
}

extension SLAPolicy {
    /// The policy as stored: `{"basis":..,"days":{"critical":7,..},"criticality":{"high":{..}},"due_soon_days":7}`.
    public var jsonText: String {
        func table(_ days: [Severity: Int]) -> String {
            "{" + Severity.allCases.reversed().compactMap { level in days[level].map { "\"\(level.rawValue)\":\($0)" } }.joined(separator: ",") + "}"
        }
        let criticality = Criticality.allCases.reversed().compactMap { level in
            byCriticality[level].map { "\"\(level.rawValue)\":" + table($0) }
        }
        return
            "{\"basis\":\"\(basis.rawValue)\",\"days\":\(table(days)),\"criticality\":{\(criticality.joined(separator: ","))},\"due_soon_days\":\(dueSoonDays)}"
    }

    public init(jsonText: String) throws {
        struct Form: Decodable {
            var basis: SLAPolicy.Basis
            var days: [String: Int]
            var criticality: [String: [String: Int]]
            var due_soon_days: Int
        }
        let form = try JSONDecoder().decode(Form.self, from: Data(jsonText.utf8))
        func table(_ raw: [String: Int]) throws -> [Severity: Int] {
            var days: [Severity: Int] = [:]
            for (key, value) in raw {
                guard let level = Severity(rawValue: key) else { throw Self.unknown("severity", key) }
                days[level] = value
            }
            return days
        }
        var byCriticality: [Criticality: [Severity: Int]] = [:]
        for (key, raw) in form.criticality {
            guard let level = Criticality(rawValue: key) else { throw Self.unknown("criticality", key) }
            byCriticality[level] = try table(raw)
        }
        self.init(basis: form.basis, days: try table(form.days), byCriticality: byCriticality, dueSoonDays: form.due_soon_days)
    }

    private static func unknown(_ what: String, _ key: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "unknown \(what) '\(key.prefix(40))' in a stored SLA policy"))
    }
}

extension StoredIssue {
    /// The issue as a CI gate judges it on `branch`: nil when no active finding of it is on
    /// that branch; on the baseline when an active finding is on `baseline` (a branch other
    /// than the one under test).
    public func gateCandidate(branch: String, baseline: String?, sla: SLAStatus) -> GateCandidate? {
        let active = activeMembers.map(\.finding)
        guard active.contains(where: { $0.branch == branch }) else { return nil }
        let onBaseline = baseline.map { base in base != branch && active.contains { $0.branch == base } } ?? false
        return GateCandidate(
            issueID: id, severity: severity, risk: assessment?.assessment.score, kev: assessment?.kev != nil,
            ssvc: assessment?.assessment.ssvc.decision,
            slaBreached: sla.breached, triage: triage, onBaseline: onBaseline)
    }
}
