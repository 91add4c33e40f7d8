import Foundation
import GRDB
import Testing

/// The governance commands as a pipeline runs them: exit codes and machine output are what CI
/// scripts read, so they are checked on the real executable.
@Suite("Triage, gate and audit from the command line", .serialized)
struct GovernanceCLITests {
    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    static func run(_ arguments: [String], database: String, now: String = "2026-12-01T12:00:00Z") throws -> Run {
        guard let url = RampartBinary.url else { throw RampartBinary.NotBuilt() }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments + ["--db", database]
        var environment = ProcessInfo.processInfo.environment
        environment["RAMPART_NOW"] = now
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self), errors: String(decoding: err, as: UTF8.self))
    }

    static func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    @Test("gate exits 1 on new high issues, 0 once they are triaged, 2 on usage; audit verify exits 1 after tampering")
    func pipeline() throws {
        let directory = try ConcurrentProcessTests.temporaryDirectory()
        let database = directory.appendingPathComponent("cli.db").path
        let report = RampartBinary.packageRoot.appendingPathComponent("examples/reports/pairs/semgrep.json").path
        let imported = try Self.run(["import", "--app", "shop", "--component", "api", "--actor", "ci-bot", report], database: database)
        #expect(imported.status == 0, "\(imported.errors)")

        let gate = try Self.run(
            ["gate", "--app", "shop", "--component", "api", "--json", "--junit", directory.appendingPathComponent("g.xml").path], database: database)
        #expect(gate.status == 1)
        let verdict = try #require(try Self.json(gate.output) as? [String: Any])
        let failures = try #require(verdict["failures"] as? [[String: Any]])
        #expect(verdict["passed"] as? Bool == false && !failures.isEmpty)
        let junit = try String(contentsOf: directory.appendingPathComponent("g.xml"), encoding: .utf8)
        #expect(junit.contains("failures=\"\(failures.count)\""))

        #expect(try Self.run(["gate", "--app", "shop", "--component", "nope"], database: database).status == 2)
        #expect(try Self.run(["gate", "--app", "shop", "--component", "api", "--branch", "feature"], database: database).status == 2)
        #expect(try Self.run(["triage", "1", "--state", "accepted_risk", "--reason", "r"], database: database).status == 2)

        for failure in failures {
            let id = try #require(failure["id"] as? Int)
            let triaged = try Self.run(
                ["triage", String(id), "--state", "accepted_risk", "--until", "2027-01-31", "--reason", "fix scheduled", "--actor", "alice"],
                database: database)
            #expect(triaged.status == 0, "\(triaged.errors)")
        }
        #expect(try Self.run(["gate", "--app", "shop", "--component", "api"], database: database).status == 0)

        let issues = try #require(try Self.json(try Self.run(["issues", "--json"], database: database).output) as? [[String: Any]])
        let accepted = try #require(issues.first { $0["triage"] as? String == "accepted_risk" })
        #expect(accepted["triage_until"] is String && accepted["due"] is String && accepted["sla_breached"] as? Bool == false)
        #expect(accepted["triage_by"] as? String == "alice" && accepted["triage_reason"] as? String == "fix scheduled")

        // A month after the risks expire, they are untriaged again and the gate fails.
        #expect(try Self.run(["gate", "--app", "shop", "--component", "api"], database: database, now: "2027-03-01T00:00:00Z").status == 1)
        #expect(try Self.run(["issues", "--json", "--triage", "accepted_risk"], database: database).output == "[]\n")

        let intact = try Self.run(["audit", "verify", "--json"], database: database)
        #expect(intact.status == 0)
        let entries = try #require((try Self.json(intact.output) as? [String: Any])?["entries"] as? Int)
        #expect(entries == 1 + 2 * failures.count)
        let pool = try DatabaseQueue(path: database)
        try pool.write { db in
            try db.execute(sql: "DROP TRIGGER audit_entry_no_update")
            try db.execute(sql: "UPDATE audit_entry SET actor = 'mallory' WHERE id = 2")
        }
        try pool.close()
        let broken = try Self.run(["audit", "verify", "--json"], database: database)
        #expect(broken.status == 1)
        #expect((try Self.json(broken.output) as? [String: Any])?["broken_entry"] as? Int == 2)
    }
}
