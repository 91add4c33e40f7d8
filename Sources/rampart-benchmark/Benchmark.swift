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
        var repeats = 3
        /// Set in a child process: the one scenario to measure and report as JSON.
        var scenario: (String, Int)?
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
            case "--repeat": options.repeats = max(1, Int(arguments.next() ?? "") ?? options.repeats)
            case "--scenario":
                let parts = (arguments.next() ?? "").split(separator: ":")
                if parts.count == 2, let size = Int(parts[1]) { options.scenario = (String(parts[0]), size) }
            default:
                print(
                    "usage: rampart-benchmark [--sizes 10000,100000] [--formats trivy,sarif] [--repeat N] [--work DIR] [--generator PATH] [--big-db-streams N] [--skip-big-db]"
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
        let (parsed, syntaxSeconds, _) = try await measure { try ingestor.pipeline.parseSyntax(file.data, file: path) }
        let importer = try ingestor.pipeline.detect(parsed, file: path)
        let (output, importerSeconds, _) = try await measure { try await importer.read(parsed, context: context) }
        let afterImporter = currentRSS()
        let (_, identitySeconds, _) = await measure { await FindingIdentity.assign(output.findings) }
        return String(
            format: "parse stages: read+sha256 %.3f s, syntax %.3f s, importer %.3f s, identity %.3f s; RSS with tape and findings alive %@",
            readSeconds, syntaxSeconds, importerSeconds, identitySeconds, megabytes(afterImporter))
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
        var changedSeconds: Double
        var importPeakRSS: Int
        var stages: String
        var changeSummary: String
    }

    /// Parse, stages, fresh import, identical reimport and 10%-changed reimport of one report,
    /// in this (fresh) process.
    static func measureScenario(_ options: Options, format: String, size: Int) async throws -> Measurement {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let first = try generate(options, format: format, size: size, run: 0)
        let second = try generate(options, format: format, size: size, run: 1)
        let fileSize = (try FileManager.default.attributesOfItem(atPath: first)[.size] as? Int) ?? 0
        let store = try freshStore(options, name: "\(format)-\(size)")
        let ingestor = Ingestor(store: store)
        let context = ImportContext(secretSalt: try await store.secretKey())
        let target = ImportTarget(application: "bench", component: "\(format)-\(size)")

        // The fresh import comes first, so that its peak RSS is that of a process doing nothing
        // else, as a CLI import is.
        let (imported, importSeconds, importPeak) = try await measure {
            try await ingestor.importFile(path: first, target: target, context: context, at: now)
        }
        let (identical, identicalSeconds, _) = try await measure {
            try await ingestor.importFile(path: first, target: target, context: context, at: now + 60)
        }
        let (changed, changedSeconds, _) = try await measure {
            try await ingestor.importFile(path: second, target: target, context: context, at: now + 120)
        }
        // Only the count is kept: the parsed report must not stay in memory.
        let (records, parseSeconds, _) = try await measure {
            try await ingestor.prepare(path: first, formatID: nil, context: context).report.recordCount
        }
        let stages = try await stageSummary(ingestor: ingestor, path: first, context: context)
        guard imported.outcome.new == imported.outcome.findings, identical.outcome.duplicateOfScan != nil,
            changed.outcome.unchanged + changed.outcome.new == changed.outcome.findings
        else { throw BenchmarkError(message: "unexpected import outcome for \(first)") }
        return Measurement(
            records: records, fileSize: fileSize, parseSeconds: parseSeconds, importSeconds: importSeconds, identicalSeconds: identicalSeconds,
            changedSeconds: changedSeconds, importPeakRSS: importPeak, stages: stages,
            changeSummary: "\(changed.outcome.new) new, \(changed.outcome.unchanged) unchanged, \(changed.outcome.fixed) fixed")
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Runs one scenario in a child process: a CLI import is a process of its own, and a process
    /// that already ran other scenarios carries their heap fragmentation into the peak RSS.
    static func runChild(_ options: Options, format: String, size: Int) throws -> Measurement {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        process.arguments = ["--scenario", "\(format):\(size)", "--work", options.work, "--generator", options.generator]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchmarkError(message: "scenario \(format):\(size) failed") }
        return try JSONDecoder().decode(Measurement.self, from: data)
    }

    static func run(_ options: Options) async throws {
        guard FileManager.default.fileExists(atPath: options.generator) else {
            throw BenchmarkError(message: "generator not found at \(options.generator) (pass --generator PATH)")
        }
        try FileManager.default.createDirectory(atPath: options.work, withIntermediateDirectories: true)
        if let (format, size) = options.scenario {
            let measurement = try await measureScenario(options, format: format, size: size)
            FileHandle.standardOutput.write(try JSONEncoder().encode(measurement))
            return
        }
        print("Rampart import benchmark (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
        print("Each scenario runs \(options.repeats) times, each in a fresh process: medians, then the range of the runs.\n")
        print(
            "format  findings  file      parse f/s   import f/s  import s  identical reimport s  10%-changed reimport s  peak RSS (import)  RSS limit"
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
                let changed = runs.map(\.changedSeconds)
                let peaks = runs.map { Double($0.importPeakRSS) }
                freshImportSeconds["\(format)-\(size)"] = median(imports)
                let line = [
                    format.padding(toLength: 8, withPad: " ", startingAt: 0), String(size).padding(toLength: 10, withPad: " ", startingAt: 0),
                    megabytes(first.fileSize).padding(toLength: 10, withPad: " ", startingAt: 0),
                    String(format: "%-12.0f", Double(first.records) / parse), String(format: "%-12.0f", Double(first.records) / median(imports)),
                    String(format: "%-10.2f", median(imports)), String(format: "%-22.3f", median(identical)),
                    String(format: "%-24.2f", median(changed)), megabytes(Int(median(peaks))).padding(toLength: 19, withPad: " ", startingAt: 0),
                    megabytes(3 * first.fileSize + 150 * 1_048_576),
                ]
                print(line.joined())
                print(
                    String(
                        format: "        runs: import %.2f-%.2f s, identical %.3f-%.3f s, 10%%-changed %.2f-%.2f s, peak RSS %@-%@",
                        imports.min()!, imports.max()!, identical.min()!, identical.max()!, changed.min()!, changed.max()!,
                        megabytes(Int(peaks.min()!)), megabytes(Int(peaks.max()!))))
                print("        \(first.stages)")
                print("        10%-changed: \(first.changeSummary)")
            }
        }
        guard !options.skipBigDatabase, options.formats.contains("trivy") else { return }
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let size = options.bigDatabaseSize
        let report = try generate(options, format: "trivy", size: size, run: 0)
        print("\nImport of \(size) Trivy findings into a database already holding \(options.bigDatabaseStreams * size) findings of other streams:")
        let store = try freshStore(options, name: "big")
        let ingestor = Ingestor(store: store)
        let context = ImportContext(secretSalt: try await store.secretKey())
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
            emptySeconds = try runChild(options, format: "trivy", size: size).importSeconds
        }
        print(
            String(
                format: "  into the full database: %.2f s; into an empty one: %.2f s; ratio %.2f (target < 1.5)", bigSeconds, emptySeconds,
                bigSeconds / emptySeconds))
    }
}
