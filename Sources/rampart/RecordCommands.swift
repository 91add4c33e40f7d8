import ArgumentParser
import Foundation
import RampartStore

struct EvidenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence", abstract: "Print a finding's record as the tool wrote it (secrets redacted).")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The finding's id (see `rampart findings`).") var findingID: Int64

    func run() async throws {
        guard let evidence = try await database.openStore().evidence(findingID: findingID) else {
            throw CLIError("finding \(findingID) does not exist or has no kept record")
        }
        FileHandle.standardOutput.write(evidence)
        if evidence.last != 0x0A { FileHandle.standardOutput.write(Data("\n".utf8)) }
    }
}

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the report a scan imported, byte for byte.",
        discussion: "Reports are kept compressed, except those holding secret findings, which are never stored.")

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The scan's id (see `rampart scans`).") var scanID: Int64
    @Option(name: [.short, .long], help: "Write to this file instead of standard output.") var output: String?

    func run() async throws {
        guard let report = try await database.openStore().report(scanID: scanID) else {
            throw CLIError("scan \(scanID) does not exist or its report was not kept (reports holding secrets are not)")
        }
        if let output {
            do {
                try report.write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw CLIError("cannot write \(output)")
            }
        } else {
            FileHandle.standardOutput.write(report)
        }
    }
}
