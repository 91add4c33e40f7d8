import Foundation

/// The kind of scanner a finding came from; it decides which location kinds are expected.
public enum FindingCategory: String, Sendable, Codable, CaseIterable, Hashable {
    case sast, sca, container, iac, secrets, dast, cloud, infra, sbom
    /// Threat models and security requirements: weaknesses of a system's design.
    case design
}

/// Normalized severity. Ordered so that `critical > high`.
public enum Severity: String, Sendable, Codable, CaseIterable, Hashable, Comparable {
    case info, low, medium, high, critical

    public var rank: Int {
        switch self {
        case .info: 0
        case .low: 1
        case .medium: 2
        case .high: 3
        case .critical: 4
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    /// Maps the many words scanners use for severity onto the normalized scale.
    /// Returns nil for words that carry no severity ("unknown", "none", "").
    public init?(toolText: String) {
        let word = toolText.asciiTrimmed.lowercased()
        switch word {
        case "critical", "crit", "blocker", "very high", "veryhigh", "urgent", "severe": self = .critical
        case "high", "error", "important", "major", "danger", "elevated": self = .high
        case "medium", "moderate", "warning", "warn", "med": self = .medium
        case "low", "minor", "note", "negligible": self = .low
        case "info", "informational", "information", "none", "unimportant", "trivial", "debug", "style", "best practice", "very low":
            self = .info
        default:
            return nil
        }
    }

    /// CVSS qualitative rating scale (v3.x and v4.0 use the same bands).
    public init(cvssScore score: Double) {
        switch score {
        case 9.0...: self = .critical
        case 7.0..<9.0: self = .high
        case 4.0..<7.0: self = .medium
        case 0.1..<4.0: self = .low
        default: self = .info
        }
    }
}

/// How sure the tool is that the finding is real.
public enum Confidence: String, Sendable, Codable, CaseIterable, Hashable {
    case high, medium, low

    public init?(toolText: String) {
        switch toolText.asciiTrimmed.lowercased() {
        case "high", "certain", "confirmed", "firm": self = .high
        case "medium", "moderate", "tentative_high": self = .medium
        case "low", "tentative", "false positive": self = .low
        default: return nil
        }
    }
}
