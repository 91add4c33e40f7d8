import Foundation
import RampartCore

/// Where one scan stream lives: what was scanned by what. Findings of one stream are compared
/// import to import, and only a later scan of the same stream closes them; an import never
/// touches another stream. See docs/streams.md.
public struct StreamKey: Sendable, Hashable, Codable {
    public var application: String
    public var component: String
    /// The tool's canonical id (`ToolIdentity.canonicalID`), whatever its report calls it.
    public var tool: String
    public var branch: String
    public var scope: StreamScope

    public init(application: String, component: String, tool: String, branch: String = "", scope: StreamScope = .scan(.component)) {
        self.application = application
        self.component = component
        self.tool = ToolIdentity.canonicalID(tool)
        self.branch = branch
        self.scope = scope
    }
}

/// The part of a stream's identity below the tool and branch.
public enum StreamScope: Sendable, Hashable, Codable {
    /// The scan's kind and target, as its report says.
    case scan(ScanScope)
    /// A name the user gave (`--stream NAME`): every import under it is one stream, whatever
    /// the reports say.
    case named(String)

    public var summary: String {
        switch self {
        case .scan(let scope): scope.summary
        case .named(let name): "stream \(name)"
        }
    }
}

/// One normalized report, ready to be recorded in its stream.
public struct ScanSubmission: Sendable {
    public var stream: StreamKey
    public var fileName: String
    /// Hex SHA-256 of the report's bytes: a report identical to its stream's latest scan is a no-op.
    public var contentSHA256: String
    /// Size of the report in bytes: a report of a size no scan of the target has cannot be a
    /// repeat, so its hash need not be known before it is parsed.
    public var byteCount: Int
    public var format: String
    public var tool: ToolInfo
    public var findings: [Finding]
    public var recordCount: Int
    public var diagnostics: [Diagnostic]
    public var toolReportedError: Bool
    /// Let an empty or failed report close the stream's missing findings.
    public var allowEmpty: Bool
    public var importedAt: Date
    /// The report's bytes as imported, or nil when the caller does not have them.
    public var report: Data?
    /// The packages an SBOM lists: they replace the component's known packages on this branch.
    /// Nil for reports that are no inventory, which leave them alone.
    public var packages: [SBOMPackage]?
    /// The statements of a VEX document: they replace the stream's earlier statements. Nil for
    /// reports that make none.
    public var vexStatements: [VEXStatement]?
    /// The finding categories the scan covered (`CoverageScan.categories`); empty when unknown,
    /// and then its findings' categories are recorded.
    public var coveredCategories: Set<FindingCategory>
    /// Who imported it, as the audit trail records.
    public var actor: String

    public init(
        stream: StreamKey, fileName: String, contentSHA256: String, byteCount: Int, format: String, tool: ToolInfo, findings: [Finding],
        recordCount: Int,
        diagnostics: [Diagnostic], toolReportedError: Bool, allowEmpty: Bool, importedAt: Date, report: Data? = nil,
        packages: [SBOMPackage]? = nil, vexStatements: [VEXStatement]? = nil, coveredCategories: Set<FindingCategory> = [], actor: String
    ) {
        self.actor = actor
        self.stream = stream
        self.fileName = fileName
        self.contentSHA256 = contentSHA256
        self.byteCount = byteCount
        self.format = format
        self.tool = tool
        self.findings = findings
        self.recordCount = recordCount
        self.diagnostics = diagnostics
        self.toolReportedError = toolReportedError
        self.allowEmpty = allowEmpty
        self.importedAt = importedAt
        self.report = report
        self.packages = packages
        self.vexStatements = vexStatements
        self.coveredCategories = coveredCategories
    }

    /// The report to keep, compressed, beside its findings: nil when any finding is a secret (or
    /// a secret scanner's finding whose secret the report did not isolate).
    /// A secret scanner's report holds the secrets in plain text, and a secret is never stored;
    /// such findings keep only their own redacted evidence.
    public var archivedReport: Data? {
        // By index: a predicate over the elements would copy every finding it looks at.
        guard let report, !report.isEmpty, !findings.indices.contains(where: { findings[$0].secret != nil || findings[$0].category == .secrets })
        else { return nil }
        return report
    }

    /// An empty report, or one whose tool failed, closes nothing unless the user allowed it.
    public var closesMissing: Bool { allowEmpty || (!findings.isEmpty && !toolReportedError) }
}

/// What recording a submission did to its stream.
public struct ImportOutcome: Sendable, Hashable, Codable {
    public var scanID: Int64
    /// The stream's latest scan already holds this content; nothing changed.
    public var duplicateOfScan: Int64?
    public var findings: Int
    public var new: Int
    public var unchanged: Int
    public var reopened: Int
    public var fixed: Int
    public var closedMissing: Bool
    /// How many packages the report listed as the component's known packages; nil when it is
    /// no SBOM (or a repeat, which changes nothing).
    public var packages: Int?

    public init(
        scanID: Int64, duplicateOfScan: Int64?, findings: Int, new: Int, unchanged: Int, reopened: Int, fixed: Int, closedMissing: Bool,
        packages: Int? = nil
    ) {
        self.scanID = scanID
        self.duplicateOfScan = duplicateOfScan
        self.findings = findings
        self.new = new
        self.unchanged = unchanged
        self.reopened = reopened
        self.fixed = fixed
        self.closedMissing = closedMissing
        self.packages = packages
    }
}

/// A finding as stored, with its stream and lifecycle.
public struct StoredFinding: Sendable, Hashable, Codable {
    public var id: Int64
    public var application: String
    public var component: String
    public var tool: String
    public var branch: String
    public var category: FindingCategory
    public var ruleID: String
    public var title: String
    public var description: String?
    public var severity: Severity
    public var toolSeverity: String?
    public var confidence: Confidence?
    public var status: FindingStatus
    public var cwes: [Int]
    public var vulnerabilityIDs: [String]
    public var locationKind: String
    public var componentName: String?
    public var componentVersion: String?
    public var purl: String?
    public var filePath: String?
    public var line: Int?
    public var url: String?
    public var host: String?
    public var cvssVector: String?
    public var cvssScore: Double?
    public var secretPreview: String?
    public var suppressed: Bool
    public var fingerprint: String
    public var firstSeen: Date
    public var lastSeen: Date
    public var occurrences: Int
    /// The VEX statement that applies to this finding, if any (the latest imported wins).
    public var vex: AppliedVEX?
    /// The issue the finding belongs to (docs/correlation.md).
    public var issueID: Int64?
    /// The exploit maturity the tool reported, if any.
    public var exploitMaturity: ExploitMaturity?
    /// When a scan of its stream last found it gone; nil while it is active.
    public var fixedAt: Date?

    public init(
        id: Int64, application: String, component: String, tool: String, branch: String, category: FindingCategory, ruleID: String, title: String,
        description: String?, severity: Severity, toolSeverity: String?, confidence: Confidence?, status: FindingStatus, cwes: [Int],
        vulnerabilityIDs: [String], locationKind: String, componentName: String?, componentVersion: String?, purl: String?, filePath: String?,
        line: Int?, url: String?, host: String?, cvssVector: String?, cvssScore: Double?, secretPreview: String?, suppressed: Bool,
        fingerprint: String, firstSeen: Date, lastSeen: Date, occurrences: Int
    ) {
        self.id = id
        self.application = application
        self.component = component
        self.tool = tool
        self.branch = branch
        self.category = category
        self.ruleID = ruleID
        self.title = title
        self.description = description
        self.severity = severity
        self.toolSeverity = toolSeverity
        self.confidence = confidence
        self.status = status
        self.cwes = cwes
        self.vulnerabilityIDs = vulnerabilityIDs
        self.locationKind = locationKind
        self.componentName = componentName
        self.componentVersion = componentVersion
        self.purl = purl
        self.filePath = filePath
        self.line = line
        self.url = url
        self.host = host
        self.cvssVector = cvssVector
        self.cvssScore = cvssScore
        self.secretPreview = secretPreview
        self.suppressed = suppressed
        self.fingerprint = fingerprint
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.occurrences = occurrences
    }
}

/// A VEX statement as applied to a finding, with the document it came from.
public struct AppliedVEX: Sendable, Hashable, Codable {
    public var statement: VEXStatement
    public var scanID: Int64
    public var document: String
    public var source: String

    public init(statement: VEXStatement, scanID: Int64, document: String, source: String) {
        self.statement = statement
        self.scanID = scanID
        self.document = document
        self.source = source
    }
}

public enum FindingSort: String, Sendable, CaseIterable {
    case severity
    case firstSeen = "first-seen"
    case lastSeen = "last-seen"
    case title, tool, cvss
}

public struct FindingQuery: Sendable {
    public var application: String?
    public var component: String?
    public var tool: String?
    public var category: FindingCategory?
    /// Findings at or above this severity.
    public var minimumSeverity: Severity?
    public var statuses: [FindingStatus]
    public var sort: FindingSort
    public var limit: Int?

    public init(
        application: String? = nil, component: String? = nil, tool: String? = nil, category: FindingCategory? = nil,
        minimumSeverity: Severity? = nil, statuses: [FindingStatus] = [], sort: FindingSort = .severity, limit: Int? = nil
    ) {
        self.application = application
        self.component = component
        self.tool = tool
        self.category = category
        self.minimumSeverity = minimumSeverity
        self.statuses = statuses
        self.sort = sort
        self.limit = limit
    }
}

/// One recorded import.
public struct ScanRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var application: String
    public var component: String
    public var tool: String
    public var branch: String
    public var scope: StreamScope
    public var fileName: String
    public var format: String
    public var toolVersion: String?
    public var importedAt: Date
    public var findings: Int
    public var new: Int
    public var unchanged: Int
    public var reopened: Int
    public var fixed: Int
    public var closedMissing: Bool
    public var diagnostics: [Diagnostic]
    /// The finding categories the scan covered; empty for an old scan of a stream with no findings.
    public var categories: [FindingCategory]

    public init(
        id: Int64, application: String, component: String, tool: String, branch: String, scope: StreamScope, fileName: String, format: String,
        toolVersion: String?, importedAt: Date, findings: Int, new: Int, unchanged: Int, reopened: Int, fixed: Int, closedMissing: Bool,
        diagnostics: [Diagnostic], categories: [FindingCategory] = []
    ) {
        self.id = id
        self.application = application
        self.component = component
        self.tool = tool
        self.branch = branch
        self.scope = scope
        self.fileName = fileName
        self.format = format
        self.toolVersion = toolVersion
        self.importedAt = importedAt
        self.findings = findings
        self.new = new
        self.unchanged = unchanged
        self.reopened = reopened
        self.fixed = fixed
        self.closedMissing = closedMissing
        self.diagnostics = diagnostics
        self.categories = categories
    }
}

/// A package a component ships, as its latest SBOM on a branch lists it.
public struct StoredPackage: Sendable, Hashable, Codable {
    public var application: String
    public var component: String
    public var branch: String
    public var package: SBOMPackage
    /// The scan of the SBOM that listed it, its file and its tool.
    public var scanID: Int64
    public var sbomFile: String
    public var sbomTool: String
    public var importedAt: Date

    public init(
        application: String, component: String, branch: String, package: SBOMPackage, scanID: Int64, sbomFile: String, sbomTool: String,
        importedAt: Date
    ) {
        self.application = application
        self.component = component
        self.branch = branch
        self.package = package
        self.scanID = scanID
        self.sbomFile = sbomFile
        self.sbomTool = sbomTool
        self.importedAt = importedAt
    }
}

public struct ApplicationSummary: Sendable, Hashable, Codable {
    public var name: String
    public var components: [String]
    public var scans: Int
    public var activeFindings: Int
    public var activeBySeverity: [Severity: Int]
    public var lastImport: Date?

    public init(name: String, components: [String], scans: Int, activeFindings: Int, activeBySeverity: [Severity: Int], lastImport: Date?) {
        self.name = name
        self.components = components
        self.scans = scans
        self.activeFindings = activeFindings
        self.activeBySeverity = activeBySeverity
        self.lastImport = lastImport
    }
}

/// The storage seam. SQLite (embedded, the default) implements it today; PostgreSQL will
/// implement the same protocol and pass the same conformance suite.
public protocol Store: Sendable {
    /// The key that hashes reported secrets: one per database, kept outside it.
    func secretKey() async throws -> [UInt8]
    /// The scan of this application, component and branch that holds exactly this content and
    /// is the latest scan of its stream, if any: importing it again changes nothing. The stream
    /// is decided by the content (and `streamName`, when the user names it), so the same bytes
    /// always land in the same stream and a repeat is recognized before the report is parsed. A
    /// report identical to an older scan is a rescan like any other (a revert reopens what the
    /// scans between fixed).
    func latestScanHolding(contentSHA256: String, application: String, component: String, branch: String, streamName: String?) async throws
        -> ScanRecord?
    /// Whether any scan of this application, component and branch had exactly this many bytes.
    func hasScan(ofByteCount byteCount: Int, application: String, component: String, branch: String) async throws -> Bool
    /// Records a submission in one transaction: all of it, or nothing.
    func record(_ submission: ScanSubmission) async throws -> ImportOutcome
    func findings(_ query: FindingQuery) async throws -> [StoredFinding]
    /// The raw record of the finding as the tool wrote it (secrets redacted).
    func evidence(findingID: Int64) async throws -> Data?
    /// The report file a scan imported, byte for byte, when it was archived (reports with
    /// secret findings are not).
    func report(scanID: Int64) async throws -> Data?
    func scans(application: String?, limit: Int?) async throws -> [ScanRecord]
    func applications() async throws -> [ApplicationSummary]
    /// The packages the latest SBOM of each component (and branch) lists, by application,
    /// component, branch and name.
    func packages(application: String?) async throws -> [StoredPackage]
    /// The application inventory as last applied (empty before the first apply).
    func inventory() async throws -> Inventory
    /// Issues: findings correlated into one per real problem, with every member finding.
    func issues(_ query: IssueQuery) async throws -> [StoredIssue]
    /// Moves every finding of `sources` into `target`, as a person decided; kept across
    /// reimports and replayed by a rebuild.
    func mergeIssues(into target: Int64, from sources: [Int64], reason: String, actor: String, at date: Date) async throws
    /// Moves the findings into a new issue of their own, as a person decided; returns it.
    func splitIssue(findings: [Int64], reason: String, actor: String, at date: Date) async throws -> Int64
    /// Recomputes every finding's issue by the current rules, then replays people's merges and
    /// splits in the order they were made. Returns the number of issues.
    func rebuildCorrelation(actor: String, at date: Date) async throws -> Int
    /// Replaces a feed whole and rescores every issue, in one transaction; returns how many
    /// issues were scored.
    func loadFeed(_ update: FeedUpdate, actor: String, at date: Date) async throws -> Int
    func feeds() async throws -> [FeedInfo]
    /// Rescores every issue at `date` (the age factor moves with time).
    func rescoreIssues(at date: Date) async throws -> Int
    /// Replaces the inventory with `inventory` in one transaction and records the apply; returns
    /// what changed. Applications and components it declares are created; a declaration it
    /// drops is removed, and so is an application or component left with no scans. Imported
    /// findings are never removed by an apply.
    func applyInventory(_ inventory: Inventory, source: String, actor: String, at date: Date) async throws -> [InventoryChange]
    /// Applies a person's triage decision to an issue (docs/triage.md): through the state
    /// machine, with its history and audit entry; refused with `TriageRefusal` when invalid.
    /// Accepted risks past their expiry at `date` are expired first.
    func triage(issue: Int64, decision: TriageDecision, reason: String, actor: String, at date: Date) async throws -> TriageOutcome
    /// Returns accepted risks past their expiry at `date` to untriaged; returns those issues.
    func expireTriage(at date: Date) async throws -> [Int64]
    /// The audit trail, oldest first; with a limit, the latest entries.
    func auditEntries(limit: Int?) async throws -> [AuditEntry]
    /// Checks the audit trail's hash chain.
    func verifyAudit() async throws -> AuditVerification
    /// The SLA policy last applied; nil when none was (`SLAPolicy.standard` applies).
    func slaPolicy() async throws -> StoredSLAPolicy?
    func applySLAPolicy(_ policy: SLAPolicy, source: String, actor: String, at date: Date) async throws
    /// Each issue's recorded history (active spans from scan events, triage changes), the
    /// input of posture metrics.
    func issueTimelines(application: String?) async throws -> [IssueTimeline]
    /// The stored rules, with how many active issues each matches at `date`.
    func rules(at date: Date) async throws -> [StoredRule]
    /// Stores a rule and applies it to the issues it matches; with `dryRun`, only says what it
    /// would change (the same code, rolled back). Refused with `RuleError` when unsound.
    func addRule(_ rule: TriageRule, actor: String, at date: Date, dryRun: Bool) async throws -> (id: Int64, effects: [RuleEffect])
    /// Removes a rule: the decisions and severities it set lapse.
    func removeRule(id: Int64, actor: String, at date: Date, dryRun: Bool) async throws -> [RuleEffect]
    /// Replaces the rule set with a file's: rules of the same content stay, others are added or removed.
    func replaceRules(_ rules: [TriageRule], source: String, actor: String, at date: Date, dryRun: Bool) async throws -> RuleSetChange
}
