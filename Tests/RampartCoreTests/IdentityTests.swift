import Testing

@testable import RampartCore

func sastFinding(rule: String = "python.sqli", file: String = "app/db.py", line: Int, snippet: String?) -> Finding {
    Finding(
        category: .sast, tool: ToolInfo(name: "Semgrep"), ruleID: rule, title: "SQL injection at line \(line)", severity: .high,
        location: .code(CodeLocation(file: file, startLine: line, snippet: snippet)))
}

func packageFinding(version: String, ids: [String] = ["GHSA-jfh8-c2jp-5v3q", "CVE-2021-44228"]) -> Finding {
    Finding(
        category: .sca, tool: ToolInfo(name: "Grype"), ruleID: ids[0], title: "Log4Shell", severity: .critical,
        vulnerabilityIDs: .parsing(ids),
        location: .package(
            PackageLocation(
                purl: PackageURL(type: "maven", namespace: "org.apache.logging.log4j", name: "log4j-core", version: version),
                name: "log4j-core", version: version, ecosystem: "maven", manifestPath: "pom.xml")))
}

func endpointFinding(url: String, parameter: String? = "id") -> Finding {
    Finding(
        category: .dast, tool: ToolInfo(name: "ZAP"), ruleID: "40018", title: "SQL Injection", severity: .high,
        location: .endpoint(EndpointLocation(url: url, method: "GET", parameter: parameter)))
}

@Suite("Finding identity")
struct IdentityTests {
    @Test("a SAST finding keeps its identity when code above it shifts it by some lines")
    func lineShift() async {
        let before = await FindingIdentity.assign([sastFinding(line: 10, snippet: "db.execute(q + user)")])
        let after = await FindingIdentity.assign([sastFinding(line: 17, snippet: "db.execute(q  +  user)")])
        #expect(before[0].fingerprint == after[0].fingerprint)
        #expect(before[0].fingerprint.count == 64)
    }

    @Test("the same snippet twice in a file is two findings, stable under shifts")
    func repeatedSnippet() async {
        let first = await FindingIdentity.assign([sastFinding(line: 10, snippet: "x()"), sastFinding(line: 30, snippet: "x()")])
        let shifted = await FindingIdentity.assign([sastFinding(line: 14, snippet: "x()"), sastFinding(line: 34, snippet: "x()")])
        #expect(first.count == 2)
        #expect(Set(first.map(\.fingerprint)) == Set(shifted.map(\.fingerprint)))
        #expect(first[0].fingerprint != first[1].fingerprint)
    }

    @Test("a report listing the same finding twice yields one finding with two occurrences")
    func duplicates() async {
        let merged = await FindingIdentity.assign([sastFinding(line: 10, snippet: "x()"), sastFinding(line: 10, snippet: "x()")])
        #expect(merged.count == 1)
        #expect(merged[0].occurrences == 2)
    }

    @Test("a dependency bumped to another still-vulnerable version keeps its identity")
    func versionBump() async {
        let old = await FindingIdentity.assign([packageFinding(version: "2.14.0")])
        let new = await FindingIdentity.assign([packageFinding(version: "2.14.1", ids: ["CVE-2021-44228"])])
        #expect(old[0].fingerprint == new[0].fingerprint)
        let other = await FindingIdentity.assign([packageFinding(version: "2.14.0", ids: ["CVE-2021-45046"])])
        #expect(old[0].fingerprint != other[0].fingerprint)
    }

    @Test("a DAST URL that differs only in query values or an id in the path keeps its identity")
    func urls() async {
        let a = await FindingIdentity.assign([endpointFinding(url: "https://shop.example.com/orders/1234/items?sort=asc&page=2")])
        let b = await FindingIdentity.assign([endpointFinding(url: "https://SHOP.example.com:443/orders/98765/items?page=7&sort=desc#top")])
        let c = await FindingIdentity.assign([endpointFinding(url: "https://shop.example.com/orders/1234/items?sort=asc&filter=x")])
        #expect(a[0].fingerprint == b[0].fingerprint)
        #expect(a[0].fingerprint != c[0].fingerprint)
        #expect(FindingIdentity.normalizeURL("https://a.io/u/3f2504e0-4f89-11d3-9a0c-0305e82c3301/x?q=1") == "https://a.io/u/{id}/x?q")
    }

    @Test("the byte-level URL normalization gives what Foundation's parser gives, for every URL it takes")
    func urlNormalizationMatchesReference() {
        let curated = [
            "https://shop.example.com/orders/1234/items?sort=asc&page=2", "HTTP://Example.COM:80", "http://a.io:8080/x/?b=1&a=2&b=3#frag",
            "https://a.io:443/", "https://a.io:0443/", "http://a.io:/x", "http://a.io:99999/", "http://[::1]:8000/x", "http://user@a.io/",
            "http://a.io/a%20b?q%20x=1", "http://a.io/p?&x=1", "http://a.io/p?=1", "http://a.io/p?", "http://a.io/p#a#b", "http://a.io/p q",
            "http://a.io/%zz", "http://a_b.io/", "mailto:someone@example.com", "//a.io/x", "http://a.io?x", "http://a.io#x", "ftp://a.io/f;type=a",
            "http://a.io/x?a=b=c&d", "http://a.io/x?a+b=1", "http://127.0.0.1:8000/orders?customer=bob", " http://a.io/x",
        ]
        for url in curated {
            if let fast = FindingIdentity.simpleURLNormalized(url) {
                #expect(fast == FindingIdentity.normalizeURLWithComponents(url), "\(url)")
            }
        }
        // Generated URLs mixing the characters that parsers disagree on.
        var generator = SplitMix64(seed: 7)
        let schemes = ["http", "HTTPS", "ftp", "h2c", "a+b", "1x", "ws"]
        let hosts = ["a.io", "EXAMPLE.com", "x-y.z", "127.0.0.1", "a_b", "[::1]", "h%41", "", "xn--bcher-kva.example"]
        let ports = ["", ":80", ":443", ":8080", ":0", ":080", ":99999", ":", ":65535"]
        let pieces = [
            "a", "B", "1234", "3f2504e04f8911d39a0c", "-", ".", "..", "%20", "%zz", "~", "!", "$", "'", "(", "*", "+", ",", ";", "=", ":", "@",
            " ", "\"", "<", "[", "]", "{", "|", "^", "`", "é", "\\",
        ]
        var fastCount = 0
        for _ in 0..<20_000 {
            func pick(_ items: [String]) -> String { items[Int(generator.next() % UInt64(items.count))] }
            var url = pick(schemes) + "://" + pick(hosts) + pick(ports)
            for _ in 0..<Int(generator.next() % 4) { url += "/" + (0..<Int(generator.next() % 3)).map { _ in pick(pieces) }.joined() }
            if generator.next() % 2 == 0 {
                url +=
                    "?"
                    + (0..<Int(generator.next() % 4)).map { _ in
                        pick(["a", "B", "q", "", "x%20", "y+z", "=", "id"]) + (generator.next() % 2 == 0 ? "=" + pick(pieces) : "")
                    }.joined(separator: "&")
            }
            if generator.next() % 4 == 0 { url += "#" + pick(pieces) }
            guard let fast = FindingIdentity.simpleURLNormalized(url) else { continue }
            fastCount += 1
            let reference = FindingIdentity.normalizeURLWithComponents(url)
            #expect(fast == reference, "\(url)")
            if fast != reference { break }
        }
        // The comparison means something only if the fast path took a good share.
        #expect(fastCount > 2_000)
    }

    @Test("an artifact's version is left out of its path, so copies differ and bumps do not")
    func artifactPaths() async {
        #expect(FindingIdentity.versionless("app/lib/dom4j-2.1.1.jar") == "app/lib/dom4j-{v}.jar")
        #expect(FindingIdentity.versionless("ear1.ear: log4j-core-2.14.1.jar") == "ear1.ear: log4j-core-{v}.jar")
        #expect(FindingIdentity.versionless("lib/dom4j.jar") == "lib/dom4j.jar")
        #expect(FindingIdentity.versionless("lib/ünïcode-1.2.jar") == "lib/ünïcode-{v}.jar")
        #expect(FindingIdentity.versionless("lib/x-١.٢.jar") == "lib/x-{v}.jar")
        // ASCII paths take a byte path that must give what the character path gives: a change
        // would change fingerprints.
        for path in ["a/b-1.2.3.jar", "v1..2.", "1.", ".1", "12", "x1.2y3.4.5z", "lib/1.2/3.4.jar", "ab", "", "9.9.9.9/..1"] {
            #expect(FindingIdentity.asciiVersionless(path) == FindingIdentity.characterVersionless(path), "\(path)")
        }
    }

    @Test("two copies of a library in one image are two findings; a bump of either keeps its identity")
    func copiesInImage() async {
        func avro(_ version: String, _ path: String) -> Finding {
            Finding(
                category: .container, tool: ToolInfo(name: "Grype"), ruleID: "CVE-2023-39410", title: "avro", severity: .high,
                vulnerabilityIDs: .parsing(["CVE-2023-39410"]),
                location: .package(
                    PackageLocation(
                        purl: PackageURL(type: "maven", namespace: "org.apache.avro", name: "avro", version: version), name: "avro", version: version,
                        artifactPath: path, image: ImageLocation(reference: "kafka:3.5.1"))))
        }
        let scan = await FindingIdentity.assign([
            avro("1.11.1", "/opt/kafka/plugins/avro-1.11.1.jar"), avro("1.9.2", "/opt/kafka/libs/avro-1.9.2.jar"),
        ])
        #expect(scan.count == 2)
        let bumped = await FindingIdentity.assign([avro("1.11.3", "/opt/kafka/plugins/avro-1.11.3.jar")])
        #expect(bumped[0].fingerprint == scan[0].fingerprint)
        var retagged = avro("1.11.1", "/opt/kafka/plugins/avro-1.11.1.jar")
        if case .package(var package) = retagged.location {
            package.image = ImageLocation(reference: "kafka:3.6.0")
            retagged.location = .package(package)
        }
        #expect(await FindingIdentity.assign([retagged])[0].fingerprint == scan[0].fingerprint)
    }

    @Test("key parts are hashed with separators, so shifted boundaries do not collide")
    func separators() async {
        #expect(FindingIdentity.hash(["ab", "c"]) != FindingIdentity.hash(["a", "bc"]))
    }

    @Test("paths are normalized")
    func paths() async {
        #expect(FindingIdentity.normalizePath("./src\\app.py") == "src/app.py")
        #expect(FindingIdentity.normalizePath("file://src//app.py") == "src/app.py")
    }
}

@Suite("Stream lifecycle")
struct LifecycleTests {
    func incoming(_ fingerprints: [String]) -> [Finding] {
        fingerprints.map { fingerprint in
            var finding = sastFinding(line: 1, snippet: fingerprint)
            finding.fingerprint = fingerprint
            return finding
        }
    }

    @Test("new, seen again, missing and returning findings get their transitions")
    func transitions() async {
        let existing: [String: StreamReconciliation.Existing] = [
            "a": .init(id: 1, status: .new), "b": .init(id: 2, status: .open), "c": .init(id: 3, status: .fixed),
            "d": .init(id: 4, status: .reopened),
        ]
        let plan = StreamReconciliation(existing: existing, incoming: incoming(["a", "c", "e"]), closesMissing: true)
        #expect(plan.inserts == [2])
        #expect(plan.updates.map(\.id) == [1, 3])
        #expect(plan.updates.map(\.status) == [.open, .reopened])
        #expect(plan.fixed == [2, 4])
        #expect((plan.newCount, plan.unchangedCount, plan.reopenedCount, plan.fixedCount) == (1, 1, 1, 2))
    }

    @Test("an import that may not close leaves missing findings alone")
    func noClosing() async {
        let plan = StreamReconciliation(existing: ["a": .init(id: 1, status: .open)], incoming: [], closesMissing: false)
        #expect(plan.fixed.isEmpty)
    }
}

@Suite("Fingerprint keys")
struct FingerprintKeyTests {
    @Test("a key is the fingerprint's 256 bits: equal texts give equal keys, different texts different ones")
    func keys() {
        let a = Hashing.sha256Hex("a")
        let b = Hashing.sha256Hex("b")
        #expect(FingerprintKey(fingerprint: a) == FingerprintKey(fingerprint: a))
        #expect(FingerprintKey(fingerprint: a) != FingerprintKey(fingerprint: b))
        #expect(FingerprintKey(fingerprint: a.uppercased()) == FingerprintKey(fingerprint: a))
        #expect(FingerprintKey(hex: "not-hex") == nil)
        #expect(FingerprintKey(fingerprint: "not-hex") != FingerprintKey(fingerprint: "also-not-hex"))
    }
}

@Suite("Stream identity")
struct StreamIdentityTests {
    @Test("a tool keeps one id whatever its report calls it")
    func canonicalToolIDs() {
        #expect(ToolIdentity.canonicalID("Semgrep OSS") == "semgrep")
        #expect(ToolIdentity.canonicalID("semgrep") == "semgrep")
        #expect(ToolIdentity.canonicalID("Gitleaks") == ToolIdentity.canonicalID("gitleaks"))
        #expect(ToolIdentity.canonicalID("OWASP ZAP") == "zap")
        #expect(ToolIdentity.canonicalID("OWASP Dependency-Check") == "dependency-check")
        #expect(ToolIdentity.canonicalID("npm audit") == "npm-audit")
        #expect(ToolIdentity.canonicalID("CodeQL command-line toolchain") == "codeql")
        #expect(ToolIdentity.canonicalID("Trivy") == "trivy")
        // njsscan's SARIF names its driver after nodejsscan, the project it came from.
        #expect(ToolIdentity.canonicalID("nodejsscan") == ToolIdentity.canonicalID("njsscan"))
        // Different tools stay apart.
        #expect(ToolIdentity.canonicalID("Semgrep Secrets") != ToolIdentity.canonicalID("Semgrep OSS"))
        #expect(ToolIdentity.canonicalID("") == "unknown")
    }

    @Test("a scope's kind does not depend on the order kinds were seen in")
    func scopeKinds() {
        #expect(ScanScope(kinds: ["vulnerability", "misconfiguration"]) == ScanScope(kinds: ["misconfiguration", "vulnerability"]))
        #expect(ScanScope(kinds: [], target: "alpine").summary == "alpine")
    }
}

@Suite("Identity across rescans")
struct RescanIdentityTests {
    /// A small deterministic generator, so that every run checks the same cases.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// What a store keeps of a first import.
    static func stored(_ findings: [Finding]) -> [StreamReconciliation.StoredIdentity] {
        findings.enumerated().map { index, finding in
            StreamReconciliation.StoredIdentity(
                id: Int64(index + 1), status: .open, fingerprint: FingerprintKey(fingerprint: finding.fingerprint),
                anchor: finding.identityAnchor.map(FingerprintKey.init(fingerprint:)), line: finding.location.line,
                isPackage: finding.location.kind == "package")
        }
    }

    @Test("adding a duplicate anywhere, shifting code and reordering the report never changes another finding's identity")
    func duplicatesAndReordering() async {
        var random = SplitMix(state: 42)
        for _ in 0..<300 {
            // A file with the same issue on several lines, and a few other issues.
            let duplicateCount = Int.random(in: 1...5, using: &random)
            var lines = Set<Int>()
            while lines.count < duplicateCount { lines.insert(Int.random(in: 1...400, using: &random)) }
            var first: [(tag: Int, finding: Finding)] = lines.sorted().enumerated().map { tag, line in
                (tag, sastFinding(rule: "py.sqli", file: "app/db.py", line: line, snippet: "db.execute(q + user)"))
            }
            for other in 0..<Int.random(in: 0...3, using: &random) {
                first.append(
                    (100 + other, sastFinding(rule: "py.other\(other)", line: Int.random(in: 1...400, using: &random), snippet: "x\(other)")))
            }
            let firstFindings = await FindingIdentity.assign(first.map(\.finding))
            let stored = Self.stored(firstFindings)
            // The id each tag was stored under.
            var idOfTag: [Int: Int64] = [:]
            for (tag, finding) in first {
                let index = firstFindings.firstIndex { $0.location.line == finding.location.line && $0.ruleID == finding.ruleID }!
                idOfTag[tag] = stored[index].id
            }
            // Rescan, one of: the whole file moves (lines shift by up to 100, nothing added); a
            // duplicate is added and nothing moves; a duplicate is added with its code, shifting
            // what follows by 1 to 3 lines (not within that distance of another duplicate, where
            // lines alone cannot tell which one moved).
            let scenario = Int.random(in: 0...2, using: &random)
            var insertedLine = Int.random(in: 1...400, using: &random)
            let shift = scenario == 0 ? Int.random(in: 1...100, using: &random) : scenario == 1 ? 0 : Int.random(in: 1...3, using: &random)
            if scenario == 0 { insertedLine = 0 }
            if scenario == 2, lines.contains(where: { abs($0 - insertedLine) <= 2 * shift }) { continue }
            var second: [(tag: Int?, finding: Finding)] = first.map { tag, finding in
                var moved = finding
                if let line = finding.location.line, line >= insertedLine, shift > 0, case .code(var code) = finding.location {
                    code.startLine = line + shift
                    moved.location = .code(code)
                }
                return (tag, moved)
            }
            let adds = scenario != 0 && !lines.contains(insertedLine)
            if adds {
                second.append((nil, sastFinding(rule: "py.sqli", file: "app/db.py", line: insertedLine, snippet: "db.execute(q + user)")))
            }
            second.shuffle(using: &random)
            let secondFindings = await FindingIdentity.assign(second.map(\.finding))
            let plan = StreamReconciliation(
                existing: stored, incoming: secondFindings.map { StreamReconciliation.IncomingIdentity($0) }, closesMissing: true)
            #expect(plan.fixed.isEmpty)
            #expect(plan.inserts.count == (adds ? 1 : 0))
            for update in plan.updates {
                let finding = secondFindings[update.incomingIndex]
                let tag = second.first { $0.finding.location.line == finding.location.line && $0.finding.ruleID == finding.ruleID }!.tag
                #expect(tag.map { idOfTag[$0] } == update.id, "a finding kept its identity (lines \(lines.sorted()), added \(insertedLine))")
            }
            // The inserted finding gets a fingerprint no stored finding has.
            for index in plan.inserts {
                let fingerprint = plan.renamed[index] ?? secondFindings[index].fingerprint
                #expect(!stored.contains { $0.fingerprint == FingerprintKey(fingerprint: fingerprint) })
            }
        }
    }

    @Test("a package finding keeps its identity when a rescan adds or drops an alias that changes its canonical id")
    func aliasChanges() async {
        func advisory(_ ids: [String]) -> Finding {
            Finding(
                category: .sca, tool: ToolInfo(name: "osv-scanner"), ruleID: ids[0], title: "advisory", severity: .high,
                vulnerabilityIDs: .parsing(ids),
                location: .package(
                    PackageLocation(
                        purl: PackageURL(parsing: "pkg:pypi/django@3.2.9"), name: "django", version: "3.2.9", manifestPath: "requirements.txt")))
        }
        for (before, after) in [
            (["GHSA-xxxx-yyyy-zzzz"], ["GHSA-xxxx-yyyy-zzzz", "CVE-2024-1234"]), (["CVE-2024-1234", "GHSA-xxxx-yyyy-zzzz"], ["GHSA-xxxx-yyyy-zzzz"]),
        ] {
            let first = await FindingIdentity.assign([advisory(before), advisory(["CVE-2020-0001"])])
            let second = await FindingIdentity.assign([advisory(after), advisory(["CVE-2020-0001"])])
            #expect(first[0].fingerprint != second[0].fingerprint, "the canonical id changed")
            var plan = StreamReconciliation(
                existing: Self.stored(first), incoming: second.map { StreamReconciliation.IncomingIdentity($0) }, closesMissing: true)
            let candidates = first.enumerated().compactMap { index, finding -> StreamReconciliation.UnreportedPackage? in
                guard plan.unreported[Int64(index + 1)] != nil else { return nil }
                return .init(id: Int64(index + 1), anchor: finding.identityAnchor!, vulnerabilityIDs: Set(finding.vulnerabilityIDs.map(\.value)))
            }
            plan.pairAliases(incoming: second, unreported: candidates)
            #expect(plan.inserts.isEmpty && plan.fixed.isEmpty)
            #expect(Set(plan.updates.map(\.id)) == [1, 2])
            #expect(plan.updates.first { $0.id == 1 }?.newFingerprint == second[0].fingerprint)
        }
    }
}

/// A small seeded generator (SplitMix64), so generated cases are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
