import Foundation

/// Where a finding is. One case per kind of thing scanners point at.
public enum Location: Sendable, Hashable, Codable {
    case code(CodeLocation)
    case package(PackageLocation)
    case containerImage(ImageLocation)
    case iac(IaCLocation)
    case endpoint(EndpointLocation)
    case cloud(CloudLocation)
    case host(HostLocation)
    case design(DesignLocation)

    public var kind: String {
        switch self {
        case .code: "code"
        case .package: "package"
        case .containerImage: "image"
        case .iac: "iac"
        case .endpoint: "endpoint"
        case .cloud: "cloud"
        case .host: "host"
        case .design: "design"
        }
    }

    /// The file a finding points into, when there is one.
    public var filePath: String? {
        switch self {
        case .code(let code): code.file
        case .iac(let iac): iac.file
        case .package(let package): package.manifestPath ?? package.artifactPath
        default: nil
        }
    }

    public var line: Int? {
        switch self {
        case .code(let code): code.startLine
        case .iac(let iac): iac.startLine
        default: nil
        }
    }
}

public struct CodeLocation: Sendable, Hashable, Codable {
    public var file: String
    public var startLine: Int?
    public var endLine: Int?
    public var startColumn: Int?
    public var endColumn: Int?
    public var snippet: String?

    public init(file: String, startLine: Int? = nil, endLine: Int? = nil, startColumn: Int? = nil, endColumn: Int? = nil, snippet: String? = nil) {
        self.file = file
        self.startLine = startLine
        self.endLine = endLine
        self.startColumn = startColumn
        self.endColumn = endColumn
        self.snippet = snippet
    }
}

public enum DependencyRelation: String, Sendable, Hashable, Codable {
    case direct, transitive
}

public struct PackageLocation: Sendable, Hashable, Codable {
    public var purl: PackageURL?
    public var name: String
    public var version: String?
    public var ecosystem: String?
    public var fixedVersions: [String]
    public var relation: DependencyRelation?
    /// The manifest or lock file the package was found in, or the scan target (e.g. `Node.js`).
    /// Part of the identity, so it must not change when the package is bumped.
    public var manifestPath: String?
    /// The file the package itself is (a jar, a wheel, a binary): shown, not part of the identity,
    /// since its name usually carries the version.
    public var artifactPath: String?
    /// Set when the package was found inside a container image.
    public var image: ImageLocation?

    public init(
        purl: PackageURL? = nil, name: String, version: String? = nil, ecosystem: String? = nil, fixedVersions: [String] = [],
        relation: DependencyRelation? = nil, manifestPath: String? = nil, artifactPath: String? = nil, image: ImageLocation? = nil
    ) {
        self.purl = purl
        self.name = name
        self.version = version
        self.ecosystem = ecosystem
        self.fixedVersions = fixedVersions
        self.relation = relation
        self.manifestPath = manifestPath
        self.artifactPath = artifactPath
        self.image = image
    }

    /// The manifest only names the image the package is in (Trivy's OS-package target is
    /// `image:tag (debian 12.5)`): it changes with every rebuild's tag, so it is neither identity
    /// nor place, only position.
    public var manifestNamesImage: Bool {
        guard let image, let manifestPath else { return false }
        return manifestPath.hasPrefix(image.name)
    }
}

public struct ImageLocation: Sendable, Hashable, Codable {
    public var name: String
    public var tag: String?
    public var digest: String?
    public var layer: String?

    public init(name: String, tag: String? = nil, digest: String? = nil, layer: String? = nil) {
        self.name = name
        self.tag = tag
        self.digest = digest
        self.layer = layer
    }

    /// Splits `registry/repo:tag@sha256:...` into its parts.
    public init(reference: String) {
        var rest = reference.asciiTrimmed
        // Trivy targets read "alpine:3.10 (alpine 3.10.2)": drop the OS note.
        if let space = rest.firstIndex(of: " ") { rest = String(rest[..<space]) }
        var digest: String?
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = String(rest[..<at])
        }
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = String(rest[..<colon])
        }
        self.init(name: rest, tag: tag, digest: digest)
    }
}

public struct IaCLocation: Sendable, Hashable, Codable {
    public var file: String
    public var resource: String?
    public var startLine: Int?
    public var endLine: Int?
    public var framework: String?

    public init(file: String, resource: String? = nil, startLine: Int? = nil, endLine: Int? = nil, framework: String? = nil) {
        self.file = file
        self.resource = resource
        self.startLine = startLine
        self.endLine = endLine
        self.framework = framework
    }
}

public struct EndpointLocation: Sendable, Hashable, Codable {
    public var url: String
    public var method: String?
    public var parameter: String?
    public var evidence: String?

    public init(url: String, method: String? = nil, parameter: String? = nil, evidence: String? = nil) {
        self.url = url
        self.method = method
        self.parameter = parameter
        self.evidence = evidence
    }

    /// Host part of the URL, for filtering and display.
    public var host: String? { URLComponents(string: url)?.host }
}

public struct CloudLocation: Sendable, Hashable, Codable {
    public var provider: String
    public var account: String?
    public var region: String?
    public var resourceID: String
    public var resourceType: String?

    public init(provider: String, account: String? = nil, region: String? = nil, resourceID: String, resourceType: String? = nil) {
        self.provider = provider
        self.account = account
        self.region = region
        self.resourceID = resourceID
        self.resourceType = resourceType
    }
}

public struct HostLocation: Sendable, Hashable, Codable {
    public var address: String
    public var port: Int?
    public var transport: String?
    public var service: String?

    public init(address: String, port: Int? = nil, transport: String? = nil, service: String? = nil) {
        self.address = address
        self.port = port
        self.transport = transport
        self.service = service
    }
}

/// A place in a system's design: an element of a threat model (a component, a data asset, a
/// data flow, a trust boundary) or the model as a whole. Threat modelling tools and security
/// requirement checklists point here: their threats exist before any file, package or host does.
public struct DesignLocation: Sendable, Hashable, Codable {
    /// The threat model or system, as the tool names it (a model's title, an application); nil
    /// when the export does not say (the stream then stands for the model).
    public var model: String?
    /// The element of the model the finding is about; nil for the model as a whole.
    public var element: String?
    /// What kind of element it is, in the tool's words (`technical asset`, `data flow`, `use case`).
    public var elementType: String?

    public init(model: String? = nil, element: String? = nil, elementType: String? = nil) {
        self.model = model
        self.element = element
        self.elementType = elementType
    }
}

/// What Rampart keeps of a secret a scanner reported: never the secret itself.
public struct SecretEvidence: Sendable, Hashable, Codable {
    /// Hex HMAC-SHA256 of the secret under the database's salt: equal secrets compare equal,
    /// yet the value cannot be recovered or looked up in a rainbow table.
    public var saltedHash: String
    /// A redacted preview such as `AKIA…(20 chars)`, enough to recognise but not to use.
    public var preview: String

    public init(saltedHash: String, preview: String) {
        self.saltedHash = saltedHash
        self.preview = preview
    }

    public init(secret: String, salt: [UInt8]) {
        self.saltedHash = Hashing.hmacSHA256Hex(key: salt, message: Array(secret.utf8))
        self.preview = SecretEvidence.redact(secret)
    }

    /// Keeps at most 4 leading characters (fewer for short secrets) and the length.
    public static func redact(_ secret: String) -> String {
        let count = secret.count
        let shown = count >= 16 ? 4 : count >= 8 ? 2 : 0
        return String(secret.prefix(shown)) + "…(\(count) chars)"
    }
}

/// The record as the tool wrote it, kept verbatim as evidence (secret values redacted).
public struct RawEvidence: Sendable, Hashable {
    public var format: String
    public var bytes: Data

    public init(format: String, bytes: Data) {
        self.format = format
        self.bytes = bytes
    }
}

/// One normalized finding, as an importer produces it.
public struct Finding: Sendable, Hashable {
    public var category: FindingCategory
    public var tool: ToolInfo
    public var ruleID: String
    public var title: String
    public var description: String?
    public var toolSeverity: String?
    public var severity: Severity
    public var confidence: Confidence?
    public var cwes: [Int]
    public var vulnerabilityIDs: [VulnerabilityID]
    public var cvss: [CVSSScore]
    public var location: Location
    public var secret: SecretEvidence?
    public var remediation: String?
    public var references: [String]
    public var tags: [String]
    /// Identity hints from the tool (e.g. SARIF partialFingerprints), used before weaker signals.
    public var toolFingerprint: String?
    /// The tool says this finding is suppressed, or a VEX statement says not affected.
    public var suppression: Suppression?
    public var raw: RawEvidence?
    /// Plain-text values an importer found in secret-bearing fields of the record (the secret,
    /// and text that quotes it). The import pipeline's redaction stage hides each of them in
    /// every text of the finding and in its kept record, sets `secret` from the first, and
    /// empties this list before the finding leaves the pipeline; a store refuses a finding
    /// that still has any.
    public var revealedSecrets: [String] = []
    /// Filled in by `FindingIdentity`; equal fingerprints mean the same problem in a stream.
    public var fingerprint: String = ""
    /// Filled in by `FindingIdentity`: the identity before duplicates are told apart (code,
    /// IaC, endpoints...) or without the vulnerability id (packages). A stream pairs findings
    /// within an anchor when their fingerprints alone cannot (see `StreamReconciliation`).
    public var identityAnchor: String?
    public var occurrences: Int = 1
    /// How far exploitation has gone, where the tool says (Snyk's exploit maturity, a scanner's
    /// "exploit available"); nil when it says nothing. The risk model reads it (docs/risk.md).
    public var exploitMaturity: ExploitMaturity?

    public init(
        category: FindingCategory, tool: ToolInfo, ruleID: String, title: String, description: String? = nil,
        toolSeverity: String? = nil, severity: Severity, confidence: Confidence? = nil, cwes: [Int] = [],
        vulnerabilityIDs: [VulnerabilityID] = [], cvss: [CVSSScore] = [], location: Location, secret: SecretEvidence? = nil,
        remediation: String? = nil, references: [String] = [], tags: [String] = [], toolFingerprint: String? = nil,
        suppression: Suppression? = nil, raw: RawEvidence? = nil
    ) {
        self.category = category
        self.tool = tool
        self.ruleID = ruleID
        self.title = title
        self.description = description
        self.toolSeverity = toolSeverity
        self.severity = severity
        self.confidence = confidence
        self.cwes = cwes
        self.vulnerabilityIDs = vulnerabilityIDs
        self.cvss = cvss
        self.location = location
        self.secret = secret
        self.remediation = remediation
        self.references = references
        self.tags = tags
        self.toolFingerprint = toolFingerprint
        self.suppression = suppression
        self.raw = raw
    }

    /// The highest-version CVSS entry, preferring v3.1 for display; scores computed where needed.
    public var primaryCVSS: CVSSScore? {
        cvss.first { $0.vector?.version == .v3_1 } ?? cvss.first { $0.vector != nil } ?? cvss.first
    }
}

/// Exploit maturity as vulnerability tools report it, in Snyk's (and CVSS temporal) terms.
public enum ExploitMaturity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// The tool says no exploit is known.
    case unproven
    /// Proof-of-concept code is public (also a tool's plain "exploit available").
    case proofOfConcept = "proof-of-concept"
    /// Functional exploit code is public.
    case functional
    /// Exploits are widespread or autonomous.
    case high

    var rank: Int {
        switch self {
        case .unproven: 0
        case .proofOfConcept: 1
        case .functional: 2
        case .high: 3
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }

    /// Snyk's `exploit` values ("Not Defined", "Unproven", "Proof of Concept", "Functional",
    /// "High"), CVSS temporal E values (X, U, P, F, H) and CVSS v4 exploit maturity words
    /// ("Unreported", "POC", "Attacked"); nil for "not defined" and unknown text.
    public init?(toolText text: String) {
        switch text.lowercased().trimmingCharacters(in: .whitespaces) {
        case "unproven", "u", "unreported": self = .unproven
        case "proof of concept", "proof-of-concept", "poc", "p": self = .proofOfConcept
        case "functional", "f": self = .functional
        case "high", "h", "attacked": self = .high
        default: return nil
        }
    }
}

public struct ToolInfo: Sendable, Hashable, Codable {
    public var name: String
    public var version: String?

    public init(name: String, version: String? = nil) {
        self.name = name
        self.version = version
    }
}

/// A CVSS rating as a tool gave it: a vector, a score, or both, and who scored it.
public struct CVSSScore: Sendable, Hashable, Codable {
    public var vector: CVSSVector?
    public var score: Double?
    public var source: String?

    /// Builds a rating, computing the score from the vector when the tool gave none.
    /// Returns nil when neither a valid vector nor a score is present.
    public init?(vector rawVector: String?, score: Double?, source: String? = nil) {
        let vector = rawVector.flatMap { try? CVSSVector(parsing: $0) }
        let score = score.flatMap { $0 > 0 && $0 <= 10 ? $0 : nil } ?? vector?.baseScore
        guard vector != nil || score != nil else { return nil }
        self.vector = vector
        self.score = score
        self.source = source
    }
}

public struct Suppression: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case inSource, external, notAffected, falsePositive, accepted
        /// A VEX statement says this version of the product is fixed.
        case fixed
    }

    public var kind: Kind
    public var justification: String?

    public init(kind: Kind, justification: String? = nil) {
        self.kind = kind
        self.justification = justification
    }
}

/// A recoverable oddity met while reading a report, with where it was met.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Level: String, Sendable, Hashable, Codable { case warning, note }

    public var level: Level
    public var message: String
    /// A JSON pointer, XML path or line number naming the record.
    public var position: String?

    public init(_ message: String, at position: String? = nil, level: Level = .warning) {
        self.level = level
        self.message = message
        self.position = position
    }

    public var description: String {
        position.map { "\(level.rawValue): \(message) (at \($0))" } ?? "\(level.rawValue): \(message)"
    }

    /// A report full of bad records must not make an import's diagnostics as large as the
    /// report: the first `limit` are kept, each message cut to `messageLimit` characters, and
    /// one note counts the rest.
    public static func bounded(_ diagnostics: [Diagnostic], limit: Int = 1_000, messageLimit: Int = 1_000) -> [Diagnostic] {
        var kept = diagnostics.prefix(limit).map { diagnostic in
            var diagnostic = diagnostic
            if diagnostic.message.count > messageLimit { diagnostic.message = String(diagnostic.message.prefix(messageLimit)) + "…" }
            if let position = diagnostic.position, position.count > 200 { diagnostic.position = String(position.prefix(200)) + "…" }
            return diagnostic
        }
        if diagnostics.count > limit {
            let warnings = diagnostics.dropFirst(limit).lazy.filter { $0.level == .warning }.count
            kept.append(
                Diagnostic(
                    "\(diagnostics.count - limit) more diagnostic(s) not listed (\(warnings) of them warnings); the first \(limit) are",
                    level: .warning)
            )
        }
        return kept
    }
}
