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
        /// The stored fingerprint becomes this one: the finding was recognized by its aliases
        /// under a new canonical vulnerability id.
        public var newFingerprint: String?
    }

    /// A finding the stream holds, as reconciliation needs it.
    public struct StoredIdentity: Sendable {
        public var id: Int64
        public var status: FindingStatus
        public var fingerprint: FingerprintKey
        /// Findings with equal anchors may be the same problem: the key parts without what
        /// tells duplicates apart (code findings), or without the vulnerability id (packages).
        public var anchor: FingerprintKey
        public var line: Int?
        public var isPackage: Bool

        public init(id: Int64, status: FindingStatus, fingerprint: FingerprintKey, anchor: FingerprintKey?, line: Int?, isPackage: Bool) {
            self.id = id
            self.status = status
            self.fingerprint = fingerprint
            self.anchor = anchor ?? fingerprint
            self.line = line
            self.isPackage = isPackage
        }
    }

    /// An incoming finding, as reconciliation needs it.
    public struct IncomingIdentity: Sendable {
        public var fingerprint: FingerprintKey
        public var anchor: FingerprintKey
        public var line: Int?
        public var isPackage: Bool

        public init(fingerprint: FingerprintKey, anchor: FingerprintKey?, line: Int?, isPackage: Bool) {
            self.fingerprint = fingerprint
            self.anchor = anchor ?? fingerprint
            self.line = line
            self.isPackage = isPackage
        }

        public init(_ finding: borrowing Finding) {
            var isPackage = false
            if case .package = finding.location { isPackage = true }
            self.init(
                fingerprint: FingerprintKey(fingerprint: finding.fingerprint), anchor: finding.identityAnchor.map(FingerprintKey.init(fingerprint:)),
                line: finding.location.line, isPackage: isPackage)
        }
    }

    /// Indices into the incoming findings that are new to the stream.
    public private(set) var inserts: [Int] = []
    /// Existing findings the import reports again.
    public private(set) var updates: [Update] = []
    /// Existing active findings the import no longer reports.
    public private(set) var fixed: [Int64] = []
    /// Inserts that must not take their own fingerprint (another finding of the stream holds
    /// it): incoming index → the fingerprint to store.
    public private(set) var renamed: [Int: String] = [:]
    /// Existing findings this import did not report, active or not, by id: the candidates an
    /// alias match may still pair with a new package finding.
    public private(set) var unreported: [Int64: FindingStatus] = [:]

    public var newCount: Int { inserts.count }
    public var reopenedCount: Int { updates.lazy.filter { $0.status == .reopened }.count }
    public var unchangedCount: Int { updates.count - reopenedCount }
    public var fixedCount: Int { fixed.count }

    /// Pairs by fingerprint alone.
    /// - Parameter closesMissing: whether findings absent from this import are closed. False
    ///   for empty or failed reports unless the user allowed it.
    public init(existing: [String: Existing], incoming: [Finding], closesMissing: Bool) {
        let stored = existing.map { fingerprint, current in
            StoredIdentity(
                id: current.id, status: current.status, fingerprint: FingerprintKey(fingerprint: fingerprint), anchor: nil, line: nil, isPackage: true
            )
        }
        // Paired by fingerprint alone, as package findings are.
        let keys = incoming.map {
            IncomingIdentity(fingerprint: FingerprintKey(fingerprint: $0.fingerprint), anchor: nil, line: $0.location.line, isPackage: true)
        }
        self.init(existing: stored, incoming: keys, closesMissing: closesMissing)
    }

    /// Pairs the incoming findings with the stream's.
    ///
    /// Package findings pair by fingerprint. Other findings pair within their anchor (their
    /// key parts before duplicates are told apart): a group with one finding on each side is
    /// one problem whatever its fingerprints say, and a group with several (the same code on
    /// several lines) is aligned by line, in order, so that a duplicate added above others, or
    /// removed, changes no other finding's identity. An unpaired incoming finding keeps its
    /// fingerprint unless the stream uses it; then it gets a fresh one.
    public init(existing: [StoredIdentity], incoming: [IncomingIdentity], closesMissing: Bool) {
        var byFingerprint: [FingerprintKey: Int] = [:]
        var groups: [FingerprintKey: (stored: [Int], incoming: [Int])] = [:]
        byFingerprint.reserveCapacity(existing.count)
        for (position, stored) in existing.enumerated() {
            byFingerprint[stored.fingerprint] = position
            if !stored.isPackage { groups[stored.anchor, default: ([], [])].stored.append(position) }
        }
        var paired = [Bool](repeating: false, count: existing.count)
        var incomingPair = [Int?](repeating: nil, count: incoming.count)
        for (index, finding) in incoming.enumerated() {
            if finding.isPackage {
                if let position = byFingerprint[finding.fingerprint], existing[position].isPackage, !paired[position] {
                    paired[position] = true
                    incomingPair[index] = position
                }
            } else {
                groups[finding.anchor, default: ([], [])].incoming.append(index)
            }
        }
        for (_, group) in groups where !group.incoming.isEmpty && !group.stored.isEmpty {
            if group.incoming.count == 1 && group.stored.count == 1 {
                paired[group.stored[0]] = true
                incomingPair[group.incoming[0]] = group.stored[0]
                continue
            }
            for (incomingIndex, position) in Self.alignByLine(
                incoming: group.incoming.map { ($0, incoming[$0].line) }, stored: group.stored.map { ($0, existing[$0].line) })
            {
                paired[position] = true
                incomingPair[incomingIndex] = position
            }
        }
        // A new package finding's fingerprint is free (it would have paired otherwise); only
        // other findings, paired within their anchor, may meet their own fingerprint taken.
        var taken = Set(existing.lazy.filter { !$0.isPackage }.map(\.fingerprint))
        for index in incoming.indices {
            if let position = incomingPair[index] {
                let current = existing[position]
                updates.append(Update(id: current.id, incomingIndex: index, status: current.status.seenAgain(), previous: current.status))
                continue
            }
            inserts.append(index)
            if incoming[index].isPackage { continue }
            let own = incoming[index].fingerprint
            if taken.contains(own) {
                var rank = 2
                while true {
                    let fresh = FindingIdentity.hash(["duplicate", own.hex, "#\(rank)"])
                    let key = FingerprintKey(fingerprint: fresh)
                    if !taken.contains(key) {
                        renamed[index] = fresh
                        taken.insert(key)
                        break
                    }
                    rank += 1
                }
            } else {
                taken.insert(own)
            }
        }
        for (position, stored) in existing.enumerated() where !paired[position] {
            unreported[stored.id] = stored.status
            if closesMissing && stored.status.isActive { fixed.append(stored.id) }
        }
        fixed.sort()
    }

    /// Order-preserving pairs of duplicates by line: the alignment with the most pairs, and
    /// among those the least total line shift, so that code moving as a block keeps every
    /// identity and an added or removed duplicate leaves the others alone.
    static func alignByLine(incoming: [(Int, Int?)], stored: [(Int, Int?)]) -> [(Int, Int)] {
        let incoming = incoming.sorted { ($0.1 ?? -1, $0.0) < ($1.1 ?? -1, $1.0) }
        let stored = stored.sorted { ($0.1 ?? -1, $0.0) < ($1.1 ?? -1, $1.0) }
        let n = incoming.count
        let m = stored.count
        // best[i][j]: the most pairs, then the least shift, aligning the first i incoming with the first j stored.
        struct Score: Comparable {
            var pairs: Int
            var shift: Int
            static func < (a: Score, b: Score) -> Bool { a.pairs != b.pairs ? a.pairs < b.pairs : a.shift > b.shift }
        }
        var best = [[Score]](repeating: [Score](repeating: Score(pairs: 0, shift: 0), count: m + 1), count: n + 1)
        for i in 0...n {
            for j in 0...m where i > 0 || j > 0 {
                var options: [Score] = []
                if i > 0 { options.append(best[i - 1][j]) }
                if j > 0 { options.append(best[i][j - 1]) }
                if i > 0 && j > 0 {
                    let shift = abs((incoming[i - 1].1 ?? 0) - (stored[j - 1].1 ?? 0))
                    let previous = best[i - 1][j - 1]
                    options.append(Score(pairs: previous.pairs + 1, shift: previous.shift + shift))
                }
                best[i][j] = options.max()!
            }
        }
        var pairs: [(Int, Int)] = []
        var i = n
        var j = m
        while i > 0 && j > 0 {
            let shift = abs((incoming[i - 1].1 ?? 0) - (stored[j - 1].1 ?? 0))
            let diagonal = Score(pairs: best[i - 1][j - 1].pairs + 1, shift: best[i - 1][j - 1].shift + shift)
            if best[i][j] == diagonal {
                pairs.append((incoming[i - 1].0, stored[j - 1].0))
                i -= 1
                j -= 1
            } else if best[i][j] == best[i - 1][j] {
                i -= 1
            } else {
                j -= 1
            }
        }
        return pairs
    }

    /// A stored package finding that this import did not report, with what an alias match reads.
    public struct UnreportedPackage: Sendable {
        public var id: Int64
        public var anchor: String
        public var vulnerabilityIDs: Set<String>

        public init(id: Int64, anchor: String, vulnerabilityIDs: Set<String>) {
            self.id = id
            self.anchor = anchor
            self.vulnerabilityIDs = vulnerabilityIDs
        }
    }

    /// Pairs new package findings with unreported ones of the same package and place that share
    /// a vulnerability id: the same advisory, known by another canonical id since an alias was
    /// added or removed (a GHSA that gained its CVE). The pair becomes an update that takes the
    /// new fingerprint.
    public mutating func pairAliases(incoming findings: [Finding], unreported candidates: [UnreportedPackage]) {
        guard !inserts.isEmpty, !candidates.isEmpty else { return }
        var byAnchor: [String: [UnreportedPackage]] = [:]
        for candidate in candidates { byAnchor[candidate.anchor, default: []].append(candidate) }
        var used = Set<Int64>()
        var remaining: [Int] = []
        for index in inserts {
            let finding = findings[index]
            guard finding.location.kind == "package", let anchor = finding.identityAnchor,
                let match = byAnchor[anchor]?.first(where: { candidate in
                    !used.contains(candidate.id) && finding.vulnerabilityIDs.contains { candidate.vulnerabilityIDs.contains($0.value) }
                }), let status = unreported[match.id]
            else {
                remaining.append(index)
                continue
            }
            used.insert(match.id)
            unreported[match.id] = nil
            updates.append(
                Update(
                    id: match.id, incomingIndex: index, status: status.seenAgain(), previous: status,
                    newFingerprint: renamed[index] ?? finding.fingerprint))
        }
        inserts = remaining
        fixed.removeAll { used.contains($0) }
    }
}

/// A fingerprint's 256 bits as four words: the same identity as the 64-character hex text,
/// at a fraction of the cost to hash, compare and keep in a dictionary of 100k entries.
public struct FingerprintKey: Hashable, Sendable {
    public let words: (UInt64, UInt64, UInt64, UInt64)

    /// The key of any fingerprint text: the hex digits themselves, or, for text that is not a
    /// 64-digit hex string (which the store's constraints then refuse), a digest of it.
    public init(fingerprint: String) {
        self = FingerprintKey(hex: fingerprint) ?? FingerprintKey(hex: Hashing.sha256Hex(fingerprint))!
    }

    public init?(hex: String) {
        var text = hex
        guard let words = text.withUTF8({ FingerprintKey.words(fromHex: UnsafeRawBufferPointer($0)) }) else { return nil }
        self.words = words
    }

    /// Reads the hex digits in place (for example straight from a database row).
    public init?(hexBytes: UnsafeRawBufferPointer) {
        guard let words = FingerprintKey.words(fromHex: hexBytes) else { return nil }
        self.words = words
    }

    static func words(fromHex bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64, UInt64, UInt64)? {
        guard bytes.count == 64,
            let a = Hex.value(of: bytes[0..<16], as: UInt64.self), let b = Hex.value(of: bytes[16..<32], as: UInt64.self),
            let c = Hex.value(of: bytes[32..<48], as: UInt64.self), let d = Hex.value(of: bytes[48..<64], as: UInt64.self)
        else { return nil }
        return (a, b, c, d)
    }

    public static func == (lhs: FingerprintKey, rhs: FingerprintKey) -> Bool { lhs.words == rhs.words }

    /// The 64 hex digits again.
    public var hex: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for word in [words.0, words.1, words.2, words.3] {
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return Hashing.hex(bytes)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
