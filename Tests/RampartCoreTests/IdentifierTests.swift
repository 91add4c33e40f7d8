import Testing

@testable import RampartCore

@Suite("Identifiers")
struct IdentifierTests {
    @Test("vulnerability ids normalize per scheme")
    func vulnerabilityIDs() {
        #expect(VulnerabilityID("cve-2021-44228")?.value == "CVE-2021-44228")
        #expect(VulnerabilityID("cve-2021-44228")?.scheme == .cve)
        #expect(VulnerabilityID("GHSA-JFH8-C2JP-5V3Q")?.value == "GHSA-jfh8-c2jp-5v3q")
        #expect(VulnerabilityID("pysec-2021-59")?.scheme == .pysec)
        #expect(VulnerabilityID("CVE-21-1") == nil)
        #expect(VulnerabilityID("") == nil)
        let ids = [VulnerabilityID].parsing(["GHSA-jfh8-c2jp-5v3q", "CVE-2021-44228", "cve-2021-44228"])
        #expect(ids.map(\.value) == ["GHSA-jfh8-c2jp-5v3q", "CVE-2021-44228"])
        #expect(ids.canonical?.value == "CVE-2021-44228")
    }

    @Test("CVE ids mentioned in prose are found whole, once, and not inside other words")
    func cvesMentionedInText() {
        let text = "vulnerable to the Terrapin attack (CVE-2023-48795); see cve-2023-48795 and CVE-2016-2183, not XCVE-2020-1234 or CVE-20-1"
        #expect(VulnerabilityID.cves(mentionedIn: text).map(\.value) == ["CVE-2023-48795", "CVE-2016-2183"])
        #expect(VulnerabilityID.cves(mentionedIn: "CVE-2021-44228").map(\.value) == ["CVE-2021-44228"])
        #expect(VulnerabilityID.cves(mentionedIn: "no ids here, CVE- alone").isEmpty)
    }

    @Test(
        "CWE references in the forms tools write",
        arguments: [
            ("CWE-79", 79), ("CWE-079", 79), ("cwe-89: SQL Injection", 89), ("external/cwe/cwe-022", 22), ("78", 78), ("CWE:502", 502),
        ])
    func cwe(text: String, expected: Int) {
        #expect(CWE.parse(text) == expected)
    }

    @Test("non-CWE text yields no CWE")
    func notCWE() {
        #expect(CWE.parse("A03:2021 - Injection") == nil)
        #expect(CWE.parse("") == nil)
        #expect(CWE.parseAll(["CWE-79", "CWE-79", "CWE-20"]) == [20, 79])
    }

    @Test("package URLs normalize per type")
    func purls() throws {
        let npm = try #require(PackageURL(parsing: "pkg:npm/%40Angular/Core@12.0.0"))
        #expect(npm.namespace == "@angular")
        #expect(npm.name == "core")
        #expect(npm.description == "pkg:npm/%40angular/core@12.0.0")
        let pypi = try #require(PackageURL(parsing: "pkg:pypi/Django_Rest@3.1"))
        #expect(pypi.name == "django-rest")
        let maven = try #require(PackageURL(parsing: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar"))
        #expect(maven.namespace == "org.apache.logging.log4j")
        #expect(maven.qualifiers["type"] == "jar")
        #expect(maven.versionlessKey == "maven/org.apache.logging.log4j/log4j-core")
        let deb = try #require(PackageURL(parsing: "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie"))
        #expect(deb.description == "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie")
        #expect(PackageURL(parsing: "not-a-purl") == nil)
        #expect(PackageURL(parsing: "pkg:npm") == nil)
    }

    @Test("severity words map onto the normalized scale")
    func severities() {
        #expect(Severity(toolText: "CRITICAL") == .critical)
        #expect(Severity(toolText: "Moderate") == .medium)
        #expect(Severity(toolText: "Negligible") == .low)
        #expect(Severity(toolText: "unknown") == nil)
        #expect(Severity(cvssScore: 9.0) == .critical)
        #expect(Severity(cvssScore: 6.9) == .medium)
        #expect(Severity(cvssScore: 0) == .info)
        #expect(Severity.critical > .high)
    }

    @Test("secrets are kept as a salted hash and a redacted preview only")
    func secrets() {
        let salt: [UInt8] = Array("salt-one".utf8)
        let evidence = SecretEvidence(secret: "AKIAIOSFODNN7EXAMPLE", salt: salt)
        #expect(!evidence.preview.contains("IOSFODNN7EXAMPLE"))
        #expect(evidence.preview == "AKIA…(20 chars)")
        #expect(evidence.saltedHash.count == 64)
        // Short secrets show no character at all; longer ones at most four.
        #expect(SecretEvidence(secret: "hunter2", salt: salt).preview == "…(7 chars)")
        #expect(SecretEvidence(secret: "correct-horse", salt: salt).preview.filter { $0 != "…" }.hasPrefix("co("))
        #expect(evidence.saltedHash == SecretEvidence(secret: "AKIAIOSFODNN7EXAMPLE", salt: salt).saltedHash)
        #expect(evidence.saltedHash != SecretEvidence(secret: "AKIAIOSFODNN7EXAMPLE", salt: Array("salt-two".utf8)).saltedHash)
        #expect(evidence.saltedHash != Hashing.sha256Hex("AKIAIOSFODNN7EXAMPLE"))
    }
}
