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

    /// Parses a purl string; returns nil when it is not a valid purl.
    public init?(parsing raw: String) {
        var rest = Substring(raw.asciiTrimmed)
        guard rest.lowercased().hasPrefix("pkg:") else { return nil }
        rest = rest.dropFirst(4)
        while rest.hasPrefix("/") { rest = rest.dropFirst() }
        var subpath: String?
        if let hash = rest.firstIndex(of: "#") {
            let raw = rest[rest.index(after: hash)...].split(separator: "/").filter { $0 != "." && $0 != ".." }
            subpath = raw.map { PackageURL.percentDecode(String($0)) }.joined(separator: "/")
            rest = rest[..<hash]
        }
        var qualifiers: [String: String] = [:]
        if let question = rest.firstIndex(of: "?") {
            for pair in rest[rest.index(after: question)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { continue }
                qualifiers[kv[0].lowercased()] = PackageURL.percentDecode(String(kv[1]))
            }
            rest = rest[..<question]
        }
        var version: String?
        // The version separator is the last "@" after the last "/" (npm scopes use "@" in namespaces).
        if let at = rest.lastIndex(of: "@"), rest[at...].firstIndex(of: "/") == nil,
            at != rest.startIndex, rest[rest.index(before: at)] != "/"
        {
            version = PackageURL.percentDecode(String(rest[rest.index(after: at)...]))
            rest = rest[..<at]
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        let segments = rest.split(separator: "/", omittingEmptySubsequences: true).map { String($0) }
        guard segments.count >= 2 else { return nil }
        let type = segments[0]
        guard type.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "+" || $0 == "-") }) else {
            return nil
        }
        let name = PackageURL.percentDecode(segments[segments.count - 1])
        let namespaceParts = segments[1..<(segments.count - 1)].map { PackageURL.percentDecode($0) }
        guard !name.isEmpty else { return nil }
        self.init(
            type: type, namespace: namespaceParts.isEmpty ? nil : namespaceParts.joined(separator: "/"),
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
        case "maven", "java", "jar", "gradle", "java-archive", "pom": "maven"
        case "go", "golang", "gomod", "gobinary", "go-module": "golang"
        case "crates.io", "cargo", "rust", "rust-crate", "rustbinary": "cargo"
        case "rubygems", "gem", "bundler", "gemspec", "ruby": "gem"
        case "nuget", ".net", "dotnet", "dotnet-core", "dotnet-deps": "nuget"
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
