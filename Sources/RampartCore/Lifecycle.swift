/// Where a finding stands in its stream, as imports see it.
public enum FindingStatus: String, Sendable, Codable, CaseIterable, Hashable {
    /// First seen by the latest import that reported it.
    case new
    /// Seen again by a later import.
    case open
    /// Gone from a later import of its stream.
    case fixed
    /// Seen again after being fixed.
    case reopened

    public var isActive: Bool { self != .fixed }

    /// The status after an import of the stream reports the finding again.
    public func seenAgain() -> FindingStatus {
        switch self {
        case .fixed: .reopened
        case .new, .open, .reopened: .open
        }
    }
}

/// What one import changes in its stream: a pure function of the stream's current findings
/// and the import's findings, so the state machine is tested without a database.
public struct StreamReconciliation: Sendable {
    public struct Existing: Sendable {
        public var id: Int64
        public var status: FindingStatus
        public init(id: Int64, status: FindingStatus) {
            self.id = id
            self.status = status
        }
    }

    public struct Update: Sendable {
        public var id: Int64
        public var incomingIndex: Int
        public var status: FindingStatus
        public var previous: FindingStatus
    }

    /// Indices into the incoming findings that are new to the stream.
    public private(set) var inserts: [Int] = []
    /// Existing findings the import reports again.
    public private(set) var updates: [Update] = []
    /// Existing active findings the import no longer reports.
    public private(set) var fixed: [Int64] = []

    public var newCount: Int { inserts.count }
    public var reopenedCount: Int { updates.lazy.filter { $0.status == .reopened }.count }
    public var unchangedCount: Int { updates.count - reopenedCount }
    public var fixedCount: Int { fixed.count }

    /// - Parameter closesMissing: whether findings absent from this import are closed. False
    ///   for empty or failed reports unless the user allowed it.
    public init(existing: [String: Existing], incoming: [Finding], closesMissing: Bool) {
        var reported = Set<String>()
        reported.reserveCapacity(incoming.count)
        for index in incoming.indices {
            let fingerprint = incoming[index].fingerprint
            reported.insert(fingerprint)
            if let current = existing[fingerprint] {
                updates.append(Update(id: current.id, incomingIndex: index, status: current.status.seenAgain(), previous: current.status))
            } else {
                inserts.append(index)
            }
        }
        if closesMissing {
            for (fingerprint, current) in existing where current.status.isActive && !reported.contains(fingerprint) {
                fixed.append(current.id)
            }
            fixed.sort()
        }
    }
}
