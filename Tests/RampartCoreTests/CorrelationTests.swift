import Foundation
import Testing

@testable import RampartCore

@Suite("Correlation rules")
struct CorrelationTests {
    @Test("files are one by their longest common suffix, not by their name alone")
    func sameFile() {
        #expect(Correlation.sameFile("vulnerable-app/app/server.py", "app/server.py"))
        #expect(Correlation.sameFile("src/app/server.py", "vulnerable-app/app/server.py"))
        #expect(Correlation.sameFile(Correlation.normalizedPath("./app/server.py"), Correlation.normalizedPath("/builds/x/app/server.py")))
        #expect(Correlation.sameFile(Correlation.normalizedPath("app\\server.py"), "app/server.py"))
        #expect(!Correlation.sameFile("tools/server.py", "app/server.py"))
        #expect(!Correlation.sameFile("services/api/app/server.py", "services/web/app/server.py"))
    }

    @Test("endpoint templates: ids become {id}, words stay")
    func templates() {
        #expect(Correlation.endpointTemplate("/users/42/orders") == "/users/{id}/orders")
        #expect(Correlation.endpointTemplate("/files/3f2c9a1e-1b2c-4d5e-8f90-123456789abc") == "/files/{id}")
        #expect(Correlation.endpointTemplate("/api/v2/login/") == "/api/v2/login")
        #expect(Correlation.endpointTemplate("") == "/")
    }

    @Test("weakness classes group a CWE with its parents and children; unrelated CWEs stay apart")
    func weaknessClasses() {
        #expect(WeaknessClass.compatible(89, 943))
        #expect(WeaknessClass.compatible(259, 798))
        #expect(WeaknessClass.compatible(78, 77))
        #expect(!WeaknessClass.compatible(89, 79))
        #expect(WeaknessClass.of(cwe: 12_345) == "cwe-12345")
    }

    @Test("rule tables name the weakness of Bandit tests and CodeQL queries; keywords only when the tool gives no CWE")
    func ruleTables() {
        #expect(RuleWeaknesses.cwes(tool: "Bandit", ruleID: "B608", inferring: false) == [89])
        #expect(RuleWeaknesses.cwes(tool: "CodeQL", ruleID: "py/sql-injection", inferring: false) == [89])
        #expect(RuleWeaknesses.cwes(tool: "Semgrep", ruleID: "python.lang.security.audit.formatted-sql-query", inferring: true) == [89])
        #expect(RuleWeaknesses.cwes(tool: "Semgrep", ruleID: "python.lang.security.audit.formatted-sql-query", inferring: false).isEmpty)
    }

    @Test("IaC check ids are read however a tool spells them; the table maps each tool's id to one control")
    func iacControls() {
        #expect(IaCControls.canonical(tool: "Checkov", checkID: "CKV_AWS_19") == "aws-s3-encryption")
        #expect(IaCControls.canonical(tool: "Trivy", checkID: "AVD-AWS-0088") == "aws-s3-encryption")
        #expect(IaCControls.canonical(tool: "tfsec", checkID: "aws-s3-enable-bucket-encryption") == "aws-s3-encryption")
        #expect(IaCControls.canonical(tool: "Trivy", checkID: "KSV017") == "k8s-privileged")
        #expect(IaCControls.canonical(tool: "Trivy", checkID: "AVD-KSV-0017") == "k8s-privileged")
        #expect(IaCControls.canonical(tool: "Checkov", checkID: "CKV_AWS_999") == "CKV_AWS_999")
        // KICS names a control by its query id, per platform.
        #expect(IaCControls.canonical(tool: "KICS", checkID: "35113e6f-2c6b-414d-beec-7a9482d3b2d1") == "aws-rds-public")
        #expect(IaCControls.canonical(tool: "Checkov", checkID: "CKV_AWS_17") == "aws-rds-public")
        #expect(IaCControls.canonical(tool: "KICS", checkID: "5572CC5E-1E4C-4113-92A6-7A8A3BD25E6D") == "k8s-privilege-escalation")
        #expect(IaCControls.canonical(tool: "KICS", checkID: "c878abb4-cca5-4724-92b9-289be68bd47c") == "k8s-privilege-escalation")
    }

    @Test("the IaC table: at least 50 controls, each named by two tools at least, no id under two controls")
    func iacTable() {
        let rows = IaCControls.rows
        #expect(rows.count >= 50)
        #expect(Set(rows.map(\.control)).count == rows.count)
        for row in rows {
            let checkov = row.ids.contains { $0.hasPrefix("CKV") }
            let trivy = row.ids.contains { $0.hasPrefix("AVD-") }
            let kics = row.ids.contains { $0.count == 36 && $0.filter { $0 == "-" }.count == 4 }
            #expect([checkov, trivy, kics].filter { $0 }.count >= 2 || (trivy && row.ids.count >= 2), "\(row.control)")
        }
        let ids = rows.flatMap(\.ids).map { $0.uppercased() }
        #expect(Set(ids).count == ids.count)
        // The issue asks for the three tools on the common controls: KICS on most of them.
        let withKICS = rows.filter { $0.ids.contains { $0.count == 36 && $0.filter { $0 == "-" }.count == 4 } }
        #expect(withKICS.count >= 40)
    }

    @Test("keys: two CVEs in one package never meet; an advisory meets its alias")
    func packageKeys() {
        func finding(_ ids: [String]) -> Finding {
            Finding(
                category: .sca, tool: ToolInfo(name: "t"), ruleID: ids[0], title: "", severity: .high,
                vulnerabilityIDs: ids.compactMap(VulnerabilityID.init),
                location: .package(PackageLocation(purl: PackageURL(parsing: "pkg:npm/lodash@1.0.0"), name: "lodash")))
        }
        let a = Correlation.keys(for: finding(["CVE-2021-23337", "GHSA-35jh-r3h4-6jhm"]), application: "a", component: "c")
        let b = Correlation.keys(for: finding(["GHSA-35jh-r3h4-6jhm"]), application: "a", component: "c")
        let c = Correlation.keys(for: finding(["CVE-2020-8203"]), application: "a", component: "c")
        #expect(!Set(a.map(\.hash)).isDisjoint(with: b.map(\.hash)))
        #expect(Set(a.map(\.hash)).isDisjoint(with: c.map(\.hash)))
    }

    @Test("a path segment of printable ASCII is judged on its bytes exactly as on its Characters")
    func asciiTemplateAgrees() {
        // Segments of every class the rules look at, of lengths around theirs.
        var random = SplitMix64(seed: 0x9E37_79B9_7F4A_7C15)
        let alphabets = [
            "0123456789", "0123456789abcdef-", "0123456789ABCDEFabcdef", "abcXYZ019_-", "abc.~!$&'()*+,;=:@%", "!\"#$%&'()*+,-.:;<=>?@[\\]^_`{|}~0aZ",
        ]
        for _ in 0..<5_000 {
            let alphabet = Array(alphabets.randomElement(using: &random)!)
            let segment = String((0...Int.random(in: 0..<30, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            #expect(Correlation.asciiTemplate(Substring(segment)) == Correlation.characterTemplate(segment), "\(segment)")
        }
        #expect(Correlation.endpointTemplate("/a/12345678/x") == "/a/{id}/x")
        #expect(Correlation.endpointTemplate("/a/abcdefab/x") == "/a/abcdefab/x")
        #expect(Correlation.endpointTemplate("/٣٤/x") == "/{id}/x")
    }

    @Test("two ASCII paths are judged one file on their bytes exactly as on their Characters")
    func sameFileOnBytes() {
        var random = SplitMix64(seed: 0xC0FF_EE00)
        let segments = ["app", "src", "server.py", "a", "b", "vulnerable-app", "x.tf", "", "main.go", "lib"]
        func path() -> String {
            (0..<Int.random(in: 0..<5, using: &random)).map { _ in segments.randomElement(using: &random)! }.joined(separator: "/")
        }
        var same = 0
        for _ in 0..<20_000 {
            var a = path()
            if Bool.random(using: &random) { a = "/" + a }
            let b = Int.random(in: 0..<3, using: &random) == 0 ? a.split(separator: "/").suffix(2).joined(separator: "/") : path()
            let bytes = Correlation.sameFile(a, b)
            #expect(bytes == Correlation.characterSameFile(a, b), "\(a) | \(b)")
            if bytes { same += 1 }
        }
        // Both answers occur often enough for the comparison to mean something.
        #expect(same > 2_000 && same < 18_000, "\(same)")
        #expect(Correlation.sameFile("données/app/é.py", "app/é.py"))
    }

    @Test(
        "a URL's scheme, host, port and path are read as before, on bytes",
        arguments: [
            ("https://Shop.Example.com/a/b?q=1#f", "https", "shop.example.com", 443, "/a/b"),
            ("http://user:pw@host:8080", "http", "host", 8080, ""),
            ("  http://host/x  ", "http", "host", 80, "/x"),
            ("http://[::1]:8443/p#x", "http", "[::1]", 8443, "/p"),
            ("HTTPS://[fe80::1]/", "https", "[fe80::1]", 443, "/"),
            ("http://bücher.example/ä?x", "http", "bücher.example", 80, "/ä"),
        ])
    func urlParts(url: String, scheme: String, host: String, port: Int, path: String) throws {
        let parts = try #require(EndpointMatch.parts(of: url))
        #expect(parts.scheme == scheme && parts.host == host && parts.port == port && parts.path == path)
    }

    @Test(
        "what is not an http URL with a host and a valid port has no parts",
        arguments: ["ftp://h/x", "http://", "http://h:0/", "http://h:70000", "http://[::1", "http://a b/", "host/path"])
    func urlWithoutParts(url: String) {
        #expect(EndpointMatch.parts(of: url) == nil)
    }

    @Test("a rule id's weakness keywords are found on its bytes as a substring search finds them")
    func keywordSearch() {
        var random = SplitMix64(seed: 42)
        let alphabet = Array("sqlnoxsedrtpa-_./")
        for _ in 0..<3_000 {
            let rule = String((0...Int.random(in: 0..<14, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            for keyword in RuleWeaknesses.keywords {
                #expect(RuleWeaknesses.contains(Array(rule.utf8), keyword.word.utf8) == rule.contains(keyword.word), "\(rule) \(keyword.word)")
            }
        }
        #expect(RuleWeaknesses.cwes(tool: "semgrep", ruleID: "python.lang.security.audit.Formatted-SQL-Query", inferring: true) == [89])
        #expect(RuleWeaknesses.cwes(tool: "semgrep", ruleID: "python.lang.security.audit.formatted-sql-query", inferring: false).isEmpty)
        #expect(RuleWeaknesses.cwes(tool: "eslint", ruleID: "no-unsafe-regex", inferring: true).isEmpty)
    }
}
