import CZlib
import Foundation
import RampartCore

/// A feed file that cannot be loaded: the file, where, and why. Nothing is loaded from it and
/// the previous feed stays.
public struct FeedError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var reason: String

    public var description: String {
        "\(file)\(line.map { ":\($0)" } ?? ""): \(reason); the feed was not loaded and the previous one is kept"
    }
}

/// The CISA KEV catalog as loaded.
public struct KEVCatalog: Sendable {
    public var version: String
    public var released: String?
    public var entries: [KEVEntry]
}

/// A FIRST EPSS daily file as loaded.
public struct EPSSFile: Sendable {
    public var modelVersion: String?
    public var scoreDate: String?
    public var scores: [EPSSScore]
}

/// Reads the two prioritization feeds from their published files (docs/risk.md).
public enum FeedFiles {
    /// CISA's `known_exploited_vulnerabilities.json`: `{catalogVersion, dateReleased, count,
    /// vulnerabilities: [{cveID, vendorProject, product, vulnerabilityName, dateAdded, dueDate,
    /// knownRansomwareCampaignUse}]}`. Every entry must name a CVE; the count must match.
    public static func readKEV(_ data: Data, file: String) throws(FeedError) -> KEVCatalog {
        struct Catalog: Decodable {
            var catalogVersion: String?
            var dateReleased: String?
            var count: Int?
            var vulnerabilities: [Entry]?
        }
        struct Entry: Decodable {
            var cveID: String?
            var vendorProject: String?
            var product: String?
            var vulnerabilityName: String?
            var dateAdded: String?
            var dueDate: String?
            var knownRansomwareCampaignUse: String?
        }
        let catalog: Catalog
        do {
            catalog = try JSONDecoder().decode(Catalog.self, from: data)
        } catch {
            throw FeedError(file: file, reason: "not a KEV catalog (expected CISA's JSON object with `vulnerabilities`)")
        }
        guard let vulnerabilities = catalog.vulnerabilities, let version = catalog.catalogVersion else {
            throw FeedError(file: file, reason: "not a KEV catalog: `catalogVersion` and `vulnerabilities` are required")
        }
        if let count = catalog.count, count != vulnerabilities.count {
            throw FeedError(file: file, reason: "the catalog says \(count) entries but lists \(vulnerabilities.count): truncated?")
        }
        var entries: [KEVEntry] = []
        entries.reserveCapacity(vulnerabilities.count)
        for (index, entry) in vulnerabilities.enumerated() {
            guard let cve = entry.cveID.flatMap(VulnerabilityID.init), cve.value.hasPrefix("CVE-") else {
                throw FeedError(file: file, reason: "entry \(index + 1) names no valid CVE id")
            }
            entries.append(
                KEVEntry(
                    cve: cve.value, vendor: entry.vendorProject, product: entry.product, name: entry.vulnerabilityName, dateAdded: entry.dateAdded,
                    dueDate: entry.dueDate, knownRansomwareUse: entry.knownRansomwareCampaignUse?.lowercased() == "known"))
        }
        return KEVCatalog(version: version, released: catalog.dateReleased, entries: entries)
    }

    /// FIRST's `epss_scores-YYYY-MM-DD.csv(.gz)`: an optional comment line
    /// `#model_version:...,score_date:...`, the header `cve,epss,percentile`, then one row per
    /// CVE with numbers between 0 and 1.
    public static func readEPSS(_ data: Data, file: String) throws(FeedError) -> EPSSFile {
        let bytes = data.starts(with: [0x1f, 0x8b]) ? try gunzip(data, file: file) : data
        guard let text = String(validating: bytes, as: UTF8.self) else { throw FeedError(file: file, reason: "not UTF-8 text") }
        var modelVersion: String?
        var scoreDate: String?
        var scores: [EPSSScore] = []
        scores.reserveCapacity(320_000)
        var sawHeader = false
        var lineNumber = 0
        // A Character is "\r\n" in a CRLF file: split on every kind of line end.
        for row in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            if row.isEmpty { continue }
            if row.hasPrefix("#") {
                for part in row.dropFirst().split(separator: ",") {
                    let pair = part.split(separator: ":", maxSplits: 1).map(String.init)
                    guard pair.count == 2 else { continue }
                    if pair[0] == "model_version" { modelVersion = pair[1] }
                    if pair[0] == "score_date" { scoreDate = pair[1] }
                }
                continue
            }
            if !sawHeader {
                guard row.lowercased().replacingOccurrences(of: " ", with: "") == "cve,epss,percentile" else {
                    throw FeedError(file: file, line: lineNumber, reason: "expected the header `cve,epss,percentile`")
                }
                sawHeader = true
                continue
            }
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0].hasPrefix("CVE-"), let probability = Double(fields[1]), let percentile = Double(fields[2]),
                (0...1).contains(probability), (0...1).contains(percentile)
            else {
                throw FeedError(file: file, line: lineNumber, reason: "expected `CVE-id,probability,percentile` with numbers between 0 and 1")
            }
            scores.append(EPSSScore(cve: String(fields[0]), probability: probability, percentile: percentile))
        }
        guard sawHeader else { throw FeedError(file: file, reason: "no `cve,epss,percentile` header: not an EPSS file") }
        guard !scores.isEmpty else { throw FeedError(file: file, reason: "no scores: an empty EPSS file would erase every score") }
        return EPSSFile(modelVersion: modelVersion, scoreDate: scoreDate, scores: scores)
    }

    /// Inflates a gzip file, bounded to 1 GB.
    static func gunzip(_ data: Data, file: String) throws(FeedError) -> Data {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw FeedError(file: file, reason: "cannot start decompression")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var status: Int32 = Z_OK
        var input = [UInt8](data)
        input.withUnsafeMutableBufferPointer { buffer in
            stream.next_in = buffer.baseAddress
            stream.avail_in = uInt(buffer.count)
            while status == Z_OK {
                chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    output.append(out.baseAddress!, count: out.count - Int(stream.avail_out))
                }
                if output.count > 1 << 30 { status = Z_MEM_ERROR }
            }
        }
        guard status == Z_STREAM_END else { throw FeedError(file: file, reason: "not a complete gzip file") }
        return output
    }
}
