import Foundation
import RampartCore
import RampartFeeds
import Testing

@Suite("Feed files")
struct FeedFilesTests {
    static let feeds: URL? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let feeds = root.deletingLastPathComponent().appendingPathComponent("shared/feeds")
        return FileManager.default.fileExists(atPath: feeds.appendingPathComponent("README.md").path) ? feeds : nil
    }()

    @Test("the real KEV catalog and EPSS file load", .enabled(if: feeds != nil, "../shared/feeds is not present: real feed files not read"))
    func realFeeds() throws {
        let feeds = try #require(Self.feeds)
        let kev = try FeedFiles.readKEV(Data(contentsOf: feeds.appendingPathComponent("kev/known_exploited_vulnerabilities.json")), file: "kev.json")
        #expect(kev.version == "2026.08.21")
        #expect(kev.entries.count == 1674)
        #expect(kev.entries.contains { $0.cve == "CVE-2021-44228" && $0.knownRansomwareUse })
        let epss = try FeedFiles.readEPSS(Data(contentsOf: feeds.appendingPathComponent("epss/epss_scores-2026-01-30.csv.gz")), file: "epss.csv.gz")
        #expect(epss.modelVersion == "v2025.03.14")
        #expect(epss.scoreDate == "2026-01-30T12:55:00Z")
        #expect(epss.scores.count == 313_089)
        #expect(epss.scores.first == EPSSScore(cve: "CVE-1999-0001", probability: 0.01151, percentile: 0.78086))
    }

    @Test("EPSS without its comment line, uncompressed, with CRLF")
    func plainEPSS() throws {
        let file = try FeedFiles.readEPSS(Data("cve,epss,percentile\r\nCVE-2021-44228,0.94358,0.99957\r\n".utf8), file: "e.csv")
        #expect(file.modelVersion == nil)
        #expect(file.scores == [EPSSScore(cve: "CVE-2021-44228", probability: 0.94358, percentile: 0.99957)])
    }

    @Test("malformed feeds are refused with the file and line")
    func refusals() {
        func epssError(_ text: String) -> String {
            do {
                _ = try FeedFiles.readEPSS(Data(text.utf8), file: "e.csv")
                return ""
            } catch { return error.description }
        }
        #expect(epssError("cve,epss,percentile\nCVE-1,1.5,0.2\n").hasPrefix("e.csv:2: expected"))
        #expect(epssError("id,score\nCVE-1,0.5\n").hasPrefix("e.csv:1: expected the header"))
        #expect(epssError("cve,epss,percentile\n").contains("no scores"))
        #expect(epssError("").contains("no `cve,epss,percentile` header"))
        #expect(throws: FeedError.self) { try FeedFiles.readEPSS(Data([0x1f, 0x8b, 0x08, 0x00, 0x01]), file: "cut.gz") }
        #expect(throws: FeedError.self) {
            try FeedFiles.readKEV(
                Data(#"{"catalogVersion": "1", "count": 2, "vulnerabilities": [{"cveID": "CVE-2021-44228"}]}"#.utf8), file: "k.json")
        }
        #expect(throws: FeedError.self) {
            try FeedFiles.readKEV(Data(#"{"catalogVersion": "1", "vulnerabilities": [{"cveID": "not-a-cve"}]}"#.utf8), file: "k.json")
        }
        #expect(throws: FeedError.self) { try FeedFiles.readKEV(Data("[]".utf8), file: "k.json") }
    }
}
