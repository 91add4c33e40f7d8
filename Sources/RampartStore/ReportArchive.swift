import CZlib
import Foundation

/// An imported report itself, kept compressed: each finding's evidence points into it instead of
/// carrying its own copy (for JSON reports the evidence is a verbatim slice of the file), and the
/// original file can be handed back byte for byte.
///
/// The report is cut into chunks of `chunkSize` bytes, each deflated on its own, so one finding's
/// evidence is read back by inflating the one or two chunks that hold it, not the whole report.
public enum ReportArchive {
    /// Big enough for deflate to find the repetition across records, small enough that reading one
    /// finding's evidence back inflates well under a millisecond of data.
    public static let chunkSize = 256 * 1024

    public struct DamagedArchive: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "the stored report archive is damaged (a chunk does not inflate to its recorded size)" }
    }

    public static func chunkCount(byteCount: Int) -> Int { (byteCount + chunkSize - 1) / chunkSize }

    /// The chunk numbers that hold `span` of the report.
    public static func chunks(covering span: Range<Int>) -> ClosedRange<Int> {
        (span.lowerBound / chunkSize)...(max(span.lowerBound, span.upperBound - 1) / chunkSize)
    }

    /// The raw size of chunk `number` of a report of `byteCount` bytes.
    public static func size(ofChunk number: Int, byteCount: Int) -> Int { min(chunkSize, byteCount - number * chunkSize) }

    /// Deflates chunk `number` of `report` (zlib format, level 1: a report compresses 5-10x at
    /// about 300 MB/s; higher levels gain a few percent for several times the time). `scratch`
    /// is reused across chunks, so each chunk holds only its compressed size in memory.
    public static func compressedChunk(_ number: Int, of report: UnsafeRawBufferPointer, scratch: inout [UInt8]) -> Data {
        let start = number * chunkSize
        let count = min(chunkSize, report.count - start)
        var produced = compressBound(uLong(count))
        if scratch.count < Int(produced) { scratch = [UInt8](repeating: 0, count: Int(produced)) }
        let status = scratch.withUnsafeMutableBufferPointer { out in
            compress2(out.baseAddress!, &produced, report.baseAddress!.advanced(by: start).assumingMemoryBound(to: Bytef.self), uLong(count), 1)
        }
        // compress2 fails only on a buffer smaller than compressBound or on memory exhaustion.
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        return Data(scratch[0..<Int(produced)])
    }

    /// Inflates one chunk, which must come back at exactly `size` bytes.
    public static func inflate(_ chunk: Data, size: Int) throws -> Data {
        var output = Data(count: size)
        var produced = uLong(size)
        let status = output.withUnsafeMutableBytes { out in
            chunk.withUnsafeBytes { input in
                uncompress(
                    out.baseAddress?.assumingMemoryBound(to: Bytef.self), &produced, input.baseAddress?.assumingMemoryBound(to: Bytef.self),
                    uLong(input.count))
            }
        }
        guard status == Z_OK, produced == uLong(size) else { throw DamagedArchive() }
        return output
    }

    /// Bytes `span` of a report, from the inflated chunks `chunks(covering: span)` in order.
    public static func slice(_ span: Range<Int>, of inflatedChunks: [Data]) -> Data {
        var joined = Data()
        for chunk in inflatedChunks { joined.append(chunk) }
        let start = span.lowerBound - chunks(covering: span).lowerBound * chunkSize
        return joined.subdata(in: start..<(start + span.count))
    }

    /// Where `evidence` lies in `report`, when it is a verbatim slice of it (the JSON importers
    /// hand out evidence as slices of the report's own bytes); nil for evidence an importer wrote
    /// itself (rebuilt XML, redacted secrets), which is stored as it is.
    public static func span(of evidence: Data, in report: UnsafeRawBufferPointer) -> Range<Int>? {
        guard let reportStart = report.baseAddress, !evidence.isEmpty else { return nil }
        return evidence.withUnsafeBytes { bytes -> Range<Int>? in
            guard let start = bytes.baseAddress, start >= reportStart, start + bytes.count <= reportStart + report.count else { return nil }
            let offset = start - reportStart
            return offset..<(offset + bytes.count)
        }
    }
}
