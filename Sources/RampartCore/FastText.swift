/// Small string helpers for hot paths. Foundation's `trimmingCharacters(in:)` bridges through
/// NSString on Linux and showed up as a tenth of import time in profiles.
extension String {
    /// The text without leading and trailing ASCII whitespace; returns quickly when there is none.
    public var asciiTrimmed: String {
        let utf8 = self.utf8
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
        guard let first = utf8.first, let last = utf8.last else { return "" }
        if !isSpace(first) && !isSpace(last) { return self }
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, isSpace(utf8[start]) { start = utf8.index(after: start) }
        while end > start, isSpace(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        return String(self[start..<end])
    }
}
