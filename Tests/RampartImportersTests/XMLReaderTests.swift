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
}
