import Foundation
import RampartCore

/// Everything the importers can read, after the syntax stage.
package enum ParsedReport: Sendable {
    case json(JSONDocument)
    case xml(XMLElement)
    case csv(CSVTable)
    /// Anything else: line-oriented text.
    case text(TextReport)
    /// A page starting `<!DOCTYPE html` or `<html`.
    case html(HTMLDocument)
    /// A ZIP archive's files (a report handed out zipped), inflated.
    case archive(ZIPArchive)

    package var jsonRoot: JSONNode? {
        if case .json(let document) = self { return document.root }
        return nil
    }

    package var html: HTMLDocument? {
        if case .html(let document) = self { return document }
        return nil
    }

    package var xmlRoot: XMLElement? {
        if case .xml(let root) = self { return root }
        return nil
    }

    package var csvTable: CSVTable? {
        if case .csv(let table) = self { return table }
        return nil
    }

    package var text: TextReport? {
        if case .text(let text) = self { return text }
        return nil
    }

    package var archive: ZIPArchive? {
        if case .archive(let archive) = self { return archive }
        return nil
    }
}

/// The syntax a format is written in: JSON covers JSON Lines and SARIF.
public enum ReportSyntax: String, Sendable, Codable { case json, xml, csv, text, html, zip }

/// A supported report format, as `rampart formats` lists it.
public struct FormatInfo: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var tool: String
    public var category: FindingCategory
    public var syntax: ReportSyntax
    public var notes: String
    /// DefectDojo's names for the scan type (`Trivy Scan`): `--format` accepts them, so that a
    /// pipeline moving over keeps its settings, and the corpus conformance test maps its files by them.
    public var defectDojoScanTypes: [String]
    /// An interchange standard (SARIF, CycloneDX) that many tools write: it rightly reads their reports.
    public var isStandard: Bool

    public init(
        id: String, name: String, tool: String, category: FindingCategory, syntax: ReportSyntax, notes: String,
        defectDojoScanTypes: [String] = [], isStandard: Bool = false
    ) {
        self.id = id
        self.name = name
        self.tool = tool
        self.category = category
        self.syntax = syntax
        self.notes = notes
        self.defectDojoScanTypes = defectDojoScanTypes
        self.isStandard = isStandard
    }
}

extension FormatInfo {
    /// The formats as a Markdown table: `rampart formats --markdown`, and the README's list
    /// (a test keeps the two equal).
    public static func markdownTable(_ formats: [FormatInfo]) -> String {
        func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
        var lines = ["| format | tool | category | syntax | DefectDojo scan type | notes |", "|---|---|---|---|---|---|"]
        for format in formats.sorted(by: { ($0.category.rawValue, $0.id) < ($1.category.rawValue, $1.id) }) {
            let scanTypes = format.defectDojoScanTypes.map { "`\($0)`" }.joined(separator: ", ")
            lines.append(
                "| `\(format.id)` | \(cell(format.tool)) | \(format.category.rawValue) | \(format.syntax.rawValue) | \(scanTypes) | \(cell(format.notes)) |"
            )
        }
        return lines.joined(separator: "\n")
    }
}

/// How sure an importer is that a parsed report is in its format. Detection asks every
/// importer and takes the surest; two equally sure importers are a defect the corpus-wide
/// detection test catches.
package enum DetectionConfidence: Int, Sendable, Comparable {
    /// The shape fits, but other formats share it (an array of objects with common keys).
    case possible = 1
    /// Keys or values only this tool writes.
    case likely = 2
    /// A marker that names the format or tool (SARIF's version and runs, CycloneDX's
    /// `bomFormat`, a schema URL, the tool's name in the report).
    case certain = 3

    package static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
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
    /// The packages an SBOM lists, vulnerable or not; nil for reports that are no inventory.
    /// An SBOM listing nothing gives an empty list, which still replaces the component's packages.
    public var packages: [SBOMPackage]?
    /// The statements of a VEX document, kept to be applied to other tools' findings; nil for
    /// reports that make none.
    public var vexStatements: [VEXStatement]?
    /// What the report says it scanned beyond its findings' locations: a SARIF run's repository,
    /// an SBOM's own component, Trivy's artifact. Auto-link places the report by it.
    public var subject = ReportSubject()

    public init(
        tool: ToolInfo, findings: [Finding] = [], diagnostics: [Diagnostic] = [], toolReportedError: Bool = false, scope: ScanScope = .component,
        packages: [SBOMPackage]? = nil
    ) {
        self.tool = tool
        self.findings = findings
        self.diagnostics = diagnostics
        self.toolReportedError = toolReportedError
        self.scope = scope
        self.packages = packages
    }
}

/// A reader for one report format. Importers are values with no state of their own, internal
/// to this module: the pipeline is the public way in.
package protocol ReportImporter: Sendable {
    var info: FormatInfo { get }
    /// How sure this importer is that the report's content (never its file name) is in its
    /// format; nil when it is not. Runs on every import for every importer: look at the root
    /// and the first record, never at all of them.
    func detect(_ report: ParsedReport) -> DetectionConfidence?
    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput
    /// Where the format carries reported secrets (see `SecretFields`); nil for formats that
    /// never do. The planted-secret test requires a template fixture for each format that does.
    var secretFields: [SecretFields] { get }
}

extension ReportImporter {
    package var secretFields: [SecretFields] { [] }
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
    /// The packages an SBOM lists (see `ImporterOutput.packages`).
    public var packages: [SBOMPackage]? = nil
    /// The statements of a VEX document (see `ImporterOutput.vexStatements`).
    public var vexStatements: [VEXStatement]? = nil
    /// What the importer declared the report scanned (see `ImporterOutput.subject`).
    public var declaredSubject = ReportSubject()

    /// What the report names as scanned: the importer's declaration completed with the
    /// findings' locations (see `ReportSubject`). Made when asked, for placement only: an
    /// import into a named component never walks its findings for it.
    public var subject: ReportSubject { ReportSubject(declared: declaredSubject, findings: findings, scopeTarget: scope.target) }
}

/// Bytes in, normalized findings and diagnostics out: syntax, then format detection, then the
/// format's importer, then identity (fingerprints and in-report deduplication).
public struct ImportPipeline: Sendable {
    package let importers: [any ReportImporter]
    public var maxFileSize: Int

    public init(maxFileSize: Int = 1 << 30) {
        self.init(importers: ImporterRegistry.all, maxFileSize: maxFileSize)
    }

    package init(importers: [any ReportImporter], maxFileSize: Int = 1 << 30) {
        self.importers = importers
        self.maxFileSize = maxFileSize
    }

    /// Every format, as `rampart formats` lists it.
    public var formats: [FormatInfo] { importers.map(\.info) }

    package func parseSyntax(_ data: Data, file: String) async throws -> ParsedReport {
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
        if ZIPArchive.looksLikeZIP(data) {
            do {
                return .archive(try ZIPArchive(data, maxInflated: maxFileSize))
            } catch {
                throw ImportError(file: file, kind: .syntax(position: "the archive"), reason: error.description)
            }
        }
        var first: UInt8 = 0
        for byte in data.prefix(4096)
        where byte != 0x20 && byte != 0x0A && byte != 0x0D && byte != 0x09 && byte != 0xEF && byte != 0xBB && byte != 0xBF {
            first = byte
            break
        }
        switch first {
        case 0x3C:  // <
            if Self.isHTMLPage(data) { return .html(HTMLReader.parse(data)) }
            do {
                return .xml(try await XMLReader.parseConcurrently(data).root)
            } catch let error as XMLSyntaxError {
                throw ImportError(file: file, kind: .syntax(position: "line \(error.line), column \(error.column)"), reason: error.description)
            }
        case 0x7B, 0x5B:  // { [
            do {
                return .json(try JSONDocument(data: data, allowMultipleRoots: true))
            } catch let error as JSONSyntaxError {
                // Logs whose lines start with a `[hh:mm:ss]` stamp (Rootkit Hunter's) are text,
                // not broken JSON, when a text format claims them.
                let text = ParsedReport.text(TextReport(data))
                if first == 0x5B, !candidates(for: text).isEmpty { return text }
                throw ImportError(file: file, kind: .syntax(position: "line \(error.line), column \(error.column)"), reason: error.description)
            }
        case 0:
            throw ImportError(file: file, kind: .unknownFormat, reason: "the file is empty, so its format cannot be detected; name it with --format")
        default:
            guard CSVReader.looksLikeCSV(data) else { return .text(TextReport(data)) }
            let table: CSVTable
            do {
                table = try await CSVReader.parseConcurrently(data)
            } catch let error as CSVSyntaxError {
                // Text whose first line holds a separator may not be valid CSV further down.
                let text = ParsedReport.text(TextReport(data))
                if !candidates(for: text).isEmpty { return text }
                throw ImportError(file: file, kind: .syntax(position: "line \(error.line), column \(error.column)"), reason: error.description)
            }
            // A first line that splits at commas does not make a table: a report no CSV format
            // claims but a text format does is that text (YARA's match lines with metadata).
            let csv = ParsedReport.csv(table)
            if candidates(for: csv).isEmpty {
                let text = ParsedReport.text(TextReport(data))
                if !candidates(for: text).isEmpty { return text }
            }
            return csv
        }
    }

    /// An HTML document: `<!DOCTYPE html` or `<html` before anything else but comments.
    static func isHTMLPage(_ data: Data) -> Bool {
        let head = String(decoding: data.prefix(1024), as: UTF8.self).lowercased()
        var rest = head.drop { $0.isWhitespace || $0 == "\u{FEFF}" }
        while rest.hasPrefix("<!--"), let end = rest.range(of: "-->") { rest = rest[end.upperBound...].drop(while: \.isWhitespace) }
        return rest.hasPrefix("<!doctype html") || rest.hasPrefix("<html")
    }

    /// Empty, whitespace only, or a bare JSON `null`.
    static func isBlankReport(_ data: Data) -> Bool {
        let text = data.prefix(64).filter { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        return data.count < 64 && (text.isEmpty || text.elementsEqual("null".utf8))
    }

    var supportedList: String {
        "supported formats: " + importers.map(\.info.id).joined(separator: ", ")
    }

    /// Each importer that recognizes the report, surest first (registry order among equals).
    package func candidates(for report: ParsedReport) -> [(importer: any ReportImporter, confidence: DetectionConfidence)] {
        let claims = importers.enumerated().compactMap { index, importer in
            importer.detect(report).map { (index: index, importer: importer, confidence: $0) }
        }
        return claims.sorted { $0.confidence != $1.confidence ? $0.confidence > $1.confidence : $0.index < $1.index }.map {
            ($0.importer, $0.confidence)
        }
    }

    /// The surest importer, and the others exactly as sure (a detection defect, reported as a
    /// warning naming `--format`).
    package func detect(_ report: ParsedReport, file: String) throws -> (importer: any ReportImporter, alsoClaimedBy: [FormatInfo]) {
        let claims = candidates(for: report)
        if let best = claims.first {
            return (best.importer, claims.dropFirst().filter { $0.confidence == best.confidence }.map(\.importer.info))
        }
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
        case .csv(let table):
            seen = "a CSV table with columns [\(table.header.names.prefix(8).joined(separator: ", "))]"
        case .text(let text):
            // Not quoted: a report's text may hold a secret, and errors are printed and logged.
            seen = "plain text, neither JSON, XML nor CSV (\(text.lines.count) lines)"
        case .archive(let archive):
            seen = "a ZIP archive of \(archive.entries.count) file(s)"
        case .html:
            throw ImportError(
                file: file, kind: .unknownFormat,
                reason: "the file is an HTML page, a report for people to read; export the tool's JSON, XML or CSV report instead (\(supportedList))")
        }
        throw ImportError(file: file, kind: .unknownFormat, reason: "unrecognized report format: saw \(seen); \(supportedList)")
    }

    /// The format named by its id or by one of DefectDojo's scan type names, in any case.
    public func format(named name: String) -> FormatInfo? { importer(forFormat: name)?.info }

    /// The importer of the format named by its id or by one of DefectDojo's scan type names, in any case.
    package func importer(forFormat name: String) -> (any ReportImporter)? {
        let wanted = name.lowercased()
        return importers.first { $0.info.id == wanted } ?? importers.first { $0.info.defectDojoScanTypes.contains { $0.lowercased() == wanted } }
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
        var (importer, ambiguity, output) = try await readReport(data, file: file, importer: explicit, context: context)
        var diagnostics = output.diagnostics
        if !ambiguity.isEmpty {
            diagnostics.insert(
                Diagnostic(
                    "the content also fits \(ambiguity.map(\.id).joined(separator: ", ")) equally well; read as \(importer.info.id) (name the format with --format)"
                ), at: 0)
        }
        var records = output.findings
        output.findings = []
        // Secrets are hidden before anything else sees the findings: identity hashes the secret,
        // never the text.
        for index in records.indices {
            SecretRedaction.revealQuotedCredential(&records[index])
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
            toolReportedError: output.toolReportedError, recordCount: recordCount, scope: output.scope, packages: output.packages,
            vexStatements: output.vexStatements, declaredSubject: output.subject)
    }

    private func readReport(
        _ data: Data, file: String, importer explicit: (any ReportImporter)?, context: ImportContext
    ) async throws -> (any ReportImporter, [FormatInfo], ImporterOutput) {
        let parsed = try await parseSyntax(data, file: file)
        let (importer, ambiguity) = try explicit.map { ($0, []) } ?? detect(parsed, file: file)
        do {
            var output = try await importer.read(parsed, context: context)
            if case .json(let document) = parsed { output.diagnostics += document.outOfRangeDiagnostics }
            return (importer, ambiguity, output)
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
