import Foundation
import RampartCore
import RampartImporters
import RampartIngest
import RampartSQLite
import RampartStore

#if canImport(Glibc)
    import Glibc
#endif

/// glibc's malloc_trim, which the Glibc module does not export.
@_silgen_name("malloc_trim")
func mallocTrim(_ pad: Int) -> Int32

/// Import benchmark: generates synthetic Trivy JSON and SARIF reports with
/// ../shared/bench/gen_synthetic.py and prints findings/s for parsing alone and for whole
/// imports (fresh database, identical reimport, reimport with 10% changed), peak RSS, and the
/// cost of importing into a database that already holds a million findings of other streams.
/// Build it in release: `swift run -c release rampart-benchmark`.
@main
struct Benchmark {
    struct Options {
        var sizes = [10_000, 100_000]
        var formats = ["trivy", "sarif"]
        var work = "bench-out"
        var generator = "../shared/bench/gen_synthetic.py"
        var bigDatabaseStreams = 10
        var bigDatabaseSize = 100_000
        var skipBigDatabase = false
    }

    static func parseOptions() -> Options {
        var options = Options()
        var arguments = CommandLine.arguments.dropFirst().makeIterator()
        while let argument = arguments.next() {
            switch argument {
            case "--sizes": options.sizes = (arguments.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--formats": options.formats = (arguments.next() ?? "").split(separator: ",").map(String.init)
            case "--work": options.work = arguments.next() ?? options.work
            case "--generator": options.generator = arguments.next() ?? options.generator
            case "--big-db-streams": options.bigDatabaseStreams = Int(arguments.next() ?? "") ?? options.bigDatabaseStreams
            case "--skip-big-db": options.skipBigDatabase = true
            default:
                print(
                    "usage: rampart-benchmark [--sizes 10000,100000] [--formats trivy,sarif] [--work DIR] [--generator PATH] [--big-db-streams N] [--skip-big-db]"
                )
                exit(2)
            }
        }
        return options
    }

    /// Peak resident set size since the last reset, in bytes.
    static func peakRSS() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kilobytes * 1024
        }
        return 0
    }

    /// Resets the kernel's peak-RSS mark so each scenario reports its own peak.
    /// Starts a scenario from a quiet machine: earlier scenarios' dirty pages written out (or the
    /// kernel's write-back competes with this scenario's I/O) and their freed heap handed back
    /// (or it counts in this scenario's peak RSS).
    static func resetPeakRSS() {
        sync()
        _ = mallocTrim(0)
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    static func generate(_ options: Options, format: String, size: Int, run: Int) throws -> String {
        let ext = format == "sarif" ? "sarif" : "json"
        let path = "\(options.work)/\(format)-\(size)-run\(run).\(ext)"
        if FileManager.default.fileExists(atPath: path) { return path }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        var arguments = ["python3", options.generator, format, "-n", String(size), "-o", path]
        if run > 0 { arguments += ["--run", String(run), "--dup-ratio", "0.9"] }
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchmarkError(message: "generator failed for \(path)") }
        return path
    }

    struct BenchmarkError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Double, Int) {
        resetPeakRSS()
        let clock = ContinuousClock()
        let start = clock.now
        let value = try await body()
        return (value, seconds(clock.now - start), peakRSS())
    }

    /// Where parse time goes: read+hash, syntax, importer, identity.
    static func currentRSS() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (line.split(separator: " ").compactMap { Int($0) }.first ?? 0) * 1024
        }
        return 0
    }

    static func printStages(ingestor: Ingestor, path: String, context: ImportContext) async throws {
        let (file, readSeconds, _) = try await measure { try ingestor.read(path: path) }
        let (parsed, syntaxSeconds, _) = try await measure { try ingestor.pipeline.parseSyntax(file.data, file: path) }
        let importer = try ingestor.pipeline.detect(parsed, file: path)
        let (output, importerSeconds, _) = try await measure { try await importer.read(parsed, context: context) }
        let afterImporter = currentRSS()
        let (_, identitySeconds, _) = await measure { await FindingIdentity.assign(output.findings) }
        print("        RSS after importer (tape and findings alive): \(megabytes(afterImporter))")
        print(
            String(
                format: "        stages: read+sha256 %.3f s, syntax %.3f s, importer %.3f s, identity %.3f s", readSeconds, syntaxSeconds,
                importerSeconds, identitySeconds))
    }

    static func freshStore(_ options: Options, name: String) throws -> SQLiteStore {
        let path = "\(options.work)/\(name).db"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        return try SQLiteStore(path: path)
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.0f MB", Double(bytes) / 1_048_576) }

    static func main() async {
        let options = parseOptions()
        do {
            try await run(options)
        } catch {
            FileHandle.standardError.write(Data("rampart-benchmark: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(_ options: Options) async throws {
        guard FileManager.default.fileExists(atPath: options.generator) else {
            throw BenchmarkError(message: "generator not found at \(options.generator) (pass --generator PATH)")
        }
        try FileManager.default.createDirectory(atPath: options.work, withIntermediateDirectories: true)
        print("Rampart import benchmark (\(ProcessInfo.processInfo.activeProcessorCount) cores)\n")
        print(
            "format  findings  file      parse f/s   import f/s  import s  identical reimport s  10%-changed reimport s  peak RSS (import)  RSS limit"
        )
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        var freshImportSeconds: [String: Double] = [:]
        for format in options.formats {
            for size in options.sizes {
                let first = try generate(options, format: format, size: size, run: 0)
                let second = try generate(options, format: format, size: size, run: 1)
                let fileSize = (try FileManager.default.attributesOfItem(atPath: first)[.size] as? Int) ?? 0

                let store = try freshStore(options, name: "\(format)-\(size)")
                let ingestor = Ingestor(store: store)
                let context = ImportContext(secretSalt: try await store.secretSalt())
                let target = ImportTarget(application: "bench", component: "\(format)-\(size)")

                // Only the count is kept: the parsed report must not stay in memory during the import.
                let (records, parseSeconds, _) = try await measure {
                    try await ingestor.prepare(path: first, formatID: nil, context: context).report.recordCount
                }
                try await printStages(ingestor: ingestor, path: first, context: context)
                let (imported, importSeconds, importPeak) = try await measure {
                    try await ingestor.importFile(path: first, target: target, context: context, at: now)
                }
                let (identical, identicalSeconds, _) = try await measure {
                    try await ingestor.importFile(path: first, target: target, context: context, at: now + 60)
                }
                let (changed, changedSeconds, _) = try await measure {
                    try await ingestor.importFile(path: second, target: target, context: context, at: now + 120)
                }
                guard imported.outcome.new == imported.outcome.findings, identical.outcome.duplicateOfScan != nil,
                    changed.outcome.unchanged + changed.outcome.new == changed.outcome.findings
                else { throw BenchmarkError(message: "unexpected import outcome for \(first)") }
                freshImportSeconds["\(format)-\(size)"] = importSeconds
                let line = [
                    format.padding(toLength: 8, withPad: " ", startingAt: 0), String(size).padding(toLength: 10, withPad: " ", startingAt: 0),
                    megabytes(fileSize).padding(toLength: 10, withPad: " ", startingAt: 0),
                    String(format: "%-12.0f", Double(records) / parseSeconds), String(format: "%-12.0f", Double(records) / importSeconds),
                    String(format: "%-10.2f", importSeconds), String(format: "%-22.3f", identicalSeconds),
                    String(format: "%-24.2f", changedSeconds), megabytes(importPeak).padding(toLength: 19, withPad: " ", startingAt: 0),
                    megabytes(3 * fileSize + 150 * 1_048_576),
                ]
                print(line.joined())
                print(
                    "        (10%-changed: \(changed.outcome.new) new, \(changed.outcome.unchanged) unchanged, \(changed.outcome.fixed) fixed)")
            }
        }
        guard !options.skipBigDatabase, options.formats.contains("trivy") else { return }
        let size = options.bigDatabaseSize
        let report = try generate(options, format: "trivy", size: size, run: 0)
        print("\nImport of \(size) Trivy findings into a database already holding \(options.bigDatabaseStreams * size) findings of other streams:")
        let store = try freshStore(options, name: "big")
        let ingestor = Ingestor(store: store)
        let context = ImportContext(secretSalt: try await store.secretSalt())
        for stream in 0..<options.bigDatabaseStreams {
            _ = try await ingestor.importFile(
                path: report, target: ImportTarget(application: "other", component: "service-\(stream)"), context: context, at: now)
        }
        let (_, bigSeconds, _) = try await measure {
            try await ingestor.importFile(path: report, target: ImportTarget(application: "bench", component: "target"), context: context, at: now)
        }
        let emptySeconds: Double
        if let measured = freshImportSeconds["trivy-\(size)"] {
            emptySeconds = measured
        } else {
            let empty = Ingestor(store: try freshStore(options, name: "empty"))
            (_, emptySeconds, _) = try await measure {
                try await empty.importFile(path: report, target: ImportTarget(application: "bench", component: "target"), context: context, at: now)
            }
        }
        print(
            String(
                format: "  into the full database: %.2f s; into an empty one: %.2f s; ratio %.2f (target < 1.5)", bigSeconds, emptySeconds,
                bigSeconds / emptySeconds))
    }
}
