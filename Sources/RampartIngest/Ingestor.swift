import Foundation
import RampartCore
import RampartImporters
import RampartStore

#if canImport(Glibc)
    import Glibc
#endif

/// Where imported findings go: the stream coordinates the user gave.
public struct ImportTarget: Sendable {
    public var application: String
    public var component: String
    public var branch: String
    /// The user's name for the stream (`--stream`): it replaces the scope the report implies.
    public var streamName: String?
    public var formatID: String?
    public var allowEmpty: Bool
    /// Who imports, as the audit trail records: the CLI passes the OS user or `--actor`.
    public var actor: String

    public init(
        application: String, component: String, branch: String = "", streamName: String? = nil, formatID: String? = nil, allowEmpty: Bool = false,
        actor: String = "rampart"
    ) {
        self.actor = actor
        self.application = application
        self.component = component
        self.branch = branch
        self.streamName = streamName
        self.formatID = formatID
        self.allowEmpty = allowEmpty
    }

    /// The stream a report lands in.
    func stream(for report: NormalizedReport) -> StreamKey {
        StreamKey(
            application: application, component: component, tool: report.tool.name, branch: branch,
            scope: streamName.map(StreamScope.named) ?? .scan(report.scope))
    }
}

/// A report file's bytes and content hash: the first stage, before any parsing.
public struct ReportFile: Sendable {
    public var path: String
    public var data: Data
    /// Hex SHA-256 of the bytes: a file identical to its stream's latest scan is a no-op.
    public var contentSHA256: String
}

/// A report read and normalized, not yet recorded.
public struct PreparedReport: Sendable {
    public var report: NormalizedReport
    public var contentSHA256: String
    /// The report's bytes, archived beside the findings.
    public var data: Data
    public var byteCount: Int { data.count }
}

/// The result of importing one file.
public struct FileImportResult: Sendable {
    public var file: String
    public var format: FormatInfo
    public var tool: ToolInfo
    /// The stream the file was recorded in (for a repeat, the stream that already held it).
    public var stream: StreamKey
    public var outcome: ImportOutcome
    public var diagnostics: [Diagnostic]
}

/// The import use case: read a report, recognize a repeat, normalize it, record it in its
/// stream. Stages are separate so the CLI can read every file before it writes anything.
public struct Ingestor: Sendable {
    public let pipeline: ImportPipeline
    public let store: any Store

    public init(store: any Store, pipeline: ImportPipeline = ImportPipeline()) {
        self.store = store
        self.pipeline = pipeline
    }

    /// Stage 1: size check and bytes, read into memory: a mapped file that another process
    /// truncates would crash the import (SIGBUS) when its vanished pages are read.
    public func open(path: String) throws -> Data {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw ImportError(file: path, kind: .unreadable, reason: "cannot read the file (does it exist?)")
        }
        let size = attributes[.size] as? Int ?? 0
        if size > pipeline.maxFileSize {
            throw ImportError(
                file: path, kind: .tooLarge(limit: pipeline.maxFileSize),
                reason: "file is \(size) bytes, over the import limit of \(pipeline.maxFileSize) bytes (raise it with --max-size)")
        }
        guard let data = Self.readWhole(path: path, expectedSize: size, limit: pipeline.maxFileSize) else {
            throw ImportError(file: path, kind: .unreadable, reason: "cannot read the file")
        }
        if data.count > pipeline.maxFileSize {
            throw ImportError(
                file: path, kind: .tooLarge(limit: pipeline.maxFileSize),
                reason: "file grew over the import limit of \(pipeline.maxFileSize) bytes while it was read (raise it with --max-size)")
        }
        return data
    }

    /// The file's bytes in one buffer, read with as few system calls as its size allows; at
    /// most `limit + 1` bytes (one more tells a file that grew past the limit while read).
    static func readWhole(path: String, expectedSize: Int, limit: Int) -> Data? {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        // Uninitialized memory: zero-filling a 200 MB buffer only to overwrite it costs a tenth of a second.
        var capacity = min(max(expectedSize, 0), limit) + 1
        var buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        var length = 0
        while true {
            if length == capacity {
                guard capacity <= limit else { break }
                let larger = min(capacity * 2, limit + 1)
                let grown = UnsafeMutableRawPointer.allocate(byteCount: larger, alignment: 16)
                grown.copyMemory(from: buffer, byteCount: length)
                buffer.deallocate()
                buffer = grown
                capacity = larger
            }
            let got = Glibc.read(descriptor, buffer + length, capacity - length)
            if got < 0 {
                if errno == EINTR { continue }
                buffer.deallocate()
                return nil
            }
            if got == 0 { break }
            length += got
        }
        return Data(bytesNoCopy: buffer, count: length, deallocator: .custom { pointer, _ in pointer.deallocate() })
    }

    /// Stages 1 and 2: bytes and content hash.
    public func read(path: String) throws -> ReportFile {
        let data = try open(path: path)
        return ReportFile(path: path, data: data, contentSHA256: Self.sha256(data))
    }

    /// What to do with one file: nothing (its content is already in the target) or record it.
    public enum Step: Sendable {
        case repeated(FileImportResult)
        case prepared(PreparedReport)
    }

    /// Reads, recognizes a repeat, normalizes. When no scan of the target has the file's size
    /// it cannot be a repeat, and the content hash is computed while the report is parsed.
    public func prepare(path: String, target: ImportTarget, context: ImportContext) async throws -> Step {
        let data = try open(path: path)
        let mayRepeat = try await store.hasScan(
            ofByteCount: data.count, application: target.application, component: target.component, branch: target.branch)
        if mayRepeat {
            let file = ReportFile(path: path, data: data, contentSHA256: Self.sha256(data))
            if let scan = try await existingScan(for: file, target: target) { return .repeated(repeated(file, of: scan)) }
            return .prepared(try await normalize(file, formatID: target.formatID, context: context))
        }
        async let digest = Self.sha256(data)
        let report = try await pipeline.normalize(data, file: path, formatID: target.formatID, context: context)
        return .prepared(PreparedReport(report: report, contentSHA256: await digest, data: data))
    }

    /// Reads and normalizes a report imported without a component, and places it by what it
    /// names (`Inventory.place`): within `application` when the user named one, else in the
    /// whole inventory. A report that matches nothing, or several components equally, is refused
    /// with what it named. The returned target is `template` placed.
    public func prepare(path: String, placingIn inventory: Inventory, within application: String?, template: ImportTarget, context: ImportContext)
        async throws -> (step: Step, target: ImportTarget)
    {
        let file = try read(path: path)
        let prepared = try await normalize(file, formatID: template.formatID, context: context)
        let scope = application.map { name in Inventory(applications: inventory.applications.filter { $0.name == name }) } ?? inventory
        var target = template
        let subject = prepared.report.subject
        switch scope.place(subject) {
        case .component(let match):
            target.application = match.application
            target.component = match.component
        case .unmatched:
            throw PlacementError(file: path, subject: subject, candidates: [], application: application)
        case .ambiguous(let matches):
            throw PlacementError(file: path, subject: subject, candidates: matches, application: application)
        }
        if let scan = try await existingScan(for: file, target: target) { return (.repeated(repeated(file, of: scan)), target) }
        return (.prepared(prepared), target)
    }

    static func sha256(_ data: Data) -> String {
        data.withUnsafeBytes { Hashing.sha256Hex(buffer: $0) }
    }

    /// Stage 2: the latest scan of a stream of the target that holds this exact content, if any.
    public func existingScan(for file: ReportFile, target: ImportTarget) async throws -> ScanRecord? {
        try await store.latestScanHolding(
            contentSHA256: file.contentSHA256, application: target.application, component: target.component, branch: target.branch,
            streamName: target.streamName)
    }

    /// Stage 3: syntax, detection, normalization, identity. Throws `ImportError` naming the file and position.
    public func normalize(_ file: ReportFile, formatID: String?, context: ImportContext) async throws -> PreparedReport {
        let report = try await pipeline.normalize(file.data, file: file.path, formatID: formatID, context: context)
        return PreparedReport(report: report, contentSHA256: file.contentSHA256, data: file.data)
    }

    /// Stages 1 and 3 at once, for callers that do not look for repeats.
    public func prepare(path: String, formatID: String?, context: ImportContext) async throws -> PreparedReport {
        try await normalize(try read(path: path), formatID: formatID, context: context)
    }

    static func alreadyImported(scan: Int64) -> Diagnostic {
        Diagnostic("identical to the stream's latest scan (scan \(scan)); nothing changed", level: .note)
    }

    /// The result for a file whose content the target already holds: nothing is parsed or written.
    public func repeated(_ file: ReportFile, of scan: ScanRecord) -> FileImportResult {
        let format =
            pipeline.format(named: scan.format)
            ?? FormatInfo(id: scan.format, name: scan.format, tool: scan.tool, category: .sast, syntax: .json, notes: "")
        return FileImportResult(
            file: file.path, format: format, tool: ToolInfo(name: scan.tool, version: scan.toolVersion),
            stream: StreamKey(application: scan.application, component: scan.component, tool: scan.tool, branch: scan.branch, scope: scan.scope),
            outcome: ImportOutcome(
                scanID: scan.id, duplicateOfScan: scan.id, findings: scan.findings, new: 0, unchanged: 0, reopened: 0, fixed: 0,
                closedMissing: false),
            diagnostics: [Self.alreadyImported(scan: scan.id)])
    }

    /// Stage 4: records a prepared report in its stream, in one transaction.
    public func record(_ prepared: PreparedReport, target: ImportTarget, at now: Date) async throws -> FileImportResult {
        let report = prepared.report
        let submission = ScanSubmission(
            stream: target.stream(for: report),
            fileName: URL(fileURLWithPath: report.file).lastPathComponent, contentSHA256: prepared.contentSHA256, byteCount: prepared.byteCount,
            format: report.format.id,
            tool: report.tool, findings: report.findings, recordCount: report.recordCount, diagnostics: report.diagnostics,
            toolReportedError: report.toolReportedError, allowEmpty: target.allowEmpty, importedAt: now, report: prepared.data,
            packages: report.packages, vexStatements: report.vexStatements,
            coveredCategories: CoverageScan.categories(
                formatCategory: report.format.category, scopeKind: report.scope.kind, scopeTarget: report.scope.target, findings: report.findings),
            actor: target.actor)
        let outcome = try await store.record(submission)
        var diagnostics = report.diagnostics
        if outcome.duplicateOfScan != nil {
            diagnostics.append(Self.alreadyImported(scan: outcome.scanID))
        } else if !outcome.closedMissing {
            let why =
                report.toolReportedError
                ? "the tool reported an error" : report.packages != nil ? "the SBOM lists no vulnerabilities" : "the report is empty"
            diagnostics.append(Diagnostic("\(why): findings missing from it were not closed (use --allow-empty to close them)", level: .note))
        }
        return FileImportResult(
            file: report.file, format: report.format, tool: report.tool, stream: submission.stream, outcome: outcome, diagnostics: diagnostics)
    }

    /// Every stage for one file.
    public func importFile(path: String, target: ImportTarget, context: ImportContext, at now: Date) async throws -> FileImportResult {
        switch try await prepare(path: path, target: target, context: context) {
        case .repeated(let result): return result
        case .prepared(let report): return try await record(report, target: target, at: now)
        }
    }
}

/// A report imported without `--app`/`--component` that the inventory does not place.
public struct PlacementError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var subject: ReportSubject
    /// The components that matched equally; empty when none matched.
    public var candidates: [ComponentMatch]
    public var application: String?

    public var description: String {
        let within = application.map { " of application '\($0)'" } ?? ""
        if candidates.isEmpty {
            return """
                \(file): no component\(within) in the inventory matches what the report names (\(subject.summary)). \
                Pass --app and --component, or declare the repository, image, URL, host, account or package in the inventory \
                (rampart inventory apply). Nothing was imported.
                """
        }
        let listed = candidates.map { "\($0.application)/\($0.component) (\($0.reasons.joined(separator: ", ")))" }.joined(separator: "; ")
        return "\(file): several components match equally: \(listed). Pass --app and --component. Nothing was imported."
    }
}
