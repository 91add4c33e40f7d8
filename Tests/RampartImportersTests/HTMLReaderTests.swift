import Foundation
import Testing

@testable import RampartImporters

/// The tolerant HTML reader builds the tree a browser would from the pages report tools
/// write, and survives pages no tool writes.
@Suite("HTML reader")
struct HTMLReaderTests {
    static func parse(_ html: String) -> HTMLElement { HTMLReader.parse(Data(html.utf8)).root }

    @Test("cells and rows without end tags are closed by the next one, not nested in it")
    func impliedEnds() {
        let root = Self.parse("<table><tr><td>a<td>b<tr><td>c</table><p>one<p>two")
        let rows = root.descendants { $0.name == "tr" }
        #expect(rows.count == 2)
        #expect(rows.map { $0.elements.map(\.plainText) } == [["a", "b"], ["c"]])
        #expect(root.descendants { $0.name == "p" }.map(\.plainText) == ["one", "two"])
    }

    @Test("a row closes the open cell only within its own table")
    func nestedTables() {
        let root = Self.parse("<table><tr><td><table><tr><td>inner</td></tr></table>outer<tr><td>next</td></tr></table>")
        let outer = root.descendants { $0.name == "table" }.first
        let outerRows = outer?.elements.filter { $0.name == "tr" } ?? []
        #expect(outerRows.count == 2)
        #expect(outerRows.first?.plainText == "inner\nouter")
    }

    @Test("scripts and styles are skipped whole, even when they hold markup")
    func rawText() {
        let root = Self.parse("<head><style>td > b { }</style><script>var s = '<div class=\"issue-container\">';</script></head><body>x</body>")
        #expect(root.descendants { $0.hasClass("issue-container") }.isEmpty)
        #expect(root.plainText == "x")
    }

    @Test("character references are decoded from a fixed table; unknown ones stay as written")
    func entities() {
        let root = Self.parse("<p title=\"a &amp; b\">&lt;x&gt; &#39;q&#39; &#x41;&nbsp;B &unknown; AT&T</p>")
        let paragraph = root.descendants { $0.name == "p" }.first
        #expect(paragraph?.attributes["title"] == "a & b")
        #expect(paragraph?.plainText == "<x> 'q' A B &unknown; AT&T")
    }

    @Test("stray end tags are ignored, unclosed elements end with the page, and a < that opens no tag is text")
    func repairs() {
        let root = Self.parse("</div><div class='a b'>1 < 2 and 3 > 2</span><b>bold")
        let div = root.descendants { $0.name == "div" }.first
        #expect(div?.hasClass("b") == true)
        #expect(div?.plainText == "1 < 2 and 3 > 2bold")
        #expect(div?.elements.map(\.name) == ["b"])
    }

    @Test("a page nested a hundred thousand levels deep is read without exhausting the stack")
    func deepNesting() {
        let depth = 100_000
        let page = String(repeating: "<div>", count: depth) + "deep" + String(repeating: "</div>", count: depth)
        let root = Self.parse(page)
        var levels = 0
        var element = root
        while let child = element.elements.first {
            element = child
            levels += 1
        }
        #expect(levels <= HTMLReader.maxDepth + 1)
        #expect(root.plainText == "deep")
    }

    @Test("an element's source is cut from the page as written")
    func source() {
        let page = HTMLReader.parse(Data("<body><div class=\"issue-container\"><h2>T &amp; U</h2></div></body>".utf8))
        let container = page.root.descendants { $0.hasClass("issue-container") }.first
        #expect(container.map { String(decoding: page.source(of: $0), as: UTF8.self) } == "<div class=\"issue-container\"><h2>T &amp; U</h2></div>")
    }

    @Test("an HTML page no importer reads is refused as a page for people, naming what is supported")
    func unknownPage() async {
        let pipeline = ImportPipeline()
        await #expect {
            _ = try await pipeline.normalize(
                Data("<!DOCTYPE html><html><body><h1>Scan results</h1></body></html>".utf8), file: "results.html",
                context: ImportContext(secretSalt: Array("salt".utf8)))
        } throws: { error in
            "\(error)".contains("HTML page") && "\(error)".contains("burp-suite-dast-html")
        }
    }
}
