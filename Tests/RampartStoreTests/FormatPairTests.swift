import Foundation
import RampartCore
import RampartImporters
import RampartIngest
import RampartSQLite
import RampartStore
import Testing

/// Real scans written in two formats by one run of each tool (examples/reports/pairs, made
/// as examples/README.md says): the second format is a rescan of the first, with nothing new
/// and nothing fixed, and each finding normalizes the same way from both.
@Suite("One scan in two formats")
struct FormatPairTests {
    static let pairs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/reports/pairs")

    static let cases: [(first: String, second: String)] = [
        ("bandit.json", "bandit.sarif"), ("checkov.json", "checkov.sarif"), ("checkov.json", "checkov.cdx.xml"),
        ("trivy-config.json", "trivy-config.sarif"), ("trivy-secret.json", "trivy-secret.sarif"), ("gitleaks.json", "gitleaks.sarif"),
        ("semgrep.json", "semgrep.sarif"), ("zizmor.json", "zizmor.sarif"), ("shellcheck.json", "shellcheck.checkstyle.xml"),
        ("hadolint.json", "hadolint.checkstyle.xml"), ("hadolint.json", "hadolint.codeclimate.json"),
    ]

    @Test("the same scan imported in its other format changes nothing", arguments: cases)
    func secondFormatIsARescan(first: String, second: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-pairs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: directory.appendingPathComponent("pairs.db").path)
        let ingestor = Ingestor(store: store)
        let context = ImportContext(secretSalt: try await store.secretKey())
        let target = ImportTarget(application: "orders", component: "orders-api")
        let before = try await ingestor.importFile(path: Self.pairs.appendingPathComponent(first).path, target: target, context: context, at: epoch)
        let after = try await ingestor.importFile(
            path: Self.pairs.appendingPathComponent(second).path, target: target, context: context, at: epoch + 60)
        #expect(before.stream == after.stream)
        #expect(before.outcome.findings > 0)
        // Checkov's CycloneDX lacks the (masked) line of its one secret finding, which is that
        // finding's identity (docs/fingerprints.md): it is the only difference.
        let differing = second == "checkov.cdx.xml" ? 1 : 0
        #expect(
            (after.outcome.new, after.outcome.fixed, after.outcome.unchanged) == (differing, differing, before.outcome.findings - differing),
            "\(second) after \(first)")
    }

    @Test("each finding has the same category, severity, CWEs and path from either format", arguments: cases)
    func sameNormalization(first: String, second: String) async throws {
        let pipeline = ImportPipeline()
        let context = ImportContext(secretSalt: Array("pairs".utf8))
        func read(_ name: String) async throws -> [String: Finding] {
            let data = try Data(contentsOf: Self.pairs.appendingPathComponent(name))
            let report = try await pipeline.normalize(data, file: name, context: context)
            return Dictionary(report.findings.map { ($0.fingerprint, $0) }, uniquingKeysWith: { a, _ in a })
        }
        let one = try await read(first)
        let other = try await read(second)
        // Checkov's CycloneDX lacks the (masked) line of its secret finding, and so its identity.
        let expectedCommon = second == "checkov.cdx.xml" ? one.count - 1 : one.count
        #expect(Set(one.keys).intersection(other.keys).count == expectedCommon)
        for (fingerprint, finding) in one {
            guard let twin = other[fingerprint] else { continue }
            #expect(finding.category == twin.category, "\(finding.ruleID)")
            #expect(finding.severity == twin.severity, "\(finding.ruleID): \(finding.severity) vs \(twin.severity)")
            #expect(finding.cwes == twin.cwes, "\(finding.ruleID)")
            #expect(finding.location.filePath == twin.location.filePath, "\(finding.ruleID)")
        }
    }
}
