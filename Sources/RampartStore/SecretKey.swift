import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where the key that hashes reported secrets comes from. It is never stored in the database:
/// a copy of the database alone must not allow a dictionary attack on short secrets (a salted
/// hash whose salt sits beside it is only as strong as the secret).
public enum SecretKeySource: Sendable {
    /// A file of 64 hex digits, readable by its owner only, created on first use.
    case file(path: String)
    /// A key given by the caller (e.g. `RAMPART_SECRET_KEY`, 64 hex digits).
    case value([UInt8])

    /// Parses 64 hex digits (surrounding white space ignored).
    public static func key(fromHex text: String) -> [UInt8]? {
        let digits = Array(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard digits.count == 64 else { return nil }
        var key: [UInt8] = []
        key.reserveCapacity(32)
        for index in stride(from: 0, to: 64, by: 2) {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            key.append(high << 4 | low)
        }
        return key
    }

    static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x61...0x66: digit - 0x61 + 10
        case 0x41...0x46: digit - 0x41 + 10
        default: nil
        }
    }
}

/// A secret key problem: the description names the file, never the key.
public struct SecretKeyError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

/// Reads or creates the key file.
public enum SecretKeyFile {
    /// The key in `path`; when the file does not exist, `adopt` (a key the database held before
    /// keys moved out of it) or a new random key is written there first, readable by its owner
    /// only. The key is written to a file of its own and linked into place, which fails if the
    /// path exists: two processes opening a new database agree on one key, and no reader ever
    /// sees a key file half written.
    /// `mayCreate` is asked only when the file is missing (it may have to read the database).
    public static func load(path: String, adopt: [UInt8]?, mayCreate: () throws -> Bool) throws -> [UInt8] {
        if let key = try read(path: path) { return key }
        guard try adopt != nil || mayCreate() else {
            throw SecretKeyError(
                description:
                    "the secret key file \(path) is missing, and the database holds secret findings hashed with it; restore the file (or set RAMPART_SECRET_KEY)"
            )
        }
        var key = adopt ?? []
        if key.isEmpty {
            var generator = SystemRandomNumberGenerator()
            key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        var suffix = SystemRandomNumberGenerator()
        let staging = path + ".new-\(getpid())-\(suffix.next() & 0xFFFF_FFFF)"
        let descriptor = open(staging, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw SecretKeyError(description: "cannot create the secret key file \(path)") }
        defer { unlink(staging) }
        let text = Array((key.map { String($0, radix: 16).leftPadded(to: 2) }.joined() + "\n").utf8)
        let written = text.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == text.count, synced == 0 else { throw SecretKeyError(description: "cannot write the secret key file \(path)") }
        if link(staging, path) != 0 {
            // Another process published its key first: use it.
            if errno == EEXIST, let key = try read(path: path) { return key }
            throw SecretKeyError(description: "cannot create the secret key file \(path)")
        }
        // The new directory entry survives a crash only once the directory is synced.
        let directory = open((path as NSString).deletingLastPathComponent.nonEmpty ?? ".", O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
        return key
    }

    static func read(path: String) throws -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        // Only the owner may read the key; tighten a file that others can read.
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o077 != 0 { chmod(path, 0o600) }
        guard let data = FileManager.default.contents(atPath: path), let key = SecretKeySource.key(fromHex: String(decoding: data, as: UTF8.self))
        else {
            throw SecretKeyError(description: "the secret key file \(path) is unreadable or not 64 hex digits")
        }
        return key
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }

    fileprivate func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
