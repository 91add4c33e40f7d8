import Foundation

/// A change of state that matters, as the audit trail records it.
public enum AuditAction: String, Sendable, Hashable, Codable, CaseIterable {
    case `import`
    case triage
    case triageExpired = "triage-expired"
    case ruleAdded = "rule-added"
    case ruleRemoved = "rule-removed"
    case inventoryApplied = "inventory-applied"
    case slaPolicyApplied = "sla-policy-applied"
    case feedUpdated = "feed-updated"
    case merge
    case split
    case correlationRebuilt = "correlation-rebuilt"
}

/// One audit entry. Entries are hash-chained: each one's hash covers its fields and the
/// previous entry's hash, so editing, deleting or reordering any entry breaks the chain from
/// there on (docs/triage.md, "Audit trail").
public struct AuditEntry: Sendable, Hashable {
    public var id: Int64
    public var at: Date
    public var actor: String
    public var action: AuditAction
    /// What changed, e.g. `issue 12`, `scan 4`, `inventory`.
    public var subject: String
    /// The state before and after, as compact JSON text (nil when there is none).
    public var before: String?
    public var after: String?
    public var reason: String?
    /// The previous entry's hash; 64 zeros for the first entry.
    public var previousHash: String
    public var hash: String

    public init(
        id: Int64, at: Date, actor: String, action: AuditAction, subject: String, before: String?, after: String?, reason: String?,
        previousHash: String, hash: String
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.before = before
        self.after = after
        self.reason = reason
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// The hash chain over audit entries: how an entry's hash is made, and how a chain is checked.
public enum AuditChain {
    public static let genesis = String(repeating: "0", count: 64)

    /// The hash of an entry with these fields after `previousHash`: SHA-256 over a JSON array
    /// of every field (JSON quoting keeps field boundaries unambiguous). Times are hashed as
    /// whole microseconds since 1970, as stored.
    public static func hash(
        id: Int64, at: Date, actor: String, action: AuditAction, subject: String, before: String?, after: String?, reason: String?,
        previousHash: String
    ) -> String {
        let micros = Int64((at.timeIntervalSince1970 * 1_000_000).rounded())
        func text(_ value: String?) -> String { value.map(JSONText.quoted) ?? "null" }
        let canonical =
            "[\(id),\(micros),\(text(actor)),\(text(action.rawValue)),\(text(subject)),\(text(before)),\(text(after)),\(text(reason)),\(text(previousHash))]"
        return Hashing.sha256Hex(canonical)
    }

    public static func hash(of entry: AuditEntry) -> String {
        hash(
            id: entry.id, at: entry.at, actor: entry.actor, action: entry.action, subject: entry.subject, before: entry.before, after: entry.after,
            reason: entry.reason, previousHash: entry.previousHash)
    }

    /// Where a chain breaks.
    public struct Break: Sendable, Hashable, CustomStringConvertible {
        /// The first entry that does not verify.
        public var entryID: Int64
        public var reason: String
        public init(entryID: Int64, reason: String) {
            self.entryID = entryID
            self.reason = reason
        }
        public var description: String { "audit entry \(entryID): \(reason)" }
    }

    /// Checks entries in id order: each must follow the previous one's hash and have the hash
    /// of its own fields. Returns the first entry that does not, or nil when the chain holds.
    /// A deleted entry shows as a gap before its successor; an edited one as its own hash.
    public static func verify(_ entries: some Sequence<AuditEntry>) -> Break? {
        var previous = genesis
        var previousID: Int64 = 0
        for entry in entries {
            // Ids are consecutive from 1 (AUTOINCREMENT never reuses one): a gap is a deletion
            // even when the entries after it were rehashed.
            if entry.id != previousID + 1 {
                let what =
                    entry.id > previousID + 1 ? "entries \(previousID + 1)-\(entry.id - 1) are missing" : "out of order after entry \(previousID)"
                return Break(entryID: entry.id, reason: what)
            }
            if entry.previousHash != previous {
                return Break(entryID: entry.id, reason: "does not follow the previous entry's hash (an earlier entry was changed)")
            }
            if hash(of: entry) != entry.hash {
                return Break(entryID: entry.id, reason: "its content does not match its hash (edited)")
            }
            previous = entry.hash
            previousID = entry.id
        }
        return nil
    }
}
