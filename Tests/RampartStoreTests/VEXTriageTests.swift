import Foundation
import RampartCore
import RampartExport
import RampartStore
import Testing

/// VEX documents imported beside a component's scans set the triage of the matching SCA issues,
/// with the document as the source; people's decisions win over them.
@Suite("VEX documents as triage")
struct VEXTriageTests {
    static let packages: [(cve: String, name: String, version: String, purl: String)] = [
        ("CVE-2021-44228", "org.apache.logging.log4j:log4j-core", "2.14.1", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
        ("CVE-2022-42889", "org.apache.commons:commons-text", "1.9", "pkg:maven/org.apache.commons/commons-text@1.9"),
        ("CVE-2020-36518", "com.fasterxml.jackson.core:jackson-databind", "2.12.0", "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.12.0"),
        ("CVE-2023-1370", "net.minidev:json-smart", "2.4.8", "pkg:maven/net.minidev/json-smart@2.4.8"),
        ("CVE-2022-1471", "org.yaml:snakeyaml", "1.30", "pkg:maven/org.yaml/snakeyaml@1.30"),
        ("CVE-2022-25857", "org.yaml:snakeyaml", "1.30", "pkg:maven/org.yaml/snakeyaml@1.30"),
    ]

    static var trivy: String {
        let vulnerabilities = packages.map { package in
            """
            {"VulnerabilityID":"\(package.cve)","PkgName":"\(package.name)","InstalledVersion":"\(package.version)",\
            "PkgIdentifier":{"PURL":"\(package.purl)"},"Severity":"HIGH","Title":"\(package.cve) in \(package.name)"}
            """
        }
        return """
            {"SchemaVersion":2,"ArtifactName":"shop-api.jar","ArtifactType":"filesystem","Results":[{"Target":"app/pom.xml",\
            "Class":"lang-pkgs","Type":"pom","Vulnerabilities":[\(vulnerabilities.joined(separator: ","))]}]}
            """
    }

    /// A vendor's CSAF VEX: each status group and both ways to explain "not affected".
    static var csaf: String {
        let products = packages.enumerated().map { index, package in
            "{\"product_id\":\"P\(index)\",\"name\":\"\(package.name) \(package.version)\",\"product_identification_helper\":{\"purl\":\"\(package.purl)\"}}"
        }
        return """
            {"document":{"category":"csaf_vex","csaf_version":"2.0","title":"Shop API VEX","publisher":{"category":"vendor","name":"Shop PSIRT",\
            "namespace":"https://psirt.example.com"},"tracking":{"id":"SHOP-VEX-1","status":"final","version":"1",\
            "initial_release_date":"2026-11-01T00:00:00Z","current_release_date":"2026-11-01T00:00:00Z",\
            "revision_history":[{"number":"1","date":"2026-11-01T00:00:00Z","summary":"initial"}]}},
            "product_tree":{"full_product_names":[\(products.joined(separator: ","))]},
            "vulnerabilities":[
            {"cve":"CVE-2021-44228","product_status":{"known_not_affected":["P0"]},\
            "flags":[{"label":"vulnerable_code_not_in_execute_path","product_ids":["P0"]}]},
            {"cve":"CVE-2022-42889","product_status":{"known_not_affected":["P1"]},\
            "threats":[{"category":"impact","details":"StringSubstitutor is never given user input","product_ids":["P1"]}]},
            {"cve":"CVE-2020-36518","product_status":{"fixed":["P2"]}},
            {"cve":"CVE-2023-1370","product_status":{"known_affected":["P3"]},\
            "remediations":[{"category":"vendor_fix","details":"upgrade to 2.4.9","product_ids":["P3"]}]},
            {"cve":"CVE-2022-1471","product_status":{"known_not_affected":["P4"]},\
            "flags":[{"label":"vulnerable_code_not_present","product_ids":["P4"]}]},
            {"cve":"CVE-2022-25857","product_status":{"under_investigation":["P5"]}}
            ]}
            """
    }

    static func issue(_ cve: String, in issues: [StoredIssue]) throws -> StoredIssue {
        try #require(issues.first { $0.vulnerabilityIDs.contains { $0.description == cve } && $0.lead.purl != nil }, "\(cve)")
    }

    @Test("a CSAF VEX sets each status group's triage on the matching SCA issues; a person's decision wins; a newer OpenVEX document decides")
    func csafAndOpenVEX() async throws {
        let store = try await ExportRoundTripTests.Fresh()
        try await store.importFile(try store.write(Self.trivy, as: "trivy.json"), at: epoch)
        let scanned = try await store.store.issues(IssueQuery())
        let snake = try Self.issue("CVE-2022-1471", in: scanned)
        _ = try await store.store.triage(
            issue: snake.id, decision: .confirmed, reason: "reachable from the upload API", actor: "alice", at: epoch + 10)

        try await store.importFile(try store.write(Self.csaf, as: "shop.csaf.json"), at: epoch + 20)
        let issues = try await store.store.issues(IssueQuery(statuses: FindingStatus.allCases))
        let expected: [(String, TriageDecision, TriageSource)] = [
            ("CVE-2021-44228", .notAffected(.vulnerableCodeNotInExecutePath), .vex("shop.csaf.json")),
            ("CVE-2022-42889", .notAffected(.impactStatement), .vex("shop.csaf.json")),
            ("CVE-2020-36518", .mitigated, .vex("shop.csaf.json")),
            ("CVE-2023-1370", .confirmed, .vex("shop.csaf.json")),
            // The person's decision stands over the document's not-affected.
            ("CVE-2022-1471", .confirmed, .person("alice")),
            // Under investigation: untriaged, and the document is why.
            ("CVE-2022-25857", .untriaged, .vex("shop.csaf.json")),
        ]
        for (cve, decision, source) in expected {
            let triage = try Self.issue(cve, in: issues).triage
            #expect(triage.decision == decision, "\(cve)")
            #expect(triage.source == source, "\(cve)")
        }
        let impact = try Self.issue("CVE-2022-42889", in: issues).triage
        #expect(impact.reason?.contains("StringSubstitutor is never given user input") == true)

        // A later OpenVEX document speaks of json-smart: it decides now, explained by its impact
        // statement alone; and it says nothing of the rest, which keep the CSAF's decisions.
        let openVEX = """
            {"@context":"https://openvex.dev/ns/v0.2.0","@id":"urn:test:later","author":"appsec","timestamp":"2026-11-10T00:00:00Z",\
            "version":1,"statements":[{"vulnerability":{"name":"CVE-2023-1370"},"products":[{"@id":"pkg:maven/net.minidev/json-smart@2.4.8"}],\
            "status":"not_affected","impact_statement":"only parses our own configuration"}]}
            """
        try await store.importFile(try store.write(openVEX, as: "later.openvex.json"), at: epoch + 30)
        let later = try await store.store.issues(IssueQuery(statuses: FindingStatus.allCases))
        let smart = try Self.issue("CVE-2023-1370", in: later).triage
        #expect(smart.decision == .notAffected(.impactStatement) && smart.source == .vex("later.openvex.json"))
        #expect(smart.reason?.contains("only parses our own configuration") == true)
        #expect(try Self.issue("CVE-2021-44228", in: later).triage.source == .vex("shop.csaf.json"))

        // Exported again, an impact-statement decision carries no vocabulary justification (none
        // fits) but its statement, and reads back to the same decision.
        let exported = IssueExport.openVEX(later, author: "alice", at: epoch + 40, documentID: "urn:test:export")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(exported.utf8)) as? [String: Any])
        let statements = try #require(document["statements"] as? [[String: Any]])
        let smartStatement = try #require(
            statements.first { ($0["vulnerability"] as? [String: Any])?["name"] as? String == "CVE-2023-1370" })
        #expect(smartStatement["justification"] == nil && smartStatement["status"] as? String == "not_affected")
        #expect((smartStatement["impact_statement"] as? String)?.contains("only parses our own configuration") == true)
        let copy = try await ExportRoundTripTests.Fresh()
        try await copy.importFile(try copy.write(Self.trivy, as: "trivy.json"), at: epoch)
        try await copy.importFile(try copy.write(exported, as: "export.openvex.json"), at: epoch + 50)
        let restored = try Self.issue("CVE-2023-1370", in: try await copy.store.issues(IssueQuery(statuses: FindingStatus.allCases))).triage
        #expect(restored.decision == .notAffected(.impactStatement))
    }
}
