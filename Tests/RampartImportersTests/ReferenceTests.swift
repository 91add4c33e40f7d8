import Foundation
import RampartCore
import Testing

@testable import RampartImporters

/// Reference tests: each importer folder's `Fixtures/` (real scanner output, or a small file
/// following the tool's documented schema) holds reports and, beside each, `<report>.expected.json`:
/// the report imported with format detection and rendered as normalized JSON. Tests find them
/// there; nothing lists them. Set RAMPART_RECORD_REFERENCES=1 to rewrite the expectations after
/// a deliberate change, then review the diff (the detected format is part of it).
@Suite("Importer reference tests")
struct ReferenceTests {
    static let importers = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/RampartImporters")

    /// "Folder/report" for every reference report (planted-secret templates are the store tests').
    static var fixtureNames: [String] {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: importers.path)) ?? []
        return folders.flatMap { folder -> [String] in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: importers.appendingPathComponent("\(folder)/Fixtures").path)) ?? []
            return names.filter { !$0.hasSuffix(".expected.json") && !$0.contains(".planted.") && !$0.hasPrefix(".") }.map { "\(folder)/\($0)" }
        }.sorted()
    }

    static func url(_ name: String) -> URL {
        let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
        return importers.appendingPathComponent("\(parts[0])/Fixtures/\(parts[1])")
    }

    static func expectedURL(_ name: String) -> URL { url(name).appendingPathExtension("expected.json") }

    static func normalize(_ name: String) async throws -> NormalizedReport {
        let data = try Data(contentsOf: url(name))
        return try await ImportPipeline().normalize(
            data, file: String(name.split(separator: "/").last!), context: ImportContext(secretSalt: Array("reference-salt".utf8)))
    }

    /// A stable, reviewable rendering of a normalized report.
    static func render(_ report: NormalizedReport) throws -> String {
        func parse(_ json: String) -> Any { (try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])) ?? json }
        let findings: [[String: Any]] = report.findings.map { finding in
            var object: [String: Any] = [
                "category": finding.category.rawValue, "rule_id": finding.ruleID, "title": finding.title, "severity": finding.severity.rawValue,
                "cwes": finding.cwes, "vulnerability_ids": finding.vulnerabilityIDs.map(\.value), "location": parse(finding.location.jsonText),
                "fingerprint": finding.fingerprint, "occurrences": finding.occurrences, "tags": finding.tags,
                "references": finding.references, "cvss": finding.cvss.map { parse($0.jsonText) },
            ]
            object["description"] = finding.description.map { String($0.prefix(300)) }
            object["tool_severity"] = finding.toolSeverity
            object["confidence"] = finding.confidence?.rawValue
            object["remediation"] = finding.remediation.map { String($0.prefix(200)) }
            object["suppression"] = finding.suppression.map { parse($0.jsonText) }
            object["secret"] = finding.secret.map { ["salted_hash": $0.saltedHash, "preview": $0.preview] }
            object["raw_sha256"] = finding.raw.map { Hashing.sha256Hex($0.bytes) }
            object["exploit_maturity"] = finding.exploitMaturity?.rawValue
            return object
        }
        var document: [String: Any] = [
            "format": report.format.id, "tool": report.tool.name, "tool_version": report.tool.version ?? NSNull(),
            "tool_id": ToolIdentity.canonicalID(report.tool.name), "scope": ["kind": report.scope.kind, "target": report.scope.target],
            "tool_reported_error": report.toolReportedError, "record_count": report.recordCount,
            "diagnostics": report.diagnostics.map(\.description), "findings": findings,
        ]
        if let packages = report.packages {
            document["packages"] = packages.map { package -> [String: Any] in
                [
                    "name": package.name, "version": package.version ?? NSNull(), "purl": package.purl?.description ?? NSNull(),
                    "licenses": package.licenses, "relation": package.relation?.rawValue ?? NSNull(),
                ]
            }
        }
        if let statements = report.vexStatements {
            document["vex_statements"] = statements.map { statement -> [String: Any] in
                [
                    "vulnerabilities": statement.vulnerabilities.map(\.value), "products": statement.products.map(\.description),
                    "product_names": statement.productNames, "status": statement.status.rawValue,
                    "justification": statement.justification ?? NSNull(), "detail": statement.detail ?? NSNull(),
                ]
            }
        }
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Fixtures that hold one scan in two of its tool's formats (real output in
    /// examples/reports/pairs has its own store test): each finding comes out the same.
    static let formatTwins: [(String, String)] = [("PHPCodeSniffer/phpcs-security-audit.json", "Checkstyle/phpcs.checkstyle.xml")]

    @Test("a tool's scan read from its Checkstyle report gives the findings its own format gives", arguments: formatTwins)
    func formatTwin(first: String, second: String) async throws {
        let one = try await Self.normalize(first)
        let other = try await Self.normalize(second)
        #expect(one.tool.name == other.tool.name)
        func summary(_ report: NormalizedReport) -> [String: String] {
            Dictionary(
                report.findings.map {
                    ($0.fingerprint, "\($0.ruleID) \($0.severity) \($0.cwes) \($0.location.filePath ?? "") \($0.location.line ?? 0)")
                },
                uniquingKeysWith: { first, _ in first })
        }
        #expect(summary(one) == summary(other))
        #expect(!one.findings.isEmpty)
    }

    @Test("each fixture is detected, unambiguously, as the format its reviewed expectation names", arguments: fixtureNames)
    func detection(name: String) async throws {
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.expectedURL(name))) as? [String: Any]
        let format = try #require(expected?["format"] as? String, "\(name).expected.json names no format")
        let pipeline = ImportPipeline()
        let claims = pipeline.candidates(for: try await pipeline.parseSyntax(Data(contentsOf: Self.url(name)), file: name))
        #expect(claims.first?.importer.info.id == format)
        let rivals = claims.dropFirst().filter { $0.confidence == claims.first?.confidence }.map(\.importer.info.id)
        #expect(rivals.isEmpty, "\(name) is claimed as surely by \(rivals)")
    }

    @Test("normalized output matches the reviewed reference", arguments: fixtureNames)
    func reference(name: String) async throws {
        let rendered = try Self.render(try await Self.normalize(name))
        if ProcessInfo.processInfo.environment["RAMPART_RECORD_REFERENCES"] == "1" {
            try Data(rendered.utf8).write(to: Self.expectedURL(name))
            return
        }
        let expected = try String(contentsOf: Self.expectedURL(name), encoding: .utf8)
        #expect(rendered == expected, "\(name) differs from its .expected.json; rerun with RAMPART_RECORD_REFERENCES=1 and review the diff")
    }

    @Test("every format has a reference fixture in its importer's folder")
    func everyFormatHasAFixture() throws {
        var covered: Set<String> = []
        for name in Self.fixtureNames {
            let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.expectedURL(name))) as? [String: Any]
            if let format = expected?["format"] as? String { covered.insert(format) }
        }
        let missing = ImportPipeline().formats.map(\.id).filter { !covered.contains($0) }
        #expect(missing.isEmpty, "formats without a reference fixture: \(missing)")
    }
}

@Suite("Format list")
struct FormatListTests {
    @Test("the README's format list is the one `rampart formats --markdown` prints")
    func readmeListIsCurrent() throws {
        let readme = ReferenceTests.importers.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let begin = "<!-- formats:begin -->\n"
        let end = "<!-- formats:end -->"
        let start = try #require(text.range(of: begin), "README.md lacks \(begin)")
        let stop = try #require(text.range(of: end, range: start.upperBound..<text.endIndex), "README.md lacks \(end)")
        let expected = FormatInfo.markdownTable(ImportPipeline().formats) + "\n"
        if ProcessInfo.processInfo.environment["RAMPART_RECORD_REFERENCES"] == "1" {
            try (text[..<start.upperBound] + expected + text[stop.lowerBound...]).write(to: readme, atomically: true, encoding: .utf8)
            return
        }
        #expect(
            String(text[start.upperBound..<stop.lowerBound]) == expected,
            "README.md's format list is stale: rerun with RAMPART_RECORD_REFERENCES=1 (or paste `rampart formats --markdown`)")
    }

    @Test("a format is named by its id or by DefectDojo's scan type name, in any case")
    func namedFormats() {
        let pipeline = ImportPipeline()
        #expect(pipeline.format(named: "TRIVY-JSON")?.id == "trivy-json")
        #expect(pipeline.format(named: "trivy scan")?.id == "trivy-json")
        #expect(pipeline.format(named: "Anchore Grype detailed")?.id == "grype-json")
        #expect(pipeline.format(named: "Nessus Scan") == nil)
    }

    @Test("two formats equally sure of a report: the first reads it, and the import says so")
    func ambiguityIsReported() async throws {
        // The registry has no such pair (the corpus detection test sees to it): the same importer twice stands in.
        let pipeline = ImportPipeline(importers: [NucleiImporter(), TrivyImporter(), NucleiImporter()])
        let report = try await pipeline.normalize(
            Data(#"{"template-id": "tech-detect", "info": {"name": "x", "severity": "info"}, "host": "https://a.example"}"#.utf8), file: "r.json",
            context: ImportContext(secretSalt: [1]))
        #expect(report.format.id == "nuclei-json")
        #expect(report.diagnostics.first?.message.contains("also fits nuclei-json equally well") == true)
    }
}
