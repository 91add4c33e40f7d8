import CZlib
import Foundation

/// A ZIP archive's files, inflated in memory: some tools hand out their report as a zip (Black
/// Duck's project-version report, office spreadsheets). Read from the central directory, as
/// unzip does. Hostile archives are refused, not trusted: encrypted entries, ZIP64, methods other
/// than stored and deflate, more than `maxEntries` entries, an entry that inflates past the size
/// the directory declares, and archives that would inflate past `maxInflated` bytes or 200 times
/// their own size (a zip bomb).
package struct ZIPArchive: Sendable {
    package struct Entry: Sendable {
        package var name: String
        package var data: Data
    }

    package var entries: [Entry]

    static let maxEntries = 10_000
    static let maxRatio = 200

    package struct Refusal: Error, CustomStringConvertible {
        package var reason: String
        package var description: String { "unreadable ZIP archive: \(reason)" }
    }

    /// True when the bytes start as a ZIP archive (a local file header).
    package static func looksLikeZIP(_ data: Data) -> Bool {
        data.count >= 4 && data.prefix(4).elementsEqual([0x50, 0x4B, 0x03, 0x04])
    }

    package init(_ data: Data, maxInflated: Int) throws(Refusal) {
        let bytes = [UInt8](data)
        func u16(_ offset: Int) throws(Refusal) -> Int {
            guard offset >= 0, offset + 2 <= bytes.count else { throw Refusal(reason: "truncated at byte \(offset)") }
            return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
        }
        func u32(_ offset: Int) throws(Refusal) -> Int {
            guard offset >= 0, offset + 4 <= bytes.count else { throw Refusal(reason: "truncated at byte \(offset)") }
            return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
        }
        // The end-of-central-directory record: 22 bytes and a comment of at most 65,535.
        var end = -1
        var candidate = bytes.count - 22
        while candidate >= 0, candidate >= bytes.count - 22 - 65_535 {
            if bytes[candidate] == 0x50, bytes[candidate + 1] == 0x4B, bytes[candidate + 2] == 0x05, bytes[candidate + 3] == 0x06 {
                end = candidate
                break
            }
            candidate -= 1
        }
        guard end >= 0 else { throw Refusal(reason: "no central directory (not a complete archive)") }
        let count = try u16(end + 10)
        let directorySize = try u32(end + 12)
        let directoryOffset = try u32(end + 16)
        guard count != 0xFFFF, directoryOffset != 0xFFFF_FFFF else { throw Refusal(reason: "ZIP64 archives are not read") }
        guard count <= Self.maxEntries else { throw Refusal(reason: "\(count) entries, over the limit of \(Self.maxEntries)") }
        guard directoryOffset + directorySize <= end else { throw Refusal(reason: "the central directory lies outside the archive") }
        let budget = min(maxInflated, max(bytes.count, 1) * Self.maxRatio)
        var inflatedTotal = 0
        var entries: [Entry] = []
        var offset = directoryOffset
        for _ in 0..<count {
            guard try u32(offset) == 0x0201_4B50 else { throw Refusal(reason: "bad central directory entry at byte \(offset)") }
            let flags = try u16(offset + 8)
            let method = try u16(offset + 10)
            let compressedSize = try u32(offset + 20)
            let size = try u32(offset + 24)
            let nameLength = try u16(offset + 28)
            let extraLength = try u16(offset + 30)
            let commentLength = try u16(offset + 32)
            let localOffset = try u32(offset + 42)
            guard offset + 46 + nameLength <= bytes.count else { throw Refusal(reason: "truncated entry name at byte \(offset)") }
            let name = String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
            offset += 46 + nameLength + extraLength + commentLength
            if name.hasSuffix("/") { continue }
            guard flags & 1 == 0 else { throw Refusal(reason: "entry \(name) is encrypted") }
            guard compressedSize != 0xFFFF_FFFF, size != 0xFFFF_FFFF else { throw Refusal(reason: "ZIP64 archives are not read") }
            inflatedTotal += size
            guard inflatedTotal <= budget else {
                throw Refusal(reason: "the entries would inflate to more than \(budget) bytes (a zip bomb, or over the import limit)")
            }
            guard try u32(localOffset) == 0x0403_4B50 else { throw Refusal(reason: "bad local header for \(name)") }
            let start = localOffset + 30 + (try u16(localOffset + 26)) + (try u16(localOffset + 28))
            guard start >= 0, start + compressedSize <= bytes.count else { throw Refusal(reason: "entry \(name) lies outside the archive") }
            let body = bytes[start..<(start + compressedSize)]
            switch method {
            case 0:
                guard compressedSize == size else { throw Refusal(reason: "stored entry \(name) has two sizes") }
                entries.append(Entry(name: name, data: Data(body)))
            case 8:
                entries.append(Entry(name: name, data: try Self.inflateRaw(body, size: size, name: name)))
            default:
                throw Refusal(reason: "entry \(name) uses compression method \(method); only stored and deflate are read")
            }
        }
        self.entries = entries
    }

    /// Inflates raw deflate data that must give exactly `size` bytes.
    static func inflateRaw(_ body: ArraySlice<UInt8>, size: Int, name: String) throws(Refusal) -> Data {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Refusal(reason: "cannot start decompression")
        }
        defer { inflateEnd(&stream) }
        // One byte more than declared, so that an entry that lies about its size is caught.
        var output = [UInt8](repeating: 0, count: size + 1)
        let status = body.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                // zlib reads `next_in` and never writes through it.
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                return inflate(&stream, Z_FINISH)
            }
        }
        let produced = output.count - Int(stream.avail_out)
        guard status == Z_STREAM_END, produced == size else {
            throw Refusal(reason: "entry \(name) does not inflate to its declared \(size) bytes")
        }
        output.removeLast()
        return Data(output)
    }

    /// The entries whose file name (without folders) matches `predicate`.
    package func entries(named predicate: (String) -> Bool) -> [Entry] {
        entries.filter { predicate(String($0.name.split(separator: "/").last ?? "")) }
    }
}
