import Foundation
import GRDB
import RampartCore
import RampartStore
import Testing

@testable import RampartSQLite

/// Every Store implementation must pass these. Backends are listed in `StoreBackend.all`;
/// PostgreSQL joins when its implementation lands.
struct StoreBackend: CustomTestStringConvertible, Sendable {
    var name: String
    var make: @Sendable () throws -> any Store

    var testDescription: String { name }

    static let all: [StoreBackend] = [
        StoreBackend(name: "SQLite in memory") { try SQLiteStore.inMemory() },
        StoreBackend(name: "SQLite file (WAL)") {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-store-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return try SQLiteStore(path: directory.appendingPathComponent("test.db").path)
        },
    ]
}

let epoch = Date(timeIntervalSince1970: 1_790_000_000)

func codeFinding(_ rule: String, file: String = "app.py", line: Int, snippet: String, severity: Severity = .high) -> Finding {
    Finding(
        category: .sast, tool: ToolInfo(name: "Semgrep"), ruleID: rule, title: "\(rule) issue", severity: severity,
        cwes: [89], location: .code(CodeLocation(file: file, startLine: line, snippet: snippet)),
        raw: RawEvidence(format: "json", bytes: Data("{\"rule\":\"\(rule)\",\"line\":\(line)}".utf8)))
}

func submission(
    _ findings: [Finding], stream: StreamKey = StreamKey(application: "shop", component: "api", tool: "Semgrep"), content: String,
    toolError: Bool = false, allowEmpty: Bool = false, at date: Date = epoch
) async -> ScanSubmission {
    ScanSubmission(
        stream: stream, fileName: "report.json", contentSHA256: Hashing.sha256Hex(content), byteCount: content.utf8.count, format: "semgrep-json",
        tool: ToolInfo(name: stream.tool), findings: await FindingIdentity.assign(findings), recordCount: findings.count, diagnostics: [],
        toolReportedError: toolError, allowEmpty: allowEmpty, importedAt: date, actor: "test")
}

@Suite("Store conformance")
struct StoreConformanceTests {
    @Test("a first import records every finding as new", arguments: StoreBackend.all)
    func firstImport(backend: StoreBackend) async throws {
        let store = try backend.make()
        let outcome = try await store.record(
            submission([codeFinding("sqli", line: 3, snippet: "q1"), codeFinding("xss", line: 9, snippet: "q2")], content: "one"))
        #expect((outcome.findings, outcome.new, outcome.unchanged, outcome.fixed) == (2, 2, 0, 0))
        let findings = try await store.findings(FindingQuery())
        #expect(findings.count == 2)
        #expect(findings.allSatisfy { $0.status == .new && $0.application == "shop" && $0.component == "api" })
        #expect(findings.first?.cwes == [89])
    }

    /// A report of `count` JSON records, each long enough that some straddle the archive's
    /// chunks, and findings whose evidence are slices of it, as the JSON importers hand them out.
    static func archivedReport(count: Int) async -> (report: Data, records: [String], submission: ScanSubmission) {
        let records = (0..<count).map { index in
            #"{"rule":"r\#(index)","line":\#(index),"note":"\#(String(repeating: "n", count: 400 + index % 97))"}"#
        }
        let report = Data(("[\n" + records.joined(separator: ",\n") + "\n]").utf8)
        var findings: [Finding] = []
        var offset = 2
        for (index, record) in records.enumerated() {
            let length = record.utf8.count
            var finding = codeFinding("r\(index)", line: index + 1, snippet: "s\(index)")
            finding.raw = RawEvidence(format: "json", bytes: report[offset..<(offset + length)])
            findings.append(finding)
            offset += length + 2
        }
        var archived = await submission(findings, content: String(decoding: report, as: UTF8.self))
        archived.report = report
        return (report, records, archived)
    }

    @Test("the imported report is kept: it comes back byte for byte, and so does every finding's record", arguments: StoreBackend.all)
    func reportArchive(backend: StoreBackend) async throws {
        let store = try backend.make()
        let (report, records, archived) = await Self.archivedReport(count: 1_500)
        #expect(report.count > 2 * ReportArchive.chunkSize)
        let outcome = try await store.record(archived)
        #expect(try await store.report(scanID: outcome.scanID) == report)
        let expected = Dictionary(uniqueKeysWithValues: records.enumerated().map { ("r\($0.offset)", $0.element) })
        for finding in try await store.findings(FindingQuery()) {
            let evidence = try #require(try await store.evidence(findingID: finding.id))
            #expect(String(decoding: evidence, as: UTF8.self) == expected[finding.ruleID])
        }
    }

    @Test("a report holding secret findings is not kept; its findings keep their own redacted records", arguments: StoreBackend.all)
    func secretReportNotArchived(backend: StoreBackend) async throws {
        let store = try backend.make()
        var secret = codeFinding("aws-key", line: 3, snippet: "key = [redacted]")
        secret.secret = SecretEvidence(secret: "AKIAQWERTYUIOPASDF12", salt: [1, 2, 3])
        secret.raw = RawEvidence(format: "json", bytes: Data(#"{"Secret":"AKIA…(20 chars)"}"#.utf8))
        var leaking = await submission([secret], content: "leak")
        leaking.report = Data(#"[{"Secret":"AKIAQWERTYUIOPASDF12"}]"#.utf8)
        let outcome = try await store.record(leaking)
        #expect(try await store.report(scanID: outcome.scanID) == nil)
        let finding = try #require(try await store.findings(FindingQuery()).first)
        #expect(try await store.evidence(findingID: finding.id) == Data(#"{"Secret":"AKIA…(20 chars)"}"#.utf8))
    }

    @Test("the same content imported twice into a stream is a no-op", arguments: StoreBackend.all)
    func duplicateContent(backend: StoreBackend) async throws {
        let store = try backend.make()
        let first = try await store.record(submission([codeFinding("sqli", line: 3, snippet: "q1")], content: "same"))
        let second = try await store.record(submission([codeFinding("sqli", line: 3, snippet: "q1")], content: "same", at: epoch + 60))
        #expect(second.duplicateOfScan == first.scanID)
        #expect(try await store.scans(application: nil, limit: nil).count == 1)
        #expect(try await store.findings(FindingQuery()).first?.lastSeen == epoch)
    }

    @Test("a report identical to an older scan is a rescan: reverting reopens what the scan between fixed", arguments: StoreBackend.all)
    func revertToOlderContent(backend: StoreBackend) async throws {
        let store = try backend.make()
        let both = [codeFinding("lodash", line: 1, snippet: "l"), codeFinding("minimist", line: 2, snippet: "m")]
        _ = try await store.record(submission(both, content: "R1"))
        let second = try await store.record(submission([codeFinding("minimist", line: 2, snippet: "m")], content: "R2", at: epoch + 60))
        #expect(second.fixed == 1)
        let third = try await store.record(submission(both, content: "R1", at: epoch + 120))
        #expect(third.duplicateOfScan == nil)
        #expect((third.new, third.unchanged, third.reopened, third.fixed) == (0, 1, 1, 0))
        #expect(try await store.findings(FindingQuery(statuses: [.reopened])).map(\.ruleID) == ["lodash"])
        #expect(try await store.scans(application: nil, limit: nil).count == 3)
        // Only now is the same content a repeat of the latest scan.
        let fourth = try await store.record(submission(both, content: "R1", at: epoch + 180))
        #expect(fourth.duplicateOfScan == third.scanID)
    }

    @Test("scans of one tool with different kinds or targets are different streams and never close each other", arguments: StoreBackend.all)
    func scopedStreams(backend: StoreBackend) async throws {
        let store = try backend.make()
        func key(_ scope: StreamScope, tool: String = "trivy") -> StreamKey {
            StreamKey(application: "shop", component: "api", tool: tool, scope: scope)
        }
        let image = key(.scan(ScanScope(kind: "vulnerability", target: "registry.example/shop/api")))
        let config = key(.scan(ScanScope(kind: "misconfiguration")))
        let sbom = key(.scan(ScanScope(kind: "sbom")))
        _ = try await store.record(submission([codeFinding("CVE-1", line: 1, snippet: "a")], stream: image, content: "image"))
        let configImport = try await store.record(submission([codeFinding("AVD-1", line: 1, snippet: "b")], stream: config, content: "config"))
        let sbomImport = try await store.record(submission([codeFinding("CVE-2", line: 1, snippet: "c")], stream: sbom, content: "sbom"))
        #expect(configImport.fixed == 0 && sbomImport.fixed == 0)
        #expect(try await store.findings(FindingQuery()).count == 3)
        // A rescan of the image closes only what the image scan no longer reports; the tool's
        // name as the report spells it does not matter.
        let rescan = try await store.record(
            submission([], stream: key(image.scope, tool: "Trivy"), content: "image 2", allowEmpty: true, at: epoch + 60))
        #expect(rescan.fixed == 1)
        #expect(try await store.findings(FindingQuery(statuses: [.fixed])).map(\.ruleID) == ["CVE-1"])
        // A stream the user named is its own, whatever the report says.
        let named = try await store.record(
            submission([codeFinding("AVD-1", line: 1, snippet: "b")], stream: key(.named("nightly")), content: "config", at: epoch + 90))
        #expect(named.new == 1 && named.duplicateOfScan == nil)
        let scans = try await store.scans(application: nil, limit: nil)
        #expect(Set(scans.map(\.scope)).count == 4)
        #expect(scans.allSatisfy { $0.tool == "trivy" })
    }

    @Test("a duplicate added above others is the only new finding; the others keep their identity and history", arguments: StoreBackend.all)
    func duplicateAddedAbove(backend: StoreBackend) async throws {
        let store = try backend.make()
        _ = try await store.record(
            submission([codeFinding("sqli", line: 10, snippet: "q"), codeFinding("sqli", line: 50, snippet: "q")], content: "1"))
        let before = try await store.findings(FindingQuery(sort: .firstSeen))
        // A new copy at line 3; the code below moved down by one line.
        let rescan = try await store.record(
            submission(
                [
                    codeFinding("sqli", line: 3, snippet: "q"), codeFinding("sqli", line: 11, snippet: "q"),
                    codeFinding("sqli", line: 51, snippet: "q"),
                ],
                content: "2", at: epoch + 60))
        #expect((rescan.new, rescan.unchanged, rescan.fixed) == (1, 2, 0))
        let after = try await store.findings(FindingQuery())
        #expect(Set(after.map(\.fingerprint)).count == 3)
        for old in before {
            #expect(after.first { $0.id == old.id }?.line == (old.line ?? 0) + 1, "finding \(old.id) followed its code")
            #expect(after.first { $0.id == old.id }?.fingerprint == old.fingerprint)
        }
        #expect(after.first { !before.map(\.id).contains($0.id) }?.line == 3)
    }

    @Test("a rescan that adds a CVE alias to a GHSA-only advisory updates it; dropping the alias again too", arguments: StoreBackend.all)
    func aliasChangeKeepsIdentity(backend: StoreBackend) async throws {
        let store = try backend.make()
        func advisory(_ ids: [String]) -> Finding {
            Finding(
                category: .sca, tool: ToolInfo(name: "osv-scanner"), ruleID: ids[0], title: "django advisory", severity: .high,
                vulnerabilityIDs: .parsing(ids),
                location: .package(
                    PackageLocation(
                        purl: PackageURL(parsing: "pkg:pypi/django@3.2.9"), name: "django", version: "3.2.9", manifestPath: "requirements.txt")))
        }
        let stream = StreamKey(application: "shop", component: "api", tool: "osv-scanner")
        _ = try await store.record(submission([advisory(["GHSA-2345-6789-abcd"]), advisory(["CVE-2020-0001"])], stream: stream, content: "1"))
        let second = try await store.record(
            submission(
                [advisory(["GHSA-2345-6789-abcd", "CVE-2024-1234"]), advisory(["CVE-2020-0001"])], stream: stream, content: "2", at: epoch + 60))
        #expect((second.new, second.unchanged, second.fixed) == (0, 2, 0))
        let third = try await store.record(
            submission([advisory(["GHSA-2345-6789-abcd"]), advisory(["CVE-2020-0001"])], stream: stream, content: "3", at: epoch + 120))
        #expect((third.new, third.unchanged, third.fixed) == (0, 2, 0))
        let findings = try await store.findings(FindingQuery(statuses: []))
        #expect(findings.count == 2)
        #expect(findings.allSatisfy { $0.firstSeen == epoch })
    }

    @Test("a bumped version that leaves the advisory open is the same finding, listed at its new version and purl", arguments: StoreBackend.all)
    func versionBump(backend: StoreBackend) async throws {
        let store = try backend.make()
        func lodash(_ version: String) -> Finding {
            Finding(
                category: .sca, tool: ToolInfo(name: "trivy"), ruleID: "CVE-2021-23337", title: "lodash command injection", severity: .high,
                vulnerabilityIDs: .parsing(["CVE-2021-23337"]),
                location: .package(
                    PackageLocation(
                        purl: PackageURL(parsing: "pkg:npm/lodash@\(version)"), name: "lodash", version: version, manifestPath: "package-lock.json")),
                raw: RawEvidence(format: "json", bytes: Data(#"{"v":"\#(version)"}"#.utf8)))
        }
        let stream = StreamKey(application: "shop", component: "web", tool: "trivy")
        _ = try await store.record(submission([lodash("4.17.15")], stream: stream, content: "1"))
        let rescan = try await store.record(submission([lodash("4.17.20")], stream: stream, content: "2", at: epoch + 60))
        #expect((rescan.new, rescan.unchanged, rescan.fixed) == (0, 1, 0))
        let finding = try #require(try await store.findings(FindingQuery()).first)
        #expect(finding.componentVersion == "4.17.20")
        #expect(finding.purl == "pkg:npm/lodash@4.17.20")
        #expect(finding.firstSeen == epoch && finding.lastSeen == epoch + 60)
        #expect(try await store.evidence(findingID: finding.id) == Data(#"{"v":"4.17.20"}"#.utf8))
    }

    @Test("rescans update, close and reopen findings of the stream", arguments: StoreBackend.all)
    func lifecycle(backend: StoreBackend) async throws {
        let store = try backend.make()
        _ = try await store.record(
            submission([codeFinding("sqli", line: 3, snippet: "q1"), codeFinding("xss", line: 9, snippet: "q2")], content: "1"))
        // Code shifted by 5 lines; xss is gone.
        let second = try await store.record(submission([codeFinding("sqli", line: 8, snippet: "q1")], content: "2", at: epoch + 60))
        #expect((second.new, second.unchanged, second.reopened, second.fixed) == (0, 1, 0, 1))
        var findings = try await store.findings(FindingQuery(statuses: []))
        #expect(Set(findings.map(\.status)) == [.open, .fixed])
        #expect(findings.first { $0.ruleID == "sqli" }?.lastSeen == epoch + 60)
        #expect(findings.first { $0.ruleID == "sqli" }?.firstSeen == epoch)
        #expect(findings.first { $0.ruleID == "sqli" }?.line == 8)
        // xss comes back.
        let third = try await store.record(
            submission([codeFinding("sqli", line: 8, snippet: "q1"), codeFinding("xss", line: 9, snippet: "q2")], content: "3", at: epoch + 120))
        #expect((third.new, third.unchanged, third.reopened, third.fixed) == (0, 1, 1, 0))
        findings = try await store.findings(FindingQuery(statuses: [.reopened]))
        #expect(findings.map(\.ruleID) == ["xss"])
    }

    /// A submission of code findings whose records are the lines of `records`, each a slice of
    /// the report, which is archived unless `archived` is false (as for reports with secrets).
    static func recordSubmission(
        _ records: [(rule: String, line: Int, description: String?, record: String)], archived: Bool, at date: Date
    ) async -> ScanSubmission {
        let report = Data(records.map(\.record).joined(separator: "\n").utf8)
        var findings: [Finding] = []
        var offset = 0
        for entry in records {
            var finding = codeFinding(entry.rule, line: entry.line, snippet: entry.rule)
            finding.description = entry.description
            let length = entry.record.utf8.count
            finding.raw = RawEvidence(format: "json", bytes: archived ? report[offset..<(offset + length)] : Data(entry.record.utf8))
            findings.append(finding)
            offset += length + 1
        }
        var result = await submission(findings, content: String(decoding: report, as: UTF8.self), at: date)
        result.report = archived ? report : nil
        return result
    }

    @Test(
        "a rescan serves each finding's latest record and updates exactly what changed: a record's bytes, its text, its location",
        arguments: StoreBackend.all)
    func rescanUpdatesWhatChanged(backend: StoreBackend) async throws {
        let store = try backend.make()
        func evidence(_ rule: String) async throws -> String? {
            let finding = try #require(try await store.findings(FindingQuery()).first { $0.ruleID == rule })
            return try await store.evidence(findingID: finding.id).map { String(decoding: $0, as: UTF8.self) }
        }
        _ = try await store.record(
            Self.recordSubmission(
                [("a", 1, "first", #"{"a":1,"at":"t1"}"#), ("b", 2, "first", #"{"b":1,"at":"t1"}"#), ("c", 3, "first", #"{"c":1,"at":"t1"}"#)],
                archived: true, at: epoch))
        // a: only its record's bytes changed (a timestamp); b: its description; c: its line.
        let second = try await store.record(
            Self.recordSubmission(
                [("a", 1, "first", #"{"a":1,"at":"t2"}"#), ("b", 2, "second", #"{"b":1,"at":"t2"}"#), ("c", 7, "first", #"{"c":1,"at":"t2"}"#)],
                archived: true, at: epoch + 60))
        #expect((second.new, second.unchanged, second.fixed) == (0, 3, 0))
        var findings = try await store.findings(FindingQuery())
        #expect(findings.map(\.ruleID).sorted() == ["a", "b", "c"])
        #expect(findings.first { $0.ruleID == "b" }?.description == "second")
        #expect(findings.first { $0.ruleID == "a" }?.description == "first")
        #expect(findings.first { $0.ruleID == "c" }?.line == 7)
        #expect(findings.allSatisfy { $0.lastSeen == epoch + 60 && $0.firstSeen == epoch })
        #expect(try await evidence("a") == #"{"a":1,"at":"t2"}"#)
        // A report that is not archived keeps each record as a copy; the next archived one as a span again.
        _ = try await store.record(
            Self.recordSubmission(
                [("a", 1, "first", #"{"a":1,"at":"t3"}"#), ("b", 2, "second", #"{"b":1,"at":"t3"}"#), ("c", 7, "first", #"{"c":1,"at":"t3"}"#)],
                archived: false, at: epoch + 120))
        #expect(try await evidence("a") == #"{"a":1,"at":"t3"}"#)
        _ = try await store.record(
            Self.recordSubmission(
                [("a", 1, "first", #"{"a":1,"at":"t3"}"#), ("b", 2, "third", #"{"b":1,"at":"t4"}"#), ("c", 7, "first", #"{"c":1,"at":"t4"}"#)],
                archived: true, at: epoch + 180))
        #expect(try await evidence("a") == #"{"a":1,"at":"t3"}"#)
        #expect(try await evidence("b") == #"{"b":1,"at":"t4"}"#)
        findings = try await store.findings(FindingQuery())
        #expect(findings.first { $0.ruleID == "b" }?.description == "third")
    }

    @Test("an empty report, or one whose tool failed, closes nothing unless allowed", arguments: StoreBackend.all)
    func emptyReports(backend: StoreBackend) async throws {
        let store = try backend.make()
        _ = try await store.record(submission([codeFinding("sqli", line: 3, snippet: "q1")], content: "1"))
        let empty = try await store.record(submission([], content: "empty", at: epoch + 60))
        #expect(empty.fixed == 0 && !empty.closedMissing)
        let failed = try await store.record(
            submission([codeFinding("xss", line: 1, snippet: "x")], content: "failed", toolError: true, at: epoch + 90))
        #expect(failed.fixed == 0 && failed.new == 1)
        #expect(try await store.findings(FindingQuery(statuses: [.fixed])).isEmpty)
        let allowed = try await store.record(submission([], content: "allowed", allowEmpty: true, at: epoch + 120))
        #expect(allowed.fixed == 2)
    }

    @Test("an SBOM's packages are the component's known packages until its next SBOM replaces them", arguments: StoreBackend.all)
    func packagesFollowTheLatestSBOM(backend: StoreBackend) async throws {
        let store = try backend.make()
        let sbomStream = StreamKey(application: "shop", component: "api", tool: "syft", scope: .scan(ScanScope(kind: "sbom")))
        let flask = SBOMPackage(
            name: "flask", version: "3.0.3", purl: PackageURL(parsing: "pkg:pypi/flask@3.0.3"), licenses: ["BSD-3-Clause"], relation: .direct)
        let jinja = SBOMPackage(name: "jinja2", version: "3.1.6", purl: PackageURL(parsing: "pkg:pypi/jinja2@3.1.6"), relation: .transitive)
        var first = await submission([], stream: sbomStream, content: "sbom one")
        first.packages = [flask, jinja]
        let firstOutcome = try await store.record(first)
        #expect(firstOutcome.packages == 2)
        var known = try await store.packages(application: "shop")
        #expect(known.map(\.package) == [flask, jinja])
        #expect(known.allSatisfy { $0.component == "api" && $0.scanID == firstOutcome.scanID && $0.sbomTool == "syft" })

        // A report that is no SBOM leaves them alone; so does another component's SBOM.
        _ = try await store.record(submission([codeFinding("sqli", line: 3, snippet: "q")], content: "semgrep"))
        var other = await submission(
            [], stream: StreamKey(application: "shop", component: "web", tool: "syft", scope: .scan(ScanScope(kind: "sbom"))), content: "web")
        other.packages = [SBOMPackage(name: "react", version: "18.3.1")]
        _ = try await store.record(other)
        known = try await store.packages(application: "shop")
        #expect(known.filter { $0.component == "api" }.map(\.package) == [flask, jinja])
        #expect(known.filter { $0.component == "web" }.map(\.package.name) == ["react"])

        // The next SBOM of the component replaces the list, even from another tool.
        let bumped = SBOMPackage(name: "flask", version: "3.1.0", purl: PackageURL(parsing: "pkg:pypi/flask@3.1.0"), relation: .direct)
        var second = await submission(
            [], stream: StreamKey(application: "shop", component: "api", tool: "Trivy", scope: .scan(ScanScope(kind: "sbom"))),
            content: "sbom two", at: epoch.addingTimeInterval(3600))
        second.packages = [bumped]
        let secondOutcome = try await store.record(second)
        known = try await store.packages(application: "shop").filter { $0.component == "api" }
        #expect(known.map(\.package) == [bumped])
        #expect(known.first?.scanID == secondOutcome.scanID)
        #expect(known.first?.sbomTool == "trivy")
        #expect(try await store.packages(application: "other").isEmpty)
    }

    @Test(
        "VEX statements apply to matching findings of every tool in the application; the document's next version replaces them",
        arguments: StoreBackend.all)
    func vexStatementsApply(backend: StoreBackend) async throws {
        let store = try backend.make()
        func advisory(_ id: String, _ purl: String, component: String = "api") -> Finding {
            let parsed = PackageURL(parsing: purl)
            return Finding(
                category: .sca, tool: ToolInfo(name: "Grype"), ruleID: id, title: "\(id) advisory", severity: .high, vulnerabilityIDs: .parsing([id]),
                location: .package(PackageLocation(purl: parsed, name: parsed?.name ?? purl, version: parsed?.version, manifestPath: "sbom")))
        }
        _ = try await store.record(
            submission(
                [
                    advisory("CVE-2021-44228", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
                    advisory("CVE-2022-0001", "pkg:npm/qs@6.7.0"), advisory("CVE-2022-0002", "pkg:npm/qs@6.7.0"),
                ], stream: StreamKey(application: "shop", component: "api", tool: "Grype"), content: "grype"))
        _ = try await store.record(
            submission(
                [advisory("CVE-2022-0002", "pkg:npm/qs@6.7.0", component: "web")],
                stream: StreamKey(application: "shop", component: "web", tool: "Grype"),
                content: "grype web"))
        let vexStream = StreamKey(application: "shop", component: "api", tool: "OpenVEX", scope: .scan(ScanScope(kind: "vex", target: "doc-1")))
        var vex = await submission([], stream: vexStream, content: "vex v1", at: epoch + 60)
        vex.vexStatements = [
            // Qualifiers do not matter; the version does when given.
            VEXStatement(
                vulnerabilities: .parsing(["CVE-2021-44228"]),
                products: [PackageURL(parsing: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar")!], status: .notAffected,
                justification: "vulnerable_code_not_in_execute_path"),
            VEXStatement(vulnerabilities: .parsing(["CVE-2022-0001"]), products: [PackageURL(parsing: "pkg:npm/qs@6.9.0")!], status: .fixed),
            // A product without a purl speaks only for the component it was imported for.
            VEXStatement(vulnerabilities: .parsing(["CVE-2022-0002"]), products: [], productNames: ["Shop API 4.2"], status: .affected),
        ]
        _ = try await store.record(vex)
        func statuses() async throws -> [String: VEXStatus] {
            var result: [String: VEXStatus] = [:]
            for finding in try await store.findings(FindingQuery(tool: "Grype", statuses: [])) {
                if let vex = finding.vex { result["\(finding.component) \(finding.ruleID)"] = vex.statement.status }
            }
            return result
        }
        #expect(try await statuses() == ["api CVE-2021-44228": .notAffected, "api CVE-2022-0002": .affected])
        let applied = try await store.findings(FindingQuery(tool: "Grype", statuses: [])).compactMap(\.vex).first {
            $0.statement.status == .notAffected
        }
        #expect(applied?.statement.justification == "vulnerable_code_not_in_execute_path")
        #expect(applied?.document == "report.json")

        var second = await submission([], stream: vexStream, content: "vex v2", at: epoch + 120)
        second.vexStatements = [
            VEXStatement(vulnerabilities: .parsing(["CVE-2022-0001"]), products: [PackageURL(parsing: "pkg:npm/qs")!], status: .affected)
        ]
        _ = try await store.record(second)
        #expect(try await statuses() == ["api CVE-2022-0001": .affected])
    }

    @Test("an import never touches another stream", arguments: StoreBackend.all)
    func streamIsolation(backend: StoreBackend) async throws {
        let store = try backend.make()
        let main = StreamKey(application: "shop", component: "api", tool: "Semgrep", branch: "main")
        let feature = StreamKey(application: "shop", component: "api", tool: "Semgrep", branch: "feature")
        _ = try await store.record(submission([codeFinding("sqli", line: 3, snippet: "q1")], stream: main, content: "1"))
        let other = try await store.record(submission([codeFinding("xss", line: 3, snippet: "q2")], stream: feature, content: "2"))
        #expect(other.fixed == 0 && other.new == 1)
        let active = try await store.findings(FindingQuery())
        #expect(active.count == 2)
        #expect(active.allSatisfy { $0.status == .new })
    }

    @Test("a submission that fails part-way changes nothing", arguments: StoreBackend.all)
    func atomicity(backend: StoreBackend) async throws {
        let store = try backend.make()
        _ = try await store.record(submission([codeFinding("sqli", line: 3, snippet: "q1")], content: "1"))
        var bad = await submission(
            [codeFinding("xss", line: 3, snippet: "a"), codeFinding("rce", line: 4, snippet: "b")], content: "2", at: epoch + 60)
        bad.findings[1].fingerprint = "not-a-sha256"  // violates the schema's CHECK after the first insert
        await #expect(throws: (any Error).self) { try await store.record(bad) }
        #expect(try await store.scans(application: nil, limit: nil).count == 1)
        let findings = try await store.findings(FindingQuery(statuses: []))
        #expect(findings.map(\.ruleID) == ["sqli"])
        #expect(findings.first?.status == .new)
    }

    @Test("filters and sorting", arguments: StoreBackend.all)
    func queries(backend: StoreBackend) async throws {
        let store = try backend.make()
        _ = try await store.record(
            submission(
                [
                    codeFinding("a", line: 1, snippet: "1", severity: .low), codeFinding("b", line: 2, snippet: "2", severity: .critical),
                    codeFinding("c", line: 3, snippet: "3", severity: .medium),
                ], content: "1"))
        _ = try await store.record(
            submission(
                [codeFinding("d", line: 1, snippet: "1")], stream: StreamKey(application: "blog", component: "web", tool: "Bandit"), content: "2"))
        #expect(try await store.findings(FindingQuery()).map(\.ruleID) == ["b", "d", "c", "a"])
        #expect(try await store.findings(FindingQuery(minimumSeverity: .high)).map(\.ruleID) == ["b", "d"])
        #expect(try await store.findings(FindingQuery(application: "blog")).map(\.ruleID) == ["d"])
        #expect(try await store.findings(FindingQuery(tool: "bandit")).map(\.ruleID) == ["d"])
        #expect(try await store.findings(FindingQuery(sort: .title, limit: 2)).map(\.ruleID) == ["a", "b"])
        let applications = try await store.applications()
        #expect(applications.map(\.name) == ["blog", "shop"])
        #expect(applications.last?.activeBySeverity[.critical] == 1)
    }

    @Test("each database has its own secret key, kept outside it in an owner-only file, the same across reopening")
    func secretKey() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("a.db").path
        let first = try await SQLiteStore(path: path).secretKey()
        let again = try await SQLiteStore(path: path).secretKey()
        let other = try await SQLiteStore.inMemory().secretKey()
        #expect(first.count == 32)
        #expect(first == again)
        #expect(first != other)
        let attributes = try FileManager.default.attributesOfItem(atPath: path + ".key")
        #expect((attributes[.posixPermissions] as? Int).map { $0 & 0o077 } == 0)
        var database = Data()
        for suffix in ["", "-wal"] { database.append(FileManager.default.contents(atPath: path + suffix) ?? Data()) }
        #expect(database.range(of: Data(first)) == nil)
        // A key given by the caller is used as it is, and no file is made.
        let given = [UInt8](repeating: 9, count: 32)
        let elsewhere = directory.appendingPathComponent("b.db").path
        #expect(try await SQLiteStore(path: elsewhere, secretKey: .value(given)).secretKey() == given)
        #expect(!FileManager.default.fileExists(atPath: elsewhere + ".key"))
    }

    @Test("a database that kept its key inside moves it to the key file and wipes it; without the file, secrets refuse to open")
    func legacyKeyMoves() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("old.db").path
        let legacy = [UInt8](repeating: 0xA5, count: 32)
        do {
            let pool = try DatabasePool(path: path)
            try Schema.migrator.migrate(pool)
            try await pool.write { db in
                try db.execute(sql: "INSERT INTO meta (key, value) VALUES ('secret_salt', ?)", arguments: [Data(legacy)])
            }
        }
        #expect(try await SQLiteStore(path: path).secretKey() == legacy)
        let keyText = try String(contentsOfFile: path + ".key", encoding: .utf8)
        #expect(SecretKeySource.key(fromHex: keyText) == legacy)
        let check = try DatabaseQueue(path: path)
        #expect(try await check.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM meta WHERE key = 'secret_salt'") } == 0)
        try check.close()
        // With secret findings recorded, a lost key file is an error, not a silent new key.
        let store = try SQLiteStore(path: path)
        let secretFinding = Finding(
            category: .secrets, tool: ToolInfo(name: "gitleaks"), ruleID: "aws", title: "key", severity: .high,
            location: .code(CodeLocation(file: "a.py", startLine: 1)), secret: SecretEvidence(secret: "AKIAEXAMPLEEXAMPLE00", salt: legacy))
        _ = try await store.record(submission([secretFinding], content: "s"))
        try FileManager.default.removeItem(atPath: path + ".key")
        #expect(throws: SecretKeyError.self) { try SQLiteStore(path: path) }
    }
}

@Suite("SQLite store internals")
struct SQLiteSnapshotTests {
    @Test("evidence that is a slice of the archived report is stored as a span of it, not as a copy")
    func evidenceSpans() async throws {
        let store = try SQLiteStore.inMemory()
        let (_, _, archived) = await StoreConformanceTests.archivedReport(count: 200)
        _ = try await store.record(archived)
        let (spans, copies) = try await store.writer.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM finding_sighting WHERE evidence_length IS NOT NULL") ?? 0,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM finding_detail WHERE evidence IS NOT NULL") ?? 0
            )
        }
        #expect((spans, copies) == (200, 0))
    }

    @Test("issues with the same assessment name one stored text, and texts no issue names any more are dropped")
    func sharedAssessments() async throws {
        let store = try SQLiteStore.inMemory()
        let stream = StreamKey(application: "shop", component: "api", tool: "Semgrep")
        let findings = (0..<40).map {
            codeFinding("rule-\($0)", file: "f\($0).py", line: $0 + 1, snippet: "s\($0)", severity: $0 < 30 ? .high : .low)
        }
        _ = try await store.record(await submission(findings, stream: stream, content: "1"))
        func stored() async throws -> (texts: Int, unused: Int, distinct: Int) {
            let issues = try await store.issues(IssueQuery(statuses: FindingStatus.allCases))
            let (texts, unused, unscored) = try await store.writer.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM risk_assessment") ?? -1,
                    try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM risk_assessment r WHERE NOT EXISTS (SELECT 1 FROM issue WHERE assessment_id = r.id)") ?? -1,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM issue WHERE assessment_id IS NULL") ?? -1
                )
            }
            #expect(issues.count == 40 && unscored == 0)
            return (texts, unused, Set(issues.compactMap { $0.assessment?.jsonText }).count)
        }
        // Two severities: two texts for forty issues.
        var now = try await stored()
        #expect(now.texts == 2 && now.distinct == 2 && now.unused == 0)
        // A quarter later, a rescan that fixes the low ones rescores their issues only: the low
        // text they all named goes with them, the high ones keep theirs (the import's clean-up
        // checks only what the issues it rescored named).
        _ = try await store.record(await submission(Array(findings.prefix(30)), stream: stream, content: "2", at: epoch + 95 * 86_400))
        now = try await stored()
        #expect(now.texts == 2 && now.distinct == 2 && now.unused == 0)
        // A day later, rescoring every issue moves the high ones' age too.
        #expect(try await store.rescoreIssues(at: epoch + 96 * 86_400) == 40)
        now = try await stored()
        #expect(now.texts == 2 && now.distinct == 2 && now.unused == 0)
        _ = try await store.rebuildCorrelation(actor: "test", at: epoch + 97 * 86_400)
        now = try await stored()
        #expect(now.texts == now.distinct && now.unused == 0)
    }

    @Test("a database of schema v13 migrates: issues that held the same assessment name one stored text")
    func migrationToSharedAssessments() async throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: "v13: triage rules")
        let high =
            #"{"model":"rampart-risk-1","score":61.5,"factors":[["severity","high",40.0]],"ssvc":["none",false,"partial","low","internal","track"]}"#
        let low =
            #"{"model":"rampart-risk-1","score":11.0,"factors":[["severity","low",10.0]],"ssvc":["none",false,"partial","low","internal","track"]}"#
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO application (id, name, created_at) VALUES (1, 'shop', '2026-01-01T00:00:00Z');
                    INSERT INTO component (id, application_id, name) VALUES (1, 1, 'api');
                    INSERT INTO issue (id, component_id, created_at, risk, assessment, scored_at) VALUES
                        (1, 1, '2026-01-01T00:00:00Z', 61.5, ?1, '2026-01-01T00:00:00Z'), (2, 1, '2026-01-01T00:00:00Z', 11.0, ?2, '2026-01-01T00:00:00Z'),
                        (3, 1, '2026-01-01T00:00:00Z', 61.5, ?1, '2026-01-01T00:00:00Z');
                    """, arguments: [high, low])
        }
        let store = try SQLiteStore(writer: queue, secretKey: .value(Array(repeating: 7, count: 32)))
        _ = try await store.issues(IssueQuery())
        let (texts, named) = try queue.read { db in
            (
                try String.fetchAll(db, sql: "SELECT body FROM risk_assessment ORDER BY id"),
                try Row.fetchAll(db, sql: "SELECT r.body, r.digest FROM issue i JOIN risk_assessment r ON r.id = i.assessment_id ORDER BY i.id")
            )
        }
        #expect(Set(texts) == [high, low] && texts.count == 2)
        #expect(named.map { $0["body"] as String } == [high, low, high])
        // The digest is what rescoring compares a new text with.
        #expect(named.map { UInt64(bitPattern: $0["digest"] as Int64) } == [high, low, high].map(SQLiteStore.assessmentHash))
    }

    @Test(
        "a threat model's threats are stored at their design elements and keep their identity when an element is renamed", arguments: StoreBackend.all
    )
    func designFindings(backend: StoreBackend) async throws {
        let store = try backend.make()
        let stream = StreamKey(application: "shop", component: "api", tool: "Threat Composer")
        func threat(_ id: String, element: String) -> Finding {
            var finding = Finding(
                category: .design, tool: ToolInfo(name: "Threat Composer"), ruleID: "threat", title: "Spoofed session on \(element)", severity: .high,
                location: .design(DesignLocation(model: "Shop", element: element, elementType: "asset")))
            finding.toolFingerprint = id
            return finding
        }
        let first = try await store.record(
            submission([threat("t-1", element: "session store"), threat("t-2", element: "API")], stream: stream, content: "1"))
        #expect((first.new, first.fixed) == (2, 0))
        let stored = try await store.findings(FindingQuery())
        #expect(Set(stored.map(\.category)) == [.design])
        #expect(Set(stored.compactMap(\.componentName)) == ["session store", "API"])
        // The model renamed an element: the threat with the tool's id is the same threat.
        let second = try await store.record(
            submission([threat("t-1", element: "session cache"), threat("t-2", element: "API")], stream: stream, content: "2", at: epoch + 60))
        #expect((second.new, second.unchanged, second.fixed) == (0, 2, 0))
    }

    @Test("a database of schema v14 migrates to design findings keeping its findings and what refers to them")
    func migrationToDesignFindings() async throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: "v14: each distinct assessment stored once")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO application (id, name, created_at) VALUES (1, 'shop', '2026-01-01T00:00:00Z');
                    INSERT INTO component (id, application_id, name) VALUES (1, 1, 'api');
                    INSERT INTO stream (id, component_id, tool, branch, revision) VALUES (1, 1, 'Trivy', '', 1);
                    INSERT INTO scan (id, stream_id, file_name, content_sha256, byte_count, format, tool_name, imported_at, record_count,
                        finding_count, new_count, unchanged_count, reopened_count, fixed_count, closed_missing, tool_reported_error)
                        VALUES (1, 1, 'r.json', printf('%064d', 1), 10, 'trivy-json', 'Trivy', '2026-01-01T00:00:00Z', 1, 1, 1, 0, 0, 0, 1, 0);
                    INSERT INTO finding (id, stream_id, fingerprint, category, rule_id, title, severity, severity_rank, location_kind, suppressed,
                        first_seen, first_scan_id, occurrences, location, component_name, exploit_maturity)
                        VALUES (1, 1, printf('%064d', 7), 'sca', 'CVE-2024-1', 'lib: overflow', 'high', 3, 'package', 0, '2026-01-01T00:00:00Z', 1, 1,
                        '{"kind":"package","name":"lib"}', 'lib', 'functional');
                    INSERT INTO finding_sighting (finding_id, status, last_seen, last_scan_id) VALUES (1, 'new', '2026-01-01T00:00:00Z', 1);
                    INSERT INTO finding_detail (finding_id, description) VALUES (1, 'An overflow.');
                    INSERT INTO issue (id, component_id, created_at) VALUES (1, 1, '2026-01-01T00:00:00Z');
                    INSERT INTO issue_member (finding_id, issue_id, rule, confidence) VALUES (1, 1, 'first', 'high');
                    """)
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "UPDATE finding SET category = 'design' WHERE id = 1")
            }
        }
        let store = try SQLiteStore(writer: queue, secretKey: .value(Array(repeating: 7, count: 32)))
        let findings = try await store.findings(FindingQuery())
        #expect(findings.map(\.ruleID) == ["CVE-2024-1"] && findings.first?.description == "An overflow.")
        let (members, maturity, indexes) = try await queue.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM issue_member WHERE finding_id = 1"),
                try String.fetchOne(db, sql: "SELECT exploit_maturity FROM finding WHERE id = 1"),
                Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'finding'"))
            )
        }
        #expect(members == 1 && maturity == "functional")
        #expect(indexes.isSuperset(of: ["finding_by_severity", "finding_by_stream"]))
        // The new category and location kind are accepted; others still are not.
        try await queue.write { db in
            try db.execute(sql: "UPDATE finding SET category = 'design', location_kind = 'design' WHERE id = 1")
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "UPDATE finding SET category = 'threat' WHERE id = 1")
            }
        }
    }

    @Test("a database of schema v1 migrates keeping its findings, their records and locations")
    func migrationFromFirstSchema() async throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: "v1")
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO application (id, name, created_at) VALUES (1, 'shop', '2026-01-01T00:00:00Z');
                    INSERT INTO component (id, application_id, name) VALUES (1, 1, 'api');
                    INSERT INTO stream (id, component_id, tool, branch, revision) VALUES (1, 1, 'Semgrep', '', 1);
                    INSERT INTO scan (id, stream_id, file_name, content_sha256, byte_count, format, tool_name, imported_at, record_count,
                        finding_count, new_count, unchanged_count, reopened_count, fixed_count, closed_missing, tool_reported_error)
                        VALUES (1, 1, 'r.json', printf('%064d', 1), 10, 'semgrep-json', 'Semgrep', '2026-01-01T00:00:00Z', 1, 1, 1, 0, 0, 0, 1, 0);
                    INSERT INTO finding (id, stream_id, fingerprint, category, rule_id, title, severity, severity_rank, location_kind, suppressed,
                        first_seen, first_scan_id, occurrences, content_hash)
                        VALUES (1, 1, printf('%064d', 7), 'sast', 'sqli', 'SQL injection', 'high', 3, 'code', 0, '2026-01-01T00:00:00Z', 1, 1, 4242);
                    INSERT INTO finding_sighting (finding_id, status, last_seen, last_scan_id) VALUES (1, 'new', '2026-01-01T00:00:00Z', 1);
                    INSERT INTO finding_detail (finding_id, location, evidence, evidence_format)
                        VALUES (1, '{"kind":"code","file":"a.py"}', x'7b7d', 'json');
                    """)
        }
        let store = try SQLiteStore(writer: queue, secretKey: .value(Array(repeating: 7, count: 32)))
        #expect(try await store.findings(FindingQuery()).map(\.ruleID) == ["sqli"])
        #expect(try await store.evidence(findingID: 1) == Data("{}".utf8))
        #expect(try await store.report(scanID: 1) == nil)
        // The location moved to the finding row; the change hashes restart, so that the next
        // rescan rewrites the finding in the new layout.
        let (location, hashes) = try queue.read { db in
            (
                try String.fetchOne(db, sql: "SELECT location FROM finding WHERE id = 1"),
                try Row.fetchOne(db, sql: "SELECT listing_hash, detail_hash FROM finding_sighting WHERE finding_id = 1")
            )
        }
        #expect(location == #"{"kind":"code","file":"a.py"}"#)
        #expect(hashes?["listing_hash"] == 0 && hashes?["detail_hash"] == 0)
    }

    @Test("a database of schema v2 migrates: streams keep their history and the first scoped import claims them")
    func migrationFromSecondSchema() async throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: "v2: report archive")
        let stream = StreamKey(application: "shop", component: "api", tool: "Semgrep OSS")
        let finding = (await FindingIdentity.assign([codeFinding("sqli", line: 3, snippet: "q1")]))[0]
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO application (id, name, created_at) VALUES (1, 'shop', '2026-01-01T00:00:00Z');
                    INSERT INTO component (id, application_id, name) VALUES (1, 1, 'api');
                    INSERT INTO stream (id, component_id, tool, branch, revision) VALUES (1, 1, 'Semgrep OSS', '', 1);
                    INSERT INTO scan (id, stream_id, file_name, content_sha256, byte_count, format, tool_name, imported_at, record_count,
                        finding_count, new_count, unchanged_count, reopened_count, fixed_count, closed_missing, tool_reported_error)
                        VALUES (1, 1, 'r.json', printf('%064d', 1), 10, 'semgrep-json', 'Semgrep OSS', '2026-01-01T00:00:00Z', 1, 1, 1, 0, 0, 0, 1, 0);
                    INSERT INTO finding (id, stream_id, fingerprint, category, rule_id, title, severity, severity_rank, location_kind, suppressed,
                        first_seen, first_scan_id, occurrences)
                        VALUES (1, 1, ?, 'sast', 'sqli', 'SQL injection', 'high', 3, 'code', 0, '2026-01-01T00:00:00Z', 1, 1);
                    INSERT INTO finding_sighting (finding_id, status, last_seen, last_scan_id, content_hash)
                        VALUES (1, 'new', '2026-01-01T00:00:00Z', 1, 1);
                    INSERT INTO finding_detail (finding_id, location) VALUES (1, '{"kind":"code"}');
                    """, arguments: [finding.fingerprint])
        }
        let store = try SQLiteStore(writer: queue, secretKey: .value(Array(repeating: 7, count: 32)))
        #expect(try await store.findings(FindingQuery()).map(\.tool) == ["semgrep"])
        let scoped = StreamKey(application: "shop", component: "api", tool: "semgrep", scope: .scan(ScanScope(kind: "sast")))
        let rescan = try await store.record(await submission([codeFinding("sqli", line: 5, snippet: "q1")], stream: scoped, content: "2"))
        #expect((rescan.new, rescan.unchanged) == (0, 1))
        #expect(try await store.findings(FindingQuery()).first?.firstSeen == SQLiteStore.date("2026-01-01T00:00:00Z"))
        #expect(try await store.scans(application: nil, limit: nil).count == 2)
        _ = stream
    }

    @Test("a database of schema v3 migrates: evidence kept as spans of archived reports is still served, from the scan that holds it")
    func migrationFromThirdSchema() async throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: "v3: stream scope, rescans of older content")
        let report = Data(#"[{"rule":"a","at":"t1"},{"rule":"b","at":"t1"}]"#.utf8)
        var compressor = ChunkCompressor()
        let chunk = report.withUnsafeBytes { ReportArchive.compressedChunk(0, of: $0, with: &compressor) }
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO application (id, name, created_at) VALUES (1, 'shop', '2026-01-01T00:00:00Z');
                    INSERT INTO component (id, application_id, name) VALUES (1, 1, 'api');
                    INSERT INTO stream (id, component_id, tool, branch, scan_kind, revision) VALUES (1, 1, 'semgrep', '', 'sast', 2);
                    INSERT INTO scan (id, stream_id, file_name, content_sha256, byte_count, format, tool_name, imported_at, record_count,
                        finding_count, new_count, unchanged_count, reopened_count, fixed_count, closed_missing, tool_reported_error, report_chunk_size)
                        VALUES (1, 1, 'r.json', printf('%064d', 1), ?, 'semgrep-json', 'semgrep', '2026-01-01T00:00:00Z', 2, 2, 2, 0, 0, 0, 1, 0, ?),
                               (2, 1, 'r.json', printf('%064d', 2), 10, 'semgrep-json', 'semgrep', '2026-01-02T00:00:00Z', 2, 2, 0, 2, 0, 0, 1, 0, NULL);
                    INSERT INTO report_chunk (scan_id, number, data) VALUES (1, 0, ?);
                    INSERT INTO finding (id, stream_id, fingerprint, category, rule_id, title, severity, severity_rank, location_kind, suppressed,
                        first_seen, first_scan_id, occurrences)
                        VALUES (1, 1, printf('%064d', 7), 'sast', 'a', 'A', 'high', 3, 'code', 0, '2026-01-01T00:00:00Z', 1, 1),
                               (2, 1, printf('%064d', 8), 'sast', 'b', 'B', 'high', 3, 'code', 0, '2026-01-01T00:00:00Z', 1, 1);
                    INSERT INTO finding_sighting (finding_id, status, last_seen, last_scan_id, content_hash)
                        VALUES (1, 'open', '2026-01-02T00:00:00Z', 2, 1), (2, 'new', '2026-01-01T00:00:00Z', 1, 1);
                    -- Finding 1 was seen again by scan 2 with an unchanged record: its evidence stayed in scan 1.
                    INSERT INTO finding_detail (finding_id, location, evidence_format, evidence_scan_id, evidence_offset, evidence_length)
                        VALUES (1, '{"kind":"code"}', 'json', 1, 1, 22), (2, '{"kind":"code"}', 'json', 1, 24, 22);
                    """, arguments: [report.count, ReportArchive.chunkSize, chunk])
        }
        let store = try SQLiteStore(writer: queue, secretKey: .value(Array(repeating: 7, count: 32)))
        #expect(try await store.evidence(findingID: 1).map { String(decoding: $0, as: UTF8.self) } == #"{"rule":"a","at":"t1"}"#)
        #expect(try await store.evidence(findingID: 2).map { String(decoding: $0, as: UTF8.self) } == #"{"rule":"b","at":"t1"}"#)
    }

    @Test("a database of schema v9 migrates: each stored assessment is rewritten in the compact form with the same content")
    func migrationOfAssessments() async throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: "v9: feeds and risk")
        // As v9 stored it: keyed JSON.
        let keyed = """
            {"assessment":{"model":"rampart-risk-1","score":61.5,"factors":[{"name":"severity","value":"CVSS 9.8","contribution":44.1},\
            {"name":"exploitation","value":"CISA KEV since 2021-12-10, used by ransomware","contribution":31.5},\
            {"name":"exposure","value":"internet","contribution":-14.1}],"ssvc":{"exploitation":"active","automatable":true,\
            "technicalImpact":"total","missionWellbeing":"high","exposure":"internet","decision":"act"}},\
            "kev":{"cve":"CVE-2021-44228","vendor":"Apache","product":"Log4j2","name":"Log4Shell \\"RCE\\"","dateAdded":"2021-12-10",\
            "dueDate":null,"knownRansomwareUse":true},"epss":{"cve":"CVE-2021-44228","probability":0.94358,"percentile":0.99957}}
            """
        try await queue.write { db in
            try db.execute(
                sql: """
                    INSERT INTO application (id, name, created_at) VALUES (1, 'shop', '2026-01-01T00:00:00Z');
                    INSERT INTO component (id, application_id, name) VALUES (1, 1, 'api');
                    INSERT INTO issue (id, component_id, created_at, risk, ssvc, kev, epss, assessment, scored_at)
                        VALUES (1, 1, '2026-01-01T00:00:00Z', 61.5, 'act', 1, 0.94358, ?, '2026-01-01T00:00:00Z');
                    """, arguments: [keyed])
        }
        let expected = try JSONDecoder().decode(StoredAssessment.self, from: Data(keyed.utf8))
        let store = try SQLiteStore(writer: queue, secretKey: .value(Array(repeating: 7, count: 32)))
        let stored = try #require(
            try await store.writer.read { db in
                try String.fetchOne(db, sql: "SELECT r.body FROM issue i JOIN risk_assessment r ON r.id = i.assessment_id WHERE i.id = 1")
            })
        #expect(stored.count < keyed.count * 3 / 4)
        #expect(try SQLiteStore.storedAssessment(stored) == expected)
        #expect(expected.kev?.name == #"Log4Shell "RCE""#)
    }

    @Test("a stream snapshot taken before another import is not reused")
    func staleSnapshot() async throws {
        let store = try SQLiteStore.inMemory()
        let stream = StreamKey(application: "shop", component: "api", tool: "Semgrep")
        _ = try await store.record(await submission([codeFinding("a", line: 1, snippet: "1")], stream: stream, content: "1"))
        let stale = try await store.writer.read { db in try SQLiteStore.snapshot(of: stream, format: "semgrep-json", in: db) }
        // Another import closes "a" and adds "b" after the snapshot was taken.
        _ = try await store.record(await submission([codeFinding("b", line: 2, snippet: "2")], stream: stream, content: "2", at: epoch + 60))
        let third = await submission(
            [codeFinding("a", line: 1, snippet: "1"), codeFinding("b", line: 2, snippet: "2")], stream: stream, content: "3", at: epoch + 120)
        let keys = third.findings.map { StreamReconciliation.IncomingIdentity($0) }
        let stalePlan = StreamReconciliation(existing: stale?.existing ?? [], incoming: keys, closesMissing: true)
        let outcome = try await store.writer.write { db in
            try SQLiteStore.record(
                third, keys: keys,
                feed: ImportFeed(findings: third.findings, order: [], report: nil),
                prediction: .init(snapshot: stale, plan: stalePlan, correlation: .init(routes: [])), in: db)
        }
        // With the stale snapshot "b" would look new and "a" open; the fresh state says otherwise.
        #expect((outcome.new, outcome.unchanged, outcome.reopened) == (0, 1, 1))
        #expect(try await store.findings(FindingQuery(statuses: [.reopened])).map(\.ruleID) == ["a"])
    }
}
