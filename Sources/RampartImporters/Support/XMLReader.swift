import Foundation

/// An element of a parsed XML document: the small read-only tree every XML importer walks.
package struct XMLElement: Sendable, Hashable {
    package var name: String {
        didSet { localName = Self.localName(of: name) }
    }
    /// Name without namespace prefix; kept beside the name because importers look children up
    /// by it many times per record.
    package private(set) var localName: String
    package var attributes: [String: String]
    package var children: [XMLElement]
    package var text: String
    /// 1-based line where the element starts, for diagnostics.
    package var line: Int
    /// The report the element was read from, and the element's bytes in it (start tag to end
    /// tag), when the reader parsed the report's own bytes: its evidence is then the tool's text
    /// as written, and a span of the archived report rather than a copy.
    package var source: XMLSource?
    package var sourceRange: Range<Int>?

    package init(name: String, attributes: [String: String], children: [XMLElement], text: String, line: Int) {
        self.name = name
        self.localName = Self.localName(of: name)
        self.attributes = attributes
        self.children = children
        self.text = text
        self.line = line
    }

    /// An element as the tree parser makes it: names it has already split, and its source.
    init(
        name: String, localName: String, attributes: [String: String], children: [XMLElement], text: String, line: Int, source: XMLSource?,
        sourceRange: Range<Int>?
    ) {
        self.name = name
        self.localName = localName
        self.attributes = attributes
        self.children = children
        self.text = text
        self.line = line
        self.source = source
        self.sourceRange = source == nil ? nil : sourceRange
    }

    static func localName(of name: String) -> String {
        guard let colon = name.utf8.lastIndex(of: 0x3A) else { return name }
        return String(name[name.utf8.index(after: colon)...])
    }

    /// First child element with this (local) name.
    package func child(_ name: String) -> XMLElement? { childIndex(name).map { children[$0] } }

    /// Where the first child of this name is: importers ask for a dozen children's text per
    /// record, and reading it in place saves copying each child element.
    private func childIndex(_ name: String) -> Int? {
        for index in children.indices where children[index].localName == name { return index }
        return nil
    }

    package func children(_ name: String) -> [XMLElement] { children.filter { $0.localName == name } }

    /// Follows a path of child names.
    package func path(_ names: String...) -> XMLElement? {
        var element: XMLElement? = self
        for name in names { element = element?.child(name) }
        return element
    }

    /// Trimmed text content, nil when empty.
    package var value: String? {
        let trimmed = text.asciiTrimmed
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Trimmed text of the named child, nil when absent or empty.
    package func childText(_ name: String) -> String? { childIndex(name).flatMap { children[$0].value } }

    /// Every descendant with this local name, depth first.
    package func descendants(_ name: String) -> [XMLElement] {
        var result: [XMLElement] = []
        for child in children {
            if child.localName == name { result.append(child) }
            result.append(contentsOf: child.descendants(name))
        }
        return result
    }

    /// The element serialized back to XML: kept as the finding's evidence.
    package var xmlString: String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        serialize(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Serializes on bytes: evidence is written for every finding of an XML report, and
    /// building it through `String` concatenation cost more than the rest of the import.
    private func serialize(into out: inout [UInt8]) {
        out.append(0x3C)
        out.append(contentsOf: name.utf8)
        for key in attributes.keys.sorted() {
            out.append(0x20)
            out.append(contentsOf: key.utf8)
            out.append(contentsOf: [0x3D, 0x22])
            Self.escape(attributes[key]!, into: &out)
            out.append(0x22)
        }
        let trimmedText = Self.trimmedAllWhitespace(text)
        if children.isEmpty && trimmedText.isEmpty {
            out.append(contentsOf: [0x2F, 0x3E])
            return
        }
        out.append(0x3E)
        Self.escape(trimmedText, into: &out)
        for child in children { child.serialize(into: &out) }
        out.append(contentsOf: [0x3C, 0x2F])
        out.append(contentsOf: name.utf8)
        out.append(0x3E)
    }

    /// `text` without leading and trailing white space and newlines, Unicode ones included.
    static func trimmedAllWhitespace(_ text: String) -> String {
        let utf8 = text.utf8
        let isSpace = { (byte: UInt8) in byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
        // ASCII white space is trimmed on bytes; Foundation is asked only when a non-ASCII
        // byte (which may start a Unicode space) is left at an end.
        guard let start = utf8.firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = utf8.lastIndex(where: { !isSpace($0) })!
        if utf8[start] >= 0x80 || utf8[end] >= 0x80 { return text.trimmingCharacters(in: .whitespacesAndNewlines) }
        if start == utf8.startIndex && utf8.index(after: end) == utf8.endIndex { return text }
        return String(text[start...end])
    }

    static func escape(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        escape(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func escape(_ text: String, into out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case 0x26: out.append(contentsOf: [0x26, 0x61, 0x6D, 0x70, 0x3B])  // &amp;
            case 0x3C: out.append(contentsOf: [0x26, 0x6C, 0x74, 0x3B])  // &lt;
            case 0x3E: out.append(contentsOf: [0x26, 0x67, 0x74, 0x3B])  // &gt;
            case 0x22: out.append(contentsOf: [0x26, 0x71, 0x75, 0x6F, 0x74, 0x3B])  // &quot;
            default: out.append(byte)
            }
        }
    }
}

/// An XML document that could not be read, with the line and column the parser stopped at.
package struct XMLSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    package let line: Int
    package let column: Int
    package let reason: String
    package var description: String { "invalid XML at line \(line), column \(column): \(reason)" }
}

/// The one hardened XML reader behind every XML importer.
///
/// - The prolog is scanned as XML defines it, and its document type declaration is blanked out
///   before parsing (bytes replaced by spaces, so line numbers stay true): no external entity
///   is ever resolved and no entity is ever expanded, which rules out XXE and entity-expansion
///   bombs. A reference to an entity the DOCTYPE declared then fails as undefined. Documents
///   whose DOCTYPE only declares elements (Burp's export) import normally. Nothing from the
///   root element on is changed.
/// - `XMLTreeParser` then builds the tree in one pass over the bytes: it knows the five
///   predefined entities and character references and nothing else, refuses any markup
///   declaration, and limits nesting. (Foundation's `XMLParser`, used before, cost most of an
///   XML import, failed on documents over about 10 MB unless streamed, and trapped on input
///   fuzzing found.)
/// A report's bytes, shared by the elements read from it (see `XMLElement.source`).
package final class XMLSource: Sendable, Hashable {
    package let data: Data

    init(data: Data) { self.data = data }

    package static func == (lhs: XMLSource, rhs: XMLSource) -> Bool { lhs === rhs }
    package func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    /// The bytes at `range`, a slice sharing the report's storage.
    func slice(_ range: Range<Int>) -> Data? {
        guard range.lowerBound >= 0, range.upperBound <= data.count, !range.isEmpty else { return nil }
        return data[(data.startIndex + range.lowerBound)..<(data.startIndex + range.upperBound)]
    }
}

package enum XMLReader {
    package struct Result: Sendable {
        package var root: XMLElement
        package var declaredEntities: Bool
        /// How many stretches the document was read in (1: whole).
        package var stretches = 1
    }

    /// A document made ready for the tree parser: valid UTF-8, its DOCTYPE blanked.
    struct Prepared {
        /// What the parser reads: the report's own bytes, unless an encoding was converted or the
        /// prolog had something to blank (then a copy: a large report is not copied for nothing).
        let bytes: Data
        /// The report, when offsets into `bytes` are offsets into it: unless an encoding was
        /// converted (the prolog's blanking keeps every length).
        let source: XMLSource?
        let declaredEntities: Bool
        /// Where the parser starts: after a byte order mark.
        let start: Int

        init(_ data: Data) throws {
            let converted = try utf8Document(data)
            let document = converted ?? data
            // A conversion that kept every length (an ASCII document declaring Latin-1) keeps offsets.
            source = document.count == data.count ? XMLSource(data: data) : nil
            let (blanked, prolog) = XMLReader.blankedProlog(document)
            declaredEntities = prolog.declaredEntities
            bytes = blanked ?? document
            start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        }

        func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
            try bytes.withUnsafeBytes { try body($0.bindMemory(to: UInt8.self)) }
        }

        /// The tree, read in one pass from start to end.
        func readWhole() throws -> Result {
            let root = try withBytes { buffer in
                var parser = XMLTreeParser(buffer, from: start, source: source)
                return try parser.parse()
            }
            return Result(root: root, declaredEntities: declaredEntities)
        }
    }

    /// The document with its prolog blanked (`blankProlog`), or nil when there is nothing to
    /// blank. The prolog is scanned in a copy of the document's head; the whole document is
    /// copied only when something in it changes, or when the prolog may run past the head.
    static func blankedProlog(_ document: Data) -> (Data?, Prolog) {
        let headLength = min(document.count, 1 << 16)
        let original = [UInt8](document.prefix(headLength))
        var head = original
        let prolog = blankProlog(&head)
        // Every marker the scan compares at or before the root's start is at most 9 bytes long:
        // a root that far inside the head was found as in the whole document.
        if headLength == document.count || prolog.rootStart + 16 <= headLength {
            guard head != original else { return (nil, prolog) }
            var bytes = [UInt8](document)
            bytes.replaceSubrange(0..<headLength, with: head)
            return (Data(bytes), prolog)
        }
        var bytes = [UInt8](document)
        let whole = blankProlog(&bytes)
        return (Data(bytes), whole)
    }

    package static func parse(_ data: Data) throws -> Result { try Prepared(data).readWhole() }

    /// Documents this large are read on every core.
    static let parallelThreshold = 4 << 20

    /// `parse`, on every core for a large document: it is cut into stretches at tags, each
    /// stretch is read on its own and the pieces are joined in order. A cut that falls inside a
    /// comment, CDATA section or processing instruction, or any error, sends the document to
    /// the whole read, so the tree, and any error and its position, are exactly `parse`'s.
    /// `stretches` overrides the count (tests cut small documents).
    package static func parseConcurrently(_ data: Data, stretches requested: Int? = nil) async throws -> Result {
        let stretches = requested ?? (data.count >= parallelThreshold ? ProcessInfo.processInfo.activeProcessorCount : 1)
        let prepared = try Prepared(data)
        guard stretches > 1 else { return try prepared.readWhole() }
        let source = prepared.source
        let (cuts, lines) = prepared.withBytes { document in
            let cuts = cutPoints(document, from: prepared.start, stretches: stretches)
            return (cuts, lineNumbers(document, at: cuts.dropLast()))
        }
        var fragments: [XMLTreeParser.Fragment] = []
        do {
            fragments = try await withThrowingTaskGroup(of: (Int, XMLTreeParser.Fragment?).self) { group in
                for stretch in 0..<(cuts.count - 1) {
                    group.addTask {
                        try prepared.withBytes { buffer in
                            var parser = XMLTreeParser(buffer, from: cuts[stretch], line: lines[stretch], source: source)
                            return (stretch, try parser.fragment(upTo: cuts[stretch + 1], first: stretch == 0))
                        }
                    }
                }
                var read = [XMLTreeParser.Fragment?](repeating: nil, count: cuts.count - 1)
                for try await (stretch, fragment) in group { read[stretch] = fragment }
                return read.allSatisfy { $0 != nil } ? read.compactMap { $0 } : []
            }
        } catch {
            // Read whole below: the error, if it is one, is reported from there.
        }
        if !fragments.isEmpty, let root = prepared.withBytes({ XMLTreeParser.join(fragments, of: $0, source: source) }) {
            return Result(root: root, declaredEntities: prepared.declaredEntities, stretches: fragments.count)
        }
        return try prepared.readWhole()
    }

    /// Where to cut a document into `stretches` of about equal size: each cut at a `<` that
    /// starts a tag (a name or `/` follows it); the first is `start`, the last the end.
    static func cutPoints(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, stretches: Int) -> [Int] {
        var cuts = [start]
        let length = bytes.count - start
        for stretch in 1..<max(1, stretches) {
            var position = max(start + length / stretches * stretch, cuts.last! + 1)
            while position + 1 < bytes.count {
                if bytes[position] == 0x3C {
                    let next = bytes[position + 1]
                    let startsTag =
                        next == 0x2F || next == 0x5F || next == 0x3A || next >= 0x80 || (next >= 0x41 && next <= 0x5A)
                        || (next >= 0x61 && next <= 0x7A)
                    if startsTag { break }
                }
                position += 1
            }
            guard position + 1 < bytes.count else { break }
            cuts.append(position)
        }
        cuts.append(bytes.count)
        return cuts
    }

    /// The 1-based line of each offset (ascending).
    static func lineNumbers(_ bytes: UnsafeBufferPointer<UInt8>, at offsets: ArraySlice<Int>) -> [Int] {
        var lines: [Int] = []
        var line = 1
        var counted = 0
        for offset in offsets {
            for index in counted..<offset where bytes[index] == 0x0A { line += 1 }
            counted = offset
            lines.append(line)
        }
        return lines
    }

    /// The document as valid UTF-8, which is all the parser ever sees: Foundation's parser traps
    /// on names that are not UTF-8 instead of reporting them (found by fuzzing). A document
    /// declaring Latin-1 or Windows-1252 is converted (its declaration then names no encoding);
    /// any other declared encoding is refused, and UTF-8 is checked. Nil: the document is
    /// UTF-8 as it is, and is read in place.
    static func utf8Document(_ original: Data) throws -> Data? {
        var converted: [UInt8]?
        if let (name, attribute) = declaredEncoding([UInt8](original.prefix(512))), name != "utf-8", name != "utf8" {
            var bytes = [UInt8](original)
            let encoding: String.Encoding
            switch name {
            case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1": encoding = .isoLatin1
            case "windows-1252", "cp1252": encoding = .windowsCP1252
            case "us-ascii", "ascii": encoding = .ascii
            default:
                throw XMLSyntaxError(line: 1, column: 1, reason: "documents in encodings other than UTF-8, Latin-1 and Windows-1252 are not read")
            }
            for index in attribute { bytes[index] = 0x20 }
            guard let text = String(bytes: bytes, encoding: encoding) else {
                throw XMLSyntaxError(line: 1, column: 1, reason: "the document is not valid in its declared encoding")
            }
            converted = Array(text.utf8)
        }
        let check = { (bytes: UnsafeRawBufferPointer) throws in
            if let offset = firstInvalidUTF8(bytes) {
                let (line, column) = LineIndex.lineAndColumn(ofOffset: offset, in: bytes)
                throw XMLSyntaxError(line: line, column: column, reason: "the document is not valid UTF-8")
            }
            // XML 1.0 allows no control character but tab, line feed and carriage return; the
            // parser reports one at the end of the document, so its own position is named here.
            if let offset = firstForbiddenControl(bytes) {
                let (line, column) = LineIndex.lineAndColumn(ofOffset: offset, in: bytes)
                throw XMLSyntaxError(
                    line: line, column: column,
                    reason:
                        "control character 0x\(String(bytes[offset], radix: 16, uppercase: true)) is not allowed in XML (some tools copy them from scanned files)"
                )
            }
        }
        if let converted {
            try converted.withUnsafeBytes(check)
            return Data(converted)
        }
        try original.withUnsafeBytes(check)
        return nil
    }

    /// Offset of the first control character XML does not allow (below 0x20, but tab, line feed
    /// and carriage return), or nil. Words with no byte below 0x20 are skipped whole.
    static func firstForbiddenControl(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let isForbidden = { (byte: UInt8) in byte < 0x20 && byte != 0x09 && byte != 0x0A && byte != 0x0D }
        var offset = 0
        let count = bytes.count
        while offset + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            // Nonzero exactly when some byte of the word is below 0x20 (which one is found below).
            if (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080 != 0 {
                for index in offset..<(offset + 8) where isForbidden(bytes[index]) { return index }
            }
            offset += 8
        }
        for index in offset..<count where isForbidden(bytes[index]) { return index }
        return nil
    }

    /// The encoding an XML declaration names (lower-cased) and the byte range of its
    /// `encoding="..."` attribute; nil without a declaration or an encoding in it.
    static func declaredEncoding(_ bytes: [UInt8]) -> (String, Range<Int>)? {
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let head = bytes[start..<min(bytes.count, start + 256)]
        guard head.starts(with: Array("<?xml".utf8)), let end = head.firstIndex(of: 0x3E) else { return nil }
        let declaration = Array(head[head.startIndex..<end])
        let lower = declaration.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        guard let keyStart = find(Array("encoding".utf8), in: lower, caseInsensitive: false) else { return nil }
        var index = keyStart + 8
        while index < lower.count, lower[index] == 0x20 || lower[index] == 0x3D || lower[index] == 0x09 { index += 1 }
        var quote: UInt8 = 0
        if index < lower.count, lower[index] == 0x22 || lower[index] == 0x27 {
            quote = lower[index]
            index += 1
        }
        let valueStart = index
        while index < lower.count, lower[index] != quote, lower[index] != 0x20, lower[index] != 0x3F { index += 1 }
        let name = String(decoding: lower[valueStart..<index], as: UTF8.self)
        if quote != 0, index < lower.count, lower[index] == quote { index += 1 }
        return (name, (head.startIndex + keyStart)..<(head.startIndex + index))
    }

    /// Offset of the first byte that is not part of a valid UTF-8 sequence, or nil.
    static func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer) -> Int? {
        // Reports are mostly ASCII: skip ASCII runs a word at a time, and hand the parser only
        // what follows the first byte that is not (validating a whole copy cost a tenth of a
        // second on a 12 MB report).
        let firstNonASCII: Int? = {
            var offset = 0
            let count = bytes.count
            while offset + 8 <= count {
                if bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
                offset += 8
            }
            while offset < count, bytes[offset] < 0x80 { offset += 1 }
            return offset < count ? offset : nil
        }()
        guard let firstNonASCII else { return nil }
        // Start at the beginning of the line holding it, so that the parser starts on a character boundary.
        let start = bytes[..<firstNonASCII].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        if String(validating: bytes[start...], as: UTF8.self) != nil { return nil }
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .error: return offset
            case .emptyInput: return nil
            }
        }
    }

    /// Whether `marker` stands at `position` (ASCII letters of the document compared as upper
    /// case when `caseInsensitive`).
    static func starts(_ marker: String, at position: Int, in bytes: [UInt8], caseInsensitive: Bool = false) -> Bool {
        let marker = Array(marker.utf8)
        guard position >= 0, position + marker.count <= bytes.count else { return false }
        for offset in 0..<marker.count {
            var byte = bytes[position + offset]
            if caseInsensitive && byte >= 0x61 && byte <= 0x7A { byte -= 0x20 }
            if byte != marker[offset] { return false }
        }
        return true
    }

    /// Replaces `range` by spaces, keeping line breaks so that positions hold.
    static func blank(_ range: Range<Int>, in bytes: inout [UInt8]) {
        for position in range where bytes[position] != 0x0A { bytes[position] = 0x20 }
    }

    /// What the prolog pass found.
    struct Prolog: Equatable {
        /// Whether the document type declaration declared entities (they are never expanded).
        var declaredEntities: Bool
        /// Offset of the root element's `<`, or the end of the document when there is none.
        var rootStart: Int
    }

    /// Scans the prolog as XML defines it (an optional declaration, then comments, processing
    /// instructions, white space and at most one document type declaration, up to the root
    /// element's start tag) and replaces the document type declaration, with its internal
    /// subset, and every processing instruction but the declaration by spaces (line breaks
    /// kept, so positions hold). Nothing after the root element's start is a prolog: a
    /// `<!DOCTYPE` in a comment before the real one, or in text or CDATA inside the report, is
    /// never mistaken for it. A prolog that does not follow the grammar is left to the parser,
    /// which refuses it.
    static func blankProlog(_ bytes: inout [UInt8]) -> Prolog {
        let documentStart = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var index = documentStart
        var declaredEntities = false
        var sawDoctype = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                index += 1
            } else if starts("<!--", at: index, in: bytes) {
                index = end(of: "-->", in: bytes, from: index + 4)
            } else if starts("<?", at: index, in: bytes) {
                let isDeclaration =
                    index == documentStart && starts("<?xml", at: index, in: bytes) && index + 5 < bytes.count
                    && [0x20, 0x09, 0x0D, 0x0A].contains(bytes[index + 5])
                if isDeclaration {
                    // A declaration ends at its first `>`; one that is not `?>` is malformed, and
                    // must not hide the processing instructions after it (found by fuzzing): blanked.
                    let close = end(of: ">", in: bytes, from: index + 5)
                    if bytes[close - 1] != 0x3E || bytes[close - 2] != 0x3F { blank(index..<close, in: &bytes) }
                    index = close
                } else {
                    let close = end(of: "?>", in: bytes, from: index + 2)
                    blank(index..<close, in: &bytes)
                    index = close
                }
            } else if !sawDoctype, starts("<!DOCTYPE", at: index, in: bytes, caseInsensitive: true) {
                let close = endOfDoctype(bytes, from: index + 9)
                declaredEntities = find(Array("<!ENTITY".utf8), in: Array(bytes[index..<close]), caseInsensitive: true) != nil
                blank(index..<close, in: &bytes)
                sawDoctype = true
                index = close
            } else {
                // The root element's start tag, or something the parser will refuse.
                break
            }
        }
        return Prolog(declaredEntities: declaredEntities, rootStart: index)
    }

    /// Just past a document type declaration's closing `>`, skipping its quoted literals and,
    /// in its internal subset, comments and processing instructions (whose text may hold `>`,
    /// `]` or quotes).
    static func endOfDoctype(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start
        var inSubset = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x22 || byte == 0x27 {
                index = (bytes[(index + 1)...].firstIndex(of: byte) ?? bytes.count - 1) + 1
                continue
            }
            if inSubset, starts("<!--", at: index, in: bytes) {
                index = end(of: "-->", in: bytes, from: index + 4)
                continue
            }
            if inSubset, starts("<?", at: index, in: bytes) {
                index = end(of: "?>", in: bytes, from: index + 2)
                continue
            }
            if byte == 0x5B { inSubset = true }
            if byte == 0x5D { inSubset = false }
            if byte == 0x3E && !inSubset { return index + 1 }
            index += 1
        }
        return bytes.count
    }

    /// Just past the first `marker` at or after `index`, or the end of the document.
    static func end(of marker: String, in bytes: [UInt8], from index: Int) -> Int {
        let marker = Array(marker.utf8)
        return find(marker, in: bytes, from: index, caseInsensitive: false).map { $0 + marker.count } ?? bytes.count
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0, caseInsensitive: Bool) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        let limit = haystack.count - needle.count
        var index = start
        while index <= limit {
            var matched = true
            for offset in 0..<needle.count {
                var byte = haystack[index + offset]
                if caseInsensitive && byte >= 0x61 && byte <= 0x7A { byte -= 0x20 }
                if byte != needle[offset] {
                    matched = false
                    break
                }
            }
            if matched { return index }
            index += 1
        }
        return nil
    }
}
