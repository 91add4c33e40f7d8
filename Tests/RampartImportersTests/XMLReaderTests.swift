import Foundation
import RampartImporters
import Testing

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
}
