import Testing

@testable import RampartCore

@Suite("CVSS vectors")
struct CVSSTests {
    /// Examples from FIRST's CVSS v3.1 specification "Examples" document.
    @Test(
        "base scores match FIRST's published examples",
        arguments: [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5),  // CVE-2014-0160 Heartbleed
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),  // CVE-2014-6271 Shellshock
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),  // CVE-2013-1937 phpMyAdmin XSS
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4),  // CVE-2013-0375 MySQL
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N", 3.1),  // CVE-2014-3566 POODLE
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9),  // CVE-2012-1516 VMware
            ("CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L", 4.2),  // CVE-2009-0783 Tomcat
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 8.8),  // CVE-2012-0384 Cisco IOS
            ("CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 7.8),  // CVE-2015-1098 Apple iWork
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N", 7.4),  // CVE-2014-0224 OpenSSL CCS
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H", 9.6),  // CVE-2012-5376 Chrome
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:N", 0.0),
        ])
    func baseScores(vector: String, expected: Double) throws {
        let parsed = try CVSSVector(parsing: vector)
        #expect(parsed.baseScore == expected)
        #expect(parsed.description == vector)
    }

    @Test("3.1 Roundup avoids floating-point artefacts")
    func roundUp() {
        #expect(CVSSVector.roundUp31(4.000_002) == 4.0)
        #expect(CVSSVector.roundUp31(4.02) == 4.1)
        #expect(CVSSVector.roundUp31(7.0) == 7.0)
    }

    @Test("vectors with missing, unknown or repeated metrics are rejected")
    func invalid() {
        #expect(throws: CVSSVector.ParseError.self) { try CVSSVector(parsing: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H") }
        #expect(throws: CVSSVector.ParseError.self) { try CVSSVector(parsing: "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") }
        #expect(throws: CVSSVector.ParseError.self) { try CVSSVector(parsing: "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") }
        #expect(throws: CVSSVector.ParseError.self) { try CVSSVector(parsing: "CVSS:2.0/AV:N") }
        // CVSS v2 vectors are not v3.
        #expect(throws: CVSSVector.ParseError.self) { try CVSSVector(parsing: "AV:N/AC:L/Au:N/C:P/I:P/A:P") }
    }

    /// Vectors and scores as published with advisories (NVD, GitHub) and carried in the
    /// corpus's real reports, plus the specification's corner cases.
    @Test(
        "v4.0 scores follow the specification's MacroVector algorithm",
        arguments: [
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3),
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", 10.0),
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N", 0.0),
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N", 9.3),
            ("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:H/VI:H/VA:N/SC:L/SI:L/SA:N", 9.1),
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N", 8.7),
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N", 6.9),
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N", 6.9),
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:L/VA:N/SC:L/SI:H/SA:L", 6.4),
            ("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:A/VC:N/VI:N/VA:N/SC:L/SI:L/SA:N", 2.1),
            ("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:L", 6.3),
            ("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:N/VC:N/VI:N/VA:L/SC:N/SI:N/SA:N", 6.3),
            // Threat metrics lower the score; unset ones count as the worst case.
            // A report in the corpus pairs this vector with 7.5 plus E:P: that 7.5 is the base
            // (CVSS-B) score; with E:P the vector scores CVSS-BT, one MacroVector lower.
            ("CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:A/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 7.5),
            (
                "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:L/VA:L/SC:H/SI:H/SA:H/E:P/CR:X/IR:X/AR:X/MAV:X/MAC:X/MAT:X/MPR:X/MUI:X/MVC:X/MVI:X/MVA:X/MSC:X/MSI:X/MSA:X/S:X/AU:X/R:X/V:X/RE:X/U:X",
                6.9
            ),
            // Environmental metrics replace the base values they modify.
            ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:L/SC:N/SI:N/SA:N/E:A/MAV:A", 8.7),
        ])
    func version4(vector: String, expected: Double) throws {
        let parsed = try CVSSVector(parsing: vector)
        #expect(parsed.version == .v4_0)
        #expect(parsed.baseScore == expected)
    }

    @Test("v4.0 vectors with missing base metrics are rejected, and a tool's score is kept")
    func version4Validation() throws {
        #expect(throws: CVSSVector.ParseError.self) { try CVSSVector(parsing: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H") }
        #expect(throws: CVSSVector.ParseError.self) { try CVSSVector(parsing: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:S/SA:N") }
        let rating = CVSSScore(vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", score: 9.2)
        #expect(rating?.score == 9.2)
        #expect(CVSSScore(vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", score: nil)?.score == 9.3)
    }

    @Test("a score is computed from the vector when the tool gives none")
    func computedScore() {
        let rating = CVSSScore(vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", score: nil)
        #expect(rating?.score == 9.8)
        #expect(CVSSScore(vector: "garbage", score: nil) == nil)
    }
}

@Suite("SHA-256 and HMAC")
struct HashTests {
    @Test("FIPS 180-4 test vectors")
    func vectors() {
        #expect(Hashing.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hashing.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            Hashing.sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("hashing a buffer equals hashing its bytes")
    func buffer() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        #expect(bytes.withUnsafeBytes { Hashing.sha256Hex(buffer: $0) } == Hashing.sha256Hex(bytes))
    }

    @Test("RFC 4231 HMAC-SHA256 test case 2")
    func hmac() {
        let mac = Hashing.hmacSHA256Hex(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(mac == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
