import Foundation
import RampartCore

/// Everything the importers can read, after the syntax stage.
public enum ParsedReport: Sendable {
    case json(JSONDocument)
    case xml(XMLElement)

    public var jsonRoot: JSONNode? {
        if case .json(let document) = self { return document.root }
        return nil
    }

    public var xmlRoot: XMLElement? {
        if case .xml(let root) = self { return root }
        return nil
    }
}

public enum ReportSyntax: String, Sendable, Codable { case json, xml }

/// A supported report format, as `rampart formats` lists it.
public struct FormatInfo: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var tool: String
    public var category: FindingCategory
    public var syntax: ReportSyntax
    public var notes: String

    public init(id: String, name: String, tool: String, category: FindingCategory, syntax: ReportSyntax, notes: String) {
        self.id = id
        self.name = name
        self.tool = tool
        self.category = category
        self.syntax = syntax
        self.notes = notes
    }
}

/// What an importer needs besides the report: nothing that is read from a clock or a disk.
public struct ImportContext: Sendable {
    /// Salt for hashing secrets; each database has its own.
    public var secretSalt: [UInt8]

    public init(secretSalt: [UInt8]) {
        self.secretSalt = secretSalt
    }
}

/// One importer's output: normalized findings and what was odd about the report.
public struct ImporterOutput: Sendable {
    public var tool: ToolInfo
    public var findings: [Finding]
    public var diagnostics: [Diagnostic]
    /// The tool itself reported a failure (e.g. Semgrep `errors`): an import of such a report
    /// must not close findings that it merely failed to see.
    public var toolReportedError: Bool
    /// What the scan looked at and for what, when the tool runs several kinds of scan or
    /// scans things other than the component's code: part of the stream's identity.
    public var scope: ScanScope

    public init(
        tool: ToolInfo, findings: [Finding] = [], diagnostics: [Diagnostic] = [], toolReportedError: Bool = false, scope: ScanScope = .component
    ) {
        self.tool = tool
        self.findings = findings
        self.diagnostics = diagnostics
        self.toolReportedError = toolReportedError
        self.scope = scope
    }
}

/// A reader for one report format. Importers are values with no state of their own.
public protocol ReportImporter: Sendable {
    var info: FormatInfo { get }
    /// Whether the report's content (never its file name) is in this format.
    func matches(_ report: ParsedReport) -> Bool
    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput
}

/// A report that cannot be imported; the description names the file and, where known, the position.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case unreadable
        case tooLarge(limit: Int)
        case syntax(position: String)
        case unknownFormat
        case invalidContent(position: String?)
    }

    public var file: String
    public var kind: Kind
    public var reason: String

    public init(file: String, kind: Kind, reason: String) {
        self.file = file
        self.kind = kind
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}

/// The normalized result of one report: the pipeline's last stage.
public struct NormalizedReport: Sendable {
    public var file: String
    public var format: FormatInfo
    public var tool: ToolInfo
    public var findings: [Finding]
    public var diagnostics: [Diagnostic]
    public var toolReportedError: Bool
    /// Records read before identical ones were merged.
    public var recordCount: Int
    /// The scan's kind and target, as the report says (see `ImporterOutput.scope`).
    public var scope: ScanScope = .component
}

/// Bytes in, normalized findings and diagnostics out: syntax, then format detection, then the
/// format's importer, then identity (fingerprints and in-report deduplication).
public struct ImportPipeline: Sendable {
    public let importers: [any ReportImporter]
    public var maxFileSize: Int

    public init(importers: [any ReportImporter] = ImporterRegistry.all, maxFileSize: Int = 1 << 30) {
        self.importers = importers
        self.maxFileSize = maxFileSize
    }

    public func parseSyntax(_ data: Data, file: String) throws -> ParsedReport {
        guard data.count <= maxFileSize else {
            throw ImportError(
                file: file, kind: .tooLarge(limit: maxFileSize),
                reason: "file is \(data.count) bytes, over the import limit of \(maxFileSize) bytes (raise it with --max-size)")
        }
        if Self.isBlankReport(data) {
            throw ImportError(
                file: file, kind: .unknownFormat,
                reason: "the file holds no report data (empty or null), so its format cannot be detected; name it with --format")
        }
        var first: UInt8 = 0
        for byte in data.prefix(4096)
        where byte != 0x20 && byte != 0x0A && byte != 0x0D && byte != 0x09 && byte != 0xEF && byte != 0xBB && byte != 0xBF {
            first = byte
            break
        }
        switch first {
        case 0x3C:  // <
            do {
                return .xml(try XMLReader.parse(data).root)
            } catch let error as XMLSyntaxError {
                throw ImportError(file: file, kind: .syntax(position: "line \(error.line), column \(error.column)"), reason: error.description)
            }
        case 0x7B, 0x5B:  // { [
            do {
                return .json(try JSONDocument(data: data, allowMultipleRoots: true))
            } catch let error as JSONSyntaxError {
                throw ImportError(file: file, kind: .syntax(position: "line \(error.line), column \(error.column)"), reason: error.description)
            }
        case 0:
            throw ImportError(file: file, kind: .unknownFormat, reason: "the file is empty, so its format cannot be detected; name it with --format")
        default:
            throw ImportError(file: file, kind: .unknownFormat, reason: "the content is neither JSON nor XML; \(supportedList)")
        }
    }

    /// Empty, whitespace only, or a bare JSON `null`.
    static func isBlankReport(_ data: Data) -> Bool {
        let text = data.prefix(64).filter { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        return data.count < 64 && (text.isEmpty || text.elementsEqual("null".utf8))
    }

    var supportedList: String {
        "supported formats: " + importers.map(\.info.id).joined(separator: ", ")
    }

    public func detect(_ report: ParsedReport, file: String) throws -> any ReportImporter {
        if let importer = importers.first(where: { $0.matches(report) }) { return importer }
        let seen: String
        switch report {
        case .json(let document):
            let keys = document.root?.keys.prefix(8).joined(separator: ", ") ?? ""
            if let root = document.root, root.isArray, root.array.isEmpty {
                throw ImportError(file: file, kind: .unknownFormat, reason: "an empty JSON array carries no format; name it with --format")
            }
            seen = document.root?.isArray == true ? "a JSON array" : "a JSON object with keys [\(keys)]"
        case .xml(let root):
            seen = "an XML document with root element <\(root.name)>"
        }
        throw ImportError(file: file, kind: .unknownFormat, reason: "unrecognized report format: saw \(seen); \(supportedList)")
    }

    public func importer(forFormat id: String) -> (any ReportImporter)? {
        importers.first { $0.info.id == id.lowercased() }
    }

    /// Runs every stage. `formatID` overrides detection.
    public func normalize(_ data: Data, file: String, formatID: String? = nil, context: ImportContext) async throws -> NormalizedReport {
        var explicit: (any ReportImporter)?
        if let formatID {
            guard let chosen = self.importer(forFormat: formatID) else {
                throw ImportError(file: file, kind: .unknownFormat, reason: "unknown format '\(formatID)'; \(supportedList)")
            }
            explicit = chosen
            // Some tools write nothing, or `null`, when they find nothing; with the format named, that is an empty report.
            if Self.isBlankReport(data) {
                return NormalizedReport(
                    file: file, format: chosen.info, tool: ToolInfo(name: chosen.info.tool), findings: [],
                    diagnostics: [Diagnostic("the file holds no report data; read as an empty report", level: .note)], toolReportedError: false,
                    recordCount: 0)
            }
        }
        // Read in a function of its own so that the parsed document (for a large report, a tape
        // about the size of the file) is freed before identity doubles the findings in memory.
        var (importer, output) = try await readReport(data, file: file, importer: explicit, context: context)
        var diagnostics = output.diagnostics
        var records = output.findings
        output.findings = []
        // Secrets are hidden before anything else sees the findings: identity hashes the secret,
        // never the text.
        for index in records.indices {
            if !records[index].revealedSecrets.isEmpty { SecretRedaction.apply(&records[index], salt: context.secretSalt) }
            Normalization.apply(&records[index])
        }
        let recordCount = records.count
        let merged = await FindingIdentity.assign(consume records)
        if merged.count < recordCount {
            diagnostics.append(
                Diagnostic("\(recordCount - merged.count) repeated record(s) merged into existing findings (see occurrences)", level: .note))
        }
        return NormalizedReport(
            file: file, format: importer.info, tool: output.tool, findings: merged, diagnostics: Diagnostic.bounded(diagnostics),
            toolReportedError: output.toolReportedError, recordCount: recordCount, scope: output.scope)
    }

    private func readReport(
        _ data: Data, file: String, importer explicit: (any ReportImporter)?, context: ImportContext
    ) async throws -> (any ReportImporter, ImporterOutput) {
        let parsed = try parseSyntax(data, file: file)
        let importer = try explicit ?? detect(parsed, file: file)
        do {
            var output = try await importer.read(parsed, context: context)
            if case .json(let document) = parsed { output.diagnostics += document.outOfRangeDiagnostics }
            return (importer, output)
        } catch let error as ImportError {
            throw ImportError(file: file, kind: error.kind, reason: error.reason)
        }
    }
}

extension ImportError {
    static func content(_ reason: String, at position: String? = nil) -> ImportError {
        ImportError(file: "", kind: .invalidContent(position: position), reason: position.map { "\(reason) (at \($0))" } ?? reason)
    }
}
