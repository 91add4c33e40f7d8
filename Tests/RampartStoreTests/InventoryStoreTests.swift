import Foundation
import RampartCore
import RampartStore
import Testing

@Suite("Store conformance: inventory and coverage")
struct InventoryStoreTests {
    static let shop = ApplicationDeclaration(
        name: "shop", owner: "alice@example.com", team: "payments", criticality: .high, data: [.pii, .pci], exposure: .internet,
        environments: [DeploymentEnvironment(name: "production", production: true), DeploymentEnvironment(name: "staging")],
        staleAfterDays: 14,
        components: [
            ComponentDeclaration(
                name: "api", repositories: [RepositoryDeclaration(url: "https://github.com/acme/shop", path: "services/api")],
                images: ["ghcr.io/acme/shop-api"], urls: ["https://shop.example.com"],
                routes: [RouteDeclaration(path: "/login", files: ["app/auth.py"])]),
            ComponentDeclaration(name: "web", repositories: [RepositoryDeclaration(url: "https://github.com/acme/shop", path: "web")]),
        ])

    @Test("an applied inventory reads back as declared, and a second apply reports only what changed", arguments: StoreBackend.all)
    func applyAndReadBack(backend: StoreBackend) async throws {
        let store = try backend.make()
        #expect(try await store.inventory().applications.isEmpty)
        let inventory = Inventory(applications: [Self.shop, ApplicationDeclaration(name: "batch", exposure: .isolated)])
        let first = try await store.applyInventory(inventory, source: "inventory.yaml", actor: "test", at: epoch)
        #expect(first.map(\.subject) == ["shop", "shop/api", "shop/web", "batch"])
        #expect(first.allSatisfy { $0.kind == .added })
        #expect(try await store.inventory() == inventory)

        var changed = inventory
        changed.applications[0].criticality = .critical
        changed.applications[0].components[0].images.append("ghcr.io/acme/shop-api-debug")
        changed.applications[0].components.remove(at: 1)
        changed.applications.remove(at: 1)
        let second = try await store.applyInventory(changed, source: "inventory.yaml", actor: "test", at: epoch.addingTimeInterval(60))
        #expect(
            second == [
                InventoryChange(kind: .changed, application: "shop", fields: ["criticality"]),
                InventoryChange(kind: .changed, application: "shop", component: "api", fields: ["images"]),
                InventoryChange(kind: .removed, application: "shop", component: "web"),
                InventoryChange(kind: .removed, application: "batch"),
            ])
        #expect(try await store.inventory() == changed)
        // Undeclared and never imported into: gone from the applications too.
        #expect(try await store.applications().map(\.name) == ["shop"])
        #expect(try await store.applications().first?.components == ["api"])
        #expect(try await store.applyInventory(changed, source: "inventory.yaml", actor: "test", at: epoch.addingTimeInterval(120)).isEmpty)
    }

    @Test("dropping a declaration keeps the findings imported into it", arguments: StoreBackend.all)
    func removalKeepsFindings(backend: StoreBackend) async throws {
        let store = try backend.make()
        _ = try await store.applyInventory(Inventory(applications: [Self.shop]), source: "a.yaml", actor: "test", at: epoch)
        _ = try await store.record(submission([codeFinding("sqli", line: 3, snippet: "q")], content: "one"))
        _ = try await store.applyInventory(Inventory(), source: "empty.yaml", actor: "test", at: epoch.addingTimeInterval(60))
        #expect(try await store.inventory().applications.isEmpty)
        #expect(try await store.findings(FindingQuery(application: "shop")).count == 1)
        #expect(try await store.applications().map(\.name) == ["shop"])
        #expect(try await store.applications().first?.components == ["api"])
    }

    @Test("a scan records the categories it covered, and coverage reads them", arguments: StoreBackend.all)
    func scanCategories(backend: StoreBackend) async throws {
        let store = try backend.make()
        _ = try await store.applyInventory(Inventory(applications: [Self.shop]), source: "a.yaml", actor: "test", at: epoch)
        // A clean Trivy scan that looked for vulnerabilities and secrets found nothing, and still covered both.
        var clean = await submission(
            [], stream: StreamKey(application: "shop", component: "api", tool: "Trivy", scope: .scan(ScanScope(kind: "secret+vulnerability"))),
            content: "trivy", at: epoch)
        clean.coveredCategories = [.sca, .secrets]
        _ = try await store.record(clean)
        _ = try await store.record(
            submission([codeFinding("sqli", line: 3, snippet: "q")], content: "semgrep", at: epoch.addingTimeInterval(-20 * 86_400)))
        let scans = try await store.scans(application: "shop", limit: nil)
        #expect(Set(scans.map(\.categories)) == [[.sca, .secrets], [.sast]])
        let coverage = try await store.inventory().coverage(
            scans: scans.map {
                CoverageScan(
                    application: $0.application, component: $0.component, tool: $0.tool, categories: Set($0.categories), importedAt: $0.importedAt)
            }, now: epoch.addingTimeInterval(86_400))
        let api = Dictionary(uniqueKeysWithValues: coverage.filter { $0.component == "api" }.map { ($0.category, $0) })
        #expect(api[.sca]?.state == .covered && api[.sca]?.tools == ["trivy"] && api[.sca]?.ageDays == 1)
        #expect(api[.secrets]?.state == .covered)
        #expect(api[.sast]?.state == .stale && api[.sast]?.ageDays == 21)
        #expect(api[.container]?.state == .missing && api[.dast]?.state == .missing)
        #expect(coverage.filter { $0.component == "web" }.allSatisfy { $0.state == .missing })
    }
}
