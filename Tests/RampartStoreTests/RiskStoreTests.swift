import Foundation
import RampartCore
import RampartStore
import Testing

@Suite("Store conformance: feeds and risk")
struct RiskStoreTests {
    static func log4j(component: String) -> Finding {
        Finding(
            category: .sca, tool: ToolInfo(name: "Trivy"), ruleID: "CVE-2021-44228", title: "Log4Shell", severity: .critical,
            vulnerabilityIDs: [VulnerabilityID("CVE-2021-44228")!, VulnerabilityID("GHSA-jfh8-c2jp-5v3q")!],
            cvss: [CVSSScore(vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", score: 10.0, source: "nvd")!],
            location: .package(
                PackageLocation(
                    purl: PackageURL(parsing: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"), name: "log4j-core", version: "2.14.1",
                    fixedVersions: ["2.15.0"])))
    }

    @Test("issues are scored when imported, and again when feeds and the inventory change", arguments: StoreBackend.all)
    func scoring(backend: StoreBackend) async throws {
        let store = try backend.make()
        _ = try await store.applyInventory(
            Inventory(applications: [
                ApplicationDeclaration(
                    name: "shop", criticality: .high, data: [.pii], exposure: .internet,
                    environments: [DeploymentEnvironment(name: "production", production: true)],
                    components: [ComponentDeclaration(name: "api"), ComponentDeclaration(name: "batch", exposure: .isolated)])
            ]), source: "inventory.yaml", actor: "test", at: epoch)
        for component in ["api", "batch"] {
            _ = try await store.record(
                submission(
                    [Self.log4j(component: component)], stream: StreamKey(application: "shop", component: component, tool: "Trivy"),
                    content: component))
        }
        var issues = try await store.issues(IssueQuery())
        #expect(issues.count == 2)
        #expect(issues.allSatisfy { $0.assessment != nil && $0.assessment?.kev == nil })
        let before = try #require(issues.first { $0.component == "api" }?.assessment?.assessment.score)

        // KEV and EPSS arrive: every issue is rescored, and the exposed one ranks first.
        _ = try await store.loadFeed(
            FeedUpdate(
                content: .kev([KEVEntry(cve: "CVE-2021-44228", dateAdded: "2021-12-10", knownRansomwareUse: true)]), version: "2026.08.21",
                published: "2026-08-21", source: "kev.json"), actor: "test", at: epoch)
        let scored = try await store.loadFeed(
            FeedUpdate(
                content: .epss([EPSSScore(cve: "CVE-2021-44228", probability: 0.94358, percentile: 0.99957)]), version: "v2025.03.14",
                published: "2026-01-30", source: "epss.csv"), actor: "test", at: epoch)
        #expect(scored == 2)
        issues = try await store.issues(IssueQuery())
        #expect(issues.map(\.component) == ["api", "batch"])
        let api = try #require(issues.first?.assessment)
        #expect(api.kev?.cve == "CVE-2021-44228")
        #expect(api.epss?.probability == 0.94358)
        #expect(api.assessment.score > before)
        #expect(api.assessment.ssvc.decision == .act)
        #expect(api.assessment.factors.contains { $0.name == "fix" && $0.contribution > 0 })
        #expect(try await store.issues(IssueQuery(kevOnly: true)).count == 2)
        // With a limit, the most risky are chosen on the issue table first: the same answer.
        #expect(try await store.issues(IssueQuery(limit: 1)).map(\.component) == ["api"])
        #expect(try await store.issues(IssueQuery(kevOnly: true, limit: 5)).map(\.component) == ["api", "batch"])
        #expect(try await store.issues(IssueQuery(statuses: [.fixed], limit: 5)).isEmpty)
        // Actively exploited with total impact on a high-mission system: act, even where no attack is automatable.
        #expect(try await store.issues(IssueQuery(ssvc: [.act])).map(\.component) == ["api", "batch"])
        #expect(issues.last?.assessment?.assessment.ssvc.automatable == false)
        #expect(try await store.issues(IssueQuery(ssvc: [.track, .attend])).isEmpty)
        #expect(try await store.issues(IssueQuery(minimumRisk: api.assessment.score)).map(\.component) == ["api"])
        let feeds = try await store.feeds()
        #expect(feeds.map(\.kind) == [.epss, .kev])
        #expect(feeds.first { $0.kind == .kev }?.version == "2026.08.21")

        // An issue opened after the feeds were loaded is scored with them at once.
        _ = try await store.record(
            submission([Self.log4j(component: "web")], stream: StreamKey(application: "shop", component: "web", tool: "Trivy"), content: "web"))
        let web = try #require(try await store.issues(IssueQuery(component: "web")).first?.assessment)
        #expect(web.kev?.cve == "CVE-2021-44228" && web.epss?.probability == 0.94358)
        #expect(
            web.assessment.factors.contains { $0.name == "exposure" && $0.value == "internet" },
            "an undeclared component takes its application's context")

        // A later KEV without the CVE replaces the list whole.
        _ = try await store.loadFeed(
            FeedUpdate(content: .kev([KEVEntry(cve: "CVE-2020-0001")]), version: "2", published: nil, source: "k2"), actor: "test", at: epoch)
        #expect(try await store.issues(IssueQuery(kevOnly: true)).isEmpty)

        // The inventory says the API is internal now: its risk drops.
        let exposed = try #require(try await store.issues(IssueQuery(component: "api")).first?.assessment?.assessment.score)
        var inventory = try await store.inventory()
        inventory.applications[0].exposure = .internal
        _ = try await store.applyInventory(inventory, source: "inventory.yaml", actor: "test", at: epoch)
        let inward = try #require(try await store.issues(IssueQuery(component: "api")).first?.assessment?.assessment.score)
        #expect(inward < exposed)
    }

    @Test("rescoring every issue: nothing moves a day later, the age factor does a quarter later", arguments: StoreBackend.all)
    func rescoring(backend: StoreBackend) async throws {
        let store = try backend.make()
        for component in ["api", "batch"] {
            _ = try await store.record(
                submission(
                    [Self.log4j(component: component)], stream: StreamKey(application: "shop", component: component, tool: "Trivy"),
                    content: component))
        }
        let before = try await store.issues(IssueQuery()).map(\.assessment)
        #expect(try await store.rescoreIssues(at: epoch + 86_400) == 2)
        #expect(try await store.issues(IssueQuery()).map(\.assessment) == before)
        #expect(try await store.rescoreIssues(at: epoch + 95 * 86_400) == 2)
        let later = try await store.issues(IssueQuery())
        for issue in later {
            let age = try #require(issue.assessment?.assessment.factors.first { $0.name == "age" })
            #expect(age.contribution > 0 && age.value == "first seen 2026-09-21")
            #expect(issue.assessment?.assessment.score ?? 0 > before.first??.assessment.score ?? 100)
        }
    }

    @Test("a tool's exploit maturity is stored with the finding and read by the issue's score", arguments: StoreBackend.all)
    func exploitMaturity(backend: StoreBackend) async throws {
        let store = try backend.make()
        var exploited = Self.log4j(component: "api")
        exploited.exploitMaturity = .functional
        _ = try await store.record(
            submission([exploited], stream: StreamKey(application: "shop", component: "api", tool: "Snyk"), content: "exploited"))
        _ = try await store.record(
            submission(
                [Self.log4j(component: "batch")], stream: StreamKey(application: "shop", component: "batch", tool: "Snyk"), content: "plain"))
        #expect(
            try await store.findings(FindingQuery()).map(\.exploitMaturity).sorted { ($0?.rawValue ?? "") < ($1?.rawValue ?? "") } == [
                nil, .functional,
            ])
        let issues = try await store.issues(IssueQuery())
        #expect(issues.map(\.component) == ["api", "batch"])
        #expect(issues.first?.assessment?.assessment.ssvc.exploitation == .poc)
        #expect(issues.last?.assessment?.assessment.ssvc.exploitation == SSVCAssessment.Exploitation.none)
        // Rescoring reads it back from the database, not from the import.
        #expect(try await store.rescoreIssues(at: epoch + 95 * 86_400) == 2)
        #expect(try await store.issues(IssueQuery()).first?.assessment?.assessment.factors.contains { $0.value.contains("functional") } == true)
    }

    @Test("a stored assessment reads back as it was written: tenths exact, other numbers and quoted text kept")
    func storedAssessmentRoundTrip() throws {
        let factors = [
            RiskFactor(name: "severity", value: "CVSS 9.8", contribution: 44.1), RiskFactor(name: "exposure", value: "internal", contribution: -14.1),
            RiskFactor(name: "age", value: "first seen 2026-09-21", contribution: 0),
            RiskFactor(name: "odd", value: "a \"quoted\" \\ value", contribution: -0.04),
            RiskFactor(name: "precise", value: "", contribution: 12.345), RiskFactor(name: "big", value: "", contribution: 100),
        ]
        let assessment = RiskAssessment(
            model: RiskModel.version, score: 61.5, factors: factors,
            ssvc: SSVCAssessment(exploitation: .active, automatable: true, technicalImpact: .total, missionWellbeing: .high, exposure: .internet))
        let stored = StoredAssessment(
            assessment: assessment, kev: KEVEntry(cve: "CVE-2021-44228", name: nil, dateAdded: "2021-12-10", knownRansomwareUse: true),
            epss: EPSSScore(cve: "CVE-2021-44228", probability: 0.94358, percentile: 0.99957))
        let text = stored.jsonText
        #expect(text.contains(#"["severity","CVSS 9.8",44.1]"#) && text.contains(#"["exposure","internal",-14.1]"#))
        #expect(try StoredAssessment(jsonText: text) == stored)
        #expect(text.utf8.count < 450)
    }
}
