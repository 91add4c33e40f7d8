import Crypto
import Foundation

/// Computes stable fingerprints: equal fingerprints within a stream mean the same problem.
/// The recipe per location kind is documented in docs/fingerprints.md; in short, nothing that
/// moves when the problem stays (line numbers, package versions, query values, ids in paths)
/// goes into the hash.
public enum FindingIdentity {
    /// Recipe version, hashed in first so that a future recipe change cannot collide with this one.
    public static let recipeVersion = "v1"
    static let separator: UInt8 = 0x1F

    /// The identity key parts of one finding, before occurrences are told apart by line.
    public static func keyParts(of finding: borrowing Finding) -> [String] {
        let rule = finding.ruleID
        switch finding.location {
        case .code(let code):
            let discriminator: String
            let toolFingerprint = finding.toolFingerprint.flatMap { $0.isEmpty ? nil : $0 }
            // A secret scanner's finding is its secret; a code scanner's is what the tool says
            // identifies it (a hard-coded credential's secret only when the tool says nothing).
            if let secret = finding.secret, finding.category == .secrets || toolFingerprint == nil {
                discriminator = "secret:" + secret.saltedHash
            } else if let toolFingerprint {
                discriminator = "tool:" + toolFingerprint
            } else if let snippet = code.snippet.map(normalizeSnippet), !snippet.isEmpty {
                discriminator = "snippet:" + snippet
            } else {
                discriminator = "message:" + normalizeMessage(finding.title)
            }
            return ["code", rule, normalizePath(code.file), discriminator]
        case .package(let package):
            return ["package", vulnerabilityKey(of: finding), packageKey(of: package), place(of: package)]
        case .containerImage(let image):
            return ["image", rule, image.name]
        case .iac(let iac):
            // The resource is shown, not identity: SARIF from Checkov and Trivy does not name
            // it, and two resources failing one check in one file are told apart by line (the
            // anchor alignment), as duplicates are.
            return ["iac", rule, normalizePath(iac.file)]
        case .endpoint(let endpoint):
            return ["endpoint", rule, (endpoint.method ?? "").uppercased(), normalizeURL(endpoint.url), endpoint.parameter ?? ""]
        case .cloud(let cloud):
            return ["cloud", rule, cloud.provider.lowercased(), cloud.account ?? "", cloud.region ?? "", cloud.resourceID]
        case .host(let host):
            return ["host", rule, host.address.lowercased(), host.port.map(String.init) ?? "", (host.transport ?? "").lowercased()]
        case .design(let design):
            // The model is the stream's scope, not identity: renaming a model keeps its threats.
            // A threat the tool gives its own id keeps it when its element is renamed.
            if let toolFingerprint = finding.toolFingerprint, !toolFingerprint.isEmpty {
                return ["design", rule, "tool:" + toolFingerprint]
            }
            // Names are people's labels: case and spacing are not identity, digits are (`api-v2`).
            return ["design", rule, (design.element ?? "").lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")]
        }
    }

    /// A finding's digest, and for a package finding its anchor (the digest without the
    /// vulnerability). Borrowed: copying a finding retains each of its fields.
    static func identity(of finding: borrowing Finding) -> (digest: String, packageAnchor: String?) {
        guard case .package(let package) = finding.location else { return (hash(keyParts(of: finding)), nil) }
        // The package's key and place once, for both the fingerprint and the anchor.
        let key = packageKey(of: package)
        let where_ = place(of: package)
        return (hash(["package", vulnerabilityKey(of: finding), key, where_]), hash(["package", key, where_]))
    }

    /// Fingerprints every finding and merges records that describe the same problem at the
    /// same place into one finding with an occurrence count. Findings whose key parts are equal
    /// but that sit on different lines are distinct; they are told apart by their rank in line
    /// order (the first keeps the bare key), which survives code shifting above them.
    public static func assign(_ input: consuming [Finding]) async -> [Finding] {
        var findings = input
        // Key parts and their digest per finding are independent: compute them on every core,
        // keeping only the 64-character digest (not the parts) for the grouping below.
        let identities = await Concurrently.map(count: findings.count) { [findings] index in identity(of: findings[index]) }
        let digests = identities.map(\.digest)
        for index in findings.indices { findings[index].identityAnchor = identities[index].packageAnchor ?? digests[index] }
        // Group by digest: the first record of each group, and the later ones only for the rare
        // groups that have them (no array per finding).
        var firstOfDigest: [String: Int] = [:]
        firstOfDigest.reserveCapacity(findings.count)
        var repeats: [Int: [Int]] = [:]
        var isFirst = [Bool](repeating: false, count: findings.count)
        for index in digests.indices {
            if let first = firstOfDigest[digests[index]] {
                repeats[first, default: [first]].append(index)
            } else {
                firstOfDigest[digests[index]] = index
                isFirst[index] = true
            }
        }
        // Work in place (a large report's findings are not held twice): fingerprint each, fold
        // repeats into the first record of their group, then drop the folded ones.
        var kept = [Bool](repeating: true, count: findings.count)
        for index in findings.indices where isFirst[index] {
            let digest = digests[index]
            guard let members = repeats[index] else {
                findings[index].fingerprint = digest
                continue
            }
            let lineGroups = Dictionary(grouping: members) { findings[$0].location.line ?? -1 }
            for (rank, line) in lineGroups.keys.sorted().enumerated() {
                let indices = lineGroups[line]!.sorted()
                let first = indices[0]
                findings[first].occurrences = indices.reduce(0) { $0 + findings[$1].occurrences }
                // The first keeps the bare key; later lines add their rank (rare: recompute the parts).
                findings[first].fingerprint = rank == 0 ? digest : hash(keyParts(of: findings[first]) + ["#\(rank + 1)"])
                for folded in indices.dropFirst() { kept[folded] = false }
            }
        }
        var write = 0
        for read in findings.indices where kept[read] {
            if write != read { findings.swapAt(write, read) }
            write += 1
        }
        findings.removeLast(findings.count - write)
        return findings
    }

    public static func hash(_ parts: [String]) -> String {
        var hasher = SHA256()
        var version = recipeVersion
        version.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        for part in parts {
            withUnsafeBytes(of: separator) { hasher.update(bufferPointer: $0) }
            var part = part
            part.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        return Hashing.hex(hasher.finalize())
    }

    /// `./src\app.py` and `src/app.py` name the same file.
    public static func normalizePath(_ path: String) -> String {
        // Most paths need nothing: avoid Foundation's replacing, which bridges through NSString.
        var previous: UInt8 = 0
        var clean = !path.hasPrefix("./") && !path.hasPrefix("file://")
        if clean {
            for byte in path.utf8 {
                if byte == 0x5C || (byte == 0x2F && previous == 0x2F) {
                    clean = false
                    break
                }
                previous = byte
            }
        }
        if clean { return path }
        var text = path.replacingOccurrences(of: "\\", with: "/")
        if text.hasPrefix("file://") { text = String(text.dropFirst(7)) }
        while text.hasPrefix("./") { text = String(text.dropFirst(2)) }
        while text.contains("//") { text = text.replacingOccurrences(of: "//", with: "/") }
        return text
    }

    /// The advisory a package finding is about: its canonical id (a CVE when any alias is one).
    static func vulnerabilityKey(of finding: borrowing Finding) -> String {
        finding.vulnerabilityIDs.canonical?.value ?? finding.ruleID
    }

    /// The package without its version: purl type, namespace and name, or ecosystem and name.
    static func packageKey(of package: PackageLocation) -> String {
        package.purl?.versionlessKey ?? ((package.ecosystem ?? "").lowercased() + "/" + package.name)
    }

    /// Where a package is, without what a bump or a rebuild changes: the image name (not its
    /// tag), the manifest (unless it only names the image), the artifact's path without version.
    /// Two copies of a library in one image or one archive stay two findings.
    static func place(of package: PackageLocation) -> String {
        var parts: [String] = []
        if let image = package.image { parts.append(image.name) }
        if let manifest = package.manifestPath, !package.manifestNamesImage { parts.append(normalizePath(manifest)) }
        if let artifact = package.artifactPath { parts.append(versionless(artifact)) }
        return parts.joined(separator: "|")
    }

    /// `lib/dom4j-2.1.1.jar` → `lib/dom4j-{v}.jar`: an artifact's path without the version in
    /// its name, so two copies of a library are told apart while a bump keeps the identity.
    public static func versionless(_ path: String) -> String {
        let normalized = normalizePath(path)
        return normalized.utf8.allSatisfy({ $0 < 0x80 }) ? asciiVersionless(normalized) : characterVersionless(normalized)
    }

    static func characterVersionless(_ path: String) -> String {
        let characters = Array(path)
        var out = ""
        var index = 0
        while index < characters.count {
            if characters[index].isNumber {
                var end = index
                while end < characters.count, characters[end].isNumber || characters[end] == "." { end += 1 }
                while end > index, characters[end - 1] == "." { end -= 1 }
                let run = characters[index..<end]
                if run.contains(".") {
                    out += "{v}"
                    index = end
                    continue
                }
            }
            out.append(characters[index])
            index += 1
        }
        return out
    }

    /// `versionless` for an ASCII path, byte by byte: the same result, without splitting the
    /// path into characters (among ASCII characters only the digits are numbers).
    static func asciiVersionless(_ path: String) -> String {
        let bytes = Array(path.utf8)
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 4)
        var index = 0
        while index < bytes.count {
            if isDigit(bytes[index]) {
                var end = index
                while end < bytes.count, isDigit(bytes[end]) || bytes[end] == 0x2E { end += 1 }
                while end > index, bytes[end - 1] == 0x2E { end -= 1 }
                if bytes[index..<end].contains(0x2E) {
                    out.append(contentsOf: "{v}".utf8)
                    index = end
                    continue
                }
            }
            out.append(bytes[index])
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func normalizeSnippet(_ snippet: String) -> String {
        snippet.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Messages often embed line numbers and counts; digits are dropped so they don't split identity.
    static func normalizeMessage(_ message: String) -> String {
        String(message.lowercased().filter { !$0.isNumber }).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Keeps scheme, host, port and path shape; ids in the path become `{id}`, query values are
    /// dropped (names kept, sorted), the fragment is dropped.
    public static func normalizeURL(_ raw: String) -> String {
        simpleURLNormalized(raw) ?? normalizeURLWithComponents(raw)
    }

    /// The reference normalization, through Foundation's URL parser: every URL the byte-level
    /// path below does not take comes here, so fingerprints stay what they were.
    static func normalizeURLWithComponents(_ raw: String) -> String {
        guard let components = URLComponents(string: raw.trimmingCharacters(in: .whitespaces)), components.host != nil else {
            return raw
        }
        let scheme = (components.scheme ?? "").lowercased()
        let host = (components.host ?? "").lowercased()
        var port = components.port.map { ":\($0)" } ?? ""
        if (scheme == "http" && port == ":80") || (scheme == "https" && port == ":443") { port = "" }
        let segments = components.percentEncodedPath.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            isIdentifierSegment(segment) ? "{id}" : String(segment)
        }
        var path = segments.joined(separator: "/")
        if path.isEmpty { path = "/" }
        let names = Set((components.queryItems ?? []).map(\.name)).sorted()
        let query = names.isEmpty ? "" : "?" + names.joined(separator: "&")
        return "\(scheme)://\(host)\(port)\(path)\(query)"
    }

    /// `normalizeURLWithComponents` for the URLs scanners report most, read byte by byte
    /// (Foundation's parser was a tenth of a large DAST import): ASCII, `scheme://host[:port]`
    /// with a plain host name (no punycode label), and only RFC 3986 characters after it. Nil for anything else
    /// (user info, IP literals, percent-encoded query names, empty query items...), which the
    /// reference then normalizes; a test compares both on generated URLs.
    static func simpleURLNormalized(_ raw: String) -> String? {
        var text = raw
        return text.withUTF8 { bytes -> String? in
            let count = bytes.count
            func isAlpha(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
            func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
            func isHex(_ byte: UInt8) -> Bool { isDigit(byte) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66) }
            // RFC 3986 pchar: unreserved, sub-delims, ":" and "@" (percent escapes checked apart).
            func isPathCharacter(_ byte: UInt8) -> Bool {
                isAlpha(byte) || isDigit(byte) || "-._~!$&'()*+,;=:@".utf8.contains(byte)
            }
            guard count > 0, isAlpha(bytes[0]) else { return nil }
            var index = 1
            while index < count,
                isAlpha(bytes[index]) || isDigit(bytes[index]) || bytes[index] == 0x2B || bytes[index] == 0x2D || bytes[index] == 0x2E
            {
                index += 1
            }
            guard index + 2 < count, bytes[index] == 0x3A, bytes[index + 1] == 0x2F, bytes[index + 2] == 0x2F else { return nil }
            let scheme = String(decoding: bytes[0..<index], as: UTF8.self).lowercased()
            // Host: letters, digits, dots and hyphens; then an optional port of digits.
            let hostStart = index + 3
            index = hostStart
            while index < count, isAlpha(bytes[index]) || isDigit(bytes[index]) || bytes[index] == 0x2E || bytes[index] == 0x2D { index += 1 }
            guard index > hostStart else { return nil }
            let host = String(decoding: bytes[hostStart..<index], as: UTF8.self).lowercased()
            // Foundation shows punycode labels (`xn--...`) decoded: the reference's to do.
            guard !host.contains("xn--") else { return nil }
            var port = ""
            if index < count, bytes[index] == 0x3A {
                let portStart = index + 1
                index = portStart
                while index < count, isDigit(bytes[index]) { index += 1 }
                let digits = index - portStart
                // Leading zeros and out-of-range ports are left to the reference parser.
                guard digits >= 1, digits <= 5, bytes[portStart] != 0x30 || digits == 1 else { return nil }
                let number = bytes[portStart..<index].reduce(0) { $0 * 10 + Int($1 - 0x30) }
                guard number <= 65_535 else { return nil }
                if !((scheme == "http" && number == 80) || (scheme == "https" && number == 443)) { port = ":\(number)" }
            }
            guard index == count || bytes[index] == 0x2F || bytes[index] == 0x3F || bytes[index] == 0x23 else { return nil }
            // Path, query and fragment: RFC 3986 characters only, percent escapes well formed.
            let pathStart = index
            var queryStart: Int?
            var fragmentStart: Int?
            while index < count {
                let byte = bytes[index]
                if byte == 0x25 {
                    guard index + 2 < count, isHex(bytes[index + 1]), isHex(bytes[index + 2]) else { return nil }
                    index += 3
                    continue
                }
                if byte == 0x3F {
                    if queryStart == nil && fragmentStart == nil { queryStart = index + 1 }
                } else if byte == 0x23 {
                    guard fragmentStart == nil else { return nil }
                    fragmentStart = index + 1
                } else if byte != 0x2F && !isPathCharacter(byte) {
                    return nil
                }
                index += 1
            }
            let pathEnd = queryStart.map { $0 - 1 } ?? fragmentStart.map { $0 - 1 } ?? count
            // The path is ASCII here: `isIdentifierSegment` read on bytes.
            let segments = bytes[pathStart..<pathEnd].split(separator: 0x2F, omittingEmptySubsequences: false).map { segment in
                let isNumber = !segment.isEmpty && segment.allSatisfy(isDigit)
                let hexDigits = segment.lazy.filter { $0 != 0x2D }
                let isHexIdentifier = hexDigits.count >= 16 && hexDigits.allSatisfy(isHex)
                return isNumber || isHexIdentifier ? "{id}" : String(decoding: segment, as: UTF8.self)
            }
            var path = segments.joined(separator: "/")
            if path.isEmpty { path = "/" }
            var names: Set<String> = []
            if let queryStart {
                let queryEnd = fragmentStart.map { $0 - 1 } ?? count
                if queryStart < queryEnd {
                    for item in bytes[queryStart..<queryEnd].split(separator: 0x26, omittingEmptySubsequences: false) {
                        let name = item.prefix { $0 != 0x3D }
                        // Empty items and escaped names are the reference parser's to read.
                        guard !name.isEmpty, !name.contains(0x25) else { return nil }
                        names.insert(String(decoding: name, as: UTF8.self))
                    }
                }
            }
            let query = names.isEmpty ? "" : "?" + names.sorted().joined(separator: "&")
            return "\(scheme)://\(host)\(port)\(path)\(query)"
        }
    }

    static func isIdentifierSegment(_ segment: Substring) -> Bool {
        guard !segment.isEmpty else { return false }
        if segment.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
        let hexDigits = segment.filter { $0 != "-" }
        if hexDigits.count >= 16, hexDigits.allSatisfy({ $0.isHexDigit }) { return true }
        return false
    }
}
