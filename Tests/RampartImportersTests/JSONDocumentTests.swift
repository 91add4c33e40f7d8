import Foundation
import Testing

@testable import RampartImporters

@Suite("JSON tape reader")
struct JSONDocumentTests {
    @Test("a NUL byte separates top-level values of a multi-value document, and is refused anywhere else")
    func nulSeparatedValues() throws {
        let stream = Data(#"{"check_name":"a"}"#.utf8) + Data([0]) + Data(#"{"check_name":"b"}"#.utf8) + Data([0, 0x0A])
        let document = try JSONDocument(data: stream, allowMultipleRoots: true)
        #expect(document.roots.compactMap { $0["check_name"]?.string } == ["a", "b"])
        #expect(throws: JSONSyntaxError.self) { try JSONDocument(data: Data([0]) + Data(#"{"a":1}"#.utf8), allowMultipleRoots: true) }
        #expect(throws: JSONSyntaxError.self) { try JSONDocument(data: Data(#"{"a":"#.utf8) + Data([0]) + Data("1}".utf8), allowMultipleRoots: true) }
        #expect(throws: JSONSyntaxError.self) { try JSONDocument(data: Data(#"{"a":1}"#.utf8) + Data([0]), allowMultipleRoots: false) }
    }

    @Test("escapes, surrogate pairs, numbers and nesting read back as written")
    func values() throws {
        let text = #"{"s":"caf\u00e9 \ud83d\ude00\n\t\"q\"","n":-12.5e1,"i":42,"b":true,"z":null,"a":[1,{"k":"v"}],"e\u0073c":1}"#
        let document = try JSONDocument(data: Data(text.utf8))
        let root = try #require(document.root)
        #expect(root["s"]?.string == "café 😀\n\t\"q\"")
        #expect(root["n"]?.double == -125)
        #expect(root["i"]?.int == 42)
        #expect(root["b"]?.bool == true)
        #expect(root["z"]?.isNull == true)
        #expect(root["a"]?.array.count == 2)
        #expect(root["a"]?.array.last?["k"]?.string == "v")
        #expect(root["esc"]?.int == 1)
        #expect(root["missing"] == nil)
        #expect(String(decoding: root["a"]!.rawData, as: UTF8.self) == #"[1,{"k":"v"}]"#)
    }

    @Test("JSON Lines and concatenated values are separate roots")
    func multipleRoots() throws {
        let document = try JSONDocument(data: Data("{\"a\":1}\n{\"a\":2}\n".utf8), allowMultipleRoots: true)
        #expect(document.roots.compactMap { $0["a"]?.int } == [1, 2])
        #expect(throws: JSONSyntaxError.self) { try JSONDocument(data: Data("{\"a\":1}\n{\"a\":2}".utf8)) }
    }

    @Test("syntax errors give line and column and never quote the content")
    func errors() {
        do {
            _ = try JSONDocument(data: Data("{\n  \"secret\": \"AKIA123\",,\n}".utf8))
            Issue.record("expected an error")
        } catch let error as JSONSyntaxError {
            #expect(error.line == 2)
            #expect(!error.description.contains("AKIA123"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(throws: JSONSyntaxError.self) { try JSONDocument(data: Data("[1, 2".utf8)) }
        #expect(throws: JSONSyntaxError.self) { try JSONDocument(data: Data("\"unterminated".utf8)) }
        #expect(throws: JSONSyntaxError.self) { try JSONDocument(data: Data(String(repeating: "[", count: 600).utf8)) }
    }
}
