import Foundation
import RampartCore
import Testing

@testable import RampartImporters

/// Reference tests: each fixture in Fixtures/ (real scanner output or a small file following the
/// tool's documented schema) is imported with format detection, rendered as normalized JSON and
/// compared with `<fixture>.expected.json`. Set RAMPART_RECORD_REFERENCES=1 to rewrite the
/// expectations after a deliberate change, then review the diff.
@Suite("Importer reference tests")
struct ReferenceTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static var fixtureNames: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? []
        return names.filter { !$0.hasSuffix(".expected.json") && !$0.hasPrefix(".") }.sorted()
    }

    static let expectedFormats: [String: String] = [
        "bandit-real.json": "bandit-json", "semgrep-real.json": "semgrep-json", "semgrep-real.sarif": "sarif", "checkov-real.json": "checkov-json",
        "checkov-real.sarif": "sarif", "trivy-image.json": "trivy-json", "grype-image.json": "grype-json", "gitleaks-v8.json": "gitleaks-json",
        "gitleaks-v7.json": "gitleaks-json", "zap.json": "zap-json", "zap.xml": "zap-xml", "dependency-check.json": "dependency-check-json",
        "dependency-check.xml": "dependency-check-xml", "npm-audit-v6.json": "npm-audit-json", "npm-audit-v7.json": "npm-audit-json",
        "osv-scanner.json": "osv-scanner-json", "pip-audit.json": "pip-audit-json", "nuclei.jsonl": "nuclei-json",
        "cyclonedx-vex.json": "cyclonedx-json", "cyclonedx-vex.xml": "cyclonedx-xml", "codeql.sarif": "sarif",
    ]

    static func normalize(_ name: String) async throws -> NormalizedReport {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(name))
        return try await ImportPipeline().normalize(data, file: name, context: ImportContext(secretSalt: Array("reference-salt".utf8)))
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
            return object
        }
        let document: [String: Any] = [
            "format": report.format.id, "tool": report.tool.name, "tool_version": report.tool.version ?? NSNull(),
            "tool_id": ToolIdentity.canonicalID(report.tool.name), "scope": ["kind": report.scope.kind, "target": report.scope.target],
            "tool_reported_error": report.toolReportedError, "record_count": report.recordCount,
            "diagnostics": report.diagnostics.map(\.description), "findings": findings,
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    @Test("every fixture has a known format", arguments: fixtureNames)
    func detection(name: String) async throws {
        let expected = try #require(Self.expectedFormats[name], "add \(name) to expectedFormats")
        #expect(try await Self.normalize(name).format.id == expected)
    }

    @Test("normalized output matches the reviewed reference", arguments: fixtureNames)
    func reference(name: String) async throws {
        let rendered = try Self.render(try await Self.normalize(name))
        let expectedURL = Self.fixtures.appendingPathComponent(name + ".expected.json")
        if ProcessInfo.processInfo.environment["RAMPART_RECORD_REFERENCES"] == "1" {
            try Data(rendered.utf8).write(to: expectedURL)
            return
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(rendered == expected, "\(name) differs from \(name).expected.json; rerun with RAMPART_RECORD_REFERENCES=1 and review the diff")
    }
}

@Suite("Secret handling in importers")
struct SecretHandlingTests {
    @Test(
        "secret values appear in no finding field and no kept record",
        arguments: [
            ("trivy-image.json", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"), ("gitleaks-v8.json", "AKIAZZZZZZZZZZZZZZZZ"),
            ("gitleaks-v7.json", "s3cr3t-passw0rd-value"),
            // Code scanners' hard-coded credential findings quote the credential.
            ("bandit-real.json", "hunter2-prod-password"), ("bandit-real.json", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            ("semgrep-real.sarif", "hunter2-prod-password"),
        ])
    func redacted(name: String, secret: String) async throws {
        let report = try await ReferenceTests.normalize(name)
        let secrets = report.findings.filter { $0.secret != nil }
        #expect(!secrets.isEmpty)
        for finding in secrets {
            let raw = String(decoding: finding.raw?.bytes ?? Data(), as: UTF8.self)
            #expect(!raw.contains(secret))
            #expect(!(finding.description ?? "").contains(secret))
            #expect(!finding.title.contains(secret))
            #expect(!finding.location.jsonText.contains(secret))
        }
        // No finding of the report, secret or not, shows it.
        for finding in report.findings {
            let record = String(decoding: finding.raw?.bytes ?? Data(), as: UTF8.self)
            #expect(!record.contains(secret))
            let texts = finding.title + "\n" + (finding.description ?? "")
            #expect(!texts.contains(secret))
        }
    }
}
