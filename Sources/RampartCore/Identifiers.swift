import Foundation

/// A vulnerability identifier such as `CVE-2021-44228` or `GHSA-jfh8-c2jp-5v3q`, normalized
/// so that ids written differently by different tools compare equal.
public struct VulnerabilityID: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Codable, Hashable {
        case cve, ghsa, osv, pysec, rustsec, gsd, go, snyk, other
    }

    public let scheme: Scheme
    public let value: String

    public var description: String { value }

    public static func < (lhs: VulnerabilityID, rhs: VulnerabilityID) -> Bool { lhs.value < rhs.value }

    /// Normalizes case per scheme: CVE ids are upper case, GHSA ids keep GitHub's lower-case body.
    /// Works on the UTF-8 bytes (importers parse several ids per finding); the scheme prefixes
    /// are ASCII, and ids with other characters keep Unicode case mapping.
    public init?(_ raw: String) {
        let text = raw.asciiTrimmed
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 400, !bytes.contains(0x20) else { return nil }
        let isASCII = bytes.allSatisfy { $0 < 0x80 }
        func upper() -> String {
            guard isASCII else { return text.uppercased() }
            return String(decoding: bytes.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
        }
        func hasPrefix(_ prefix: String) -> Bool {
            let prefix = Array(prefix.utf8)
            guard bytes.count >= prefix.count else { return false }
            for index in prefix.indices {
                let byte = bytes[index]
                if (byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte) != prefix[index] { return false }
            }
            return true
        }
        if hasPrefix("CVE-") {
            // CVE-YYYY-NNNN...: four year digits, at least four sequence digits.
            let isDigit = { (byte: UInt8) in byte >= 0x30 && byte <= 0x39 }
            guard bytes.count >= 13, bytes[4..<8].allSatisfy(isDigit), bytes[8] == 0x2D, bytes[9...].allSatisfy(isDigit) else { return nil }
            scheme = .cve
            value = upper()
        } else if hasPrefix("GHSA-") {
            scheme = .ghsa
            let body = bytes[5...]
            value =
                "GHSA-"
                + (isASCII
                    ? String(decoding: body.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
                    : String(decoding: body, as: UTF8.self).lowercased())
        } else if let known = Self.prefixedSchemes.first(where: { hasPrefix($0.prefix) })?.scheme {
            scheme = known
            value = upper()
        } else {
            scheme = .other
            value = text
        }
    }

    private static let prefixedSchemes: [(prefix: String, scheme: Scheme)] = [
        ("PYSEC-", .pysec), ("RUSTSEC-", .rustsec), ("GSD-", .gsd), ("GO-", .go), ("SNYK-", .snyk), ("OSV-", .osv),
    ]

    /// The CVE ids a prose text mentions (`vulnerable to the Terrapin attack (CVE-2023-48795)`),
    /// in order, without repeats: for tools that name a CVE only in a message.
    public static func cves(mentionedIn text: String) -> [VulnerabilityID] {
        let bytes = Array(text.utf8)
        var found: [VulnerabilityID] = []
        var index = 0
        while index + 13 <= bytes.count {
            let isStart =
                (bytes[index] | 0x20) == 0x63 && (bytes[index + 1] | 0x20) == 0x76 && (bytes[index + 2] | 0x20) == 0x65 && bytes[index + 3] == 0x2D
            guard isStart, index == 0 || !Self.isWordByte(bytes[index - 1]) else {
                index += 1
                continue
            }
            var end = index + 4
            while end < bytes.count, bytes[end] == 0x2D || (bytes[end] >= 0x30 && bytes[end] <= 0x39) { end += 1 }
            if end == bytes.count || !Self.isWordByte(bytes[end]), let id = VulnerabilityID(String(decoding: bytes[index..<end], as: UTF8.self)),
                id.scheme == .cve, !found.contains(id)
            {
                found.append(id)
            }
            index = end
        }
        return found
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A) || byte == 0x5F
    }

    /// True when the text looks like an advisory id rather than a tool rule name.
    public static func isAdvisoryLike(_ raw: String) -> Bool {
        guard let id = VulnerabilityID(raw) else { return false }
        if id.scheme != .other { return true }
        // Distro and ecosystem advisories: ALAS-2021-1234, DSA-4321-1, RHSA-2020:1234, NSWG-ECO-1, ...
        let upper = raw.uppercased()
        let prefixes = [
            "ALAS", "DSA-", "DLA-", "RHSA-", "RHBA-", "USN-", "ELSA-", "CESA-", "NSWG-", "MAL-", "OSVDB-", "BIT-", "SUSE-", "OPENSUSE-", "TEMP-",
            "DEBIAN-", "ALPINE-", "UBUNTU-", "CGA-",
        ]
        return prefixes.contains { upper.hasPrefix($0) }
    }
}

extension Array where Element == VulnerabilityID {
    /// Parses and deduplicates ids, keeping first-seen order (tools put the primary id first).
    public static func parsing(_ raws: [String]) -> [VulnerabilityID] {
        var result: [VulnerabilityID] = []
        result.reserveCapacity(raws.count)
        // A record names a handful of ids: a linear search beats hashing them into a set.
        var seen = Set<VulnerabilityID>()
        for raw in raws {
            guard let id = VulnerabilityID(raw) else { continue }
            if raws.count <= 16 ? !result.contains(id) : seen.insert(id).inserted { result.append(id) }
        }
        return result
    }

    /// The id that best names the vulnerability across tools: a CVE if any, else the first id.
    public var canonical: VulnerabilityID? {
        first { $0.scheme == .cve } ?? first
    }
}

/// Common Weakness Enumeration references.
public enum CWE {
    /// Extracts CWE numbers from forms tools use: `CWE-79`, `CWE-79: Improper ...`, `79`,
    /// `external/cwe/cwe-079`, `CWE:89`. Returns nil when no number is present.
    public static func parse(_ raw: String) -> Int? {
        var raw = raw
        return raw.withUTF8 { bytes -> Int? in
            @inline(__always) func lower(_ index: Int) -> UInt8 {
                let byte = bytes[index]
                return byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            }
            // The number follows the last "cwe" (as in external/cwe/cwe-079), after separators.
            var start = 0
            var sawPrefix = false
            if bytes.count >= 3 {
                var index = bytes.count - 3
                while index >= 0 {
                    if lower(index) == 0x63 && lower(index + 1) == 0x77 && lower(index + 2) == 0x65 {
                        start = index + 3
                        sawPrefix = true
                        break
                    }
                    index -= 1
                }
            }
            if sawPrefix {
                while start < bytes.count,
                    bytes[start] == 0x2D || bytes[start] == 0x3A || bytes[start] == 0x20 || bytes[start] == 0x5F
                        || bytes[start] == 0x2F
                {
                    start += 1
                }
            } else {
                while start < bytes.count, bytes[start] == 0x20 { start += 1 }
            }
            var end = start
            var number = 0
            while end < bytes.count, bytes[end] >= 0x30 && bytes[end] <= 0x39 {
                number = number * 10 + Int(bytes[end] - 0x30)
                end += 1
                // More than six digits is not a CWE number (and cannot overflow).
                if end - start > 6 { return nil }
            }
            guard end > start else { return nil }
            if !sawPrefix {
                // A bare number must be the whole text.
                var rest = end
                while rest < bytes.count, bytes[rest] == 0x20 { rest += 1 }
                guard rest == bytes.count else { return nil }
            }
            return number > 0 ? number : nil
        }
    }

    /// Parses a list of raw CWE mentions into sorted, distinct numbers.
    public static func parseAll<S: Sequence>(_ raws: S) -> [Int] where S.Element == String {
        var numbers: [Int] = []
        for raw in raws {
            if let number = parse(raw), !numbers.contains(number) { numbers.append(number) }
        }
        return numbers.sorted()
    }
}
