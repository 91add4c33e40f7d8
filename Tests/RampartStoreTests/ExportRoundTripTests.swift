import Foundation
import RampartCore
import RampartExport
import RampartImporters
import RampartIngest
import RampartSQLite
import RampartStore
import Testing

/// Exports read back: SARIF imports to the same issues, VEX restores the decisions.
@Suite("Exports, round-tripped")
struct ExportRoundTripTests {
    static let reports = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/reports")
    static let scans = ["pairs/semgrep.json", "safety.json", "pairs/trivy-config.json", "pairs/bandit.json"]

    struct Fresh {
        var store: SQLiteStore
        var ingestor: Ingestor
        var context: ImportContext
        var directory: URL
        let target = ImportTarget(application: "shop", component: "api", actor: "ci")

        init() async throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-export-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            store = try SQLiteStore(path: directory.appendingPathComponent("rampart.db").path)
            ingestor = Ingestor(store: store)
            context = ImportContext(secretSalt: try await store.secretKey())
        }

        func importFile(_ path: String, at date: Date) async throws {
            _ = try await ingestor.importFile(path: path, target: target, context: context, at: date)
        }

        func write(_ text: String, as name: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            try Data(text.utf8).write(to: url)
            return url.path
        }

        func importScans() async throws {
            for (index, scan) in ExportRoundTripTests.scans.enumerated() {
                try await importFile(ExportRoundTripTests.reports.appendingPathComponent(scan).path, at: epoch + Double(index))
            }
        }
    }

    /// What a round trip must keep of an issue.
    struct Kept: Hashable, CustomStringConvertible {
        var rule: String
        var severity: Severity
        var place: String
        var description: String { "\(rule) \(severity.rawValue) \(place)" }
    }

    static func kept(_ issues: [StoredIssue]) -> [Kept] {
        issues.map { Kept(rule: $0.lead.ruleID, severity: $0.severity, place: $0.lead.place) }.sorted { $0.description < $1.description }
    }

    @Test("an application's issues exported to SARIF import into a fresh database as the same issues")
    func sarifRoundTrip() async throws {
        let original = try await Fresh()
        try await original.importScans()
        let issues = try await original.store.issues(IssueQuery())
        #expect(issues.count > 20)
        let sarif = IssueExport.sarif(issues.map { IssueExport.Gated(issue: $0) })
        try SARIFShape.check(sarif, results: issues.count)
        try SARIFShape.validateAgainstSchema(sarif)

        let copy = try await Fresh()
        try await copy.importFile(try copy.write(sarif, as: "rampart.sarif"), at: epoch + 100)
        let imported = try await copy.store.issues(IssueQuery())
        #expect(imported.count == issues.count)
        #expect(Self.kept(imported) == Self.kept(issues))
    }

    @Test(
        "triage decisions exported as OpenVEX or CycloneDX VEX are restored on a fresh import of the same scans", arguments: ["openvex", "cyclonedx"])
    func vexRoundTrip(format: String) async throws {
        let original = try await Fresh()
        try await original.importScans()
        let packages = try await original.store.issues(IssueQuery()).filter { !$0.vulnerabilityIDs.isEmpty && $0.lead.purl != nil }
        #expect(packages.count >= 3)
        let decisions: [(Int64, TriageDecision)] = [
            (packages[0].id, .notAffected(.vulnerableCodeNotInExecutePath)), (packages[1].id, .notAffected(.codeNotReachable)),
            (packages[2].id, .falsePositive),
        ]
        for (issue, decision) in decisions {
            _ = try await original.store.triage(issue: issue, decision: decision, reason: "checked by appsec", actor: "alice", at: epoch + 50)
        }
        let triaged = try await original.store.issues(IssueQuery())
        let document =
            format == "openvex"
            ? IssueExport.openVEX(triaged, author: "alice", at: epoch + 60, documentID: "urn:test:vex")
            : IssueExport.cycloneDXVEX(triaged, at: epoch + 60, serial: "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79")

        let copy = try await Fresh()
        try await copy.importScans()
        #expect(try await copy.store.issues(IssueQuery()).allSatisfy { $0.triage == .untriaged })
        try await copy.importFile(try copy.write(document, as: "vex.json"), at: epoch + 200)
        let restored = try await copy.store.issues(IssueQuery(statuses: FindingStatus.allCases))
        for (issue, decision) in decisions {
            let advisory = try #require(packages.first { $0.id == issue }?.vulnerabilityIDs.first)
            let place = try #require(packages.first { $0.id == issue }?.lead.purl)
            let match = try #require(restored.first { $0.vulnerabilityIDs.contains(advisory) && $0.members.contains { $0.finding.purl == place } })
            #expect(match.triage.source == .vex("vex.json"), "\(advisory)")
            switch (decision, format) {
            case (.falsePositive, "openvex"):
                // OpenVEX has no false positive: it says not affected, the code not present.
                #expect(match.triage.decision == .notAffected(.vulnerableCodeNotPresent))
            case (.notAffected(.codeNotReachable), "openvex"):
                #expect(match.triage.decision == .notAffected(.vulnerableCodeNotInExecutePath))
            case (.notAffected(.vulnerableCodeNotInExecutePath), "cyclonedx"):
                #expect(match.triage.decision == .notAffected(.codeNotReachable))
            default:
                #expect(match.triage.decision == decision, "\(advisory)")
            }
        }
        // Issues nobody decided stay untriaged, whatever the document says of them.
        let others = restored.filter { issue in !decisions.contains { $0.0 == issue.id } && issue.triage.state != .untriaged }
        #expect(
            others.allSatisfy { $0.triage.source == .vex("vex.json") && $0.triage.state == .notAffected || $0.triage.state == .falsePositive }
                || others.isEmpty)
    }

    @Test(
        "SARIF exports and gate reports validate against the OASIS SARIF 2.1.0 schema, triaged and fixed issues included",
        .enabled(if: SARIFShape.schemaPath != nil, "RAMPART_SARIF_SCHEMA names no copy of the schema (scripts/test.sh fetches one)"))
    func sarifSchema() async throws {
        let store = try await Fresh()
        try await store.importScans()
        let open = try await store.store.issues(IssueQuery())
        let decisions: [TriageDecision] = [
            .falsePositive, .acceptedRisk(until: epoch + 86_400 * 30, approver: "ciso"), .notAffected(.inlineMitigationsAlreadyExist),
            .mitigated, .confirmed,
        ]
        for (issue, decision) in zip(open, decisions) {
            _ = try await store.store.triage(issue: issue.id, decision: decision, reason: "reviewed \"as\" <b>", actor: "alice", at: epoch + 50)
        }
        // A rescan without the first scan's report fixes its issues: every presence is exported.
        try await store.importFile(Self.reports.appendingPathComponent(Self.scans[1]).path, at: epoch + 60)
        let everything = try await store.store.issues(IssueQuery(statuses: FindingStatus.allCases))
        #expect(Set(everything.map(\.triage.state)).count >= 5)
        let export = IssueExport.sarif(everything.map { IssueExport.Gated(issue: $0) })
        try SARIFShape.check(export, results: everything.count)
        let exportViolation = try SARIFShape.schemaViolation(export)
        #expect(exportViolation == nil, "\(exportViolation ?? "")")
        let gate = IssueExport.sarif(open.prefix(3).map { IssueExport.Gated(issue: $0, reasons: ["new high issue", "KEV-listed: CVE-2021-44228"]) })
        let gateViolation = try SARIFShape.schemaViolation(gate)
        #expect(gateViolation == nil, "\(gateViolation ?? "")")

        // The validator is not a rubber stamp: a level SARIF does not have is refused.
        let broken = export.replacingOccurrences(of: "\"level\":\"error\"", with: "\"level\":\"fatal\"")
            .replacingOccurrences(of: "\"level\" : \"error\"", with: "\"level\" : \"fatal\"")
        #expect(broken != export)
        #expect(try SARIFShape.schemaViolation(broken)?.contains("fatal") == true)
    }

    @Test("CSV opens cleanly: one header, quoted cells, no formula runs")
    func csv() async throws {
        let original = try await Fresh()
        try await original.importScans()
        var issues = try await original.store.issues(IssueQuery())
        issues[0].members[0].finding.title = "=HYPERLINK(\"http://evil\",\"click\"), \"quoted\"\nsecond line"
        let text = IssueExport.csv(issues) { $0.sla(policy: .standard, criticality: nil, now: epoch) }
        #expect(text.hasPrefix("\u{FEFF}id,application,component,title,"))
        #expect(text.contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"click\"\"), \"\"quoted\"\"\nsecond line\""))
        // Every record has as many cells as the header (quoted line breaks inside cells).
        let records = CSVCounter.records(text)
        #expect(records.count == issues.count + 1)
        #expect(records.allSatisfy { $0 == IssueExport.csvColumns.count })
    }
}

/// Counts the cells of each record of RFC 4180 text.
enum CSVCounter {
    static func records(_ text: String) -> [Int] {
        var counts: [Int] = []
        var cells = 1
        var quoted = false
        var previous: Character?
        var sawAny = false
        for character in text.dropFirst(text.hasPrefix("\u{FEFF}") ? 1 : 0) {
            sawAny = true
            if character == "\"" {
                quoted.toggle()
            } else if !quoted && character == "," {
                cells += 1
            } else if !quoted && (character == "\r\n" || character == "\n") {
                counts.append(cells)
                cells = 1
                sawAny = false
            }
            previous = character
        }
        _ = previous
        if sawAny { counts.append(cells) }
        return counts
    }
}

/// What the SARIF 2.1.0 schema requires of the parts Rampart writes, checked on the parsed
/// document; and validation against the OASIS schema itself with Python's jsonschema, when
/// `RAMPART_SARIF_SCHEMA` names a copy (scripts/test.sh fetches one with
/// scripts/sarif-schema.sh; the schema is OASIS's text and is not vendored).
enum SARIFShape {
    static let schemaPath: String? = {
        guard let path = ProcessInfo.processInfo.environment["RAMPART_SARIF_SCHEMA"], !path.isEmpty else { return nil }
        return path
    }()

    /// Validates when the schema is at hand, saying so when it is not.
    static func validateAgainstSchema(_ text: String) throws {
        guard schemaPath != nil else {
            print("notice: RAMPART_SARIF_SCHEMA is not set: the export is checked structurally, not against the OASIS SARIF 2.1.0 schema")
            return
        }
        if let violation = try schemaViolation(text) {
            throw Problem(description: "the export does not validate against the SARIF 2.1.0 schema: \(violation)")
        }
    }

    /// The validator's first complaint about the document, or nil when it is valid.
    static func schemaViolation(_ text: String) throws -> String? {
        guard let schema = schemaPath else { throw Problem(description: "RAMPART_SARIF_SCHEMA is not set") }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-\(UUID().uuidString).sarif")
        try Data(text.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // The schema declares draft-07; the validator class comes from its $schema, and a
        // schema that is itself invalid is an error, not a pass.
        let program = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[2]))
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            errors = sorted(cls(schema, format_checker=cls.FORMAT_CHECKER).iter_errors(json.load(open(sys.argv[1]))), key=lambda e: list(e.absolute_path))
            if errors:
                e = errors[0]
                print("/".join(str(p) for p in e.absolute_path) + ": " + e.message[:300])
                sys.exit(1)
            """
        process.arguments = ["python3", "-c", program, file.path, schema]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        switch process.terminationStatus {
        case 0: return nil
        case 1 where !said.isEmpty: return said.trimmingCharacters(in: .whitespacesAndNewlines)
        default: throw Problem(description: "the validator did not run (python3 with jsonschema is needed): exit \(process.terminationStatus)")
        }
    }

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static func check(_ text: String, results expected: Int) throws {
        guard let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw Problem(description: "not an object")
        }
        guard root["version"] as? String == "2.1.0" else { throw Problem(description: "version must be 2.1.0") }
        guard let runs = root["runs"] as? [[String: Any]], runs.count == 1 else { throw Problem(description: "runs must be an array") }
        guard let driver = (runs[0]["tool"] as? [String: Any])?["driver"] as? [String: Any], driver["name"] is String else {
            throw Problem(description: "tool.driver.name is required")
        }
        let rules = driver["rules"] as? [[String: Any]] ?? []
        for rule in rules where !(rule["id"] is String) { throw Problem(description: "every rule needs an id") }
        guard let results = runs[0]["results"] as? [[String: Any]], results.count == expected else {
            throw Problem(description: "expected \(expected) results")
        }
        let levels: Set<String> = ["none", "note", "warning", "error"]
        for result in results {
            guard let message = result["message"] as? [String: Any], message["text"] is String else { throw Problem(description: "message.text") }
            guard let level = result["level"] as? String, levels.contains(level) else { throw Problem(description: "level") }
            guard let index = result["ruleIndex"] as? Int, index >= 0, index < rules.count,
                rules[index]["id"] as? String == result["ruleId"] as? String
            else { throw Problem(description: "ruleIndex must point at the rule of ruleId") }
            for location in (result["locations"] as? [[String: Any]] ?? []) + (result["relatedLocations"] as? [[String: Any]] ?? []) {
                if let physical = location["physicalLocation"] as? [String: Any] {
                    guard (physical["artifactLocation"] as? [String: Any])?["uri"] is String else {
                        throw Problem(description: "artifactLocation.uri")
                    }
                    if let region = physical["region"] as? [String: Any], let line = region["startLine"] as? Int, line < 1 {
                        throw Problem(description: "startLine must be at least 1")
                    }
                } else if location["logicalLocations"] == nil {
                    throw Problem(description: "a location is physical or logical")
                }
            }
            for suppression in result["suppressions"] as? [[String: Any]] ?? [] {
                guard let kind = suppression["kind"] as? String, ["inSource", "external"].contains(kind) else {
                    throw Problem(description: "suppression.kind")
                }
            }
        }
    }
}
