import Foundation
import RampartCore
import RampartImporters
import RampartIngest
import RampartSQLite
import RampartStore
import Testing

/// End-to-end: bytes in, rows out, through the same `Ingestor` the CLI uses.
@Suite("Import safety")
struct IngestTests {
    struct Fixture {
        var directory: URL
        var databasePath: String
        var store: SQLiteStore
        var ingestor: Ingestor

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-ingest-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            databasePath = directory.appendingPathComponent("rampart.db").path
            store = try SQLiteStore(path: databasePath)
            ingestor = Ingestor(store: store)
        }

        func write(_ name: String, _ text: String) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }

        func importFile(_ path: String, format: String? = nil) async throws -> FileImportResult {
            let context = ImportContext(secretSalt: try await store.secretKey())
            let prepared = try await ingestor.prepare(path: path, formatID: format, context: context)
            return try await ingestor.record(prepared, target: ImportTarget(application: "shop", component: "api"), at: epoch)
        }

        /// Every byte SQLite wrote: the database and its write-ahead log.
        func databaseBytes() throws -> Data {
            var bytes = Data()
            for suffix in ["", "-wal", "-shm"] {
                if let data = FileManager.default.contents(atPath: databasePath + suffix) { bytes.append(data) }
            }
            return bytes
        }
    }

    static let gitleaks = """
        [{"Description":"AWS Access Key","StartLine":3,"EndLine":3,"StartColumn":1,"EndColumn":40,
          "Match":"aws_key = \\"AKIAQWERTYUIOPASDF12\\"","Secret":"AKIAQWERTYUIOPASDF12","File":"app/settings.py",
          "Commit":"abc123","Entropy":3.5,"Author":"dev","Email":"dev@example.com","Date":"2026-01-01T00:00:00Z",
          "Message":"add settings","Tags":[],"RuleID":"aws-access-token","Fingerprint":"abc123:app/settings.py:aws-access-token:3"}]
        """

    @Test("secrets never reach the database in plain text")
    func secretsRedacted() async throws {
        let fixture = try Fixture()
        let result = try await fixture.importFile(try fixture.write("leaks.json", Self.gitleaks))
        #expect(result.outcome.new == 1)
        let finding = try #require(try await fixture.store.findings(FindingQuery()).first)
        #expect(finding.secretPreview == "AKIA…(20 chars)")
        let evidence = try #require(try await fixture.store.evidence(findingID: finding.id))
        #expect(!String(decoding: evidence, as: UTF8.self).contains("QWERTYUIOPASDF12"))
        #expect(String(decoding: evidence, as: UTF8.self).contains("app/settings.py"))
        let bytes = try fixture.databaseBytes()
        #expect(bytes.range(of: Data("QWERTYUIOPASDF12".utf8)) == nil)
        // The report itself holds the secret: it is not archived, not even compressed.
        #expect(try await fixture.store.report(scanID: result.outcome.scanID) == nil)
    }

    @Test("malformed JSON is refused with its line and column, and changes nothing")
    func malformedJSON() async throws {
        let fixture = try Fixture()
        _ = try await fixture.importFile(try fixture.write("leaks.json", Self.gitleaks))
        let broken = try fixture.write("broken.json", "{\n  \"results\": [\n    {\"check_id\": \"x\",, }\n  ]\n}")
        let error = await #expect(throws: ImportError.self) { try await fixture.importFile(broken) }
        #expect(error?.description.contains("broken.json") == true)
        #expect(error?.description.contains("line 3") == true)
        let truncated = try fixture.write("truncated.json", String(Self.gitleaks.prefix(120)))
        let truncation = await #expect(throws: ImportError.self) { try await fixture.importFile(truncated) }
        #expect(truncation?.description.contains("truncated.json") == true)
        #expect(try await fixture.store.scans(application: nil, limit: nil).count == 1)
    }

    @Test("an unknown format says what was seen and lists the supported formats")
    func unknownFormat() async throws {
        let fixture = try Fixture()
        let path = try fixture.write("other.json", "{\"hello\": [1, 2, 3], \"world\": true}")
        let error = await #expect(throws: ImportError.self) { try await fixture.importFile(path) }
        #expect(error?.kind == .unknownFormat)
        #expect(error?.description.contains("hello, world") == true)
        #expect(error?.description.contains("trivy-json") == true)
        let text = try fixture.write("notes.txt", "just some text")
        let textError = await #expect(throws: ImportError.self) { try await fixture.importFile(text) }
        #expect(textError?.description.contains("neither JSON, XML nor CSV") == true)
        let page = try fixture.write("report.html", "<!-- generated -->\n<!DOCTYPE html><html><body><table></table></body></html>")
        let pageError = await #expect(throws: ImportError.self) { try await fixture.importFile(page) }
        #expect(pageError?.kind == .unknownFormat)
        #expect(pageError?.description.contains("HTML page") == true)
    }

    @Test("files over the size limit are refused")
    func sizeLimit() async throws {
        let fixture = try Fixture()
        let path = try fixture.write("big.json", Self.gitleaks)
        let small = Ingestor(store: fixture.store, pipeline: ImportPipeline(maxFileSize: 100))
        await #expect(throws: ImportError.self) {
            _ = try await small.prepare(path: path, formatID: nil, context: ImportContext(secretSalt: []))
        }
    }

    @Test("external entities are never resolved: a local file's content never reaches the database")
    func externalEntities() async throws {
        let fixture = try Fixture()
        let secretFile = try fixture.write("passwd", "TOP-SECRET-MARKER-4242")
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE OWASPZAPReport [ <!ENTITY xxe SYSTEM "file://\(secretFile)"> ]>
            <OWASPZAPReport version="2.9.0" generated="now">
            <site name="https://shop.example.com" host="shop.example.com" port="443" ssl="true"><alerts>
            <alertitem><pluginid>10020</pluginid><alert>&xxe;</alert><name>&xxe;</name><riskcode>2</riskcode><confidence>2</confidence>
            <desc>x</desc><instances><instance><uri>https://shop.example.com/</uri><method>GET</method></instance></instances></alertitem>
            </alerts></site></OWASPZAPReport>
            """
        let path = try fixture.write("xxe.xml", xml)
        do {
            _ = try await fixture.importFile(path)
        } catch {
            #expect(error is ImportError)
        }
        let bytes = try fixture.databaseBytes()
        #expect(bytes.range(of: Data("TOP-SECRET-MARKER-4242".utf8)) == nil)
    }

    @Test("entity-expansion bombs are refused quickly")
    func billionLaughs() async throws {
        let fixture = try Fixture()
        var entities = "<!ENTITY lol0 \"lollollollollollollollollollol\">"
        for level in 1...9 { entities += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">" }
        let xml =
            "<?xml version=\"1.0\"?><!DOCTYPE OWASPZAPReport [\(entities)]><OWASPZAPReport><site name=\"x\"><alerts><alertitem><pluginid>1</pluginid><name>&lol9;</name></alertitem></alerts></site></OWASPZAPReport>"
        let path = try fixture.write("bomb.xml", xml)
        let clock = ContinuousClock()
        let started = clock.now
        await #expect(throws: ImportError.self) { try await fixture.importFile(path) }
        #expect(clock.now - started < .seconds(5))
        #expect(try await fixture.store.scans(application: nil, limit: nil).isEmpty)
    }

    @Test("a DOCTYPE that only declares elements, as Burp writes, still imports")
    func elementOnlyDoctype() async throws {
        let fixture = try Fixture()
        let xml = """
            <?xml version="1.0"?>
            <!DOCTYPE OWASPZAPReport [
            <!ELEMENT OWASPZAPReport (site*)>
            <!ATTLIST OWASPZAPReport version CDATA "">
            ]>
            <OWASPZAPReport version="2.9.0"><site name="https://shop.example.com" host="shop.example.com" port="443"><alerts>
            <alertitem><pluginid>10020</pluginid><name>Missing Anti-clickjacking Header</name><riskcode>2</riskcode><confidence>2</confidence>
            <instances><instance><uri>https://shop.example.com/cart?id=3</uri><method>GET</method></instance></instances></alertitem>
            </alerts></site></OWASPZAPReport>
            """
        let result = try await fixture.importFile(try fixture.write("burp-like.xml", xml))
        #expect(result.outcome.new == 1)
        #expect(try await fixture.store.findings(FindingQuery()).first?.url == "https://shop.example.com/cart?id=3")
    }

    @Test("XML that is not valid UTF-8 is refused with its position; a declared Latin-1 document imports")
    func xmlEncodings() async throws {
        let fixture = try Fixture()
        let zap = """
            <?xml version="1.0"?>
            <OWASPZAPReport version="2.9.0"><site name="https://shop.example.com" host="shop.example.com" port="443"><alerts>
            <alertitem><pluginid>10020</pluginid><name>Missing Anti-clickjacking Header NAME</name><riskcode>2</riskcode><confidence>2</confidence>
            <instances><instance><uri>https://shop.example.com/cart</uri><method>GET</method></instance></instances></alertitem>
            </alerts></site></OWASPZAPReport>
            """
        // Foundation's XML parser traps on element names that are not UTF-8 (found by fuzzing).
        let broken = fixture.directory.appendingPathComponent("broken.xml").path
        try Data([0x3C, 0xE5, 0x5B, 0x5D, 0x3C, 0xBE]).write(to: URL(fileURLWithPath: broken))
        let error = await #expect(throws: ImportError.self) { try await fixture.importFile(broken) }
        #expect(error?.description.contains("line 1, column 2") == true)
        #expect(error?.description.contains("not valid UTF-8") == true)

        var latin1 = Data(zap.replacingOccurrences(of: "<?xml version=\"1.0\"?>", with: "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>").utf8)
        latin1.replaceSubrange(latin1.range(of: Data("NAME".utf8))!, with: [0x43, 0x61, 0x66, 0xE9])  // "Café" in Latin-1
        let latin1Path = fixture.directory.appendingPathComponent("latin1.xml").path
        try latin1.write(to: URL(fileURLWithPath: latin1Path))
        #expect(try await fixture.importFile(latin1Path).outcome.new == 1)
        #expect(try await fixture.store.findings(FindingQuery()).first?.title.contains("Café") == true)
    }

    @Test("npm audit R1, R2, R1 again: the revert is a rescan that reopens, not an 'already imported' no-op")
    func revertThroughPipeline() async throws {
        let fixture = try Fixture()
        func audit(_ names: [String]) -> String {
            let advisories = names.map { name in
                let index = name.utf8.count
                return """
                    "\(1000 + index)":{"id":\(1000 + index),"module_name":"\(name)","severity":"high","title":"\(name) issue","cves":["CVE-2020-\(1000 + index)"],
                    "vulnerable_versions":"<9","patched_versions":">=9","findings":[{"version":"1.0.0","paths":["\(name)"]}],"url":"https://example.com/\(name)"}
                    """
            }
            return #"{"actions":[],"advisories":{"# + advisories.joined(separator: ",") + #"},"metadata":{"vulnerabilities":{}}}"#
        }
        let target = ImportTarget(application: "shop", component: "web")
        let context = ImportContext(secretSalt: try await fixture.store.secretKey())
        let r1 = try fixture.write("r1.json", audit(["lodash", "minimist"]))
        let r2 = try fixture.write("r2.json", audit(["minimist"]))
        _ = try await fixture.ingestor.importFile(path: r1, target: target, context: context, at: epoch)
        let second = try await fixture.ingestor.importFile(path: r2, target: target, context: context, at: epoch + 60)
        #expect(second.outcome.fixed == 1)
        let third = try await fixture.ingestor.importFile(path: r1, target: target, context: context, at: epoch + 120)
        #expect(third.outcome.duplicateOfScan == nil)
        #expect(third.outcome.reopened == 1)
        #expect(try await fixture.store.findings(FindingQuery(statuses: [.reopened])).map(\.componentName) == ["lodash"])
        let fourth = try await fixture.ingestor.importFile(path: r1, target: target, context: context, at: epoch + 180)
        #expect(fourth.outcome.duplicateOfScan == third.outcome.scanID)
    }

    @Test("reimporting a rescan through the whole pipeline keeps identities")
    func rescanThroughPipeline() async throws {
        let fixture = try Fixture()
        func semgrep(line: Int, extra: String) -> String {
            """
            {"version":"1.50.0","errors":[],"paths":{"scanned":["app.py"]},"results":[
             {"check_id":"python.sqli","path":"app.py","start":{"line":\(line),"col":5},"end":{"line":\(line),"col":40},
              "extra":{"message":"SQL injection","severity":"ERROR","lines":"    db.execute(q + user)","metadata":{"cwe":["CWE-89: SQL Injection"]}}}\(extra)]}
            """
        }
        let first = try await fixture.importFile(try fixture.write("scan1.json", semgrep(line: 10, extra: "")))
        #expect(first.outcome.new == 1)
        let second = try await fixture.importFile(try fixture.write("scan2.json", semgrep(line: 14, extra: "")))
        #expect((second.outcome.new, second.outcome.unchanged) == (0, 1))
        let third = try await fixture.importFile(try fixture.write("scan3.json", "{\"version\":\"1.50.0\",\"errors\":[],\"results\":[]}"))
        #expect(third.outcome.fixed == 0)
        #expect(third.diagnostics.contains { $0.message.contains("not closed") })
    }
}

@Suite("Hostile files")
struct HostileFileTests {
    @Test("a report truncated by another process after it was opened imports what was read, or fails; it never crashes")
    func truncatedWhileRead() async throws {
        let fixture = try IngestTests.Fixture()
        let results = (0..<20_000).map {
            #"{"check_id":"r.\#($0)","path":"a.py","start":{"line":\#($0 + 1)},"end":{"line":\#($0 + 1)},"extra":{"message":"m","severity":"ERROR","lines":"x\#($0)"}}"#
        }
        let path = try fixture.write("big.json", #"{"version":"1.50.0","errors":[],"results":["# + results.joined(separator: ",") + "]}")
        let data = try fixture.ingestor.open(path: path)
        // Another process empties the file; had it been mapped, reading its pages would now raise SIGBUS.
        try FileHandle(forWritingTo: URL(fileURLWithPath: path)).truncate(atOffset: 0)
        let context = ImportContext(secretSalt: try await fixture.store.secretKey())
        let report = try await fixture.ingestor.pipeline.normalize(data, file: path, context: context)
        #expect(report.findings.count == 20_000)
    }

    @Test("an XML control character is reported at its own line and column, not at the end of the document")
    func controlCharacterPosition() async throws {
        let fixture = try IngestTests.Fixture()
        var document = "<?xml version=\"1.0\"?>\n<OWASPZAPReport version=\"2.11\">\n<site name=\"https://a.example\">\n"
        document += "<alerts><alertitem><pluginid>1</pluginid><alert>bad \u{01} byte</alert></alertitem></alerts>\n"
        document += String(repeating: "<!-- padding -->\n", count: 50) + "</site></OWASPZAPReport>\n"
        let path = try fixture.write("zap.xml", document)
        do {
            _ = try await fixture.importFile(path)
            Issue.record("a control character must be refused")
        } catch let error as ImportError {
            #expect(error.kind == .syntax(position: "line 4, column 53"), "\(error)")
            #expect(error.description.contains("control character 0x1"))
        }
        #expect(try await fixture.store.scans(application: nil, limit: nil).isEmpty)
    }
}
