import CZlib
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

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

    /// Deflates chunk `number` of `report` (zlib format, fastest level: a report compresses 5-10x;
    /// higher levels gain a few percent for several times the time).
    public static func compressedChunk(_ number: Int, of report: UnsafeRawBufferPointer, with compressor: inout ChunkCompressor) -> Data {
        let start = number * chunkSize
        let count = min(chunkSize, report.count - start)
        return compressor.compress(UnsafeRawBufferPointer(rebasing: report[start..<(start + count)]))
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

/// Deflates archive chunks into zlib streams, through libdeflate when the system has it (three
/// times zlib's speed at its fastest level, and smaller output: a rescan of a 200 MB report
/// spends a second less compressing), else through zlib. Both write the zlib format, which
/// `ReportArchive.inflate` reads whichever made it. One per thread: it keeps its state and
/// output buffer from chunk to chunk.
public struct ChunkCompressor: ~Copyable {
    private let fast: LibDeflate.Compressor?
    private var output: [UInt8] = []

    /// - Parameter preferLibDeflate: false forces zlib (tests compare both).
    public init(preferLibDeflate: Bool = true) {
        fast = preferLibDeflate ? LibDeflate.Compressor() : nil
    }

    public var usesLibDeflate: Bool { fast != nil }

    mutating func compress(_ input: UnsafeRawBufferPointer) -> Data {
        if let fast {
            let bound = fast.bound(input.count)
            if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
            let produced = output.withUnsafeMutableBytes { fast.compress(input, into: $0) }
            // Zero only when the output buffer is too small, and it is sized by libdeflate's own bound.
            precondition(produced > 0, "libdeflate produced nothing for a buffer of its own bound")
            return Data(output[0..<produced])
        }
        var produced = compressBound(uLong(input.count))
        if output.count < Int(produced) { output = [UInt8](repeating: 0, count: Int(produced)) }
        let status = output.withUnsafeMutableBufferPointer { out in
            compress2(out.baseAddress!, &produced, input.baseAddress?.assumingMemoryBound(to: Bytef.self), uLong(input.count), 1)
        }
        // compress2 fails only on a buffer smaller than compressBound or on memory exhaustion.
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        return Data(output[0..<Int(produced)])
    }
}

/// libdeflate's compressor, loaded at run time: it is an optional accelerator, not a build
/// dependency (its shared library ships with most distributions, its headers often do not).
enum LibDeflate {
    private typealias Allocate = @convention(c) (Int32) -> OpaquePointer?
    private typealias Free = @convention(c) (OpaquePointer?) -> Void
    private typealias Compress = @convention(c) (OpaquePointer?, UnsafeRawPointer?, Int, UnsafeMutableRawPointer?, Int) -> Int
    private typealias Bound = @convention(c) (OpaquePointer?, Int) -> Int

    private struct Functions: Sendable {
        let allocate: Allocate
        let free: Free
        let compress: Compress
        let bound: Bound
    }

    private static let functions: Functions? = {
        guard let library = dlopen("libdeflate.so.0", RTLD_NOW | RTLD_LOCAL) else { return nil }
        func symbol<T>(_ name: String, as type: T.Type) -> T? { dlsym(library, name).map { unsafeBitCast($0, to: type) } }
        guard let allocate = symbol("libdeflate_alloc_compressor", as: Allocate.self),
            let free = symbol("libdeflate_free_compressor", as: Free.self),
            let compress = symbol("libdeflate_zlib_compress", as: Compress.self),
            let bound = symbol("libdeflate_zlib_compress_bound", as: Bound.self)
        else {
            dlclose(library)
            return nil
        }
        return Functions(allocate: allocate, free: free, compress: compress, bound: bound)
    }()

    /// One compressor at the fastest level; freed with its owner.
    final class Compressor {
        private let functions: Functions
        private let handle: OpaquePointer

        init?() {
            guard let functions = LibDeflate.functions, let handle = functions.allocate(1) else { return nil }
            self.functions = functions
            self.handle = handle
        }

        deinit { functions.free(handle) }

        func bound(_ count: Int) -> Int { functions.bound(handle, count) }

        func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
            functions.compress(handle, input.baseAddress, input.count, output.baseAddress, output.count)
        }
    }
}
