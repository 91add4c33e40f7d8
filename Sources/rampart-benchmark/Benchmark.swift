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
        var rescanScript = "scripts/bench-rescan.py"
        var bigDatabaseStreams = 10
        var bigDatabaseSize = 100_000
        var skipBigDatabase = false
        var repeats = 3
        /// Set in a child process: the one scenario to measure and report as JSON.
        var scenario: (String, Int)?
        /// A report whose parse stages run five times over, for a profiler (`--stages FILE`).
        var stagesOf: String?
        /// Large reports for parse and import throughput (`--throughput zap:100000,...`).
        var throughputLarge: [(format: String, size: Int)] = [("zap", 100_000), ("tenable-csv", 100_000)]
        /// Formats compared at `sweepSize` findings, slowest five printed (`--sweep a,b --sweep-size N`).
        var sweepFormats = ["trivy", "sarif", "semgrep", "zap", "depcheck", "tenable-csv"]
        var sweepSize = 10_000
        /// Only the throughput section (`--throughput-only`).
        var throughputOnly = false
        /// Makes a Grype report of a Trivy report's vulnerabilities, for the second-tool figure.
        var secondToolScript = "scripts/bench-second-tool.py"
        var secondToolSize = 100_000
        /// Where the KEV and EPSS snapshots are, for the feed-load figure.
        var feeds = "../shared/feeds"
        /// Skips the issue-layer figures (`--skip-issues`).
        var skipIssues = false
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
            case "--rescan-script": options.rescanScript = arguments.next() ?? options.rescanScript
            case "--big-db-streams": options.bigDatabaseStreams = Int(arguments.next() ?? "") ?? options.bigDatabaseStreams
            case "--skip-big-db": options.skipBigDatabase = true
            case "--repeat": options.repeats = max(1, Int(arguments.next() ?? "") ?? options.repeats)
            case "--stages": options.stagesOf = arguments.next()
            case "--throughput":
                options.throughputLarge = (arguments.next() ?? "").split(separator: ",").compactMap { entry in
                    let parts = entry.split(separator: ":")
                    return parts.count == 2 ? Int(parts[1]).map { (String(parts[0]), $0) } : nil
                }
            case "--sweep": options.sweepFormats = (arguments.next() ?? "").split(separator: ",").map(String.init)
            case "--sweep-size": options.sweepSize = Int(arguments.next() ?? "") ?? options.sweepSize
            case "--throughput-only": options.throughputOnly = true
            case "--second-tool-script": options.secondToolScript = arguments.next() ?? options.secondToolScript
            case "--second-tool-size": options.secondToolSize = Int(arguments.next() ?? "") ?? options.secondToolSize
            case "--feeds": options.feeds = arguments.next() ?? options.feeds
            case "--skip-issues": options.skipIssues = true
            case "--scenario":
                let parts = (arguments.next() ?? "").split(separator: ":")
                if parts.count == 2, let size = Int(parts[1]) { options.scenario = (String(parts[0]), size) }
            default:
                print(
                    "usage: rampart-benchmark [--stages REPORT] [--sizes 10000,100000] [--formats trivy,sarif] [--repeat N] [--work DIR] [--generator PATH] [--big-db-streams N] [--skip-big-db] [--throughput zap:100000,tenable-csv:100000] [--sweep trivy,sarif,...] [--sweep-size N] [--throughput-only] [--second-tool-size N] [--skip-issues] [--feeds DIR]"
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
        var arguments = [options.generator, format, "-n", String(size), "-o", path]
        if run > 0 { arguments += ["--run", String(run), "--dup-ratio", "0.9"] }
        try runPython(arguments, making: path)
        return path
    }

    /// A rescan made from the baseline by scripts/bench-rescan.py: `same` (the same findings in
    /// new bytes) or `churn` (10% modified in place, 10% removed, 10% added).
    static func rescan(_ options: Options, mode: String, format: String, size: Int) throws -> String {
        let baseline = try generate(options, format: format, size: size, run: 0)
        let path = "\(options.work)/\(format)-\(size)-\(mode).\(format == "sarif" ? "sarif" : "json")"
        if FileManager.default.fileExists(atPath: path) { return path }
        try runPython([options.rescanScript, mode, format, baseline, path], making: path)
        return path
    }

    /// Runs `python3 ARGUMENTS` to make a report; `what` names it in the error if it fails.
    static func runPython(_ arguments: [String], making what: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchmarkError(message: "\(arguments.first ?? "python3") failed for \(what)") }
    }

    /// Runs this benchmark again as a child process for one scenario (`--scenario NAME` and
    /// `arguments`) and decodes the figures it prints as JSON.
    static func runScenario<Figures: Decodable>(_ scenario: String, _ arguments: [String], as: Figures.Type) throws -> Figures {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        process.arguments = ["--scenario", scenario] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchmarkError(message: "scenario \(scenario) failed") }
        return try JSONDecoder().decode(Figures.self, from: data)
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

    /// Resident set size now, in bytes.
    static func currentRSS() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (line.split(separator: " ").compactMap { Int($0) }.first ?? 0) * 1024
        }
        return 0
    }

    /// Where parse time goes: read+hash, syntax, importer, identity.
    static func stageSummary(ingestor: Ingestor, path: String, context: ImportContext) async throws -> String {
        let (file, readSeconds, _) = try await measure { try ingestor.read(path: path) }
        let (parsed, syntaxSeconds, _) = try await measure { try await ingestor.pipeline.parseSyntax(file.data, file: path) }
        let importer = try ingestor.pipeline.detect(parsed, file: path).importer
        let (output, importerSeconds, _) = try await measure { try await importer.read(parsed, context: context) }
        let afterImporter = currentRSS()
        let (findings, identitySeconds, _) = await measure { await FindingIdentity.assign(output.findings) }
        // What the store's row maker spends on one core: every finding's column values and hashes.
        let (_, rowSeconds, _) = await measure {
            file.data.withUnsafeBytes { report in findings.reduce(0) { $0 &+ StorageRow($1, report: report).detailHash } }
        }
        return String(
            format:
                "parse stages: read+sha256 %.3f s, syntax %.3f s, importer %.3f s, identity %.3f s; storage rows %.3f s (one core); RSS with tape and findings alive %@",
            readSeconds, syntaxSeconds, importerSeconds, identitySeconds, rowSeconds, megabytes(afterImporter))
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

    /// One scenario's figures, as a child process reports them to the parent.
    struct Measurement: Codable {
        var records: Int
        var fileSize: Int
        var parseSeconds: Double
        var importSeconds: Double
        var identicalSeconds: Double
        var sameFindingsSeconds: Double
        var churnSeconds: Double
        var changedSeconds: Double
        var importPeakRSS: Int
        var stages: String
        var changeSummary: String
        var churnSummary: String
    }

    /// Parse, stages, fresh import, identical reimport and 10%-changed reimport of one report,
    /// in this (fresh) process.
    static func measureScenario(_ options: Options, format: String, size: Int) async throws -> Measurement {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let first = try generate(options, format: format, size: size, run: 0)
        let second = try generate(options, format: format, size: size, run: 1)
        let fileSize = (try FileManager.default.attributesOfItem(atPath: first)[.size] as? Int) ?? 0
        let name = "\(format)-\(size)"
        let target = ImportTarget(application: "bench", component: "\(format)-\(size)")
        let base = "\(options.work)/\(name).db"
        let (imported, importSeconds, importPeak): (FileImportResult, Double, Int)
        let (identical, identicalSeconds): (FileImportResult, Double)
        do {
            let store = try freshStore(options, name: name)
            let ingestor = Ingestor(store: store)
            let context = ImportContext(secretSalt: try await store.secretKey())
            // The fresh import comes first, so that its peak RSS is that of a process doing
            // nothing else, as a CLI import is.
            (imported, importSeconds, importPeak) = try await measure {
                try await ingestor.importFile(path: first, target: target, context: context, at: now)
            }
            (identical, identicalSeconds, _) = try await measure {
                try await ingestor.importFile(path: first, target: target, context: context, at: now + 60)
            }
        }
        // Each rescan is measured in a copy of the database as the scan before it left it: the
        // fresh import for the same-findings rescan and for run 2, the same-findings rescan for
        // the churn (which is made from it).
        func rescanInto(_ label: String, path: String, after previous: String = base, at time: Date = now + 120) async throws -> (
            FileImportResult, Double
        ) {
            let copy = "\(options.work)/\(name)-\(label).db"
            for suffix in ["", "-wal", "-shm", ".key"] {
                try? FileManager.default.removeItem(atPath: copy + suffix)
                if suffix != "-shm", FileManager.default.fileExists(atPath: previous + suffix) {
                    try FileManager.default.copyItem(atPath: previous + suffix, toPath: copy + suffix)
                }
            }
            let store = try SQLiteStore(path: copy)
            let ingestor = Ingestor(store: store)
            let context = ImportContext(secretSalt: try await store.secretKey())
            let (result, seconds, _) = try await measure {
                try await ingestor.importFile(path: path, target: target, context: context, at: time)
            }
            return (result, seconds)
        }
        let (same, sameFindingsSeconds) = try await rescanInto("same", path: try rescan(options, mode: "same", format: format, size: size))
        let (churned, churnSeconds) = try await rescanInto(
            "churn", path: try rescan(options, mode: "churn", format: format, size: size), after: "\(options.work)/\(name)-same.db",
            at: now + 86_400)
        let (changed, changedSeconds) = try await rescanInto("run2", path: second)
        let store = try SQLiteStore(path: base)
        let ingestor = Ingestor(store: store)
        let context = ImportContext(secretSalt: try await store.secretKey())
        // Only the count is kept: the parsed report must not stay in memory.
        let (records, parseSeconds, _) = try await measure {
            try await ingestor.prepare(path: first, formatID: nil, context: context).report.recordCount
        }
        let stages = try await stageSummary(ingestor: ingestor, path: first, context: context)
        guard imported.outcome.new == imported.outcome.findings, identical.outcome.duplicateOfScan != nil,
            same.outcome.new == 0, same.outcome.fixed == 0, same.outcome.unchanged == imported.outcome.findings,
            churned.outcome.new > 0, churned.outcome.fixed > 0,
            changed.outcome.unchanged + changed.outcome.new + changed.outcome.reopened == changed.outcome.findings
        else { throw BenchmarkError(message: "unexpected import outcome for \(first)") }
        return Measurement(
            records: records, fileSize: fileSize, parseSeconds: parseSeconds, importSeconds: importSeconds, identicalSeconds: identicalSeconds,
            sameFindingsSeconds: sameFindingsSeconds, churnSeconds: churnSeconds, changedSeconds: changedSeconds, importPeakRSS: importPeak,
            stages: stages,
            changeSummary:
                "\(changed.outcome.new) new, \(changed.outcome.unchanged) unchanged, \(changed.outcome.reopened) reopened, \(changed.outcome.fixed) fixed",
            churnSummary: "\(churned.outcome.new) new, \(churned.outcome.unchanged) unchanged, \(churned.outcome.fixed) fixed")
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Runs one scenario in a child process: a CLI import is a process of its own, and a process
    /// that already ran other scenarios carries their heap fragmentation into the peak RSS.
    static func runChild(_ options: Options, format: String, size: Int) throws -> Measurement {
        try runScenario(
            "\(format):\(size)",
            ["--work", options.work, "--generator", options.generator, "--rescan-script", options.rescanScript], as: Measurement.self)
    }

    static func run(_ options: Options) async throws {
        if let path = options.stagesOf {
            let store = try SQLiteStore.inMemory()
            let ingestor = Ingestor(store: store)
            let context = ImportContext(secretSalt: try await store.secretKey())
            for _ in 0..<5 { print(try await stageSummary(ingestor: ingestor, path: path, context: context)) }
            return
        }
        guard FileManager.default.fileExists(atPath: options.generator) else {
            throw BenchmarkError(message: "generator not found at \(options.generator) (pass --generator PATH)")
        }
        try FileManager.default.createDirectory(atPath: options.work, withIntermediateDirectories: true)
        if let (format, size) = options.scenario, format.hasPrefix("tp-") {
            let measurement = try await measureThroughput(options, format: String(format.dropFirst(3)), size: size)
            FileHandle.standardOutput.write(try JSONEncoder().encode(measurement))
            return
        }
        if options.throughputOnly {
            try runThroughput(options)
            return
        }
        if let (format, size) = options.scenario, format == "second" || format == "queries" {
            let figures = format == "second" ? try await measureSecondTool(options, size: size) : try await measureIssueQueries(options)
            FileHandle.standardOutput.write(try JSONEncoder().encode(figures))
            return
        }
        if let (format, size) = options.scenario {
            let measurement =
                format == "big"
                ? try await measureBigDatabase(options, size: size) : try await measureScenario(options, format: format, size: size)
            FileHandle.standardOutput.write(try JSONEncoder().encode(measurement))
            return
        }
        print("Rampart import benchmark (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
        print("Each scenario runs \(options.repeats) times, each in a fresh process: medians, then the range of the runs.\n")
        print(
            """
            Rows: parse and import of a fresh report; rescans, each into a copy of the database the scan before it left: a repeat of
            the latest scan's bytes (recognized by its hash, nothing parsed), the same findings in new bytes (timestamps, shifted
            lines, bumped versions), the scan after that a day later with 10% modified in place + 10% removed + 10% added, and a
            second generated run whose records are 90% byte-identical (after the fresh import).

            """)
        print(
            "format  findings  file      parse f/s   import f/s  import s  repeat(hash) s  same findings s  10% mod/add/del s  run 2 (90% same) s  peak RSS  RSS limit"
        )
        var freshImportSeconds: [String: Double] = [:]
        for format in options.formats {
            for size in options.sizes {
                // Generate the reports once, outside the measured runs.
                _ = try generate(options, format: format, size: size, run: 0)
                _ = try generate(options, format: format, size: size, run: 1)
                let runs = try (0..<options.repeats).map { _ in try runChild(options, format: format, size: size) }
                let first = runs[0]
                let parse = median(runs.map(\.parseSeconds))
                let imports = runs.map(\.importSeconds)
                let identical = runs.map(\.identicalSeconds)
                let same = runs.map(\.sameFindingsSeconds)
                let churn = runs.map(\.churnSeconds)
                let changed = runs.map(\.changedSeconds)
                let peaks = runs.map { Double($0.importPeakRSS) }
                freshImportSeconds["\(format)-\(size)"] = median(imports)
                let line = [
                    format.padding(toLength: 8, withPad: " ", startingAt: 0), String(size).padding(toLength: 10, withPad: " ", startingAt: 0),
                    megabytes(first.fileSize).padding(toLength: 10, withPad: " ", startingAt: 0),
                    String(format: "%-12.0f", Double(first.records) / parse), String(format: "%-12.0f", Double(first.records) / median(imports)),
                    String(format: "%-10.2f", median(imports)), String(format: "%-16.3f", median(identical)),
                    String(format: "%-17.2f", median(same)), String(format: "%-19.2f", median(churn)), String(format: "%-20.2f", median(changed)),
                    megabytes(Int(median(peaks))).padding(toLength: 10, withPad: " ", startingAt: 0),
                    megabytes(3 * first.fileSize + 150 * 1_048_576),
                ]
                print(line.joined())
                print(
                    String(
                        format:
                            "        runs: import %.2f-%.2f s, repeat %.3f-%.3f s, same findings %.2f-%.2f s, 10%% mod/add/del %.2f-%.2f s, run 2 %.2f-%.2f s, peak RSS %@-%@",
                        imports.min()!, imports.max()!, identical.min()!, identical.max()!, same.min()!, same.max()!, churn.min()!, churn.max()!,
                        changed.min()!, changed.max()!, megabytes(Int(peaks.min()!)), megabytes(Int(peaks.max()!))))
                print("        \(first.stages)")
                print("        10% mod/add/del: \(first.churnSummary); run 2: \(first.changeSummary)")
            }
        }
        try runThroughput(options)
        if !options.skipIssues { try runSecondTool(options) }
        guard !options.skipBigDatabase, options.formats.contains("trivy") else { return }
        let size = options.bigDatabaseSize
        let report = try generate(options, format: "trivy", size: size, run: 0)
        print("\nImport of \(size) Trivy findings into a database already holding \(options.bigDatabaseStreams * size) findings of other streams:")
        // The full database is built once; each run imports into a fresh copy of it, in a fresh process.
        let seed = "\(options.work)/big-seed.db"
        if !FileManager.default.fileExists(atPath: seed) {
            let building = "\(options.work)/big-building.db"
            for suffix in ["", "-wal", "-shm", ".key"] { try? FileManager.default.removeItem(atPath: building + suffix) }
            do {
                let store = try SQLiteStore(path: building)
                let ingestor = Ingestor(store: store)
                let context = ImportContext(secretSalt: try await store.secretKey())
                for stream in 0..<options.bigDatabaseStreams {
                    _ = try await ingestor.importFile(
                        path: report, target: ImportTarget(application: "other", component: "service-\(stream)"), context: context,
                        at: Date(timeIntervalSince1970: 1_790_000_000))
                }
            }
            for suffix in ["", "-wal", ".key"] where FileManager.default.fileExists(atPath: building + suffix) {
                try FileManager.default.moveItem(atPath: building + suffix, toPath: seed + suffix)
            }
        }
        func copySeed() throws {
            let copy = "\(options.work)/big-run.db"
            for suffix in ["", "-wal", "-shm", ".key"] {
                try? FileManager.default.removeItem(atPath: copy + suffix)
                if FileManager.default.fileExists(atPath: seed + suffix) {
                    try FileManager.default.copyItem(atPath: seed + suffix, toPath: copy + suffix)
                }
            }
            sync()
        }
        var bigRuns: [Double] = []
        for _ in 0..<options.repeats {
            try copySeed()
            bigRuns.append(try runChild(options, format: "big", size: size).importSeconds)
        }
        let emptySeconds = try freshImportSeconds["trivy-\(size)"] ?? runChild(options, format: "trivy", size: size).importSeconds
        print(
            String(
                format: "  into the full database: %.2f s (median; runs %.2f-%.2f s); into an empty one: %.2f s; ratio %.2f (target < 1.5)",
                median(bigRuns), bigRuns.min()!, bigRuns.max()!, emptySeconds, median(bigRuns) / emptySeconds))
        guard !options.skipIssues else { return }
        var queries: [IssueFigures] = []
        for _ in 0..<options.repeats {
            try copySeed()
            queries.append(try runIssueChild(options, scenario: "queries:0"))
        }
        printIssueQueries(queries)
    }

    /// The full-database scenario, in a child process: one import into the copy the parent made.
    static func measureBigDatabase(_ options: Options, size: Int) async throws -> Measurement {
        let report = try generate(options, format: "trivy", size: size, run: 0)
        let store = try SQLiteStore(path: "\(options.work)/big-run.db")
        let ingestor = Ingestor(store: store)
        let context = ImportContext(secretSalt: try await store.secretKey())
        let (result, seconds, peak) = try await measure {
            try await ingestor.importFile(
                path: report, target: ImportTarget(application: "bench", component: "target"), context: context,
                at: Date(timeIntervalSince1970: 1_790_000_600))
        }
        guard result.outcome.new == result.outcome.findings else { throw BenchmarkError(message: "unexpected outcome in the full database") }
        return Measurement(
            records: result.outcome.findings, fileSize: 0, parseSeconds: 0, importSeconds: seconds, identicalSeconds: 0, sameFindingsSeconds: 0,
            churnSeconds: 0, changedSeconds: 0, importPeakRSS: peak, stages: "", changeSummary: "", churnSummary: "")
    }
}
