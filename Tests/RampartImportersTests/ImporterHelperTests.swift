import Foundation
import Synchronization
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

    @Test("Safety 1.x advisories give the one CVE they are about, not the ones they mention in passing")
    func safetyAdvisoryCVEs() {
        // Safety's own advisories (July 2021 database), which 1.x reports carry without a CVE field.
        #expect(
            SafetyImporter.cves(
                mentionedIn: "The fixed version is: 1. See: CVE-2019-1010083. (NOTE: this may overlap CVE-2018-1000656.)")
                == ["CVE-2019-1010083"])
        #expect(
            SafetyImporter.cves(mentionedIn: "This flaw is due to an incomplete fix for CVE-2020-1747. See CVE-2020-14343.")
                == ["CVE-2020-14343"])
        #expect(
            SafetyImporter.cves(
                mentionedIn: "Zope does not reseed the PRNG.  NOTE: this issue was SPLIT from CVE-2012-5508 due to different vulnerability types"
            )
            .isEmpty)
        #expect(SafetyImporter.cves(mentionedIn: "Updates bundled OpenSSL to handle CVE-2021-3449 and CVE-2021-3450.").isEmpty)
        #expect(SafetyImporter.cves(mentionedIn: "Fixes CVE-2021-3449, see CVE-2021-3449.") == ["CVE-2021-3449"])
        #expect(SafetyImporter.cves(mentionedIn: "No identifier here, CVE-21-1 is not one either.").isEmpty)
        #expect(SafetyImporter.cves(mentionedIn: nil).isEmpty)
    }

    @Test("a Safety range that ends below a version names the fix; one that ends at a version does not")
    func safetyFixFromRange() {
        #expect(SafetyImporter.exclusiveUpperBound("<0.12.3") == "0.12.3")
        #expect(SafetyImporter.exclusiveUpperBound(">=1.0, <1.0.1") == "1.0.1")
        #expect(SafetyImporter.exclusiveUpperBound("<=2.19.1") == nil)
        #expect(SafetyImporter.exclusiveUpperBound("<1.0,<2.0") == nil)
        #expect(SafetyImporter.exclusiveUpperBound(">=0") == nil)
    }

    @Test("a rule reports secrets when a part of its id is `secrets` in any case, or a tag says so")
    func secretsRules() {
        #expect(isSecretsRule("generic.secrets.security.detected-aws-access-key-id"))
        #expect(isSecretsRule("rules/SECRETS/aws"))
        #expect(isSecretsRule("Secrets"))
        #expect(!isSecretsRule("python.lang.security.secretsx"))
        #expect(!isSecretsRule("generic.secret.key"))
        #expect(!isSecretsRule("generic.secretz.key"))
        #expect(!isSecretsRule("sécrets.x"))
        #expect(isSecretsRule("python.lang.x", tags: ["Hard-coded Secrets"]))
        #expect(!isSecretsRule("python.lang.x", tags: ["crypto"]))
    }

    @Test("an ASCII secret is replaced on bytes wherever Foundation's replacing finds it")
    func secretReplacedOnBytes() {
        // A linear congruential sequence: the same cases on every run.
        var state: UInt64 = 11
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let alphabet = Array("abAB-\"{}")
        var replaced = 0
        for _ in 0..<5_000 {
            let text = String((0..<next(40)).map { _ in alphabet[next(10) < 8 ? next(3) : next(alphabet.count)] })
            let value = String((0..<(4 + next(3))).map { _ in alphabet[next(3)] })
            let expected = text.replacingOccurrences(of: value, with: "****")
            #expect((SecretRedaction.Hider.replacing(value, in: text, with: "****") ?? text) == expected, "\(text) \(value)")
            if expected != text { replaced += 1 }
        }
        #expect(replaced > 200)
        #expect(SecretRedaction.Hider(values: ["hunter22"], replacement: "hu****").hide("pw=hunter22; again hunter22") == "pw=hu****; again hu****")
    }

    @Test("a report's repeated texts are converted once each, and all-different texts past the bound still convert")
    func convertedTexts() {
        let calls = Mutex(0)
        let convert = ConvertedTexts(limit: 2) { text in
            calls.withLock { $0 += 1 }
            return text.uppercased()
        }
        #expect(
            ["<p>a</p>", "<p>b</p>", "<p>a</p>", "<p>b</p>", "<p>a</p>"].map { convert($0) } == [
                "<P>A</P>", "<P>B</P>", "<P>A</P>", "<P>B</P>", "<P>A</P>",
            ])
        #expect(calls.withLock { $0 } == 2)
        // Past the bound, texts are converted each time, not kept.
        #expect(convert("c") == "C" && convert("c") == "C")
        #expect(calls.withLock { $0 } == 4)
    }

    @Test("Safety 3.x specifications give a version only when they pin one")
    func safetyPinnedVersions() {
        #expect(SafetyImporter.pinnedVersion("requests==2.19.1") == "2.19.1")
        #expect(SafetyImporter.pinnedVersion("flask===1.0") == "1.0")
        #expect(SafetyImporter.pinnedVersion("urllib3==1.24.1 ; python_version >= '3'") == "1.24.1")
        #expect(SafetyImporter.pinnedVersion("requests>=2.19") == nil)
        #expect(SafetyImporter.pinnedVersion("requests") == nil)
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
