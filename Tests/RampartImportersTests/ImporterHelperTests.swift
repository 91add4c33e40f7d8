import Foundation
import Testing

@testable import RampartImporters

/// The small parsers importers use on values a tool packs into one string.
@Suite("Importer helpers")
struct ImporterHelperTests {
    @Test("Anchore's name-version strings split where the version starts, revisions and epochs included")
    func anchorePackageSplit() {
        #expect(AnchoreVulnerabilitiesImporter.split("tomcat-annotations-api-9.0.97") == ("tomcat-annotations-api", "9.0.97"))
        #expect(AnchoreVulnerabilitiesImporter.split("openssl-libs-1:1.1.1k-14.el8_6") == ("openssl-libs", "1:1.1.1k-14.el8_6"))
        #expect(AnchoreVulnerabilitiesImporter.split("gcc-12-base-12.2.0-14") == ("gcc-12-base", "12.2.0-14"))
        #expect(AnchoreVulnerabilitiesImporter.split("libx11-6-2:1.7.2-1") == ("libx11-6", "2:1.7.2-1"))
        #expect(AnchoreVulnerabilitiesImporter.split("apt-2.6.1") == ("apt", "2.6.1"))
        #expect(AnchoreVulnerabilitiesImporter.split("busybox") == ("busybox", nil))
    }

    @Test("gosec's line ranges are read within a report's integer range")
    func gosecLines() {
        #expect(GosecImporter.lines("79") == (79, 79))
        #expect(GosecImporter.lines("79-81") == (79, 81))
        #expect(GosecImporter.lines("9223372036854775807") == (nil, nil))
        #expect(GosecImporter.code("78: a()\n79: s.ListenAndServe()\n80: }", line: 79) == "s.ListenAndServe()")
    }

    @Test("Secretlint's ranges are JavaScript string offsets (UTF-16), and out-of-range ones are ignored")
    func secretlintRange() {
        let text = "é🔑 key=abc"
        #expect(SecretlintImporter.slice(text, utf16: 8..<11) == "abc")
        #expect(SecretlintImporter.slice(text, utf16: 8..<99) == nil)
        #expect(SecretlintImporter.slice(text, utf16: -1..<3) == nil)
    }

    @Test("Dependency-Track's Markdown reference lists give their URLs once each")
    func dependencyTrackLinks() {
        let markdown = "* [https://a.example/x](https://a.example/x)\n* [GitHub](https://github.com/o/r/pull/1)"
        #expect(DependencyTrackImporter.links(markdown) == ["https://a.example/x", "https://github.com/o/r/pull/1"])
    }
}
