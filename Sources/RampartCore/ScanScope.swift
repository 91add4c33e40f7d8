/// What one scan looked at and for what, as far as the report says: the part of a stream's
/// identity that the report itself decides. Two imports of one tool into one component are the
/// same stream only when their scopes are equal, so that an image scan, a configuration scan
/// and an SBOM of the same component never close each other's findings.
public struct ScanScope: Sendable, Hashable, Codable {
    /// What the scan looked for, when the tool runs several kinds of scan: for example
    /// `vulnerability`, `misconfiguration`, `sbom`, or a SARIF run category. Empty when the tool
    /// has one kind of scan.
    public var kind: String
    /// What was scanned, when it is not the component itself: an image name (no tag or
    /// digest), a cluster, a DAST site. Empty for the component's own code.
    public var target: String

    public init(kind: String = "", target: String = "") {
        self.kind = kind
        self.target = target
    }

    /// The component's own code, scanned by a tool with one kind of scan.
    public static let component = ScanScope()

    /// `kind` from a set of kinds, in a stable order.
    public init(kinds: Set<String>, target: String = "") {
        self.init(kind: kinds.sorted().joined(separator: "+"), target: target)
    }

    /// `kind target`, for messages.
    public var summary: String {
        switch (kind.isEmpty, target.isEmpty) {
        case (true, true): "whole component"
        case (false, true): kind
        case (true, false): target
        case (false, false): "\(kind) of \(target)"
        }
    }
}

/// The tool a stream belongs to: one id per tool whatever its report calls itself. A SARIF
/// driver renamed by a new release ("semgrep" then "Semgrep OSS") or a tool's JSON and SARIF
/// outputs ("Gitleaks" and "gitleaks") must land in one stream.
public enum ToolIdentity {
    /// Names tools give themselves that differ from their id beyond case, spaces and editions.
    static let aliases: [String: String] = [
        "codeql-command-line-toolchain": "codeql", "owasp-zap": "zap", "zed-attack-proxy": "zap", "owasp-dependency-check": "dependency-check",
        "dependencycheck": "dependency-check", "npm": "npm-audit", "osv": "osv-scanner", "osvscanner": "osv-scanner",
        "pip_audit": "pip-audit", "pipaudit": "pip-audit", "trivy-config": "trivy", "grype-db": "grype", "tfsec-sarif": "tfsec",
        "detect_secrets": "detect-secrets", "nodejsscan": "njsscan",
    ]
    /// Words naming an edition or a packaging of a tool, not another tool.
    static let editionWords: Set<String> = ["oss", "pro", "cli", "community", "ce", "enterprise", "scanner", "sast", "edition", "app"]

    /// The canonical id: lower case, words joined by `-`, edition words dropped, known aliases
    /// mapped. `Semgrep OSS` → `semgrep`, `OWASP ZAP` → `zap`, `npm audit` → `npm-audit`.
    public static func canonicalID(_ name: String) -> String {
        var words = name.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "." || $0 == "_") }).map(String.init)
        while words.count > 1, let last = words.last, editionWords.contains(last) { words.removeLast() }
        let joined = words.joined(separator: "-")
        if joined.isEmpty { return "unknown" }
        if let alias = aliases[joined] { return alias }
        if words.count > 1, words[0] == "owasp" {
            return aliases[words.dropFirst().joined(separator: "-")] ?? words.dropFirst().joined(separator: "-")
        }
        if joined.hasPrefix("npm-audit") { return "npm-audit" }
        return joined
    }
}
