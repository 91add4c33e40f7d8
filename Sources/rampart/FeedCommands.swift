import ArgumentParser
import Foundation
import RampartCore
import RampartFeeds
import RampartStore

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

struct FeedsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feeds", abstract: "The prioritization feeds (CISA KEV, FIRST EPSS): show them, or load new ones.",
        subcommands: [FeedsShowCommand.self, FeedsUpdateCommand.self], defaultSubcommand: FeedsShowCommand.self)
}

struct FeedsShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Each loaded feed's version, date and size.")

    @OptionGroup var database: DatabaseOptions
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        let feeds = try await database.openStore().feeds()
        if json {
            print(
                JSONOut.array(
                    feeds.map { feed in
                        JSONOut.object([
                            ("kind", JSONOut.string(feed.kind.rawValue)), ("version", JSONOut.string(feed.version)),
                            ("date", JSONOut.string(feed.published)), ("entries", String(feed.entries)), ("source", JSONOut.string(feed.source)),
                            ("loaded_at", JSONOut.string(isoTimestamp(feed.loadedAt))),
                        ])
                    }))
            return
        }
        if feeds.isEmpty {
            print("No feeds loaded: `rampart feeds update` downloads them, or loads files with --kev FILE --epss FILE.")
            return
        }
        let rows = feeds.map { feed in
            [
                feed.kind == .kev ? "CISA KEV" : "FIRST EPSS", feed.version ?? "-", feed.published ?? "-", String(feed.entries), feed.source,
                String(isoTimestamp(feed.loadedAt).prefix(19)),
            ]
        }
        print(table(["FEED", "VERSION", "DATE", "ENTRIES", "SOURCE", "LOADED"], rows))
    }
}

struct FeedsUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Load KEV and EPSS from files, or download the official feeds; then rescore every issue.",
        discussion: """
            A feed file that cannot be read (malformed JSON or CSV, a truncated download, numbers out \
            of range) is refused and the previous feed is kept. Without --kev or --epss both feeds \
            are downloaded from CISA and FIRST; without network, the command says so and changes nothing.
            """)

    static let kevURL = "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json"
    static let epssURL = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz"

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions
    @Option(name: .long, help: "A CISA KEV catalog (known_exploited_vulnerabilities.json).") var kev: String?
    @Option(name: .long, help: "A FIRST EPSS daily file (epss_scores-DATE.csv, gzipped or not).") var epss: String?

    func run() async throws {
        var updates: [FeedUpdate] = []
        // Read and check every file before loading anything.
        if kev == nil && epss == nil {
            updates.append(try Self.kevUpdate(try await Self.download(Self.kevURL), source: Self.kevURL))
            updates.append(try Self.epssUpdate(try await Self.download(Self.epssURL), source: Self.epssURL))
        }
        if let kev {
            guard let data = FileManager.default.contents(atPath: kev) else { throw CLIError("\(kev): cannot be read") }
            updates.append(try Self.kevUpdate(data, source: kev))
        }
        if let epss {
            guard let data = FileManager.default.contents(atPath: epss) else { throw CLIError("\(epss): cannot be read") }
            updates.append(try Self.epssUpdate(data, source: epss))
        }
        let store = try database.openStore()
        var scored = 0
        for update in updates {
            scored = try await store.loadFeed(update, actor: actor.name, at: try Clock.now())
            print(
                "Loaded \(update.kind == .kev ? "CISA KEV" : "FIRST EPSS") \(update.version ?? "") (\(update.published ?? "undated")): \(update.count) entries."
            )
        }
        print("Rescored \(scored) issue(s).")
    }

    static func kevUpdate(_ data: Data, source: String) throws -> FeedUpdate {
        do {
            let catalog = try FeedFiles.readKEV(data, file: source)
            return FeedUpdate(content: .kev(catalog.entries), version: catalog.version, published: catalog.released, source: source)
        } catch {
            throw CLIError(error.description)
        }
    }

    static func epssUpdate(_ data: Data, source: String) throws -> FeedUpdate {
        do {
            let file = try FeedFiles.readEPSS(data, file: source)
            return FeedUpdate(content: .epss(file.scores), version: file.modelVersion, published: file.scoreDate, source: source)
        } catch {
            throw CLIError(error.description)
        }
    }

    static func download(_ address: String) async throws -> Data {
        guard let url = URL(string: address) else { throw CLIError("\(address): not a URL") }
        var request = URLRequest(url: url)
        request.timeoutInterval = 60
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
                throw CLIError("\(address): the server answered \((response as? HTTPURLResponse)?.statusCode ?? 0); nothing was loaded")
            }
            return data
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError(
                "\(address) cannot be downloaded (\(error.localizedDescription)): no network? Load files instead with --kev FILE --epss FILE. Nothing was loaded."
            )
        }
    }
}
