import Foundation
import RampartCore

/// A syntax error in a JSON document, with the byte offset, line and column where it was met.
/// The description never quotes the document's content (it may hold secrets).
package struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    package let offset: Int
    package let line: Int
    package let column: Int
    package let reason: String

    package var description: String { "invalid JSON at line \(line), column \(column) (byte \(offset)): \(reason)" }
}

package enum JSONKind: UInt8, Sendable {
    case object, array, string, number, `true`, `false`, null
}

/// A growable column of plain values in memory the document owns, so that nodes read it
/// through a pointer: no reference counting, which two cores reading one report in parallel
/// would otherwise fight over on every access.
struct TapeColumn<Element: BitwiseCopyable>: ~Copyable {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(16, capacity)
        base = UnsafeMutablePointer<Element>.allocate(capacity: self.capacity)
    }

    mutating func append(_ element: Element) {
        if count == capacity {
            let grown = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            grown.update(from: base, count: count)
            base.deallocate()
            base = grown
            capacity *= 2
        }
        base[count] = element
        count += 1
    }

    subscript(index: Int) -> Element {
        get { base[index] }
        nonmutating set { base[index] = newValue }
    }

    /// Hands the memory over; the caller deallocates it.
    consuming func release() -> UnsafeMutablePointer<Element> {
        let pointer = base
        discard self
        return pointer
    }

    deinit { base.deallocate() }
}

/// A parsed JSON document stored as a flat tape of entries over the original bytes (the idea
/// of simdjson's tape). Parsing allocates nothing per value; strings and numbers are decoded
/// only when an importer reads them, and a record's raw bytes are an O(1) slice of the input.
/// Measured on this machine kind, `JSONDecoder` decodes ~59 MB/s; this reader is what lets a
/// 200 MB report import in seconds.
///
/// The tape is four parallel columns (13 bytes an entry, where an array of structs would pad
/// to 16). The document is immutable after `init` and frees its memory in `deinit`; every
/// node holds a reference to it, so a node can never outlive the memory it reads (an importer
/// that parses a fragment of its own, such as a JSON array in a CSV cell, is safe too).
package final class JSONDocument: @unchecked Sendable {
    struct Entry: Sendable {
        /// For strings: first byte after the opening quote; otherwise the value's first byte.
        var start: UInt32
        /// For strings: the closing quote; for containers: the closing bracket; else one past the end.
        var end: UInt32
        /// Tape index just past this value (and its children).
        var next: UInt32
        var kind: JSONKind
        var hasEscapes: Bool
    }

    package let data: Data
    /// The document's bytes. For large inputs the `Data`'s own buffer (immutable and alive as
    /// long as `data`); small inputs, which `Data` may store inline, are copied.
    let bytes: UnsafeRawBufferPointer
    private let ownedBytes: UnsafeMutableRawBufferPointer?
    let starts: UnsafeMutablePointer<UInt32>
    let ends: UnsafeMutablePointer<UInt32>
    let nexts: UnsafeMutablePointer<UInt32>
    /// Kind in the low 7 bits, "string has escapes" in the high bit.
    let kinds: UnsafeMutablePointer<UInt8>
    let count: Int
    /// Tape indices of the top-level values (several for JSON Lines and concatenated JSON).
    let rootIndices: [Int]
    /// The columns and bytes again, in one plain struct that nodes point to: reading through a
    /// class reference costs a retain and release per access, and with importers reading on
    /// every core those atomic updates of one reference count were the hottest instructions.
    let tape: UnsafeMutablePointer<JSONTape>

    /// Parses `data`. With `allowMultipleRoots`, whitespace-separated top-level values (JSON
    /// Lines, concatenated JSON, Code Climate's NUL-terminated issues) are accepted.
    package init(data: Data, allowMultipleRoots: Bool = false, maxDepth: Int = 512) throws {
        guard data.count < Int(UInt32.max) else {
            throw JSONSyntaxError(offset: 0, line: 1, column: 1, reason: "document larger than 4 GiB")
        }
        self.data = data
        if data.count < 4096 {
            let owned = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 8)
            data.withUnsafeBytes { owned.copyMemory(from: $0) }
            ownedBytes = owned
            bytes = UnsafeRawBufferPointer(rebasing: owned[0..<data.count])
        } else {
            ownedBytes = nil
            bytes = data.withUnsafeBytes { $0 }
        }
        var parser = TapeParser(allowMultipleRoots: allowMultipleRoots, maxDepth: maxDepth, expectedEntries: data.count / 12)
        do {
            try parser.parse(bytes)
        } catch {
            ownedBytes?.deallocate()
            throw error
        }
        count = parser.count
        rootIndices = parser.roots
        (starts, ends, nexts, kinds) = parser.release()
        tape = .allocate(capacity: 1)
        tape.initialize(to: JSONTape(bytes: bytes, starts: starts, ends: ends, nexts: nexts, kinds: kinds))
    }

    deinit {
        tape.deallocate()
        starts.deallocate()
        ends.deallocate()
        nexts.deallocate()
        kinds.deallocate()
        ownedBytes?.deallocate()
    }

    @inline(__always) func entry(_ index: Int) -> Entry { tape.pointee.entry(index) }

    package var root: JSONNode? { rootIndices.first.map { JSONNode(document: self, index: $0) } }
    package var roots: [JSONNode] { rootIndices.map { JSONNode(document: self, index: $0) } }

    private let lineIndex = LazyLineIndex()
    /// Numbers importers asked for that were out of range.
    let numbers = OutOfRangeLog()

    /// One warning per out-of-range number read, naming the first few positions.
    package var outOfRangeDiagnostics: [Diagnostic] {
        let (count, offsets) = numbers.snapshot
        guard count > 0 else { return [] }
        let positions = offsets.map { offset in
            let (line, column) = lineAndColumn(ofOffset: offset)
            return "line \(line), column \(column)"
        }
        return [
            Diagnostic(
                "\(count) number(s) out of range (beyond ±\(ReportInteger.range.upperBound), or not finite) were read as absent",
                at: positions.joined(separator: "; "))
        ]
    }

    /// 1-based line and column of a byte offset, for diagnostics.
    package func lineAndColumn(ofOffset offset: Int) -> (line: Int, column: Int) {
        lineIndex.lineAndColumn(ofOffset: min(max(offset, 0), bytes.count), in: bytes)
    }
}

/// The parser's side of the tape: appends entries to the four columns.
private struct TapeWriter: ~Copyable {
    var starts: TapeColumn<UInt32>
    var ends: TapeColumn<UInt32>
    var nexts: TapeColumn<UInt32>
    var kinds: TapeColumn<UInt8>

    init(capacity: Int) {
        starts = TapeColumn(capacity: capacity)
        ends = TapeColumn(capacity: capacity)
        nexts = TapeColumn(capacity: capacity)
        kinds = TapeColumn(capacity: capacity)
    }

    var count: Int { starts.count }

    mutating func append(_ entry: JSONDocument.Entry) {
        starts.append(entry.start)
        ends.append(entry.end)
        nexts.append(entry.next)
        kinds.append(entry.kind.rawValue | (entry.hasEscapes ? 0x80 : 0))
    }

    func close(_ index: Int, end: UInt32, next: UInt32) {
        ends[index] = end
        nexts[index] = next
    }

    consuming func release() -> (
        UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt8>
    ) {
        (starts.release(), ends.release(), nexts.release(), kinds.release())
    }
}

private struct TapeParser: ~Copyable {
    var tape: TapeWriter
    var roots: [Int] = []
    let allowMultipleRoots: Bool
    let maxDepth: Int
    // The scan's state lives in stored properties, read and written by mutating methods:
    // captured by nested functions, it was boxed and every access checked for exclusivity at
    // run time, a sixth of the parse.
    private var bytes = UnsafeRawBufferPointer(start: nil, count: 0)
    private var position = 0
    private var stack: [(index: Int, isObject: Bool)] = []
    private var state = State.topLevel

    init(allowMultipleRoots: Bool, maxDepth: Int, expectedEntries: Int) {
        self.allowMultipleRoots = allowMultipleRoots
        self.maxDepth = maxDepth
        tape = TapeWriter(capacity: expectedEntries)
    }

    var count: Int { tape.count }

    consuming func release() -> (
        UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt32>, UnsafeMutablePointer<UInt8>
    ) {
        tape.release()
    }

    private enum State { case topLevel, firstInContainer, afterValue }

    private func fail(_ reason: String, at offset: Int) -> JSONSyntaxError {
        let (line, column) = LineIndex.lineAndColumn(ofOffset: offset, in: bytes)
        return JSONSyntaxError(offset: offset, line: line, column: column, reason: reason)
    }

    @inline(__always) private mutating func skipWhitespace() {
        let count = bytes.count
        while position < count {
            let byte = bytes[position]
            if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 } else { break }
        }
    }

    private mutating func scanString() throws {
        // position is at the opening quote.
        let count = bytes.count
        let start = position + 1
        var cursor = start
        var escapes = false
        while true {
            guard cursor < count else { throw fail("unterminated string", at: position) }
            let byte = bytes[cursor]
            if byte == 0x22 { break }
            if byte == 0x5C {
                escapes = true
                cursor += 2
                continue
            }
            if byte < 0x20 { throw fail("control character in string", at: cursor) }
            cursor += 1
        }
        tape.append(.init(start: UInt32(start), end: UInt32(cursor), next: UInt32(tape.count + 1), kind: .string, hasEscapes: escapes))
        position = cursor + 1
    }

    private mutating func scanKey() throws {
        guard position < bytes.count, bytes[position] == 0x22 else { throw fail("expected a string key", at: position) }
        try scanString()
        skipWhitespace()
        guard position < bytes.count, bytes[position] == 0x3A else { throw fail("expected ':' after key", at: position) }
        position += 1
    }

    @inline(__always) private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    private mutating func startValue() throws {
        skipWhitespace()
        let count = bytes.count
        guard position < count else { throw fail("unexpected end of document", at: position) }
        let byte = bytes[position]
        switch byte {
        case 0x7B, 0x5B:  // { [
            guard stack.count < maxDepth else { throw fail("nesting deeper than \(maxDepth)", at: position) }
            let isObject = byte == 0x7B
            stack.append((tape.count, isObject))
            tape.append(.init(start: UInt32(position), end: 0, next: 0, kind: isObject ? .object : .array, hasEscapes: false))
            position += 1
            state = .firstInContainer
            return
        case 0x22:
            try scanString()
        case 0x74, 0x66, 0x6E:  // t f n
            let (literal, kind): (StaticString, JSONKind) = byte == 0x74 ? ("true", .true) : byte == 0x66 ? ("false", .false) : ("null", .null)
            let length = literal.utf8CodeUnitCount
            guard position + length <= count else { throw fail("unexpected end of document", at: position) }
            for offset in 0..<length where bytes[position + offset] != literal.utf8Start[offset] {
                throw fail("invalid literal", at: position)
            }
            tape.append(.init(start: UInt32(position), end: UInt32(position + length), next: UInt32(tape.count + 1), kind: kind, hasEscapes: false))
            position += length
        case 0x2D, 0x30...0x39:
            let start = position
            if bytes[position] == 0x2D { position += 1 }
            guard position < count, isDigit(bytes[position]) else { throw fail("invalid number", at: start) }
            skipDigits()
            if position < count, bytes[position] == 0x2E {
                position += 1
                guard position < count, isDigit(bytes[position]) else { throw fail("invalid number", at: start) }
                skipDigits()
            }
            if position < count, bytes[position] == 0x65 || bytes[position] == 0x45 {
                position += 1
                if position < count, bytes[position] == 0x2B || bytes[position] == 0x2D { position += 1 }
                guard position < count, isDigit(bytes[position]) else { throw fail("invalid number", at: start) }
                skipDigits()
            }
            tape.append(.init(start: UInt32(start), end: UInt32(position), next: UInt32(tape.count + 1), kind: .number, hasEscapes: false))
        default:
            throw fail("unexpected character", at: position)
        }
        state = .afterValue
    }

    private mutating func closeContainer() {
        let top = stack.removeLast()
        tape.close(top.index, end: UInt32(position), next: UInt32(tape.count))
        position += 1
        state = .afterValue
    }

    mutating func parse(_ bytes: UnsafeRawBufferPointer) throws {
        self.bytes = bytes
        let count = bytes.count
        position = 0
        if count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        stack = []
        state = .topLevel
        while true {
            skipWhitespace()
            switch state {
            case .topLevel:
                // Code Climate engines end each issue with a NUL byte: between top-level values
                // of a multi-value document, and only there, it separates as a line break does.
                if allowMultipleRoots && !roots.isEmpty && position < count && bytes[position] == 0 {
                    position += 1
                    continue
                }
                if position >= count {
                    if roots.isEmpty { throw fail("empty document", at: position) }
                    return
                }
                if !roots.isEmpty && !allowMultipleRoots { throw fail("unexpected content after the JSON value", at: position) }
                roots.append(tape.count)
                try startValue()
            case .firstInContainer:
                guard position < count else { throw fail("unexpected end of document", at: position) }
                let top = stack[stack.count - 1]
                if bytes[position] == (top.isObject ? 0x7D : 0x5D) {
                    closeContainer()
                    continue
                }
                if top.isObject { try scanKey() }
                try startValue()
            case .afterValue:
                if stack.isEmpty {
                    state = .topLevel
                    continue
                }
                guard position < count else { throw fail("unexpected end of document", at: position) }
                let top = stack[stack.count - 1]
                let byte = bytes[position]
                if byte == 0x2C {
                    position += 1
                    skipWhitespace()
                    if top.isObject { try scanKey() }
                    try startValue()
                } else if byte == (top.isObject ? 0x7D : 0x5D) {
                    closeContainer()
                } else {
                    throw fail(top.isObject ? "expected ',' or '}'" : "expected ',' or ']'", at: position)
                }
            }
        }
    }
}

/// A document's tape columns and bytes, shared by its nodes without reference counting.
struct JSONTape {
    let bytes: UnsafeRawBufferPointer
    let starts: UnsafeMutablePointer<UInt32>
    let ends: UnsafeMutablePointer<UInt32>
    let nexts: UnsafeMutablePointer<UInt32>
    let kinds: UnsafeMutablePointer<UInt8>

    @inline(__always) func entry(_ index: Int) -> JSONDocument.Entry {
        let kind = kinds[index]
        return JSONDocument.Entry(
            start: starts[index], end: ends[index], next: nexts[index], kind: JSONKind(rawValue: kind & 0x7F)!, hasEscapes: kind & 0x80 != 0)
    }
}

/// A value inside a `JSONDocument`. Cheap to copy; reads decode on demand.
package struct JSONNode: @unchecked Sendable {
    /// Keeps the document, and with it `tape`, alive as long as the node.
    let owner: JSONDocument
    let tape: UnsafePointer<JSONTape>
    let index: Int

    init(document: JSONDocument, index: Int) {
        owner = document
        tape = UnsafePointer(document.tape)
        self.index = index
    }

    init(sibling: JSONNode, index: Int) {
        owner = sibling.owner
        tape = sibling.tape
        self.index = index
    }

    var entry: JSONDocument.Entry { tape.pointee.entry(index) }

    package var kind: JSONKind { entry.kind }
    package var isNull: Bool { kind == .null }
    package var isObject: Bool { kind == .object }
    package var isArray: Bool { kind == .array }

    /// Byte offset of the value in the document, for diagnostics.
    package var byteOffset: Int { Int(entry.start) }

    /// "line L" of the value, for diagnostics.
    package var position: String {
        let offset = byteOffset
        let (line, column) = owner.lineAndColumn(ofOffset: offset)
        return "line \(line), column \(column)"
    }

    /// The value's bytes as written in the report (a slice sharing the document's storage).
    package var rawData: Data {
        let entry = self.entry
        let data = owner.data
        let base = data.startIndex
        switch entry.kind {
        case .string: return data[(base + Int(entry.start) - 1)..<(base + Int(entry.end) + 1)]
        case .object, .array: return data[(base + Int(entry.start))..<(base + Int(entry.end) + 1)]
        default: return data[(base + Int(entry.start))..<(base + Int(entry.end))]
        }
    }

    /// Children of an array (empty for anything else).
    package var array: [JSONNode] {
        guard kind == .array else { return [] }
        var result: [JSONNode] = []
        let nexts = tape.pointee.nexts
        var child = index + 1
        let end = Int(nexts[index])
        while child < end {
            result.append(JSONNode(sibling: self, index: child))
            child = Int(nexts[child])
        }
        return result
    }

    /// Key/value pairs of an object, in document order (empty for anything else).
    package var entries: [(key: String, value: JSONNode)] {
        guard kind == .object else { return [] }
        var result: [(String, JSONNode)] = []
        let nexts = tape.pointee.nexts
        var child = index + 1
        let end = Int(nexts[index])
        while child < end {
            let key = JSONNode(sibling: self, index: child).string ?? ""
            result.append((key, JSONNode(sibling: self, index: child + 1)))
            child = Int(nexts[child + 1])
        }
        return result
    }

    package var keys: [String] { entries.map(\.key) }

    /// The member named `key` of an object; nil when absent or when this is not an object.
    package subscript(key: String) -> JSONNode? {
        guard kind == .object else { return nil }
        var key = key
        return key.withUTF8 { wanted -> JSONNode? in
            let tape = self.tape.pointee
            let bytes = tape.bytes
            let nexts = tape.nexts
            var child = index + 1
            let end = Int(nexts[index])
            while child < end {
                let start = Int(tape.starts[child])
                let length = Int(tape.ends[child]) - start
                if tape.kinds[child] & 0x80 != 0 {
                    if JSONNode(sibling: self, index: child).string == String(decoding: wanted, as: UTF8.self) {
                        return JSONNode(sibling: self, index: child + 1)
                    }
                } else if length == wanted.count, length == 0 || memcmp(bytes.baseAddress! + start, wanted.baseAddress!, length) == 0 {
                    return JSONNode(sibling: self, index: child + 1)
                }
                child = Int(nexts[child + 1])
            }
            return nil
        }
    }

    /// Follows a path of member names.
    package subscript(first: String, second: String, rest: String...) -> JSONNode? {
        var node: JSONNode? = self[first]?[second]
        for key in rest { node = node?[key] }
        return node
    }

    /// The decoded string, for string values only.
    package var string: String? {
        let entry = self.entry
        guard entry.kind == .string else { return nil }
        let slice = UnsafeRawBufferPointer(rebasing: tape.pointee.bytes[Int(entry.start)..<Int(entry.end)])
        if entry.hasEscapes { return JSONNode.unescape(slice) }
        // A typed buffer takes String's fast path; a raw one falls to a byte-by-byte slow path.
        return String(decoding: slice.bindMemory(to: UInt8.self), as: UTF8.self)
    }

    /// A non-empty string, or a number or boolean rendered as text; nil for null, empty strings and containers.
    package var text: String? {
        switch kind {
        case .string:
            let value = string ?? ""
            return value.isEmpty ? nil : value
        case .number: return literal
        case .true: return "true"
        case .false: return "false"
        default: return nil
        }
    }

    private var literal: String {
        let entry = self.entry
        return String(
            decoding: UnsafeRawBufferPointer(rebasing: tape.pointee.bytes[Int(entry.start)..<Int(entry.end)]).bindMemory(to: UInt8.self),
            as: UTF8.self)
    }

    /// A finite number (numbers written as strings too); nil otherwise. Infinities and NaN are
    /// logged as out of range.
    package var double: Double? {
        let value: Double?
        switch kind {
        case .number: value = Double(literal)
        case .string: value = string.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        default: return nil
        }
        guard let value else { return nil }
        guard value.isFinite else {
            owner.numbers.outOfRange(at: byteOffset)
            return nil
        }
        return value
    }

    /// An integer (written as a number, or as digits in a string) within `ReportInteger.range`.
    /// Anything a report could hold beyond it (a line, a column, an index, a count of 2^63) is
    /// nil and logged, so that no importer does arithmetic on a hostile value.
    package var int: Int? {
        let parsed: Int?
        switch kind {
        case .number:
            let text = literal
            parsed = Int(text) ?? Double(text).flatMap { $0.isFinite && $0.rounded() == $0 && abs($0) < 1e15 ? Int($0) : nil }
            // A literal that is no integer at all (1.5) is not a range problem.
            if parsed == nil, Double(text).map({ $0.rounded() != $0 && $0.isFinite }) == true { return nil }
        case .string:
            guard let text = string?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            parsed = Int(text)
            if parsed == nil, !text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "+") }) { return nil }
        default: return nil
        }
        guard let value = parsed, ReportInteger.range.contains(value) else {
            owner.numbers.outOfRange(at: byteOffset)
            return nil
        }
        return value
    }

    package var bool: Bool? {
        switch kind {
        case .true: return true
        case .false: return false
        case .string:
            switch string?.lowercased() {
            case "true": return true
            case "false": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// Strings of an array of strings, or the single string; other values are skipped.
    package var strings: [String] {
        switch kind {
        case .string: return string.map { [$0] } ?? []
        case .array:
            var result: [String] = []
            let nexts = tape.pointee.nexts
            var child = index + 1
            let end = Int(nexts[index])
            while child < end {
                if let text = JSONNode(sibling: self, index: child).text { result.append(text) }
                child = Int(nexts[child])
            }
            return result
        default: return []
        }
    }

    static func unescape(_ bytes: UnsafeRawBufferPointer) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        func hex4(_ at: Int) -> UInt32? {
            at + 4 <= bytes.count ? Hex.value(of: bytes[at..<(at + 4)], as: UInt32.self) : nil
        }
        func appendScalar(_ value: UInt32) {
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x5C, index + 1 < bytes.count else {
                out.append(byte)
                index += 1
                continue
            }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case 0x6E: out.append(0x0A)
            case 0x74: out.append(0x09)
            case 0x72: out.append(0x0D)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x75:
                guard var code = hex4(index) else {
                    appendScalar(0xFFFD)
                    continue
                }
                index += 4
                if code >= 0xD800 && code < 0xDC00, index + 6 <= bytes.count, bytes[index] == 0x5C, bytes[index + 1] == 0x75,
                    let low = hex4(index + 2), low >= 0xDC00 && low < 0xE000
                {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                appendScalar(code)
            default: out.append(escaped)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
