import Foundation
import GRDB
import RampartStore
import Testing

@testable import RampartSQLite

/// The `rampart` executable this build made, run as a user runs it.
enum RampartBinary {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var url: URL? {
        let build = packageRoot.appendingPathComponent(".build")
        let candidates = ["debug", "release"].map { build.appendingPathComponent($0).appendingPathComponent("rampart") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    struct NotBuilt: Error, CustomStringConvertible {
        var description: String { "the rampart executable is not built: build it with the tests (swift build --build-tests)" }
    }

    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        guard let url else { throw NotBuilt() }
        process.executableURL = url
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        return process
    }
}

@Suite("Several processes on one database", .serialized)
struct ConcurrentProcessTests {
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-processes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// A Semgrep report of `count` findings in `file`.
    static func semgrepReport(count: Int, file: String) -> String {
        let results = (0..<count).map { index in
            #"{"check_id":"rule.\#(index)","path":"\#(file)","start":{"line":\#(index + 1),"col":1},"end":{"line":\#(index + 1),"col":9},"extra":{"message":"issue \#(index)","severity":"ERROR","lines":"call_\#(index)()"}}"#
        }
        return #"{"version":"1.50.0","errors":[],"results":["# + results.joined(separator: ",") + "]}"
    }

    @Test("imports started at once into one new database all land: writers wait for each other")
    func parallelImports() async throws {
        let directory = try Self.temporaryDirectory()
        let database = directory.appendingPathComponent("shared.db").path
        let count = 6
        var processes: [Process] = []
        for index in 0..<count {
            let report = directory.appendingPathComponent("r\(index).json")
            try Data(Self.semgrepReport(count: 2_000, file: "src/m\(index).py").utf8).write(to: report)
            processes.append(try RampartBinary.start(["import", "--db", database, "--app", "app\(index)", report.path]))
        }
        for process in processes { process.waitUntilExit() }
        let failures = processes.enumerated().filter { $0.element.terminationStatus != 0 }.map { index, process in
            "import \(index): exit \(process.terminationStatus): "
                + String(decoding: (process.standardError as? Pipe)?.fileHandleForReading.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        }
        #expect(failures.isEmpty, "\(failures)")
        let store = try SQLiteStore(path: database)
        #expect(try await store.scans(application: nil, limit: nil).count == count)
        #expect(try await store.findings(FindingQuery()).count == count * 2_000)
    }

    @Test("processes opening a new database the same instant all open it: the one switching it to WAL does not make the others fail")
    func simultaneousCreation() async throws {
        let directory = try Self.temporaryDirectory()
        let report = directory.appendingPathComponent("r.json")
        try Data(Self.semgrepReport(count: 1, file: "src/a.py").utf8).write(to: report)
        // Tiny reports, so that every process reaches the new file at once; several rounds, since it is a race.
        for round in 0..<8 {
            let database = directory.appendingPathComponent("new\(round).db").path
            let processes = try (0..<4).map { index in
                try RampartBinary.start(["import", "--db", database, "--app", "app\(index)", report.path])
            }
            for process in processes { process.waitUntilExit() }
            let failures = processes.filter { $0.terminationStatus != 0 }.map {
                String(decoding: ($0.standardError as? Pipe)?.fileHandleForReading.readDataToEndOfFile() ?? Data(), as: UTF8.self)
            }
            #expect(failures.isEmpty, "round \(round): \(failures)")
        }
    }

    @Test("a writer that waits longer than its lock timeout fails saying so, and changes nothing")
    func lockTimeout() async throws {
        let directory = try Self.temporaryDirectory()
        let database = directory.appendingPathComponent("held.db").path
        _ = try SQLiteStore(path: database)
        // Another connection holds the write lock.
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let holder = try DatabaseQueue(path: database, configuration: configuration)
        try await holder.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let report = directory.appendingPathComponent("r.json")
        try Data(Self.semgrepReport(count: 10, file: "a.py").utf8).write(to: report)
        let started = Date()
        let process = try RampartBinary.start(["import", "--db", database, "--lock-timeout", "1", report.path])
        process.waitUntilExit()
        let message = String(decoding: (process.standardError as? Pipe)?.fileHandleForReading.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        #expect(process.terminationStatus == 1)
        #expect(message.contains("database is busy") && message.contains("--lock-timeout"), "\(message)")
        #expect(Date().timeIntervalSince(started) >= 1)
        try await holder.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        #expect(try await SQLiteStore(path: database).scans(application: nil, limit: nil).isEmpty)
    }

    @Test("an import killed with SIGKILL at any moment leaves the database intact: all of it or nothing")
    func killedImports() async throws {
        let directory = try Self.temporaryDirectory()
        let database = directory.appendingPathComponent("killed.db").path
        let report = directory.appendingPathComponent("big.json")
        try Data(Self.semgrepReport(count: 40_000, file: "src/big.py").utf8).write(to: report)
        _ = try SQLiteStore(path: database)
        for delay in [0.05, 0.2, 0.4, 0.7, 1.0] {
            let process = try RampartBinary.start(["import", "--db", database, "--app", "a\(delay)", report.path])
            try await Task.sleep(for: .seconds(delay))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let queue = try DatabaseQueue(path: database)
            let (integrity, scans, findings) = try await queue.read { db in
                (
                    try String.fetchOne(db, sql: "PRAGMA integrity_check"), try Int.fetchOne(db, sql: "SELECT count(*) FROM scan") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM finding") ?? 0
                )
            }
            try queue.close()
            #expect(integrity == "ok")
            #expect(findings == scans * 40_000, "after a kill at \(delay) s: \(scans) scans, \(findings) findings")
        }
    }
}
