import Foundation

/// A parsed, validated CVSS vector (3.0, 3.1 or 4.0), with its base score computed from the
/// vector by each version's specification.
public struct CVSSVector: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Version: String, Sendable, Codable, Hashable {
        case v3_0 = "3.0"
        case v3_1 = "3.1"
        case v4_0 = "4.0"
    }

    public let version: Version
    /// The canonical text, `CVSS:<version>/` and the metrics in the order given. Built once:
    /// it is written for every stored finding.
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

    /// One metric's abbreviation and allowed values, for the byte-level validator.
    struct MetricRule {
        var key: String
        var values: [String]
        var mandatory: Bool
    }

    static let v3Rules: [MetricRule] = [
        MetricRule(key: "AV", values: ["N", "A", "L", "P"], mandatory: true), MetricRule(key: "AC", values: ["L", "H"], mandatory: true),
        MetricRule(key: "PR", values: ["N", "L", "H"], mandatory: true), MetricRule(key: "UI", values: ["N", "R"], mandatory: true),
        MetricRule(key: "S", values: ["U", "C"], mandatory: true), MetricRule(key: "C", values: ["H", "L", "N"], mandatory: true),
        MetricRule(key: "I", values: ["H", "L", "N"], mandatory: true), MetricRule(key: "A", values: ["H", "L", "N"], mandatory: true),
        MetricRule(key: "E", values: ["X", "U", "P", "F", "H"], mandatory: false),
        MetricRule(key: "RL", values: ["X", "O", "T", "W", "U"], mandatory: false),
        MetricRule(key: "RC", values: ["X", "U", "R", "C"], mandatory: false), MetricRule(key: "CR", values: ["X", "L", "M", "H"], mandatory: false),
        MetricRule(key: "IR", values: ["X", "L", "M", "H"], mandatory: false), MetricRule(key: "AR", values: ["X", "L", "M", "H"], mandatory: false),
        MetricRule(key: "MAV", values: ["X", "N", "A", "L", "P"], mandatory: false),
        MetricRule(key: "MAC", values: ["X", "L", "H"], mandatory: false),
        MetricRule(key: "MPR", values: ["X", "N", "L", "H"], mandatory: false), MetricRule(key: "MUI", values: ["X", "N", "R"], mandatory: false),
        MetricRule(key: "MS", values: ["X", "U", "C"], mandatory: false), MetricRule(key: "MC", values: ["X", "N", "L", "H"], mandatory: false),
        MetricRule(key: "MI", values: ["X", "N", "L", "H"], mandatory: false), MetricRule(key: "MA", values: ["X", "N", "L", "H"], mandatory: false),
    ]

    static let v4Rules: [MetricRule] = [
        MetricRule(key: "AV", values: ["N", "A", "L", "P"], mandatory: true), MetricRule(key: "AC", values: ["L", "H"], mandatory: true),
        MetricRule(key: "AT", values: ["N", "P"], mandatory: true), MetricRule(key: "PR", values: ["N", "L", "H"], mandatory: true),
        MetricRule(key: "UI", values: ["N", "P", "A"], mandatory: true), MetricRule(key: "VC", values: ["H", "L", "N"], mandatory: true),
        MetricRule(key: "VI", values: ["H", "L", "N"], mandatory: true), MetricRule(key: "VA", values: ["H", "L", "N"], mandatory: true),
        MetricRule(key: "SC", values: ["H", "L", "N"], mandatory: true), MetricRule(key: "SI", values: ["H", "L", "N"], mandatory: true),
        MetricRule(key: "SA", values: ["H", "L", "N"], mandatory: true), MetricRule(key: "E", values: ["X", "A", "P", "U"], mandatory: false),
        MetricRule(key: "CR", values: ["X", "H", "M", "L"], mandatory: false), MetricRule(key: "IR", values: ["X", "H", "M", "L"], mandatory: false),
        MetricRule(key: "AR", values: ["X", "H", "M", "L"], mandatory: false),
        MetricRule(key: "MAV", values: ["X", "N", "A", "L", "P"], mandatory: false),
        MetricRule(key: "MAC", values: ["X", "L", "H"], mandatory: false), MetricRule(key: "MAT", values: ["X", "N", "P"], mandatory: false),
        MetricRule(key: "MPR", values: ["X", "N", "L", "H"], mandatory: false),
        MetricRule(key: "MUI", values: ["X", "N", "P", "A"], mandatory: false),
        MetricRule(key: "MVC", values: ["X", "H", "L", "N"], mandatory: false),
        MetricRule(key: "MVI", values: ["X", "H", "L", "N"], mandatory: false),
        MetricRule(key: "MVA", values: ["X", "H", "L", "N"], mandatory: false),
        MetricRule(key: "MSC", values: ["X", "H", "L", "N"], mandatory: false),
        MetricRule(key: "MSI", values: ["X", "S", "H", "L", "N"], mandatory: false),
        MetricRule(key: "MSA", values: ["X", "S", "H", "L", "N"], mandatory: false),
        MetricRule(key: "S", values: ["X", "N", "P"], mandatory: false), MetricRule(key: "AU", values: ["X", "N", "Y"], mandatory: false),
        MetricRule(key: "R", values: ["X", "A", "U", "I"], mandatory: false), MetricRule(key: "V", values: ["X", "D", "C"], mandatory: false),
        MetricRule(key: "RE", values: ["X", "L", "M", "H"], mandatory: false),
        MetricRule(key: "U", values: ["X", "Clear", "Green", "Amber", "Red"], mandatory: false),
    ]

    /// Packs up to 8 ASCII bytes into an integer, so metric names and values compare without Strings.
    @inline(__always) static func code<C: Collection>(_ bytes: C) -> UInt64? where C.Element == UInt8 {
        guard bytes.count <= 8, !bytes.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in bytes { value = value << 8 | UInt64(byte) }
        return value
    }

    /// Metric-name code → (position in the rule list, allowed value codes).
    typealias RuleTable = [UInt64: (index: Int, values: Set<UInt64>)]

    static func table(_ rules: [MetricRule]) -> RuleTable {
        var table: RuleTable = [:]
        for (index, rule) in rules.enumerated() {
            table[code(Array(rule.key.utf8))!] = (index, Set(rule.values.map { code(Array($0.utf8))! }))
        }
        return table
    }

    static let v3Table = table(v3Rules)
    static let v4Table = table(v4Rules)
    static let v3Mandatory: UInt64 = v3Rules.enumerated().reduce(0) { $1.element.mandatory ? $0 | (1 << UInt64($1.offset)) : $0 }
    static let v4Mandatory: UInt64 = v4Rules.enumerated().reduce(0) { $1.element.mandatory ? $0 | (1 << UInt64($1.offset)) : $0 }

    /// Parses `CVSS:3.1/AV:N/...` or `CVSS:4.0/AV:N/...`. A v3 vector without the prefix (as
    /// some scanners write it) is read as 3.1 only when all mandatory metrics are present.
    /// Validation walks the bytes once; it runs for every finding of a large import.
    public init(parsing raw: String) throws {
        var text = raw.asciiTrimmed
        if text.hasPrefix("(") && text.hasSuffix(")") { text = String(text.dropFirst().dropLast()) }
        let bytes = Array(text.utf8)
        var start = 0
        let version: Version
        // "CVSS:" in any case, compared on bytes: this runs for every vector of a large import.
        if bytes.count >= 9, bytes[0] | 0x20 == 0x63, bytes[1] | 0x20 == 0x76, bytes[2] | 0x20 == 0x73, bytes[3] | 0x20 == 0x73, bytes[4] == 0x3A {
            let parsed: Version? =
                switch (bytes[5], bytes[6], bytes[7]) {
                case (0x33, 0x2E, 0x30): .v3_0
                case (0x33, 0x2E, 0x31): .v3_1
                case (0x34, 0x2E, 0x30): .v4_0
                default: nil
                }
            guard let parsed, bytes[8] == 0x2F else { throw ParseError(reason: "unsupported version") }
            version = parsed
            start = 9
        } else {
            version = .v3_1
        }
        let table = version == .v4_0 ? CVSSVector.v4Table : CVSSVector.v3Table
        var seen: UInt64 = 0
        var segmentStart = start
        while segmentStart <= bytes.count {
            var segmentEnd = segmentStart
            while segmentEnd < bytes.count, bytes[segmentEnd] != 0x2F { segmentEnd += 1 }
            guard let colon = bytes[segmentStart..<segmentEnd].firstIndex(of: 0x3A) else {
                throw ParseError(reason: segmentStart == segmentEnd ? "empty metric" : "malformed metric")
            }
            guard let key = CVSSVector.code(bytes[segmentStart..<colon]), let rule = table[key] else {
                throw ParseError(reason: "unknown metric '\(String(decoding: bytes[segmentStart..<colon].prefix(8), as: UTF8.self))'")
            }
            let name = String(decoding: bytes[segmentStart..<colon], as: UTF8.self)
            guard let value = CVSSVector.code(bytes[(colon + 1)..<segmentEnd]), rule.values.contains(value) else {
                throw ParseError(reason: "invalid value for \(name)")
            }
            let bit: UInt64 = 1 << UInt64(rule.index)
            guard seen & bit == 0 else { throw ParseError(reason: "metric \(name) repeated") }
            seen |= bit
            segmentStart = segmentEnd + 1
        }
        let mandatory = version == .v4_0 ? CVSSVector.v4Mandatory : CVSSVector.v3Mandatory
        if seen & mandatory != mandatory {
            let rules = version == .v4_0 ? CVSSVector.v4Rules : CVSSVector.v3Rules
            let missing = rules.enumerated().first { $0.element.mandatory && seen & (1 << UInt64($0.offset)) == 0 }
            throw ParseError(reason: "missing base metric \(missing?.element.key ?? "?")")
        }
        self.version = version
        if start == 0 {
            self.description = "CVSS:\(version.rawValue)/" + text
        } else if bytes[0] == 0x43 && bytes[1] == 0x56 && bytes[2] == 0x53 && bytes[3] == 0x53 {
            // Already canonical (the usual case): the text itself.
            self.description = text
        } else {
            self.description = "CVSS:\(version.rawValue)/" + String(decoding: bytes[start...], as: UTF8.self)
        }
    }

    /// Metric abbreviations and values, in vector order.
    public var metrics: [(key: String, value: String)] {
        description.split(separator: "/").dropFirst().map { part in
            let pair = part.split(separator: ":", maxSplits: 1)
            return (String(pair[0]), String(pair.count > 1 ? pair[1] : ""))
        }
    }

    public subscript(metric: String) -> String? {
        for part in description.split(separator: "/").dropFirst() {
            let pair = part.split(separator: ":", maxSplits: 1)
            if pair.count == 2, pair[0] == metric { return String(pair[1]) }
        }
        return nil
    }

    /// The base score computed from the vector (for v4.0, with its threat and environmental
    /// metrics when present, as the specification's CVSS-BTE score).
    public var baseScore: Double? {
        switch version {
        case .v3_0, .v3_1: return v3BaseScore()
        case .v4_0: return CVSS4Scoring.score(Dictionary(metrics, uniquingKeysWith: { first, _ in first }))
        }
    }

    private func v3BaseScore() -> Double {
        // One pass over the vector, not one per metric.
        let m = Dictionary(metrics, uniquingKeysWith: { first, _ in first })
        let scopeChanged = m["S"] == "C"
        let av: Double = ["N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2][m["AV"]!]!
        let ac: Double = m["AC"] == "L" ? 0.77 : 0.44
        let pr: Double
        switch m["PR"]! {
        case "N": pr = 0.85
        case "L": pr = scopeChanged ? 0.68 : 0.62
        default: pr = scopeChanged ? 0.5 : 0.27
        }
        let ui: Double = m["UI"] == "N" ? 0.85 : 0.62
        func cia(_ value: String?) -> Double { value == "H" ? 0.56 : value == "L" ? 0.22 : 0 }
        let iss = 1 - (1 - cia(m["C"])) * (1 - cia(m["I"])) * (1 - cia(m["A"]))
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
