import Foundation
import Testing

@testable import RampartImporters

/// Inputs that made Foundation's XML parser trap (found by fuzzing) end in a clear error or
/// are read, never in a crash.
@Suite("Hardened XML reader")
struct XMLReaderTests {
    @Test(
        "documents that crashed Foundation's parser are refused with a position or read",
        arguments: [
            Data([0x3C, 0xE5, 0x5B, 0x5D, 0x3C, 0xBE]),  // an element name that is not UTF-8
            Data("<?xml version=\"1.0\" encoding=CKV_\"UTF-8\"?>\n<bom>\u{FF}</bom>".utf8),  // malformed encoding declaration
            Data("<?x?>\n@s<mt\n".utf8),  // a processing instruction without data
            Data("<?xml-stylesheet?>\n<a/>".utf8),
            // A malformed declaration (no `?>` before its first `>`) hid a later instruction without data.
            Data("<?xml versremylong.gndeo><engi<StartColumn/engineVersizn></scanIn y>\n  sRequired>N<?xmlTve?>\n<AP\n".utf8),
            Data("<?xml version=\"1.0\"><a><?x?></a>".utf8),
        ])
    func crashers(document: Data) {
        do {
            _ = try XMLReader.parse(document)
        } catch let error as XMLSyntaxError {
            #expect(error.line >= 1 && error.column >= 1)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("processing instructions are dropped, but text that only looks like one is kept")
    func processingInstructions() throws {
        let document = """
            <?xml version="1.0" encoding="UTF-8"?>
            <?xml-stylesheet type="text/xsl" href="report.xsl"?>
            <report><?page break?><note><![CDATA[if a <?b?> c]]></note><!-- <?d?> --></report>
            """
        let root = try XMLReader.parse(Data(document.utf8)).root
        #expect(root.name == "report")
        #expect(root.children.first?.text == "if a <?b?> c")
    }

    @Test("a DOCTYPE named in a comment before the real one does not leave the real one, with its entities, in place")
    func decoyDoctypeInComment() {
        let document = """
            <?xml version="1.0"?>
            <!-- generated; <!DOCTYPE decoy> -->
            <!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
            <r>&b;</r>
            """
        // The entities are never declared to the parser, so the reference is refused.
        #expect(throws: XMLSyntaxError.self) { try XMLReader.parse(Data(document.utf8)) }
        var bytes = Array(document.utf8)
        let prolog = XMLReader.blankProlog(&bytes)
        #expect(prolog.declaredEntities)
        #expect(!String(decoding: bytes, as: UTF8.self).contains("ENTITY"))
        #expect(String(decoding: bytes, as: UTF8.self).contains("<!DOCTYPE decoy>"))
    }

    @Test("text that mentions <!DOCTYPE inside the report (CDATA, escaped text) is read as written")
    func doctypeInContent() throws {
        let document = """
            <?xml version="1.0"?>
            <!DOCTYPE report>
            <report><evidence><![CDATA[<!DOCTYPE html><html>payload</html>]]></evidence><note>a &lt;!DOCTYPE x&gt; b</note></report>
            """
        let root = try XMLReader.parse(Data(document.utf8)).root
        #expect(root.child("evidence")?.text == "<!DOCTYPE html><html>payload</html>")
        #expect(root.child("note")?.text == "a <!DOCTYPE x> b")
    }

    @Test("a DOCTYPE whose internal subset holds quoted '>' and ']' and comments is blanked whole")
    func internalSubsetSyntax() throws {
        let document = """
            <!DOCTYPE r [
              <!-- a comment with ] and > and ' -->
              <!ATTLIST r a CDATA "x>]y">
              <?pi with ] > ?>
            ]>
            <r a="1">ok</r>
            """
        let root = try XMLReader.parse(Data(document.utf8)).root
        #expect(root.text == "ok")
        var bytes = Array(document.utf8)
        let prolog = XMLReader.blankProlog(&bytes)
        #expect(!prolog.declaredEntities)
        #expect(String(decoding: bytes[..<prolog.rootStart], as: UTF8.self).allSatisfy { $0 == " " || $0 == "\n" })
    }

    @Test("a prolog longer than the head the reader scans first is still blanked whole, its entities never declared")
    func longProlog() throws {
        // The DOCTYPE starts past the first 64 KB (a long comment before it), and one ends past it.
        for padding in [70_000, 65_530] {
            let document = """
                <?xml version="1.0"?>
                <!-- \(String(repeating: "x", count: padding)) -->
                <!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
                <r>&b;</r>
                """
            #expect(throws: XMLSyntaxError.self) { try XMLReader.parse(Data(document.utf8)) }
            let (blanked, prolog) = XMLReader.blankedProlog(Data(document.utf8))
            #expect(prolog.declaredEntities)
            #expect(blanked.map { !String(decoding: $0, as: UTF8.self).contains("ENTITY") } == true)
            let plain = document.replacingOccurrences(of: "&b;", with: "ok")
            #expect(try XMLReader.parse(Data(plain.utf8)).root.text == "ok")
        }
        // Nothing to blank: the report is read in place, not copied.
        let (untouched, prolog) = XMLReader.blankedProlog(Data("<?xml version=\"1.0\"?>\n<r>ok</r>".utf8))
        #expect(untouched == nil && !prolog.declaredEntities)
    }

    @Test("a control character XML forbids is found where a byte-by-byte scan finds it, at any offset")
    func forbiddenControls() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let length = Int.random(in: 0..<40, using: &generator)
            // Mostly allowed bytes (tab, line feed and carriage return among them), so that the
            // first forbidden one falls in any word, or nowhere.
            let allowed: [UInt8] = [0x41, 0x0A, 0x09, 0x0D, 0x20, 0x7F, 0xC3, 0xA9, 0xFF, 0x80]
            let forbidden: [UInt8] = [0x00, 0x01, 0x08, 0x0B, 0x1F]
            let bytes = (0..<length).map { _ in
                Int.random(in: 0..<40, using: &generator) == 0
                    ? forbidden.randomElement(using: &generator)! : allowed.randomElement(using: &generator)!
            }
            let expected = bytes.firstIndex { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
            #expect(bytes.withUnsafeBytes { XMLReader.firstForbiddenControl($0) } == expected, "\(bytes)")
        }
    }

    @Test("text and attributes are read as XML defines them: references resolved, line breaks normalized")
    func wellFormedContent() throws {
        let document = "<r a='x &amp; y' b=\"1\r\n2\t3\">caf&#233; &#x41;&lt;b&gt;\r\nnext<![CDATA[<raw> & \r\nkept]]><!-- note --><e/></r>"
        let root = try XMLReader.parse(Data(document.utf8)).root
        #expect(root.attributes == ["a": "x & y", "b": "1 2 3"])
        #expect(root.text == "café A<b>\nnext<raw> & \nkept")
        #expect(root.children.map(\.name) == ["e"])
    }

    @Test(
        "malformed documents are refused with the line and column of the problem",
        arguments: [
            ("<r>\n  <a></b>\n</r>", 2, "does not match"),
            ("<r>&nbsp;</r>", 1, "undefined entity"),
            ("<r a='1' a='2'/>", 1, "appears twice"),
            ("<r>\n<a x='<'/></r>", 2, "'<' is not allowed"),
            ("<r/>\n<s/>", 2, "after the root"),
            ("<r><!DOCTYPE x></r>", 1, "not allowed inside elements"),
            ("<r>&#0;</r>", 1, "names no character"),
            ("<r><a>", 1, "ends inside element"),
        ])
    func malformed(document: String, line: Int, reason: String) {
        do {
            _ = try XMLReader.parse(Data(document.utf8))
            Issue.record("\(document) was read")
        } catch let error as XMLSyntaxError {
            #expect(error.line == line, "\(document): line \(error.line)")
            #expect(error.reason.contains(reason), "\(document): \(error.reason)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("nesting deeper than the limit is refused, not followed")
    func depthLimit() {
        let document = String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300)
        #expect(throws: XMLSyntaxError.self) { try XMLReader.parse(Data(document.utf8)) }
    }

    /// The same tree, field by field (elements compare their source by identity, and each read
    /// has its own).
    static func sameTree(_ a: XMLElement, _ b: XMLElement, at path: String = "") -> String? {
        let here = path + "/" + a.name
        if a.name != b.name || a.localName != b.localName { return "\(here): name \(b.name)" }
        if a.attributes != b.attributes { return "\(here): attributes" }
        if a.text != b.text { return "\(here): text" }
        if a.line != b.line { return "\(here): line \(a.line) vs \(b.line)" }
        if a.sourceRange != b.sourceRange {
            return "\(here): source range \(String(describing: a.sourceRange)) vs \(String(describing: b.sourceRange))"
        }
        if a.children.count != b.children.count { return "\(here): \(a.children.count) vs \(b.children.count) children" }
        for (left, right) in zip(a.children, b.children) {
            if let difference = sameTree(left, right, at: here) { return difference }
        }
        return nil
    }

    /// The outcome of a read: the tree, or the error's text.
    static func read(_ data: Data, stretches: Int?) async -> Swift.Result<XMLReader.Result, XMLSyntaxError> {
        do {
            if let stretches { return .success(try await XMLReader.parseConcurrently(data, stretches: stretches)) }
            return .success(try XMLReader.parse(data))
        } catch let error as XMLSyntaxError {
            return .failure(error)
        } catch {
            return .failure(XMLSyntaxError(line: 0, column: 0, reason: "\(error)"))
        }
    }

    /// Reads the document whole and in each count of stretches; how many of those reads were
    /// joined from stretches (the others fell back to the whole read).
    @discardableResult
    static func expectSameRead(_ data: Data, name: String, stretches: [Int] = [2, 3, 7, 50]) async -> Int {
        let whole = await read(data, stretches: nil)
        var joined = 0
        for count in stretches {
            switch (whole, await read(data, stretches: count)) {
            case (.success(let a), .success(let b)):
                if let difference = sameTree(a.root, b.root) { Issue.record("\(name) in \(count) stretches: \(difference)") }
                if b.stretches > 1 { joined += 1 }
            case (.failure(let a), .failure(let b)):
                #expect(a == b, "\(name) in \(count) stretches")
            case (let a, let b):
                Issue.record("\(name) in \(count) stretches: \(a) read whole, \(b) in stretches")
            }
        }
        return joined
    }

    static let fixtures: [URL] = {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/RampartImporters")
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        return files.filter { $0.pathExtension == "xml" || $0.pathExtension == "nessus" }.sorted { $0.path < $1.path }
    }()

    @Test("a document read in stretches on every core is the document read whole: every XML fixture, cut anywhere")
    func stretchesFixtures() async throws {
        #expect(Self.fixtures.count > 20)
        var joined = 0
        for file in Self.fixtures {
            joined += await Self.expectSameRead(try Data(contentsOf: file), name: file.lastPathComponent)
        }
        // The stretches are really read apart and joined, not all sent to the whole read: only a
        // cut inside a comment or CDATA section (Burp's HTML is CDATA) sends a document there.
        #expect(joined * 10 >= Self.fixtures.count * 4 * 7, "\(joined) of \(Self.fixtures.count * 4) reads were joined")
    }

    @Test("every XML report of the corpus reads the same in stretches", .enabled(if: CorpusConformanceTests.corpusDirectory != nil))
    func stretchesCorpus() async throws {
        let corpus = try #require(CorpusConformanceTests.corpusDirectory)
        let files = FileManager.default.enumerator(at: corpus, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        let xml = files.filter { ["xml", "nessus"].contains($0.pathExtension) }
        #expect(xml.count > 100)
        for file in xml {
            await Self.expectSameRead(try Data(contentsOf: file), name: file.lastPathComponent, stretches: [2, 5])
        }
    }

    @Test(
        "cuts that fall inside comments, CDATA or instructions, and malformed documents, read as whole: same tree, same error",
        arguments: [
            "<r>" + String(repeating: "<a x='1'>t<!-- <b>c</b> --></a>", count: 40) + "</r>",
            "<r>" + String(repeating: "<a><![CDATA[<b>if a < b</b></c>]]></a>", count: 40) + "</r>",
            "<r>" + String(repeating: "<a><?pi <b> ?>x</a>", count: 40) + "</r>",
            "<r>" + String(repeating: "<a>x</a>", count: 40) + "</s>",
            "<r>" + String(repeating: "<a>x</a>", count: 40),
            "<r>" + String(repeating: "<a>x</a>", count: 40) + "</r><![CDATA[ ]]>",
            "<r>" + String(repeating: "<a>x</a>", count: 40) + "</r>\n<!-- end -->\n",
            "<r>" + String(repeating: "<a>x</a>", count: 40) + "</r><r/>",
            "<r>" + String(repeating: "<a>x</a>", count: 40) + "</r>&amp;",
            "<r>" + String(repeating: "<a>", count: 200) + String(repeating: "</a>", count: 200) + "</r>",
            "<r>" + String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300) + "</r>",
            "<r>\r\n" + String(repeating: "<a y=\"1\r\n2\">x&lt;\r\n</a>\r\n", count: 40) + "</r>",
            "<r>" + String(repeating: "<a>x</a><a>&bogus;</a>", count: 40) + "</r>",
            "<?xml version=\"1.0\"?>\n<!-- head -->\n<r>" + String(repeating: "\n  <a>x</a>", count: 40) + "\n</r>",
        ])
    func stretchesEdgeCases(document: String) async {
        await Self.expectSameRead(Data(document.utf8), name: String(document.prefix(30)), stretches: [2, 3, 5, 9, 17, 64, 300])
    }

    @Test("a well-formed document is joined from as many stretches as asked, cut at tags")
    func stretchesJoined() async throws {
        let document = Data(("<?xml version=\"1.0\"?>\n<r>" + String(repeating: "\n  <a k='v'>x &amp; y</a><b/>", count: 500) + "\n</r>\n").utf8)
        for count in [2, 7, 64] {
            let read = try await XMLReader.parseConcurrently(document, stretches: count)
            #expect(read.stretches == count)
            #expect(read.root.children.count == 1000 && read.root.children[999].line == 502)
        }
    }
}
