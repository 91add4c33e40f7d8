import ArgumentParser
import Foundation
import RampartCore
import RampartImporters
import RampartIngest
import RampartSQLite
import RampartStore

#if canImport(Glibc)
    import Glibc
#endif

@main
struct Rampart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rampart",
        abstract: "Rampart: application security posture management. Imports scanner reports, keeps one identity per problem.",
        version: "0.1.0",
        subcommands: [
            ImportCommand.self, FindingsCommand.self, ScansCommand.self, AppsCommand.self, FormatsCommand.self, EvidenceCommand.self,
            ReportCommand.self, PackagesCommand.self, InventoryCommand.self, CoverageCommand.self, IssuesCommand.self, ExplainCommand.self,
            CorrelateCommand.self, FeedsCommand.self, TriageCommand.self, RulesCommand.self, AuditCommand.self, SLACommand.self, GateCommand.self,
            ExportCommand.self, MetricsCommand.self,
        ])

    /// Exit codes: 0 ok, 1 error, 2 usage.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            // A command's own exit status (the gate's 1 and 2, audit verify's 1), already explained.
            Glibc.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            let message = fullMessage(for: error)
            if !message.isEmpty { FileHandle.standardError.write(Data(("rampart: " + message + "\n").utf8)) }
            Glibc.exit(code == .validationFailure ? 2 : 1)
        }
    }
}

struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite database file (default: $RAMPART_DB or ./rampart.db).")
    var db: String?

    @Option(
        name: .long,
        help: "Seconds to wait while another process writes to the database (default: $RAMPART_LOCK_TIMEOUT or 60).")
    var lockTimeout: Double?

    var path: String { db ?? ProcessInfo.processInfo.environment["RAMPART_DB"] ?? "rampart.db" }

    func validate() throws {
        if let lockTimeout, !(lockTimeout >= 0 && lockTimeout <= 86_400) {
            throw ValidationError("--lock-timeout must be between 0 and 86400 seconds")
        }
    }

    var timeout: Double {
        lockTimeout ?? ProcessInfo.processInfo.environment["RAMPART_LOCK_TIMEOUT"].flatMap(Double.init).map { min(max($0, 0), 86_400) } ?? 60
    }

    func openStore() throws -> SQLiteStore {
        do {
            var key: SecretKeySource?
            if let hex = ProcessInfo.processInfo.environment["RAMPART_SECRET_KEY"], !hex.isEmpty {
                guard let value = SecretKeySource.key(fromHex: hex) else { throw CLIError("RAMPART_SECRET_KEY must be 64 hex digits") }
                key = .value(value)
            }
            return try SQLiteStore(path: path, lockTimeout: timeout, secretKey: key)
        } catch let busy as DatabaseBusy {
            throw CLIError("cannot open database \(path): \(busy)")
        } catch let error as CLIError {
            throw error
        } catch let error as SecretKeyError {
            throw CLIError("cannot open database \(path): \(error)")
        } catch {
            throw CLIError("cannot open database \(path): \(error)")
        }
    }
}

/// Who acts, as the audit trail records: `--actor`, else the OS user.
struct ActorOptions: ParsableArguments {
    @Option(name: .long, help: "Who acts, for the audit trail (default: the OS user).") var actor: String?

    func validate() throws {
        if let actor, actor.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--actor must not be empty") }
    }

    var name: String {
        if let actor { return actor }
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "unknown"
    }
}

struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Writes to standard error; progress only when it is a terminal.
enum Terminal {
    static var isInteractive: Bool { isatty(STDERR_FILENO) == 1 }

    static func progress(_ text: String) {
        guard isInteractive else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }

    static func endProgress() {
        guard isInteractive else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func warn(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// Renders aligned text tables for people.
func table(_ headers: [String], _ rows: [[String]]) -> String {
    var widths = headers.map(\.count)
    for row in rows {
        for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }
    return ([line(headers), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n")
}

func truncate(_ text: String, _ length: Int) -> String {
    text.count <= length ? text : String(text.prefix(length - 1)) + "…"
}

func isoTimestamp(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) }

/// JSON values with explicit nulls, so machine output always has the same keys.
enum JSONOut {
    static func string(_ value: String?) -> String { value.map(JSONText.quoted) ?? "null" }
    static func int(_ value: Int?) -> String { value.map(String.init) ?? "null" }
    static func double(_ value: Double?) -> String { value.map { "\($0)" } ?? "null" }
    static func bool(_ value: Bool) -> String { value ? "true" : "false" }
    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { JSONText.quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }
    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }
}
