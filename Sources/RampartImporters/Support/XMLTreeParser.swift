import Foundation

/// The parser behind `XMLReader`: one pass over UTF-8 bytes that builds the element tree
/// directly. It reads what reports use (elements, attributes, text, CDATA, comments, the five
/// predefined entities and character references) and nothing else: a document type
/// declaration is an error (the reader has already blanked the real one), and a reference to
/// any other entity is undefined, so there is nothing to resolve or expand. Foundation's
/// `XMLParser` did the same job through a delegate and bridged strings, and was most of the
/// cost of an XML import.
struct XMLTreeParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index: Int
    private let maxDepth: Int
    /// Newlines counted up to `lineCountedTo`, for the line each element starts on.
    private var line = 1
    private var lineCountedTo = 0
    /// The report the bytes are, when offsets into them are offsets into it.
    private let source: XMLSource?

    /// The tag names met so far, each with its local name: a report uses a few dozen names a
    /// million times, so a name is looked up by its bytes instead of made again each time.
    private var names: [(bytes: [UInt8], name: String, localName: String)] = []

    /// An element still open: what its end tag will turn into an `XMLElement`.
    struct Open: Sendable {
        var name: String
        var localName: String
        /// Where the name's bytes are in the document, for matching the end tag.
        var nameRange: Range<Int>
        var attributes: [String: String]
        var children: [XMLElement] = []
        var text: [UInt8] = []
        var line: Int
        /// Offset of the start tag's `<`.
        var start: Int

        /// The element this becomes when its end tag (or its start tag's `/>`) ends at `end`.
        func element(source: XMLSource?, end: Int) -> XMLElement {
            XMLElement(
                name: name, localName: localName, attributes: attributes, children: children, text: String(decoding: text, as: UTF8.self),
                line: line, source: source, sourceRange: start..<end)
        }
    }

    init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, line: Int = 1, maxDepth: Int = 256, source: XMLSource? = nil) {
        self.bytes = bytes
        self.index = start
        self.maxDepth = maxDepth
        self.source = source
        self.line = line
        self.lineCountedTo = start
    }

    private func failure(_ reason: String, at offset: Int? = nil) -> XMLSyntaxError {
        let (line, column) = LineIndex.lineAndColumn(ofOffset: offset ?? index, in: UnsafeRawBufferPointer(bytes))
        return XMLSyntaxError(line: line, column: column, reason: reason)
    }

    private mutating func lineNumber(at offset: Int) -> Int {
        guard lineCountedTo < offset, let base = bytes.baseAddress else { return line }
        // From line break to line break: reports write long lines.
        var position = lineCountedTo
        while position < offset, let found = memchr(base + position, 0x0A, offset - position) {
            line += 1
            position = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
        }
        lineCountedTo = offset
        return line
    }

    private func starts(with marker: StaticString, at offset: Int) -> Bool {
        let count = marker.utf8CodeUnitCount
        guard offset + count <= bytes.count else { return false }
        return marker.withUTF8Buffer { marker in
            for position in 0..<count where bytes[offset + position] != marker[position] { return false }
            return true
        }
    }

    /// Just past the first `marker` at or after `offset`, or nil when there is none.
    private func end(of marker: StaticString, from offset: Int) -> Int? {
        let count = marker.utf8CodeUnitCount
        let first = marker.withUTF8Buffer { $0[0] }
        var position = offset
        while position + count <= bytes.count {
            if bytes[position] == first && starts(with: marker, at: position) { return position + count }
            position += 1
        }
        return nil
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    private mutating func skipSpace() {
        while index < bytes.count, Self.isSpace(bytes[index]) { index += 1 }
    }

    /// Comments and processing instructions, wherever they may stand.
    private mutating func skipMarkup() throws -> Bool {
        if starts(with: "<!--", at: index) {
            guard let close = end(of: "-->", from: index + 4) else { throw failure("unterminated comment") }
            index = close
            return true
        }
        if starts(with: "<?", at: index) {
            guard let close = end(of: "?>", from: index + 2) else { throw failure("unterminated processing instruction") }
            index = close
            return true
        }
        return false
    }

    /// The bytes of a name: up to white space, `/`, `>`, `=`; it may not start with what no
    /// name starts with.
    private mutating func nameRange() throws -> Range<Int> {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if Self.isSpace(byte) || byte == 0x2F || byte == 0x3E || byte == 0x3D || byte == 0x3C || byte == 0x22 || byte == 0x27 { break }
            index += 1
        }
        guard index > start else { throw failure("a name was expected") }
        let first = bytes[start]
        if (first >= 0x30 && first <= 0x39) || first == 0x2D || first == 0x2E {
            throw failure("a name cannot start with '\(UnicodeScalar(first))'", at: start)
        }
        return start..<index
    }

    private mutating func name() throws -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[try nameRange()]), as: UTF8.self)
    }

    /// A tag name and its local name, from the names already met when it is one of them.
    private mutating func tagName() throws -> (name: String, localName: String, range: Range<Int>) {
        let range = try nameRange()
        let tag = UnsafeBufferPointer(rebasing: bytes[range])
        for known in names
        where known.bytes.count == tag.count && known.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, tag.baseAddress!, tag.count) == 0 }) {
            return (known.name, known.localName, range)
        }
        let name = String(decoding: tag, as: UTF8.self)
        let localName = XMLElement.localName(of: name)
        // Bounded: a document of ever new names gains nothing from the search.
        if names.count < 64 { names.append((Array(tag), name, localName)) }
        return (name, localName, range)
    }

    /// Whether the bytes at `range` and at `other` are the same.
    private func sameBytes(_ range: Range<Int>, _ other: Range<Int>) -> Bool {
        range.count == other.count && memcmp(bytes.baseAddress! + range.lowerBound, bytes.baseAddress! + other.lowerBound, range.count) == 0
    }

    /// Appends the character an entity or character reference at `index` (on `&`) stands for.
    private mutating func reference(into out: inout [UInt8]) throws {
        let start = index
        guard let semicolon = (index + 1..<min(bytes.count, index + 12)).first(where: { bytes[$0] == 0x3B }) else {
            throw failure("'&' must start an entity or character reference (write &amp; for a literal '&')")
        }
        let body = UnsafeBufferPointer(rebasing: bytes[(index + 1)..<semicolon])
        index = semicolon + 1
        switch String(decoding: body, as: UTF8.self) {
        case "lt": out.append(0x3C)
        case "gt": out.append(0x3E)
        case "amp": out.append(0x26)
        case "apos": out.append(0x27)
        case "quot": out.append(0x22)
        case let text where text.hasPrefix("#"):
            let isHex = text.hasPrefix("#x")
            guard let value = UInt32(text.dropFirst(isHex ? 2 : 1), radix: isHex ? 16 : 10), let scalar = Unicode.Scalar(value),
                value == 0x09 || value == 0x0A || value == 0x0D || value >= 0x20, value != 0xFFFE, value != 0xFFFF
            else { throw failure("character reference '&\(text);' names no character XML allows", at: start) }
            out.append(contentsOf: String(Character(scalar)).utf8)
        case let text: throw failure("reference to undefined entity '\(text)'", at: start)
        }
    }

    /// Text up to the next `<`, references resolved and line breaks normalized to `\n`.
    private mutating func text(into out: inout [UInt8]) throws {
        while index < bytes.count {
            // Plain bytes are copied a run at a time: text is most of a report.
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x3C || byte == 0x26 || byte == 0x0D { break }
                index += 1
            }
            if index > start { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index])) }
            guard index < bytes.count else { return }
            switch bytes[index] {
            case 0x3C: return
            case 0x26: try reference(into: &out)
            default:
                out.append(0x0A)
                index += index + 1 < bytes.count && bytes[index + 1] == 0x0A ? 2 : 1
            }
        }
    }

    /// The attributes of a start tag, up to and including its `>` or `/>`; true for `/>`.
    private mutating func attributes(into attributes: inout [String: String]) throws -> Bool {
        while true {
            let hadSpace = index < bytes.count && Self.isSpace(bytes[index])
            skipSpace()
            guard index < bytes.count else { throw failure("unterminated start tag") }
            if bytes[index] == 0x3E {
                index += 1
                return false
            }
            if bytes[index] == 0x2F {
                guard index + 1 < bytes.count, bytes[index + 1] == 0x3E else { throw failure("'/' must be followed by '>'") }
                index += 2
                return true
            }
            guard hadSpace else { throw failure("attributes must be separated by white space") }
            let nameStart = index
            let key = try name()
            skipSpace()
            guard index < bytes.count, bytes[index] == 0x3D else { throw failure("attribute '\(key)' has no value") }
            index += 1
            skipSpace()
            guard index < bytes.count, bytes[index] == 0x22 || bytes[index] == 0x27 else { throw failure("attribute values must be quoted") }
            let quote = bytes[index]
            index += 1
            var value: [UInt8] = []
            while true {
                guard index < bytes.count else { throw failure("unterminated attribute value") }
                let byte = bytes[index]
                if byte == quote {
                    index += 1
                    break
                }
                switch byte {
                case 0x3C: throw failure("'<' is not allowed in an attribute value")
                case 0x26: try reference(into: &value)
                case 0x0D:
                    // Line breaks and tabs are spaces in attribute values (a CR LF pair is one).
                    value.append(0x20)
                    index += index + 1 < bytes.count && bytes[index + 1] == 0x0A ? 2 : 1
                case 0x0A, 0x09:
                    value.append(0x20)
                    index += 1
                default:
                    value.append(byte)
                    index += 1
                }
            }
            guard attributes.updateValue(String(decoding: value, as: UTF8.self), forKey: key) == nil else {
                throw failure("attribute '\(key)' appears twice", at: nameStart)
            }
        }
    }

    /// Before the root: white space, comments, processing instructions (the declaration).
    private mutating func skipToRoot() throws {
        while true {
            skipSpace()
            guard index < bytes.count else { throw failure("no root element") }
            if try skipMarkup() { continue }
            if starts(with: "<!", at: index) { throw failure("a document type declaration is not read here") }
            guard bytes[index] == 0x3C else { throw failure("content before the root element") }
            break
        }
    }

    /// A CDATA section at `index`, its content appended with line breaks normalized.
    private mutating func cdata(into text: inout [UInt8]) throws {
        guard let close = end(of: "]]>", from: index + 9) else { throw failure("unterminated CDATA section") }
        let content = UnsafeBufferPointer(rebasing: bytes[(index + 9)..<(close - 3)])
        for (position, byte) in content.enumerated() {
            // Line breaks are normalized in CDATA as everywhere.
            if byte == 0x0D {
                text.append(0x0A)
            } else if !(byte == 0x0A && position > 0 && content[position - 1] == 0x0D) {
                text.append(byte)
            }
        }
        index = close
    }

    /// An end tag at `index`: its name's bytes, and where it starts.
    private mutating func endTag() throws -> (name: Range<Int>, start: Int) {
        let closeStart = index
        index += 2
        // Compared as bytes: the end tag's name is made into text only for an error.
        let closing = try nameRange()
        skipSpace()
        guard index < bytes.count, bytes[index] == 0x3E else { throw failure("end tag '\(text(of: closing))' is not closed with '>'") }
        index += 1
        return (closing, closeStart)
    }

    private func text(of range: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) }

    /// A start tag at `index`: the element it opens, and whether it closed itself (`/>`).
    private mutating func startTag() throws -> (Open, selfClosing: Bool) {
        let tagLine = lineNumber(at: index)
        let tagStart = index
        index += 1
        let tag = try tagName()
        var open = Open(name: tag.name, localName: tag.localName, nameRange: tag.range, attributes: [:], line: tagLine, start: tagStart)
        let selfClosing = try attributes(into: &open.attributes)
        return (open, selfClosing)
    }

    /// The element an open element becomes when its end tag, ending at `index`, is read.
    private func finish(_ open: Open) -> XMLElement { open.element(source: source, end: index) }

    mutating func parse() throws -> XMLElement {
        try skipToRoot()
        var stack: [Open] = []
        var root: XMLElement?
        while root == nil {
            guard index < bytes.count else { throw failure("the document ends inside element '\(stack.last?.name ?? "")'") }
            if bytes[index] != 0x3C {
                try text(into: &stack[stack.count - 1].text)
                continue
            }
            if starts(with: "<![CDATA[", at: index) {
                try cdata(into: &stack[stack.count - 1].text)
                continue
            }
            if try skipMarkup() { continue }
            if starts(with: "<!", at: index) { throw failure("markup declarations are not allowed inside elements") }
            if starts(with: "</", at: index) {
                let (closing, closeStart) = try endTag()
                guard let open = stack.popLast() else { throw failure("end tag '\(text(of: closing))' without a start tag", at: closeStart) }
                guard sameBytes(open.nameRange, closing) else {
                    throw failure("end tag '\(text(of: closing))' does not match start tag '\(open.name)' of line \(open.line)", at: closeStart)
                }
                let element = finish(open)
                if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
                continue
            }
            // A start tag.
            guard stack.count < maxDepth else { throw failure("nesting deeper than \(maxDepth)") }
            let (open, selfClosing) = try startTag()
            if selfClosing {
                let element = finish(open)
                if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
            } else {
                stack.append(open)
            }
        }
        // After the root: only white space, comments and processing instructions.
        while true {
            skipSpace()
            guard index < bytes.count else { break }
            if try skipMarkup() { continue }
            throw failure("content after the root element")
        }
        return root!
    }

    /// What reading one stretch of a large document leaves (see `XMLReader`'s parallel read):
    /// the content at the stretch's top level in order (text, whole elements, and end tags of
    /// elements opened in an earlier stretch) and the elements still open at its end.
    struct Fragment: Sendable {
        enum Item: Sendable {
            case text([UInt8])
            /// A CDATA section outside every element of the stretch: text inside an element
            /// opened earlier, an error after the root.
            case cdata([UInt8])
            case element(XMLElement)
            /// The end tag of an element opened before the stretch: its name's bytes, where it ends.
            case close(name: Range<Int>, end: Int)
        }
        var items: [Item] = []
        var open: [Open] = []
        /// The deepest nesting reached, relative to the depth the stretch starts at.
        var deepest = 0
    }

    /// Reads from `index` (the document's start when `first`, else a `<` that starts a tag) to
    /// `limit`, which must fall between two pieces of markup: nil when a comment, CDATA section
    /// or processing instruction runs across it (the stretches were cut in the wrong place).
    /// Errors here may come from a wrong cut too; the caller reads the document whole then.
    mutating func fragment(upTo limit: Int, first: Bool) throws -> Fragment? {
        if first { try skipToRoot() }
        var fragment = Fragment()
        var stack: [Open] = []
        var closedOuter = 0
        func add(_ element: consuming XMLElement, to stack: inout [Open], _ fragment: inout Fragment) {
            if stack.isEmpty { fragment.items.append(.element(element)) } else { stack[stack.count - 1].children.append(element) }
        }
        while index < limit {
            if bytes[index] != 0x3C {
                if stack.isEmpty {
                    var text: [UInt8] = []
                    try self.text(into: &text)
                    fragment.items.append(.text(text))
                } else {
                    try text(into: &stack[stack.count - 1].text)
                }
                continue
            }
            if starts(with: "<![CDATA[", at: index) {
                if stack.isEmpty {
                    var text: [UInt8] = []
                    try cdata(into: &text)
                    fragment.items.append(.cdata(text))
                } else {
                    try cdata(into: &stack[stack.count - 1].text)
                }
                continue
            }
            if try skipMarkup() { continue }
            if starts(with: "<!", at: index) { throw failure("markup declarations are not allowed inside elements") }
            if starts(with: "</", at: index) {
                let (closing, closeStart) = try endTag()
                guard let open = stack.popLast() else {
                    fragment.items.append(.close(name: closing, end: index))
                    closedOuter += 1
                    continue
                }
                guard sameBytes(open.nameRange, closing) else { throw failure("end tag does not match its start tag", at: closeStart) }
                add(finish(open), to: &stack, &fragment)
                continue
            }
            // The absolute depth is at least the stretch's own: deeper than the limit is an error
            // whatever came before (and bounds the tree this stretch builds).
            guard stack.count < maxDepth else { throw failure("nesting deeper than \(maxDepth)") }
            let (open, selfClosing) = try startTag()
            fragment.deepest = max(fragment.deepest, stack.count + 1 - closedOuter)
            if selfClosing { add(finish(open), to: &stack, &fragment) } else { stack.append(open) }
        }
        guard index == limit else { return nil }
        fragment.open = stack
        return fragment
    }

    /// Joins the fragments of a document read in stretches into its root, as `parse` would
    /// have built it; nil when they do not make one well-formed document (the caller then
    /// reads it whole, for the error and its position).
    static func join(_ fragments: [Fragment], of bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int = 256, source: XMLSource?) -> XMLElement? {
        var stack: [Open] = []
        var root: XMLElement?
        func place(_ element: XMLElement) -> Bool {
            if stack.isEmpty {
                guard root == nil else { return false }
                root = element
            } else {
                stack[stack.count - 1].children.append(element)
            }
            return true
        }
        for fragment in fragments {
            guard stack.count + fragment.deepest <= maxDepth else { return nil }
            for item in fragment.items {
                switch item {
                case .cdata(let text):
                    guard !stack.isEmpty else { return nil }
                    stack[stack.count - 1].text.append(contentsOf: text)
                case .text(let text):
                    if stack.isEmpty {
                        guard text.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return nil }
                    } else {
                        stack[stack.count - 1].text.append(contentsOf: text)
                    }
                case .element(let element):
                    guard place(element) else { return nil }
                case .close(let name, let end):
                    guard let open = stack.popLast(), open.nameRange.count == name.count,
                        memcmp(bytes.baseAddress! + open.nameRange.lowerBound, bytes.baseAddress! + name.lowerBound, name.count) == 0
                    else { return nil }
                    guard place(open.element(source: source, end: end)) else { return nil }
                }
            }
            stack.append(contentsOf: fragment.open)
        }
        guard stack.isEmpty else { return nil }
        return root
    }
}
