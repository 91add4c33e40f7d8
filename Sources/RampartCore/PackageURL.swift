import Foundation

/// A package URL (https://github.com/package-url/purl-spec), normalized per the spec's
/// type rules so that equal packages compare equal:
/// `pkg:type/namespace/name@version?qualifiers#subpath`.
public struct PackageURL: Sendable, Hashable, Codable, CustomStringConvertible {
    public var type: String
    public var namespace: String?
    public var name: String
    public var version: String?
    public var qualifiers: [String: String]
    public var subpath: String?

    public init(
        type: String, namespace: String? = nil, name: String, version: String? = nil,
        qualifiers: [String: String] = [:], subpath: String? = nil
    ) {
        self.type = type.lowercased()
        self.namespace = namespace.flatMap { $0.isEmpty ? nil : $0 }
        self.name = name
        self.version = version.flatMap { $0.isEmpty ? nil : $0 }
        self.qualifiers = qualifiers.filter { !$0.value.isEmpty }
        self.subpath = subpath.flatMap { $0.isEmpty ? nil : $0 }
        normalize()
    }

    /// Parses a purl string; returns nil when it is not a valid purl. Works on the UTF-8 bytes:
    /// every delimiter is ASCII, and importers parse one purl per finding.
    public init?(parsing raw: String) {
        let bytes = Array(raw.asciiTrimmed.utf8)
        guard bytes.count >= 4, bytes[0] | 0x20 == 0x70, bytes[1] | 0x20 == 0x6B, bytes[2] | 0x20 == 0x67, bytes[3] == 0x3A else { return nil }
        func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        func decoded(_ range: Range<Int>) -> String { PackageURL.percentDecode(text(range)) }
        /// The non-empty pieces of `range` between `separator` bytes.
        func pieces(_ range: Range<Int>, _ separator: UInt8) -> [Range<Int>] {
            var result: [Range<Int>] = []
            var start = range.lowerBound
            for index in range where bytes[index] == separator {
                if index > start { result.append(start..<index) }
                start = index + 1
            }
            if range.upperBound > start { result.append(start..<range.upperBound) }
            return result
        }
        var rest = 4..<bytes.count
        while let first = rest.first, bytes[first] == 0x2F { rest = (first + 1)..<rest.upperBound }
        var subpath: String?
        if let hash = rest.first(where: { bytes[$0] == 0x23 }) {
            let segments = pieces((hash + 1)..<rest.upperBound, 0x2F).filter { text($0) != "." && text($0) != ".." }
            subpath = segments.map(decoded).joined(separator: "/")
            rest = rest.lowerBound..<hash
        }
        var qualifiers: [String: String] = [:]
        if let question = rest.first(where: { bytes[$0] == 0x3F }) {
            for pair in pieces((question + 1)..<rest.upperBound, 0x26) {
                guard let equals = pair.first(where: { bytes[$0] == 0x3D }), equals > pair.lowerBound, equals + 1 < pair.upperBound else { continue }
                qualifiers[text(pair.lowerBound..<equals).lowercased()] = decoded((equals + 1)..<pair.upperBound)
            }
            rest = rest.lowerBound..<question
        }
        var version: String?
        // The version separator is the last "@" after the last "/" (npm scopes use "@" in namespaces).
        if let at = rest.last(where: { bytes[$0] == 0x40 }), !rest[at...].contains(where: { bytes[$0] == 0x2F }),
            at != rest.lowerBound, bytes[at - 1] != 0x2F
        {
            version = decoded((at + 1)..<rest.upperBound)
            rest = rest.lowerBound..<at
        }
        let segments = pieces(rest, 0x2F)
        guard segments.count >= 2 else { return nil }
        let isTypeByte = { (byte: UInt8) in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2E || byte == 0x2B
                || byte == 0x2D
        }
        guard segments[0].allSatisfy({ isTypeByte(bytes[$0]) }) else { return nil }
        let name = decoded(segments[segments.count - 1])
        guard !name.isEmpty else { return nil }
        let namespaceParts = segments[1..<(segments.count - 1)].map(decoded)
        self.init(
            type: text(segments[0]), namespace: namespaceParts.isEmpty ? nil : namespaceParts.joined(separator: "/"),
            name: name, version: version, qualifiers: qualifiers, subpath: subpath)
    }

    private mutating func normalize() {
        switch type {
        case "pypi":
            name = name.lowercased().replacingOccurrences(of: "_", with: "-")
        case "npm", "github", "bitbucket", "composer", "golang", "hex":
            // golang keeps case in module paths per spec, but hosts are case-insensitive; keep as given.
            if type != "golang" {
                namespace = namespace?.lowercased()
                name = name.lowercased()
            }
        case "deb", "apk", "rpm", "alpm":
            namespace = namespace?.lowercased()
            if type != "rpm" { name = name.lowercased() }
        case "nuget", "cargo", "gem", "maven", "swift", "cocoapods", "conan", "docker", "oci":
            break
        default:
            break
        }
    }

    /// The canonical string form: percent-encoded components, sorted qualifiers.
    public var description: String {
        var text = "pkg:" + type + "/"
        if let namespace {
            text += namespace.split(separator: "/").map { PackageURL.percentEncode(String($0)) }.joined(separator: "/") + "/"
        }
        text += PackageURL.percentEncode(name)
        if let version { text += "@" + PackageURL.percentEncode(version) }
        if !qualifiers.isEmpty {
            text += "?" + qualifiers.keys.sorted().map { "\($0)=\(PackageURL.percentEncode(qualifiers[$0]!))" }.joined(separator: "&")
        }
        if let subpath { text += "#" + subpath.split(separator: "/").map { PackageURL.percentEncode(String($0)) }.joined(separator: "/") }
        return text
    }

    /// The package identity without version, qualifiers and subpath: what stays the same across bumps.
    public var versionlessKey: String {
        var text = type + "/"
        if let namespace { text += namespace + "/" }
        return text + name
    }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:+")

    static func percentEncode(_ text: String) -> String {
        // Most names need no encoding; skip Foundation's slow path for them.
        let plain = text.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2E
                || byte == 0x5F || byte == 0x7E || byte == 0x3A || byte == 0x2B
        }
        return plain ? text : (text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text)
    }

    static func percentDecode(_ text: String) -> String {
        text.utf8.contains(0x25) ? (text.removingPercentEncoding ?? text) : text
    }

    /// Maps ecosystem names used by scanners (OSV, Trivy, Grype, npm...) onto purl types.
    public static func purlType(forEcosystem ecosystem: String) -> String? {
        switch ecosystem.lowercased() {
        case "npm", "node", "node.js", "nodejs", "yarn", "pnpm", "javascript", "node-pkg": "npm"
        case "pypi", "pip", "python", "python-pkg", "pipenv", "poetry", "wheel", "egg": "pypi"
        case "maven", "java", "jar", "gradle", "java-archive", "pom", "sbt": "maven"
        case "go", "golang", "gomod", "gobinary", "go-module", "gomodules", "golangdep", "govendor": "golang"
        case "crates.io", "cargo", "rust", "rust-crate", "rustbinary": "cargo"
        case "rubygems", "gem", "bundler", "gemspec", "ruby": "gem"
        case "nuget", ".net", "dotnet", "dotnet-core", "dotnet-deps", "paket": "nuget"
        case "packagist", "composer", "php", "php-composer": "composer"
        case "hex", "erlang", "elixir", "mix": "hex"
        case "pub", "dart": "pub"
        case "swift", "swiftpm": "swift"
        case "cocoapods": "cocoapods"
        case "conan": "conan"
        case "debian", "ubuntu", "deb", "dpkg": "deb"
        case "alpine", "apk", "wolfi", "chainguard": "apk"
        case "redhat", "centos", "rocky", "alma", "almalinux", "amazon", "oracle", "fedora", "rpm", "suse", "opensuse", "opensuse.leap", "sles",
            "photon", "cbl-mariner", "azurelinux":
            "rpm"
        default: nil
        }
    }
}
