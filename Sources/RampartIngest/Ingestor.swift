import Foundation
import RampartCore
import RampartImporters
import RampartStore

/// Where imported findings go: the stream coordinates the user gave.
public struct ImportTarget: Sendable {
    public var application: String
    public var component: String
    public var branch: String
    public var formatID: String?
    public var allowEmpty: Bool

    public init(application: String, component: String, branch: String = "", formatID: String? = nil, allowEmpty: Bool = false) {
        self.application = application
        self.component = component
        self.branch = branch
        self.formatID = formatID
        self.allowEmpty = allowEmpty
    }
}

/// A report read and normalized, not yet recorded.
public struct PreparedReport: Sendable {
    public var report: NormalizedReport
    public var contentSHA256: String
    public var byteCount: Int
}

/// The result of importing one file.
public struct FileImportResult: Sendable {
    public var file: String
    public var format: FormatInfo
    public var tool: ToolInfo
    public var outcome: ImportOutcome
    public var diagnostics: [Diagnostic]
}

/// The import use case: read a report, normalize it, record it in its stream.
/// Stages are separate so the CLI can read every file before it writes anything.
public struct Ingestor: Sendable {
    public let pipeline: ImportPipeline
    public let store: any Store

    public init(store: any Store, pipeline: ImportPipeline = ImportPipeline()) {
        self.store = store
        self.pipeline = pipeline
    }

    /// Reads and normalizes a file. Throws `ImportError` naming the file and position.
    public func prepare(path: String, formatID: String?, context: ImportContext) throws -> PreparedReport {
        let url = URL(fileURLWithPath: path)
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw ImportError(file: path, kind: .unreadable, reason: "cannot read the file (does it exist?)")
        }
        if let size = attributes[.size] as? Int, size > pipeline.maxFileSize {
            throw ImportError(
                file: path, kind: .tooLarge(limit: pipeline.maxFileSize),
                reason: "file is \(size) bytes, over the import limit of \(pipeline.maxFileSize) bytes (raise it with --max-size)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw ImportError(file: path, kind: .unreadable, reason: "cannot read the file")
        }
        return try prepare(data: data, file: path, formatID: formatID, context: context)
    }

    public func prepare(data: Data, file: String, formatID: String?, context: ImportContext) throws -> PreparedReport {
        let digest = data.withUnsafeBytes { bytes -> String in
            var hasher = SHA256()
            hasher.update(buffer: bytes)
            return SHA256.hex(hasher.finalize())
        }
        let report = try pipeline.normalize(data, file: file, formatID: formatID, context: context)
        return PreparedReport(report: report, contentSHA256: digest, byteCount: data.count)
    }

    /// Records a prepared report in its stream, in one transaction.
    public func record(_ prepared: PreparedReport, target: ImportTarget, at now: Date) async throws -> FileImportResult {
        let report = prepared.report
        let submission = ScanSubmission(
            stream: StreamKey(application: target.application, component: target.component, tool: report.tool.name, branch: target.branch),
            fileName: URL(fileURLWithPath: report.file).lastPathComponent, contentSHA256: prepared.contentSHA256, format: report.format.id,
            tool: report.tool, findings: report.findings, recordCount: report.recordCount, diagnostics: report.diagnostics,
            toolReportedError: report.toolReportedError, allowEmpty: target.allowEmpty, importedAt: now)
        let outcome = try await store.record(submission)
        var diagnostics = report.diagnostics
        if outcome.duplicateOfScan != nil {
            diagnostics.append(
                Diagnostic("identical content was already imported into this stream (scan \(outcome.scanID)); nothing changed", level: .note))
        } else if !outcome.closedMissing {
            let why = report.toolReportedError ? "the tool reported an error" : "the report is empty"
            diagnostics.append(Diagnostic("\(why): findings missing from it were not closed (use --allow-empty to close them)", level: .note))
        }
        return FileImportResult(file: report.file, format: report.format, tool: report.tool, outcome: outcome, diagnostics: diagnostics)
    }
}
