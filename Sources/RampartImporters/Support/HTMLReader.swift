import Foundation

/// A tolerant reader of HTML report pages (Burp Suite DAST's is the only report format some
/// tools export). It builds a tree the way browsers forgive: end tags close the nearest open
/// element of their name, void elements (`br`, `img`, `meta`) never open, a new `li`, `tr`,
/// `td`, `th`, `p` or `option` closes its open sibling, and stray end tags are ignored. Scripts
/// and styles are skipped, never run; nothing is fetched; entities are decoded from a fixed
/// table (no DTD exists to define more). Nesting deeper than `maxDepth` is flattened, so a
/// hostile page cannot exhaust the stack of the code that walks the tree.
package enum HTMLReader {
    static let maxDepth = 256

    static let voidElements: Set<String> = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    ]
    /// Elements whose content is not markup: skipped (`script`, `style`) or kept as text.
    static let rawTextElements: Set<String> = ["script", "style", "textarea", "title"]
    static let skippedContent: Set<String> = ["script", "style"]
    /// A start tag of the key closes an open element of any of the value's names, back to the nearest table or list.
    static let impliedEnds: [String: Set<String>] = [
        "li": ["li"], "tr": ["tr", "td", "th"], "td": ["td", "th"], "th": ["td", "th"], "p": ["p"], "option": ["option"],
    ]
    static let scopeBoundaries: Set<String> = ["table", "ul", "ol", "select", "div", "body"]

    /// Parses a page; never fails (HTML has no syntax errors, only repairs).
    package static func parse(_ data: Data) -> HTMLDocument {
        var builder = Builder(bytes: [UInt8](data))
        return HTMLDocument(root: builder.run(), data: data)
    }

    struct Builder {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        /// Open elements, the document root first.
        var stack: [HTMLElement]

        init(bytes: [UInt8]) {
            self.bytes = bytes
            stack = [HTMLElement(name: "#document", attributes: [:], children: [], line: 1, start: 0)]
        }

        mutating func run() -> HTMLElement {
            var text: [UInt8] = []
            while index < bytes.count {
                let byte = bytes[index]
                if byte == 0x3C, index + 1 < bytes.count, markup(flushing: &text) {
                    continue
                }
                if byte == 0x0A { line += 1 }
                text.append(byte)
                index += 1
            }
            flush(&text)
            while stack.count > 1 { closeTop(end: bytes.count) }
            return stack[0]
        }

        mutating func flush(_ text: inout [UInt8]) {
            guard !text.isEmpty else { return }
            stack[stack.count - 1].children.append(.text(HTMLReader.decodeEntities(text)))
            text.removeAll(keepingCapacity: true)
        }

        /// Reads the markup at `index` (a `<`); false when the `<` is plain text.
        mutating func markup(flushing text: inout [UInt8]) -> Bool {
            let next = bytes[index + 1]
            if bytes[index...].starts(with: Array("<!--".utf8)) {
                flush(&text)
                skip(past: Array("-->".utf8))
                return true
            }
            if next == 0x21 || next == 0x3F {  // <! <?
                flush(&text)
                skip(past: [0x3E])
                return true
            }
            if next == 0x2F {  // </
                guard index + 2 < bytes.count, isLetter(bytes[index + 2]) else { return false }
                flush(&text)
                let start = index
                index += 2
                let name = readName()
                skip(past: [0x3E])
                endTag(name, start: start)
                return true
            }
            guard isLetter(next) else { return false }
            flush(&text)
            let start = index
            index += 1
            let name = readName()
            let (attributes, selfClosing) = readAttributes()
            startTag(name, attributes: attributes, selfClosing: selfClosing, start: start)
            return true
        }

        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

        mutating func readName() -> String {
            let start = index
            while index < bytes.count, !isSpace(bytes[index]), bytes[index] != 0x3E, bytes[index] != 0x2F { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self).lowercased()
        }

        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 || byte == 0x0C }

        /// Moves past `terminator`, or to the end.
        mutating func skip(past terminator: [UInt8]) {
            while index < bytes.count {
                if bytes[index] == 0x0A { line += 1 }
                if bytes[index...].starts(with: terminator) {
                    index += terminator.count
                    return
                }
                index += 1
            }
        }

        mutating func readAttributes() -> ([String: String], Bool) {
            var attributes: [String: String] = [:]
            var selfClosing = false
            while index < bytes.count {
                while index < bytes.count, isSpace(bytes[index]) {
                    if bytes[index] == 0x0A { line += 1 }
                    index += 1
                }
                guard index < bytes.count else { break }
                if bytes[index] == 0x3E {
                    index += 1
                    break
                }
                if bytes[index] == 0x2F {
                    selfClosing = true
                    index += 1
                    continue
                }
                let nameStart = index
                while index < bytes.count, !isSpace(bytes[index]), bytes[index] != 0x3D, bytes[index] != 0x3E, bytes[index] != 0x2F { index += 1 }
                let name = String(decoding: bytes[nameStart..<index], as: UTF8.self).lowercased()
                while index < bytes.count, isSpace(bytes[index]) { index += 1 }
                var value = ""
                if index < bytes.count, bytes[index] == 0x3D {
                    index += 1
                    while index < bytes.count, isSpace(bytes[index]) { index += 1 }
                    if index < bytes.count, bytes[index] == 0x22 || bytes[index] == 0x27 {
                        let quote = bytes[index]
                        index += 1
                        let valueStart = index
                        while index < bytes.count, bytes[index] != quote {
                            if bytes[index] == 0x0A { line += 1 }
                            index += 1
                        }
                        value = HTMLReader.decodeEntities(Array(bytes[valueStart..<index]))
                        if index < bytes.count { index += 1 }
                    } else {
                        let valueStart = index
                        while index < bytes.count, !isSpace(bytes[index]), bytes[index] != 0x3E { index += 1 }
                        value = HTMLReader.decodeEntities(Array(bytes[valueStart..<index]))
                    }
                }
                if !name.isEmpty, attributes[name] == nil { attributes[name] = value }
                selfClosing = false
            }
            return (attributes, selfClosing)
        }

        mutating func startTag(_ name: String, attributes: [String: String], selfClosing: Bool, start: Int) {
            if let closes = HTMLReader.impliedEnds[name] {
                // Close the outermost open sibling (a new row closes the open cell and its row),
                // but not across the table or list the new element belongs to.
                var outermost: Int?
                for open in stack.indices.dropFirst().reversed() {
                    if closes.contains(stack[open].name) {
                        outermost = open
                    } else if HTMLReader.scopeBoundaries.contains(stack[open].name) {
                        break
                    }
                }
                if let outermost {
                    while stack.count > outermost { closeTop(end: start) }
                }
            }
            let element = HTMLElement(name: name, attributes: attributes, children: [], line: line, start: start)
            if HTMLReader.rawTextElements.contains(name) {
                // Content up to the matching end tag is text, never markup.
                let contentStart = index
                let endTag = Array("</\(name)".utf8)
                while index < bytes.count, !matchesIgnoringCase(endTag, at: index) {
                    if bytes[index] == 0x0A { line += 1 }
                    index += 1
                }
                var raw = element
                if !HTMLReader.skippedContent.contains(name) {
                    raw.children.append(.text(HTMLReader.decodeEntities(Array(bytes[contentStart..<index]))))
                }
                skip(past: [0x3E])
                raw.end = index
                stack[stack.count - 1].children.append(.element(raw))
                return
            }
            if selfClosing || HTMLReader.voidElements.contains(name) || stack.count > HTMLReader.maxDepth {
                var void = element
                void.end = index
                stack[stack.count - 1].children.append(.element(void))
                return
            }
            stack.append(element)
        }

        func matchesIgnoringCase(_ pattern: [UInt8], at position: Int) -> Bool {
            guard position + pattern.count <= bytes.count else { return false }
            for offset in 0..<pattern.count where bytes[position + offset] | 0x20 != pattern[offset] | 0x20 { return false }
            return true
        }

        mutating func endTag(_ name: String, start: Int) {
            guard let open = stack.indices.dropFirst().reversed().first(where: { stack[$0].name == name }) else { return }
            while stack.count > open + 1 { closeTop(end: start) }
            closeTop(end: index)
        }

        mutating func closeTop(end: Int) {
            var element = stack.removeLast()
            element.end = end
            stack[stack.count - 1].children.append(.element(element))
        }
    }

    static let namedEntities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "copy": "©", "reg": "®", "hellip": "…", "mdash": "—",
        "ndash": "–", "laquo": "«", "raquo": "»",
    ]

    /// Text with character references decoded; an unknown or malformed one stays as written.
    static func decodeEntities(_ bytes: [UInt8]) -> String {
        guard bytes.contains(0x26) else { return String(decoding: bytes, as: UTF8.self) }
        var out = ""
        var index = 0
        var run = index
        while index < bytes.count {
            guard bytes[index] == 0x26, let semicolon = bytes[index..<min(bytes.count, index + 12)].firstIndex(of: 0x3B) else {
                index += 1
                continue
            }
            let name = String(decoding: bytes[(index + 1)..<semicolon], as: UTF8.self)
            var decoded: String?
            if name.hasPrefix("#x") || name.hasPrefix("#X") {
                decoded = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else if name.hasPrefix("#") {
                decoded = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
            } else {
                decoded = namedEntities[name]
            }
            guard let decoded else {
                index += 1
                continue
            }
            out += String(decoding: bytes[run..<index], as: UTF8.self) + decoded
            index = semicolon + 1
            run = index
        }
        return out + String(decoding: bytes[run..<bytes.count], as: UTF8.self)
    }
}

/// A parsed page and its bytes, from which an element's source is cut for evidence.
package struct HTMLDocument: Sendable {
    package var root: HTMLElement
    package var data: Data

    /// The element as written in the page, start tag to end tag: a slice of the page, which the
    /// store keeps as a span of the archived report.
    package func source(of element: HTMLElement) -> Data {
        let bounds = 0...data.count
        guard bounds.contains(element.start), bounds.contains(element.end), element.start < element.end else { return Data() }
        return data[(data.startIndex + element.start)..<(data.startIndex + element.end)]
    }
}

/// Content of an HTML element, in document order.
package enum HTMLContent: Sendable, Hashable {
    case element(HTMLElement)
    case text(String)
}

package struct HTMLElement: Sendable, Hashable {
    /// Lower-cased tag name.
    package var name: String
    /// Lower-cased attribute names; values with entities decoded.
    package var attributes: [String: String]
    package var children: [HTMLContent]
    /// 1-based line of the start tag.
    package var line: Int
    /// Byte offsets of the element in the page, start tag to end tag.
    package var start: Int
    package var end: Int

    init(name: String, attributes: [String: String], children: [HTMLContent], line: Int, start: Int) {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.line = line
        self.start = start
        self.end = start
    }

    package var elements: [HTMLElement] {
        children.compactMap {
            if case .element(let element) = $0 { return element }
            return nil
        }
    }

    package func hasClass(_ name: String) -> Bool {
        (attributes["class"] ?? "").split(separator: " ").contains { $0 == name }
    }

    /// Every element below this one, in document order, that satisfies `matches` (not
    /// descending into a match).
    package func descendants(where matches: (HTMLElement) -> Bool) -> [HTMLElement] {
        var found: [HTMLElement] = []
        func walk(_ element: HTMLElement) {
            for child in element.elements {
                if matches(child) { found.append(child) } else { walk(child) }
            }
        }
        walk(self)
        return found
    }

    static let blockElements: Set<String> = [
        "p", "div", "li", "tr", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "section", "br",
    ]

    /// The text a reader sees: blocks and `br` start new lines, other whitespace runs become one
    /// space, blank lines are dropped.
    package var plainText: String {
        text(breakingAt: Self.blockElements).split(separator: "\n").map { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\u{A0}" }).joined(separator: " ")
        }.filter { !$0.isEmpty }.joined(separator: "\n")
    }

    /// The text as written (whitespace kept), `br` as a line break: for preformatted content
    /// such as an HTTP request.
    package var rawText: String { text(breakingAt: ["br"]) }

    /// The text in document order, with a line break before each element named in `breaks` and
    /// after each that has content.
    func text(breakingAt breaks: Set<String>) -> String {
        var raw = ""
        func walk(_ element: HTMLElement) {
            for child in element.children {
                switch child {
                case .text(let text): raw += text
                case .element(let inner):
                    let breaking = breaks.contains(inner.name)
                    if breaking { raw += "\n" }
                    walk(inner)
                    if breaking && !inner.children.isEmpty { raw += "\n" }
                }
            }
        }
        walk(self)
        return raw
    }
}
