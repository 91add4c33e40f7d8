import Foundation
import GRDB
import RampartCore
import RampartFeeds
import RampartImporters
import RampartIngest
import RampartSQLite
import RampartStore

/// The issue layer's figures: a second tool's report of the same vulnerabilities correlating into
/// the issues the first one opened, and, on the database of a million findings, the risk-ordered
/// issue list and the rescoring of every issue after a feed update.
extension Benchmark {
    struct IssueFigures: Codable {
        var findings = 0
        var firstSeconds = 0.0
        var secondSeconds = 0.0
        var issuesAfterFirst = 0
        var issuesAfterSecond = 0
        var issuesWithBothTools = 0
        var databaseFindings = 0
        var databaseIssues = 0
        var listColdSeconds = 0.0
        var listWarmSeconds = 0.0
        var listedIssues = 0
        var rescoreSeconds = 0.0
        var rescored = 0
        var feedLoadSeconds = 0.0
        var feedEntries = 0
        var peakRSS = 0
    }

    /// Grype JSON of the Trivy report's vulnerabilities (scripts/bench-second-tool.py).
    static func secondToolReport(_ options: Options, size: Int) throws -> String {
        let trivy = try generate(options, format: "trivy", size: size, run: 0)
        let path = "\(options.work)/grype-of-trivy-\(size).json"
        if FileManager.default.fileExists(atPath: path) { return path }
        try runPython([options.secondToolScript, trivy, path], making: path)
        return path
    }

    static func count(_ sql: String, in path: String) throws -> Int {
        try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }

    /// In a child process: Trivy then Grype of the same vulnerabilities into one component.
    static func measureSecondTool(_ options: Options, size: Int) async throws -> IssueFigures {
        let trivy = try generate(options, format: "trivy", size: size, run: 0)
        let grype = try secondToolReport(options, size: size)
        let name = "second-\(size)"
        let store = try freshStore(options, name: name)
        let ingestor = Ingestor(store: store)
        let context = ImportContext(secretSalt: try await store.secretKey())
        let target = ImportTarget(application: "bench", component: "image")
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        var figures = IssueFigures()
        let (first, firstSeconds, _) = try await measure {
            try await ingestor.importFile(path: trivy, target: target, context: context, at: now)
        }
        let database = "\(options.work)/\(name).db"
        figures.issuesAfterFirst = try count("SELECT count(*) FROM issue", in: database)
        let (second, secondSeconds, peak) = try await measure {
            try await ingestor.importFile(path: grype, target: target, context: context, at: now + 3_600)
        }
        guard first.outcome.new == size, second.outcome.new == size else {
            throw BenchmarkError(message: "unexpected outcome: \(first.outcome.new) then \(second.outcome.new) new findings")
        }
        figures.findings = size
        figures.firstSeconds = firstSeconds
        figures.secondSeconds = secondSeconds
        figures.peakRSS = peak
        figures.issuesAfterSecond = try count("SELECT count(*) FROM issue", in: database)
        figures.issuesWithBothTools = try count(
            """
            SELECT count(*) FROM (SELECT m.issue_id FROM issue_member m JOIN finding f ON f.id = m.finding_id JOIN stream s ON s.id = f.stream_id
            GROUP BY m.issue_id HAVING count(DISTINCT s.tool) = 2)
            """, in: database)
        return figures
    }

    /// In a child process, on a copy of the million-finding database: `issues --limit 50` (the
    /// store call behind it), rescoring every issue, and an EPSS load (which rescores too).
    static func measureIssueQueries(_ options: Options) async throws -> IssueFigures {
        let path = "\(options.work)/big-run.db"
        var figures = IssueFigures()
        figures.databaseFindings = try count("SELECT count(*) FROM finding", in: path)
        figures.databaseIssues = try count("SELECT count(*) FROM issue", in: path)
        let store = try SQLiteStore(path: path)
        let (listed, cold, _) = try await measure { try await store.issues(IssueQuery(limit: 50)) }
        figures.listColdSeconds = cold
        figures.listedIssues = listed.count
        var warm: [Double] = []
        for _ in 0..<5 { warm.append(try await measure { try await store.issues(IssueQuery(limit: 50)) }.1) }
        figures.listWarmSeconds = median(warm)
        let now = Date(timeIntervalSince1970: 1_790_100_000)
        (figures.rescored, figures.rescoreSeconds, figures.peakRSS) = try await measure { try await store.rescoreIssues(at: now) }
        let epssFile = options.feeds + "/epss"
        if let name = try? FileManager.default.contentsOfDirectory(atPath: epssFile).sorted().last {
            let file = epssFile + "/" + name
            let epss = try FeedFiles.readEPSS(try Data(contentsOf: URL(fileURLWithPath: file)), file: file)
            let update = FeedUpdate(content: .epss(epss.scores), version: epss.modelVersion, published: epss.scoreDate, source: file)
            figures.feedEntries = epss.scores.count
            figures.feedLoadSeconds = try await measure { try await store.loadFeed(update, actor: "benchmark", at: now + 60) }.1
        }
        return figures
    }

    static func runIssueChild(_ options: Options, scenario: String) throws -> IssueFigures {
        try runScenario(
            scenario,
            [
                "--work", options.work, "--generator", options.generator, "--second-tool-script", options.secondToolScript, "--feeds",
                options.feeds,
            ], as: IssueFigures.self)
    }

    static func runSecondTool(_ options: Options) throws {
        let size = options.secondToolSize
        _ = try secondToolReport(options, size: size)
        let runs = try (0..<options.repeats).map { _ in try runIssueChild(options, scenario: "second:\(size)") }
        let first = runs[0]
        let rate = Double(size) / median(runs.map(\.secondSeconds))
        print("\nA second tool's report of the same vulnerabilities (Grype JSON of the Trivy report's \(size) CVEs and packages):")
        print(
            String(
                format: "  Trivy first: %.0f findings/s (%.2f s) -> %d issues; then Grype: %.0f findings/s (%.2f s; runs %.2f-%.2f s), peak RSS %@",
                Double(size) / median(runs.map(\.firstSeconds)), median(runs.map(\.firstSeconds)), first.issuesAfterFirst, rate,
                median(runs.map(\.secondSeconds)), runs.map(\.secondSeconds).min()!, runs.map(\.secondSeconds).max()!, megabytes(first.peakRSS)))
        print(
            "  issues after both: \(first.issuesAfterSecond) (\(first.issuesWithBothTools) with both tools); target: \(first.issuesAfterFirst) issues, >= 15000 findings/s"
                + (first.issuesAfterSecond == first.issuesAfterFirst && rate >= 15_000 ? " (met)" : " (NOT met)"))
    }

    static func printIssueQueries(_ figures: [IssueFigures]) {
        let first = figures[0]
        print(
            "\nOn that database (\(first.databaseFindings) findings, \(first.databaseIssues) issues), the store calls behind the CLI, one fresh process each:"
        )
        let warm = median(figures.map(\.listWarmSeconds))
        print(
            String(
                format: "  issues --limit 50: %.0f ms first call, %.0f ms after (median; %d listed); target < 200 ms%@",
                median(figures.map(\.listColdSeconds)) * 1000,
                warm * 1000, first.listedIssues, median(figures.map(\.listColdSeconds)) < 0.2 ? " (met)" : " (NOT met)"))
        let rescore = median(figures.map(\.rescoreSeconds))
        print(
            String(
                format: "  rescoring every issue: %.2f s for %d issues (runs %.2f-%.2f s), peak RSS %@; target < 10 s%@", rescore, first.rescored,
                figures.map(\.rescoreSeconds).min()!, figures.map(\.rescoreSeconds).max()!, megabytes(first.peakRSS),
                rescore < 10 ? " (met)" : " (NOT met)"))
        if first.feedEntries > 0 {
            print(
                String(
                    format: "  EPSS load of %d scores with the rescoring it starts: %.2f s", first.feedEntries, median(figures.map(\.feedLoadSeconds))
                ))
        } else {
            print("  EPSS load: skipped (no feed snapshot under the --feeds folder)")
        }
    }
}
