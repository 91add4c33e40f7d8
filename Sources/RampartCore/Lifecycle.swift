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
        self.init(existing: existing, incoming: incoming.map(\.fingerprint), closesMissing: closesMissing)
    }

    /// The same, keyed by anything that identifies a finding one-to-one with its fingerprint
    /// (stores use `FingerprintKey`, which hashes and compares faster than the hex text).
    public init<Key: Hashable>(existing: [Key: Existing], incoming: [Key], closesMissing: Bool) {
        var reported = Set<Key>()
        reported.reserveCapacity(incoming.count)
        for index in incoming.indices {
            let fingerprint = incoming[index]
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

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
