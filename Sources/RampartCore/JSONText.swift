/// Minimal JSON text building for hot paths where `JSONEncoder` is too slow (it encodes about
/// 59 MB/s on this machine kind): storage columns and evidence rewriting. Text is built as
/// UTF-8 bytes and becomes a String once: appending to a String piece by piece cost more than
/// the rest of a finding's storage row.
public enum JSONText {
    public static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        appendQuoted(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `text` as a JSON string. Only ASCII bytes need escaping, and no byte of a
    /// multi-byte UTF-8 sequence is ASCII, so escaping works on bytes.
    public static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(0x22)
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                start = index + 1
                switch byte {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: out.append(contentsOf: [0x5C, 0x72])
                case 0x09: out.append(contentsOf: [0x5C, 0x74])
                default:
                    out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, Hashing.hexDigit(byte >> 4), Hashing.hexDigit(byte & 0x0F)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        out.append(0x22)
    }

    public static func array(_ strings: [String]) -> String {
        if strings.isEmpty { return "[]" }
        var out: [UInt8] = []
        out.reserveCapacity(strings.count * 24)
        appendArray(strings, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func appendArray(_ strings: [String], to out: inout [UInt8]) {
        out.append(0x5B)
        for index in strings.indices {
            if index > 0 { out.append(0x2C) }
            appendQuoted(strings[index], to: &out)
        }
        out.append(0x5D)
    }

    public static func array(_ numbers: [Int]) -> String {
        numbers.isEmpty ? "[]" : "[" + numbers.map(String.init).joined(separator: ",") + "]"
    }
}

/// Builds one JSON object member by member in a single growing byte buffer (no array of
/// members, no string per value first). Members whose value is nil are left out.
public struct JSONObjectBuilder {
    private var bytes: [UInt8] = []
    private var isEmpty = true

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
        bytes.append(0x7B)
    }

    @inline(__always) private mutating func begin(_ key: StaticString) {
        if !isEmpty { bytes.append(0x2C) }
        isEmpty = false
        bytes.append(0x22)
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        bytes.append(contentsOf: [0x22, 0x3A])
    }

    @inline(__always) private mutating func appendPlain(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    public mutating func add(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        begin(key)
        JSONText.appendQuoted(value, to: &bytes)
    }

    public mutating func add(_ key: StaticString, _ value: Int?) {
        guard let value else { return }
        begin(key)
        appendPlain(String(value))
    }

    public mutating func add(_ key: StaticString, _ value: Double?) {
        guard let value else { return }
        begin(key)
        appendPlain("\(value)")
    }

    /// An array of strings, written even when empty.
    public mutating func add(_ key: StaticString, _ values: [String]) {
        begin(key)
        JSONText.appendArray(values, to: &bytes)
    }

    /// A value that is already JSON text.
    public mutating func add(_ key: StaticString, json: String?) {
        guard let json else { return }
        begin(key)
        appendPlain(json)
    }

    public var result: String {
        var bytes = bytes
        bytes.append(0x7D)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A fast 64-bit, non-cryptographic hash (8 bytes per step, then a murmur-style finish) to
/// tell whether a stored finding's details changed. Byte-at-a-time FNV-1a cost an eighth of
/// the write time on 2 KB records.
public struct ChangeHasher: Sendable {
    public private(set) var value: UInt64 = 0x9E37_79B9_7F4A_7C15

    public init() {}

    @inline(__always) mutating func mix(_ word: UInt64) {
        value = (value ^ word) &* 0xFF51_AFD7_ED55_8CCD
        value ^= value >> 32
    }

    public mutating func combine(buffer: UnsafeRawBufferPointer) {
        var offset = 0
        while offset + 8 <= buffer.count {
            mix(buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        var tail: UInt64 = UInt64(buffer.count) << 56
        var shift: UInt64 = 0
        while offset < buffer.count {
            tail |= UInt64(buffer[offset]) << shift
            shift += 8
            offset += 1
        }
        mix(tail)
        value ^= value >> 29
        value &*= 0xC4CE_B9FE_1A85_EC53
        value ^= value >> 32
    }

    public mutating func combine(_ text: String) {
        var text = text
        text.withUTF8 { combine(buffer: UnsafeRawBufferPointer($0)) }
    }

    /// Combines a list of texts, its length first: ["a", "b"] and ["ab"] hash differently.
    public mutating func combine(_ texts: [String]) {
        mix(UInt64(texts.count) | 0x5A00_0000_0000_0000)
        for text in texts { combine(text) }
    }

    /// Combines a text that may be absent; absent and empty hash differently.
    public mutating func combine(optional text: String?) {
        if let text {
            combine(text)
        } else {
            mix(0xA5A5_5A5A_0000_0001)
        }
    }
}
