/// Minimal JSON text building for hot paths where `JSONEncoder` is too slow (it encodes about
/// 59 MB/s on this machine kind): storage columns and evidence rewriting.
public enum JSONText {
    @inline(__always) static func needsEscaping(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            for byte in bytes where byte < 0x20 || byte == 0x22 || byte == 0x5C { return true }
            return false
        }
    }

    public static func quoted(_ text: String) -> String {
        var out = ""
        appendQuoted(text, to: &out)
        return out
    }

    public static func appendQuoted(_ text: String, to out: inout String) {
        out.append("\"")
        if !needsEscaping(text) {
            out.append(text)
            out.append("\"")
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append("\"")
    }

    public static func array(_ strings: [String]) -> String {
        if strings.isEmpty { return "[]" }
        var out = ""
        appendArray(strings, to: &out)
        return out
    }

    public static func appendArray(_ strings: [String], to out: inout String) {
        out.append("[")
        for index in strings.indices {
            if index > 0 { out.append(",") }
            appendQuoted(strings[index], to: &out)
        }
        out.append("]")
    }

    public static func array(_ numbers: [Int]) -> String {
        numbers.isEmpty ? "[]" : "[" + numbers.map(String.init).joined(separator: ",") + "]"
    }
}

/// Builds one JSON object member by member in a single growing string (no array of members, no
/// string per value first). Members whose value is nil are left out.
public struct JSONObjectBuilder {
    private var text: String
    private var isEmpty = true

    public init(capacity: Int = 256) {
        text = "{"
        text.reserveCapacity(capacity)
    }

    @inline(__always) private mutating func begin(_ key: String) {
        text.append(isEmpty ? "\"" : ",\"")
        isEmpty = false
        text.append(key)
        text.append("\":")
    }

    public mutating func add(_ key: String, _ value: String?) {
        guard let value else { return }
        begin(key)
        JSONText.appendQuoted(value, to: &text)
    }

    public mutating func add(_ key: String, _ value: Int?) {
        guard let value else { return }
        begin(key)
        text.append(String(value))
    }

    public mutating func add(_ key: String, _ value: Double?) {
        guard let value else { return }
        begin(key)
        text.append("\(value)")
    }

    /// An array of strings, written even when empty.
    public mutating func add(_ key: String, _ values: [String]) {
        begin(key)
        JSONText.appendArray(values, to: &text)
    }

    /// A value that is already JSON text.
    public mutating func add(_ key: String, json: String?) {
        guard let json else { return }
        begin(key)
        text.append(json)
    }

    public var result: String { text + "}" }
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
}
