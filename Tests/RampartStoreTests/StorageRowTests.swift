import Foundation
import RampartCore
import Testing

@testable import RampartStore

/// A rescan rewrites a stored row only when its hash moved, and hashes are read from the model
/// without rendering the row's texts: a field a row stores but its hash missed would leave the
/// stored value stale after a rescan. Each case changes one field a row stores.
@Suite("Storage row hashes")
struct StorageRowTests {
    static let base = Finding(
        category: .sca, tool: ToolInfo(name: "trivy"), ruleID: "CVE-2021-23337", title: "lodash command injection",
        description: "Command injection via template.", toolSeverity: "HIGH", severity: .high, confidence: .medium, cwes: [77],
        vulnerabilityIDs: .parsing(["CVE-2021-23337", "GHSA-35jh-r3h4-6jhm"]),
        cvss: [CVSSScore(vector: "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", score: 7.2, source: "nvd")!],
        location: .package(
            PackageLocation(
                purl: PackageURL(parsing: "pkg:npm/lodash@4.17.15"), name: "lodash", version: "4.17.15", ecosystem: "npm",
                fixedVersions: ["4.17.21"], relation: .direct, manifestPath: "package-lock.json")),
        remediation: "Upgrade lodash to 4.17.21", references: ["https://nvd.nist.gov/vuln/detail/CVE-2021-23337"], tags: ["status:fixed"],
        suppression: Suppression(kind: .external, justification: "tracked"), raw: RawEvidence(format: "json", bytes: Data(#"{"a":1}"#.utf8)))

    static func hashes(_ finding: Finding) -> [Int64] {
        let row = StorageRow(finding, report: UnsafeRawBufferPointer(start: nil, count: 0), withText: false)
        return [row.locationHash, row.listingHash, row.detailHash]
    }

    static let changes: [(String, @Sendable (inout Finding) -> Void)] = [
        ("category", { $0.category = .container }), ("rule", { $0.ruleID = "CVE-2021-0001" }), ("title", { $0.title = "other" }),
        ("severity", { $0.severity = .critical }), ("tool severity", { $0.toolSeverity = "CRITICAL" }),
        ("confidence", { $0.confidence = .high }), ("cwe", { $0.cwes = [78] }), ("alias", { $0.vulnerabilityIDs = .parsing(["CVE-2021-23337"]) }),
        ("cvss vector", { $0.cvss = [CVSSScore(vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", score: 7.2, source: "nvd")!] }),
        ("cvss score", { $0.cvss = [CVSSScore(vector: "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", score: 7.3, source: "nvd")!] }),
        ("cvss source", { $0.cvss = [CVSSScore(vector: "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", score: 7.2, source: "ghsa")!] }),
        ("secret", { $0.secret = SecretEvidence(saltedHash: "h", preview: "AK…") }), ("description", { $0.description = "other" }),
        ("remediation", { $0.remediation = nil }), ("reference", { $0.references.append("https://example.com") }),
        ("tag", { $0.tags = ["status:affected"] }), ("suppression kind", { $0.suppression = Suppression(kind: .accepted, justification: "tracked") }),
        ("suppression reason", { $0.suppression = Suppression(kind: .external, justification: "other") }),
        ("no suppression", { $0.suppression = nil }), ("occurrences", { $0.occurrences = 2 }),
        ("evidence format", { $0.raw = RawEvidence(format: "xml", bytes: Data(#"{"a":1}"#.utf8)) }),
        ("evidence copy", { $0.raw = RawEvidence(format: "json", bytes: Data(#"{"a":2}"#.utf8)) }),
        (
            "manifest",
            {
                $0.location = .package(
                    PackageLocation(
                        purl: PackageURL(parsing: "pkg:npm/lodash@4.17.15"), name: "lodash", version: "4.17.15", ecosystem: "npm",
                        fixedVersions: ["4.17.21"], relation: .direct, manifestPath: "web/package-lock.json"))
            }
        ),
        (
            "fixed versions",
            {
                $0.location = .package(
                    PackageLocation(
                        purl: PackageURL(parsing: "pkg:npm/lodash@4.17.15"), name: "lodash", version: "4.17.15", ecosystem: "npm",
                        fixedVersions: ["4.17.21", "5.0.0"], relation: .direct, manifestPath: "package-lock.json"))
            }
        ),
    ]

    @Test("changing any stored field moves a hash", arguments: changes.map(\.0))
    func everyFieldIsHashed(field: String) {
        var changed = Self.base
        Self.changes.first { $0.0 == field }!.1(&changed)
        #expect(Self.hashes(changed) != Self.hashes(Self.base))
    }

    @Test("a new position (a bumped version) moves no hash: the sighting takes it")
    func positionIsNotHashed() {
        var bumped = Self.base
        bumped.location = .package(
            PackageLocation(
                purl: PackageURL(parsing: "pkg:npm/lodash@4.17.20"), name: "lodash", version: "4.17.20", ecosystem: "npm", fixedVersions: ["4.17.21"],
                relation: .direct, manifestPath: "package-lock.json"))
        #expect(Self.hashes(bumped) == Self.hashes(Self.base))
        let row = StorageRow(bumped, report: UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(row.position.contains("4.17.20") && row.columns.componentVersion == "4.17.20")
    }
}
