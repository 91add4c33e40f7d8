import Foundation

/// The rule that linked a finding to its issue (docs/correlation.md).
public enum CorrelationRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// The finding opened the issue.
    case first
    /// SCA and container: the same package (type, namespace, name; any version) in the same
    /// component, with a vulnerability id in common, aliases counted.
    case sameAdvisory = "same-package-advisory"
    /// SAST: the same file (by its longest common suffix), lines within a small window, and a
    /// compatible weakness.
    case sameCodeWeakness = "same-code-weakness"
    /// IaC: the same file and resource, and the same control.
    case sameControl = "same-resource-control"
    /// Secrets: the same secret value (its keyed hash), wherever it was found.
    case sameSecret = "same-secret"
    /// Secrets: the same file and line, whatever each tool isolated.
    case sameSecretPlace = "same-secret-place"
    /// DAST: the same endpoint template (method, path with ids templated, parameter) and a
    /// compatible weakness.
    case sameEndpointWeakness = "same-endpoint-weakness"
    /// A DAST finding on a route and a SAST finding in the files the inventory says serve it,
    /// with a compatible weakness.
    case dastConfirmsSAST = "dast-confirms-sast"
    /// A person merged the issues.
    case mergedByPerson = "merged-by-person"
    /// A person split the finding into an issue of its own.
    case splitByPerson = "split-by-person"
}

/// How sure a correlation rule is of a link.
public enum LinkConfidence: String, Sendable, Hashable, Codable, Comparable {
    case low, medium, high

    var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// One way a finding can meet others: a rule, an exact key (findings meet only when their keys
/// are equal) and what the rule compares beyond the key (file, line, method, parameter).
public struct CorrelationKey: Sendable, Hashable {
    public let rule: CorrelationRule
    public let value: String
    /// The normalized file, compared by longest common suffix.
    public let path: String?
    public let line: Int?
    /// DAST: the HTTP method and the parameter, compared only when both findings name one.
    public let method: String?
    public let parameter: String?
    /// The CWE behind a weakness-class key: an exact CWE match is surer than a related one.
    public let cwe: Int?
    /// The key as a 64-bit number, for the store's index: the first eight bytes of the SHA-256
    /// of its rule and value. Equal numbers are then confirmed on the key's other fields.
    public let hash: Int64

    public init(
        rule: CorrelationRule, value: String, path: String? = nil, line: Int? = nil, method: String? = nil, parameter: String? = nil, cwe: Int? = nil
    ) {
        self.init(
            rule: rule, hash: Hashing.sha256Prefix64(rule.rawValue + "\u{1F}" + value), value: value, path: path, line: line, method: method,
            parameter: parameter, cwe: cwe)
    }

    /// A stored key, whose value is known only by its hash.
    public init(
        rule: CorrelationRule, hash: Int64, value: String, path: String?, line: Int?, method: String?, parameter: String?, cwe: Int?
    ) {
        self.rule = rule
        self.value = value
        self.path = path
        self.line = line
        self.method = method
        self.parameter = parameter
        self.cwe = cwe
        self.hash = hash
    }
}

/// The rules that decide which findings are one issue. Pure: the store calls `keys` for each
/// new finding, looks up stored keys with the same hash, and links by `link`.
public enum Correlation {
    /// How far apart two tools' lines for one code weakness may be.
    public static let lineWindow = 3

    /// A route the inventory maps to source files, in the finding's component.
    public struct Route: Sendable, Hashable {
        public var path: String
        public var files: [String]

        public init(path: String, files: [String]) {
            self.path = path
            self.files = files
        }
    }

    /// The keys of a finding of `application`/`component`.
    public static func keys(for finding: Finding, application: String, component: String, routes: [Route] = []) -> [CorrelationKey] {
        let scope = application + "\u{1F}" + component
        var keys: [CorrelationKey] = []
        switch finding.location {
        case .package(let package):
            let name = packageKey(package)
            for id in Set(finding.vulnerabilityIDs.map { $0.value.uppercased() }).sorted() {
                keys.append(CorrelationKey(rule: .sameAdvisory, value: "\(scope)|\(name)|\(id)"))
            }
        case .code(let code):
            let path = normalizedPath(code.file)
            if finding.category == .secrets {
                if let line = code.startLine {
                    keys.append(CorrelationKey(rule: .sameSecretPlace, value: "\(scope)|\(basename(path))|\(line)", path: path, line: line))
                }
            } else {
                for (cwe, weakness) in weaknesses(finding) {
                    keys.append(
                        CorrelationKey(
                            rule: .sameCodeWeakness, value: "\(scope)|\(basename(path))|\(weakness)", path: path, line: code.startLine, cwe: cwe))
                    for route in routes where route.files.contains(where: { sameFile(normalizedPath($0), path) }) {
                        keys.append(CorrelationKey(rule: .dastConfirmsSAST, value: "\(scope)|\(route.path)|\(weakness)", cwe: cwe))
                    }
                }
            }
        case .iac(let iac):
            let path = normalizedPath(iac.file)
            let control = IaCControls.canonical(tool: finding.tool.name, checkID: finding.ruleID)
            keys.append(
                CorrelationKey(rule: .sameControl, value: "\(scope)|\(basename(path))|\(iac.resource ?? "")|\(control)", path: path, line: nil))
        case .endpoint(let endpoint):
            let parts = EndpointMatch.parts(of: endpoint.url)
            let template = parts.map { endpointTemplate($0.path) } ?? endpoint.url
            let origin = parts?.origin ?? ""
            for (cwe, weakness) in weaknesses(finding) {
                keys.append(
                    CorrelationKey(
                        rule: .sameEndpointWeakness, value: "\(scope)|\(origin)\(template)|\(weakness)", method: endpoint.method?.uppercased(),
                        parameter: endpoint.parameter, cwe: cwe))
                for route in routes where route.path == template || (template.hasPrefix(route.path + "/") && route.path != "/") {
                    keys.append(CorrelationKey(rule: .dastConfirmsSAST, value: "\(scope)|\(route.path)|\(weakness)", cwe: cwe))
                }
            }
        case .containerImage, .cloud, .host, .design:
            break
        }
        if let secret = finding.secret {
            keys.append(CorrelationKey(rule: .sameSecret, value: "\(application)|\(secret.saltedHash)"))
        }
        return keys
    }

    /// Whether two findings' keys with equal values link them, and how surely. Nil when what
    /// the rule compares beyond the key differs.
    public static func link(_ new: CorrelationKey, _ stored: CorrelationKey) -> LinkConfidence? {
        guard new.rule == stored.rule, new.value == stored.value else { return nil }
        switch new.rule {
        case .sameAdvisory, .sameSecret:
            return .high
        case .sameControl:
            guard let a = new.path, let b = stored.path, sameFile(a, b) else { return nil }
            return .high
        case .sameSecretPlace:
            guard let a = new.path, let b = stored.path, sameFile(a, b), new.line == stored.line else { return nil }
            return .medium
        case .sameCodeWeakness:
            guard let a = new.path, let b = stored.path, sameFile(a, b) else { return nil }
            switch (new.line, stored.line) {
            case (let x?, let y?):
                guard abs(x - y) <= lineWindow else { return nil }
                return x == y && new.cwe == stored.cwe ? .high : .medium
            case (nil, nil):
                return .low
            default:
                return nil
            }
        case .sameEndpointWeakness:
            if let a = new.method, let b = stored.method, a != b { return nil }
            if let a = new.parameter, let b = stored.parameter, a != b { return nil }
            return new.cwe == stored.cwe ? .high : .medium
        case .dastConfirmsSAST:
            return .medium
        case .first, .mergedByPerson, .splitByPerson:
            return nil
        }
    }

    /// The finding's weakness classes with the CWE behind each: its own CWEs, the rule tables'
    /// (docs/correlation.md), or the rule id itself when nothing names a weakness, so that a
    /// finding with no CWE still meets the same rule of another import.
    static func weaknesses(_ finding: Finding) -> [(cwe: Int?, weakness: String)] {
        var cwes = finding.cwes
        for cwe in RuleWeaknesses.cwes(tool: finding.tool.name, ruleID: finding.ruleID, inferring: cwes.isEmpty) where !cwes.contains(cwe) {
            cwes.append(cwe)
        }
        if cwes.isEmpty { return [(nil, "rule:" + finding.ruleID.lowercased())] }
        var seen: Set<String> = []
        var result: [(Int?, String)] = []
        for cwe in cwes {
            let weakness = WeaknessClass.of(cwe: cwe)
            if seen.insert(weakness).inserted { result.append((cwe, weakness)) }
        }
        return result
    }

    /// `type/namespace/name` of a package, from its purl or, without one, its ecosystem and name.
    static func packageKey(_ package: PackageLocation) -> String {
        if let purl = package.purl { return purl.versionlessKey.lowercased() }
        let type = package.ecosystem.flatMap(PackageURL.purlType(forEcosystem:)) ?? package.ecosystem?.lowercased() ?? ""
        return "\(type)/\(package.name.lowercased())"
    }

    /// A source path without scheme, `./` or leading `/`, and with `\` as `/`.
    public static func normalizedPath(_ path: String) -> String {
        // `normalizePath` turns backslashes into slashes itself, without Foundation for most paths.
        var text = FindingIdentity.normalizePath(path)
        while text.utf8.first == 0x2F { text.removeFirst() }
        return text
    }

    static func basename(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Whether two normalized paths name one file, by their longest common suffix: equal, or
    /// one is the other's tail at a folder boundary (`vulnerable-app/app/server.py` and
    /// `app/server.py`), or they share at least a folder and the file and differ only in one
    /// root folder each (`src/app/server.py` and `vulnerable-app/app/server.py`: two checkouts).
    /// `tools/server.py` and `app/server.py` share only the name: two files.
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        // Correlation compares paths for every candidate link: ASCII paths (nearly all) are
        // compared on their bytes, which for ASCII is what comparing Characters gives.
        guard a.utf8.allSatisfy({ $0 < 0x80 }), b.utf8.allSatisfy({ $0 < 0x80 }) else { return characterSameFile(a, b) }
        let (short, long) = a.utf8.count < b.utf8.count ? (a.utf8, b.utf8) : (b.utf8, a.utf8)
        if long.count > short.count, long.dropLast(short.count).last == 0x2F, long.suffix(short.count).elementsEqual(short) { return true }
        let left = a.utf8.split(separator: 0x2F)
        let right = b.utf8.split(separator: 0x2F)
        var common = 0
        while common < min(left.count, right.count), left[left.count - 1 - common].elementsEqual(right[right.count - 1 - common]) { common += 1 }
        return common >= 2 && min(left.count, right.count) - common <= 1 && max(left.count, right.count) - common <= 1
    }

    /// `sameFile` on Characters, for paths with non-ASCII names.
    static func characterSameFile(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        let (short, long) = a.count < b.count ? (a, b) : (b, a)
        if long.hasSuffix("/" + short) { return true }
        let left = a.split(separator: "/")
        let right = b.split(separator: "/")
        var common = 0
        while common < min(left.count, right.count), left[left.count - 1 - common] == right[right.count - 1 - common] { common += 1 }
        return common >= 2 && min(left.count, right.count) - common <= 1 && max(left.count, right.count) - common <= 1
    }

    /// The path with its variable segments templated: numbers, UUIDs, hex ids and long
    /// tokens become `{id}`, so `/users/42/orders` and `/users/7/orders` are one endpoint.
    public static func endpointTemplate(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map { segment -> String in
            // Printable ASCII (nearly every path) is judged on its bytes: asking each Character
            // for its Unicode properties was a tenth of a DAST import.
            segment.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) ? asciiTemplate(segment) : characterTemplate(String(segment))
        }
        return "/" + segments.joined(separator: "/")
    }

    /// One segment as `{id}` when it looks like an identifier: all digits, a long hex or UUID
    /// run, or a long token with digits in it; judged on Characters.
    static func characterTemplate(_ text: String) -> String {
        if text.allSatisfy(\.isNumber) { return "{id}" }
        if text.count >= 8, text.allSatisfy({ $0.isHexDigit || $0 == "-" }), text.contains(where: \.isNumber) { return "{id}" }
        if text.count >= 24, text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }), text.contains(where: \.isNumber) {
            return "{id}"
        }
        return text
    }

    /// `characterTemplate` for a segment of printable ASCII, on its bytes.
    static func asciiTemplate(_ segment: Substring) -> String {
        let bytes = segment.utf8
        let isDigit = { (byte: UInt8) in byte >= 0x30 && byte <= 0x39 }
        let isHex = { (byte: UInt8) in isDigit(byte) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46) }
        let isAlphanumeric = { (byte: UInt8) in isDigit(byte) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) }
        if bytes.allSatisfy(isDigit) { return "{id}" }
        let hasDigit = bytes.contains(where: isDigit)
        if bytes.count >= 8, hasDigit, bytes.allSatisfy({ isHex($0) || $0 == 0x2D }) { return "{id}" }
        if bytes.count >= 24, hasDigit, bytes.allSatisfy({ isAlphanumeric($0) || $0 == 0x5F || $0 == 0x2D }) { return "{id}" }
        return String(segment)
    }
}
