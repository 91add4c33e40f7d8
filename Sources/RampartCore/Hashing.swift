import Crypto
import Foundation

/// SHA-256 and HMAC-SHA256 for content hashes, fingerprints and salted secret hashes.
public enum Hashing {
    public static func sha256Hex<Bytes: DataProtocol>(_ bytes: Bytes) -> String {
        hex(SHA256.hash(data: bytes))
    }

    public static func sha256Hex(_ text: String) -> String { sha256Hex(Data(text.utf8)) }

    /// The first eight bytes of the text's SHA-256, as a signed 64-bit number (an index key).
    public static func sha256Prefix64(_ text: String) -> Int64 {
        var number: UInt64 = 0
        for byte in SHA256.hash(data: Data(text.utf8)).prefix(8) { number = number << 8 | UInt64(byte) }
        return Int64(bitPattern: number)
    }

    public static func sha256Hex(buffer: UnsafeRawBufferPointer) -> String {
        var hasher = SHA256()
        hasher.update(bufferPointer: buffer)
        return hex(hasher.finalize())
    }

    /// HMAC-SHA256 of `message` under `key`, in hex.
    public static func hmacSHA256Hex(key: [UInt8], message: [UInt8]) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    public static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(hexDigit(byte >> 4))
            out.append(hexDigit(byte & 0x0f))
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always) static func hexDigit(_ value: UInt8) -> UInt8 { value < 10 ? 0x30 + value : 0x57 + value }
}

/// Hexadecimal digits to numbers.
public enum Hex {
    /// The number a run of hex digits spells (upper or lower case); nil for any other byte or
    /// a run longer than the type holds.
    public static func value<T: FixedWidthInteger & UnsignedInteger, Digits: Collection>(of digits: Digits, as type: T.Type = T.self) -> T?
    where Digits.Element == UInt8 {
        guard !digits.isEmpty, digits.count * 4 <= T.bitWidth else { return nil }
        var value: T = 0
        for byte in digits {
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: return nil
            }
            value = value << 4 | T(digit)
        }
        return value
    }
}
