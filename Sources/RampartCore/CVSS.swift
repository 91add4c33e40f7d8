import Foundation

/// A parsed, validated CVSS vector. Version 3.0 and 3.1 base scores are computed from the
/// vector; version 4.0 vectors are validated and keep the score the tool gave.
public struct CVSSVector: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Version: String, Sendable, Codable, Hashable {
        case v3_0 = "3.0"
        case v3_1 = "3.1"
        case v4_0 = "4.0"
    }

    public let version: Version
    /// Metric abbreviations to values, in vector order.
    public let metrics: [(key: String, value: String)]
    /// The canonical text, built once: it is written for every stored finding.
    public let description: String

    public static func == (lhs: CVSSVector, rhs: CVSSVector) -> Bool { lhs.description == rhs.description }
    public func hash(into hasher: inout Hasher) { hasher.combine(description) }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try CVSSVector(parsing: text)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public struct ParseError: Error, CustomStringConvertible, Sendable, Equatable {
        public let reason: String
        public var description: String { "invalid CVSS vector: \(reason)" }
    }

    private static let v3Base: [(String, Set<String>)] = [
        ("AV", ["N", "A", "L", "P"]), ("AC", ["L", "H"]), ("PR", ["N", "L", "H"]), ("UI", ["N", "R"]),
        ("S", ["U", "C"]), ("C", ["H", "L", "N"]), ("I", ["H", "L", "N"]), ("A", ["H", "L", "N"]),
    ]
    private static let v3Optional: [String: Set<String>] = [
        "E": ["X", "U", "P", "F", "H"], "RL": ["X", "O", "T", "W", "U"], "RC": ["X", "U", "R", "C"],
        "CR": ["X", "L", "M", "H"], "IR": ["X", "L", "M", "H"], "AR": ["X", "L", "M", "H"],
        "MAV": ["X", "N", "A", "L", "P"], "MAC": ["X", "L", "H"], "MPR": ["X", "N", "L", "H"], "MUI": ["X", "N", "R"],
        "MS": ["X", "U", "C"], "MC": ["X", "N", "L", "H"], "MI": ["X", "N", "L", "H"], "MA": ["X", "N", "L", "H"],
    ]
    private static let v4Base: [(String, Set<String>)] = [
        ("AV", ["N", "A", "L", "P"]), ("AC", ["L", "H"]), ("AT", ["N", "P"]), ("PR", ["N", "L", "H"]),
        ("UI", ["N", "P", "A"]), ("VC", ["H", "L", "N"]), ("VI", ["H", "L", "N"]), ("VA", ["H", "L", "N"]),
        ("SC", ["H", "L", "N"]), ("SI", ["H", "L", "N"]), ("SA", ["H", "L", "N"]),
    ]
    private static let v4Optional: [String: Set<String>] = [
        "E": ["X", "A", "P", "U"], "CR": ["X", "H", "M", "L"], "IR": ["X", "H", "M", "L"], "AR": ["X", "H", "M", "L"],
        "MAV": ["X", "N", "A", "L", "P"], "MAC": ["X", "L", "H"], "MAT": ["X", "N", "P"], "MPR": ["X", "N", "L", "H"],
        "MUI": ["X", "N", "P", "A"], "MVC": ["X", "H", "L", "N"], "MVI": ["X", "H", "L", "N"], "MVA": ["X", "H", "L", "N"],
        "MSC": ["X", "H", "L", "N"], "MSI": ["X", "S", "H", "L", "N"], "MSA": ["X", "S", "H", "L", "N"],
        "S": ["X", "N", "P"], "AU": ["X", "N", "Y"], "R": ["X", "A", "U", "I"], "V": ["X", "D", "C"],
        "RE": ["X", "L", "M", "H"], "U": ["X", "Clear", "Green", "Amber", "Red"],
    ]

    /// Parses `CVSS:3.1/AV:N/...` or `CVSS:4.0/AV:N/...`. A v3 vector without the prefix
    /// (as NVD's v2-era tools and some scanners write it) is read as 3.1 only when all
    /// mandatory metrics are present.
    public init(parsing raw: String) throws {
        var text = raw.asciiTrimmed
        if text.hasPrefix("(") && text.hasSuffix(")") { text = String(text.dropFirst().dropLast()) }
        var parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first else { throw ParseError(reason: "empty") }
        let version: Version
        if first.uppercased().hasPrefix("CVSS:") {
            guard let parsed = Version(rawValue: String(first.dropFirst(5))) else {
                throw ParseError(reason: "unsupported version \(first.dropFirst(5).prefix(8))")
            }
            version = parsed
            parts.removeFirst()
        } else {
            version = .v3_1
        }
        let base = version == .v4_0 ? CVSSVector.v4Base : CVSSVector.v3Base
        let optional = version == .v4_0 ? CVSSVector.v4Optional : CVSSVector.v3Optional
        var seen: [String: String] = [:]
        var ordered: [(key: String, value: String)] = []
        for part in parts {
            let kv = part.split(separator: ":", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw ParseError(reason: "malformed metric '\(part.prefix(16))'") }
            let (key, value) = (kv[0], kv[1])
            let allowed = base.first(where: { $0.0 == key })?.1 ?? optional[key]
            guard let allowed else { throw ParseError(reason: "unknown metric '\(key.prefix(8))'") }
            guard allowed.contains(value) else { throw ParseError(reason: "invalid value for \(key)") }
            guard seen[key] == nil else { throw ParseError(reason: "metric \(key) repeated") }
            seen[key] = value
            ordered.append((key, value))
        }
        for (key, _) in base where seen[key] == nil {
            throw ParseError(reason: "missing base metric \(key)")
        }
        self.version = version
        self.metrics = ordered
        let canonical = "CVSS:\(version.rawValue)/" + parts.joined(separator: "/")
        self.description = canonical
    }

    public subscript(metric: String) -> String? {
        metrics.first { $0.key == metric }?.value
    }

    /// The base score, computed from the vector for v3.x; nil for v4.0 (the tool's score is kept).
    public var baseScore: Double? {
        switch version {
        case .v3_0, .v3_1: return v3BaseScore()
        case .v4_0: return nil
        }
    }

    private func v3BaseScore() -> Double {
        let scopeChanged = self["S"] == "C"
        let av: Double = ["N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2][self["AV"]!]!
        let ac: Double = self["AC"] == "L" ? 0.77 : 0.44
        let pr: Double
        switch self["PR"]! {
        case "N": pr = 0.85
        case "L": pr = scopeChanged ? 0.68 : 0.62
        default: pr = scopeChanged ? 0.5 : 0.27
        }
        let ui: Double = self["UI"] == "N" ? 0.85 : 0.62
        func cia(_ value: String?) -> Double { value == "H" ? 0.56 : value == "L" ? 0.22 : 0 }
        let iss = 1 - (1 - cia(self["C"])) * (1 - cia(self["I"])) * (1 - cia(self["A"]))
        let impact = scopeChanged ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss
        let exploitability = 8.22 * av * ac * pr * ui
        if impact <= 0 { return 0 }
        let raw = scopeChanged ? min(1.08 * (impact + exploitability), 10) : min(impact + exploitability, 10)
        return version == .v3_1 ? CVSSVector.roundUp31(raw) : (raw * 10).rounded(.up) / 10
    }

    /// CVSS 3.1 Roundup, which avoids floating-point artefacts (spec appendix A).
    static func roundUp31(_ value: Double) -> Double {
        let intInput = Int((value * 100_000).rounded())
        if intInput % 10_000 == 0 { return Double(intInput) / 100_000 }
        return (Double(intInput / 10_000) + 1) / 10
    }
}
