import Foundation
import Testing

@testable import RampartStore

@Suite("Report archive")
struct ReportArchiveTests {
    /// A report-like text a few chunks long, with a short last chunk.
    static let report: Data = {
        var text = "["
        for index in 0..<12_000 {
            text += #"{"VulnerabilityID":"CVE-2024-\#(index)","PkgName":"lib\#(index % 97)","Severity":"HIGH","Title":"t\#(index * 31 % 1_000)"},"#
        }
        return Data((text + "{}]").utf8)
    }()

    @Test("chunks deflated by libdeflate (when the system has it) and by zlib both inflate to the report's bytes")
    func bothCompressorsRoundTrip() throws {
        #expect(Self.report.count > 3 * ReportArchive.chunkSize)
        let count = ReportArchive.chunkCount(byteCount: Self.report.count)
        for preferLibDeflate in [true, false] {
            var compressor = ChunkCompressor(preferLibDeflate: preferLibDeflate)
            let usesLibDeflate = compressor.usesLibDeflate
            if !preferLibDeflate { #expect(!usesLibDeflate) }
            var restored = Data()
            for number in 0..<count {
                let chunk = Self.report.withUnsafeBytes { ReportArchive.compressedChunk(number, of: $0, with: &compressor) }
                #expect(chunk.count < ReportArchive.size(ofChunk: number, byteCount: Self.report.count) / 3)
                restored.append(try ReportArchive.inflate(chunk, size: ReportArchive.size(ofChunk: number, byteCount: Self.report.count)))
            }
            #expect(restored == Self.report, "libdeflate preferred: \(preferLibDeflate), used: \(usesLibDeflate)")
        }
    }

    @Test("a chunk that does not inflate to its recorded size is refused as damaged")
    func damagedChunk() throws {
        var compressor = ChunkCompressor()
        let chunk = Self.report.withUnsafeBytes { ReportArchive.compressedChunk(0, of: $0, with: &compressor) }
        #expect(throws: ReportArchive.DamagedArchive.self) { try ReportArchive.inflate(chunk, size: ReportArchive.chunkSize - 1) }
        #expect(throws: ReportArchive.DamagedArchive.self) { try ReportArchive.inflate(chunk.prefix(chunk.count / 2), size: ReportArchive.chunkSize) }
    }
}
