import Foundation
import RampartCore

extension RawEvidence {
    static func json(_ node: JSONNode) -> RawEvidence { RawEvidence(format: "json", bytes: node.rawData) }

    static func csv(_ record: CSVRecord) -> RawEvidence { RawEvidence(format: "csv", bytes: record.rawData) }

    static func text(_ report: TextReport, lines: Range<Int>) -> RawEvidence { RawEvidence(format: "text", bytes: Data(report.text(of: lines).utf8)) }

    /// The element as the report wrote it when the reader kept its place, else serialized.
    static func xml(_ element: XMLElement) -> RawEvidence {
        if let range = element.sourceRange, let bytes = element.source?.slice(range) { return RawEvidence(format: "xml", bytes: bytes) }
        return RawEvidence(format: "xml", bytes: Data(element.xmlString.utf8))
    }

    /// What a rewrite does with one value of a record.
    enum JSONRewrite {
        /// Its bytes as written.
        case keep
        /// This string instead.
        case replace(String)
        /// Its members or elements, each rewritten in turn (other values are kept).
        case descend
    }

    /// The record re-serialized, each value rewritten as `decide` says, given the value, its
    /// member name (nil in arrays and at the root) and its depth (0 at the root).
    static func jsonRewriting(_ node: JSONNode, _ decide: (JSONNode, String?, Int) -> JSONRewrite) -> RawEvidence {
        var out = Data()
        func write(_ node: JSONNode, key: String?, depth: Int) {
            switch decide(node, key, depth) {
            case .keep:
                out.append(node.rawData)
            case .replace(let text):
                out.append(contentsOf: Array(jsonQuoted(text).utf8))
            case .descend where node.isObject:
                out.append(UInt8(ascii: "{"))
                for (position, entry) in node.entries.enumerated() {
                    if position > 0 { out.append(UInt8(ascii: ",")) }
                    out.append(contentsOf: Array(jsonQuoted(entry.key).utf8))
                    out.append(UInt8(ascii: ":"))
                    write(entry.value, key: entry.key, depth: depth + 1)
                }
                out.append(UInt8(ascii: "}"))
            case .descend where node.isArray:
                out.append(UInt8(ascii: "["))
                for (position, element) in node.array.enumerated() {
                    if position > 0 { out.append(UInt8(ascii: ",")) }
                    write(element, key: nil, depth: depth + 1)
                }
                out.append(UInt8(ascii: "]"))
            case .descend:
                out.append(node.rawData)
            }
        }
        write(node, key: nil, depth: 0)
        return RawEvidence(format: "json", bytes: out)
    }
}

func jsonQuoted(_ text: String) -> String { JSONText.quoted(text) }

extension String {
    /// nil for empty or blank strings.
    var nonBlank: String? {
        let trimmed = asciiTrimmed
        return trimmed.isEmpty ? nil : trimmed
    }
}

extension Severity {
    /// Severity from a tool word, falling back to a score, then to the given default.
    static func from(tool text: String?, score: Double? = nil, default fallback: Severity = .medium) -> Severity {
        if let text, let severity = Severity(toolText: text) { return severity }
        if let score { return Severity(cvssScore: score) }
        return fallback
    }

    /// A linter's level (hadolint's and ShellCheck's error, warning, info, style; Checkstyle's
    /// error, warning, info): one scale for the linters, so that a ShellCheck rule hadolint
    /// runs on a `RUN` line rates as ShellCheck's own report rates it.
    static func fromLinter(_ level: String?) -> Severity {
        switch level?.lowercased() {
        case "error": .high
        case "warning": .medium
        case "info": .low
        default: .info
        }
    }

    /// A tool's five-level rating from 1 to 5, critical at one end and informational at the
    /// other: at 1 for priorities (Bugcrowd's P1, PTART), at 5 for risk scales (Edgescan,
    /// WhiteHat Sentinel). Anything else is medium.
    static func fromFiveLevels(_ level: Int?, criticalIsOne: Bool) -> Severity {
        guard let level, (1...5).contains(level) else { return .medium }
        let levels: [Severity] = [.info, .low, .medium, .high, .critical]
        return levels[criticalIsOne ? 5 - level : level - 1]
    }
}

/// A DAST tool's path joined to the origin of the URL it scanned (`https://host:8443`), without
/// a doubled slash; a path that is already a URL stays as it is, and a base that is no URL is
/// prefixed as written.
func endpointURL(base: String, path: String) -> String {
    guard !path.hasPrefix("http://"), !path.hasPrefix("https://") else { return path }
    guard let components = URLComponents(string: base), let scheme = components.scheme, let host = components.host else { return base + path }
    let port = components.port.map { ":\($0)" } ?? ""
    return "\(scheme)://\(host)\(port)" + (path.hasPrefix("/") ? path : "/" + path)
}

/// Builds a package location from what SCA tools report.
func packageLocation(
    name: String, version: String?, ecosystem: String?, purl rawPurl: String? = nil, fixedVersions: [String] = [],
    relation: DependencyRelation? = nil, manifestPath: String? = nil, artifactPath: String? = nil, image: ImageLocation? = nil
) -> PackageLocation {
    var purl = rawPurl.flatMap { PackageURL(parsing: $0) }
    if purl == nil, let ecosystem, let type = PackageURL.purlType(forEcosystem: ecosystem) {
        var namespace: String?
        var packageName = name
        if type == "maven", let colon = name.firstIndex(of: ":") {
            namespace = String(name[..<colon])
            packageName = String(name[name.index(after: colon)...])
        } else if type == "npm" || type == "golang" || type == "composer", let slash = name.lastIndex(of: "/") {
            namespace = String(name[..<slash])
            packageName = String(name[name.index(after: slash)...])
        }
        purl = PackageURL(type: type, namespace: namespace, name: packageName, version: version)
    }
    return PackageLocation(
        purl: purl, name: name, version: version, ecosystem: ecosystem, fixedVersions: fixedVersions, relation: relation,
        manifestPath: manifestPath, artifactPath: artifactPath, image: image)
}

/// Lock and manifest files keep their name when a dependency is bumped; anything else a
/// scanner points at (a jar, a wheel, a binary) usually carries the version in its name.
func isManifestFile(_ path: String) -> Bool {
    let name = (path.split(separator: "/").last.map(String.init) ?? path).lowercased()
    return manifestFileNames.contains(name) || name.hasSuffix(".csproj") || name.hasSuffix(".deps.json") || name.hasPrefix("requirements")
}

/// Built once: a set literal in the function was built again for every finding that asked.
private let manifestFileNames: Set<String> = [
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "package.json", "requirements.txt", "pipfile.lock", "pipfile",
    "poetry.lock", "pyproject.toml", "setup.py", "uv.lock", "go.mod", "go.sum", "gemfile.lock", "gemfile", "pom.xml", "build.gradle",
    "build.gradle.kts", "gradle.lockfile", "composer.lock", "composer.json", "cargo.lock", "cargo.toml", "packages.config",
    "packages.lock.json", "project.assets.json", "mix.lock", "pubspec.lock", "package.resolved", "podfile.lock", "conan.lock",
    "status", "installed",
]

/// Splits "1.2.3, 1.3.1" and similar fixed-version lists.
func splitVersions(_ text: String?) -> [String] {
    guard let text else { return [] }
    return split(text, onASCII: { $0 == 0x2C || $0 == 0x7C || $0 == 0x20 })
}

/// Ids written as one list (`CVE-2020-11022, CVE-2020-11023`): the parts between commas and spaces.
func splitIDs(_ text: String?) -> [String] {
    guard let text else { return [] }
    return split(text, onASCII: { $0 == 0x2C || $0 == 0x20 })
}

/// The non-empty parts of `text` between ASCII separators. The separators are ASCII, so
/// splitting the bytes cuts no character in two, without a walk over grapheme clusters.
func split(_ text: String, onASCII isSeparator: (UInt8) -> Bool) -> [String] {
    text.utf8.split(whereSeparator: isSeparator).map { String(Substring($0)) }
}

/// Texts converted once per report: a DAST report repeats each rule's description, solution
/// and references for every alert of that rule. Shared by the cores reading one report; it
/// keeps a bounded number of texts, so a report of all-different texts only converts them.
final class ConvertedTexts: @unchecked Sendable {
    private let lock = NSLock()
    private var converted: [String: String] = [:]
    private let limit: Int
    private let convert: @Sendable (String) -> String

    init(limit: Int = 4_096, _ convert: @escaping @Sendable (String) -> String) {
        self.limit = limit
        self.convert = convert
    }

    func callAsFunction(_ text: String) -> String {
        if let known = lock.withLock({ converted[text] }) { return known }
        let made = convert(text)
        lock.withLock {
            if converted.count < limit { converted[text] = made }
        }
        return made
    }
}

/// Strips HTML tags some tools (ZAP, Burp) put in descriptions: each tag becomes a space, the
/// five common entities are decoded (`&amp;` last, so `&amp;lt;` stays `&lt;`), runs of spaces
/// and tabs become one space, and the ends are trimmed. It works on bytes, since every marker
/// is ASCII: descriptions are converted for every finding of a DAST report.
func plainText(fromHTML html: String) -> String {
    var stripped: [UInt8] = []
    stripped.reserveCapacity(html.utf8.count)
    var inTag = false
    for byte in html.utf8 {
        if byte == 0x3C {
            inTag = true
        } else if byte == 0x3E {
            inTag = false
            stripped.append(0x20)
        } else if !inTag {
            stripped.append(byte)
        }
    }
    let entities: [(name: [UInt8], byte: UInt8)] = [
        (Array("&lt;".utf8), 0x3C), (Array("&gt;".utf8), 0x3E), (Array("&quot;".utf8), 0x22), (Array("&#39;".utf8), 0x27),
        (Array("&amp;".utf8), 0x26),
    ]
    var out: [UInt8] = []
    out.reserveCapacity(stripped.count)
    var index = 0
    var pendingSpace = false
    func emit(_ byte: UInt8) {
        if byte == 0x20 || byte == 0x09 {
            pendingSpace = true
            return
        }
        if pendingSpace && !out.isEmpty { out.append(0x20) }
        pendingSpace = false
        out.append(byte)
    }
    while index < stripped.count {
        let byte = stripped[index]
        if byte == 0x26, let entity = entities.first(where: { stripped[index...].starts(with: $0.name) }) {
            emit(entity.byte)
            index += entity.name.count
        } else {
            emit(byte)
            index += 1
        }
    }
    return XMLElement.trimmedAllWhitespace(String(decoding: out, as: UTF8.self))
}

extension Array where Element: Hashable {
    /// The elements in order, each once.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
