import Foundation
import RampartCore
import Testing

@Suite("Inventory: placement, coverage, changes")
struct InventoryTests {
    static let inventory = Inventory(applications: [
        ApplicationDeclaration(
            name: "shop", criticality: .high, exposure: .internet,
            components: [
                ComponentDeclaration(
                    name: "api", repositories: [RepositoryDeclaration(url: "https://github.com/Acme/shop.git", path: "services/api")],
                    images: ["ghcr.io/acme/shop-api"], urls: ["https://shop.example.com/api"]),
                ComponentDeclaration(
                    name: "web", repositories: [RepositoryDeclaration(url: "git@github.com:acme/shop.git", path: "web")],
                    urls: ["https://shop.example.com"],
                    hosts: ["*.shop.example.com"]),
                ComponentDeclaration(name: "monolith", repositories: [RepositoryDeclaration(url: "https://gitlab.example.com/acme/legacy")]),
            ]),
        ApplicationDeclaration(
            name: "billing",
            components: [
                ComponentDeclaration(
                    name: "ledger", images: ["registry.example.com/billing/*:*"], cloud: [CloudDeclaration(provider: "aws", account: "123456789012")],
                    packages: ["pkg:maven/com.acme/ledger"])
            ]),
    ])

    func placed(_ subject: ReportSubject) -> String? {
        if case .component(let match) = Self.inventory.place(subject) { return "\(match.application)/\(match.component)" }
        return nil
    }

    @Test("a report is placed by the repository, image, URL, host, account or package it names")
    func placement() {
        #expect(placed(ReportSubject(images: ["ghcr.io/acme/shop-api:1.4.2"])) == "shop/api")
        #expect(placed(ReportSubject(images: ["ghcr.io/acme/shop-api@sha256:abc"])) == "shop/api")
        #expect(placed(ReportSubject(images: ["registry.example.com/billing/ledger:7"])) == "billing/ledger")
        #expect(placed(ReportSubject(repositories: ["ssh://git@gitlab.example.com:22/acme/legacy.git"])) == "shop/monolith")
        #expect(placed(ReportSubject(repositories: ["acme/legacy"])) == "shop/monolith", "Checkov's --repo-id owner/name")
        #expect(placed(ReportSubject(urls: ["https://shop.example.com/api/v1/users"])) == "shop/api", "the longer base URL is the API's")
        #expect(placed(ReportSubject(urls: ["https://shop.example.com/cart"])) == "shop/web")
        #expect(placed(ReportSubject(hosts: ["static.shop.example.com"])) == "shop/web")
        #expect(placed(ReportSubject(cloudAccounts: ["123456789012"])) == "billing/ledger")
        #expect(placed(ReportSubject(packages: ["pkg:maven/com.acme/ledger"])) == "billing/ledger")
    }

    @Test("a monorepo's folder decides among components of one repository, even from a checkout root or a subfolder")
    func monorepoFolders() {
        let repository = "https://github.com/acme/shop"
        #expect(placed(ReportSubject(repositories: [repository], paths: ["services/api/app.py", "services/api/db.py"])) == "shop/api")
        #expect(placed(ReportSubject(repositories: [repository], paths: ["/home/runner/work/shop/shop/web/src/index.js"])) == "shop/web")
        #expect(placed(ReportSubject(paths: ["api/app.py"])) == "shop/api", "a scan run in services/ writes api/...")
        // Files of both folders: no one component is the report's.
        #expect(placed(ReportSubject(repositories: [repository], paths: ["services/api/app.py", "web/index.js"])) == nil)
    }

    @Test("nothing matching, or two components matching equally, is no placement")
    func unmatchedAndAmbiguous() {
        #expect(Self.inventory.place(ReportSubject(images: ["docker.io/library/nginx:1.25"])) == .unmatched)
        #expect(Self.inventory.place(ReportSubject(paths: ["src/main.c"])) == .unmatched)
        var twice = Self.inventory
        twice.applications[1].components[0].images.append("ghcr.io/acme/shop-api")
        guard case .ambiguous(let matches) = twice.place(ReportSubject(images: ["ghcr.io/acme/shop-api:2"])) else {
            Issue.record("expected an ambiguous placement")
            return
        }
        #expect(Set(matches.map(\.component)) == ["api", "ledger"])
    }

    @Test("image patterns: a pattern without tag matches every tag; Docker Hub names match with or without docker.io/library")
    func images() {
        #expect(ImageMatch.matches("nginx:1.25", "docker.io/library/nginx"))
        #expect(ImageMatch.matches("docker.io/library/nginx:1.25", "nginx:1.*"))
        #expect(!ImageMatch.matches("nginx:1.25", "nginx:2.*"))
        #expect(!ImageMatch.matches("ghcr.io/acme/shop-api-debug:1", "ghcr.io/acme/shop-api"))
        #expect(ImageMatch.matches("localhost:5000/app:3", "localhost:5000/app"))
    }

    @Test("expected categories follow the declarations unless `expect` lists them")
    func expectedCategories() {
        let component = ComponentDeclaration(
            name: "c", repositories: [RepositoryDeclaration(url: "https://github.com/a/b")], iac: ["terraform"], images: ["x"], urls: ["https://x"])
        #expect(component.expectedCategories == [.sast, .sca, .container, .iac, .secrets, .dast])
        var explicit = component
        explicit.expect = [.dast, .sast]
        #expect(explicit.expectedCategories == [.sast, .dast])
        #expect(ComponentDeclaration(name: "bare").expectedCategories.isEmpty)
    }

    @Test("coverage: covered within stale_after, stale beyond it, missing when never imported")
    func coverage() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        var inventory = Self.inventory
        inventory.applications[0].staleAfterDays = 7
        let scans = [
            CoverageScan(
                application: "shop", component: "api", tool: "semgrep", categories: [.sast], importedAt: now.addingTimeInterval(-2 * 86_400)),
            CoverageScan(application: "shop", component: "api", tool: "bandit", categories: [.sast], importedAt: now.addingTimeInterval(-9 * 86_400)),
            CoverageScan(
                application: "shop", component: "api", tool: "trivy", categories: [.container, .sca], importedAt: now.addingTimeInterval(-8 * 86_400)),
        ]
        let entries = inventory.coverage(scans: scans, now: now, application: "shop").filter { $0.component == "api" }
        let byCategory = Dictionary(uniqueKeysWithValues: entries.map { ($0.category, $0) })
        #expect(byCategory[.sast]?.state == .covered)
        #expect(byCategory[.sast]?.tools == ["semgrep", "bandit"])
        #expect(byCategory[.sast]?.ageDays == 2)
        #expect(byCategory[.container]?.state == .stale)
        #expect(byCategory[.sca]?.state == .stale)
        #expect(byCategory[.secrets]?.state == .missing && byCategory[.secrets]?.lastImport == nil)
        #expect(byCategory[.dast]?.state == .missing)
        #expect(entries.map(\.category) == [.sast, .sca, .container, .secrets, .dast])
    }

    @Test("the categories a scan covered: its findings, what its scope looked for, else its format's")
    func scanCategories() {
        #expect(
            CoverageScan.categories(formatCategory: .container, scopeKind: "secret+vulnerability", scopeTarget: "alpine", findings: []) == [
                .container, .secrets,
            ])
        #expect(CoverageScan.categories(formatCategory: .sca, scopeKind: "misconfiguration", scopeTarget: "", findings: []) == [.iac])
        #expect(CoverageScan.categories(formatCategory: .dast, scopeKind: "", scopeTarget: "https://x", findings: []) == [.dast])
    }

    @Test("validation names each field: duplicates, bad URLs, versioned packages, relative routes")
    func validation() {
        let inventory = Inventory(applications: [
            ApplicationDeclaration(
                name: "a", staleAfterDays: 0,
                components: [
                    ComponentDeclaration(
                        name: "c", repositories: [RepositoryDeclaration(url: "not a url")], urls: ["ftp://x"], packages: ["pkg:npm/x@1"]),
                    ComponentDeclaration(name: "c", routes: [RouteDeclaration(path: "login")]),
                ]),
            ApplicationDeclaration(name: "a"),
        ])
        let fields = inventory.validationIssues().map(\.field)
        #expect(
            fields == [
                "applications[0].stale_after", "applications[0].components[0].repositories[0].url", "applications[0].components[0].urls[0]",
                "applications[0].components[0].packages[0]", "applications[0].components[1].name", "applications[0].components[1].routes[0].path",
                "applications[1].name",
            ])
    }

    @Test("changes list additions, field changes and removals in file order")
    func changes() {
        var new = Self.inventory
        new.applications[0].exposure = .internal
        new.applications[0].components[1].hosts = []
        new.applications[0].components.remove(at: 2)
        new.applications[1].components.append(ComponentDeclaration(name: "reports"))
        new.applications.append(ApplicationDeclaration(name: "crm"))
        #expect(
            Self.inventory.changes(to: new) == [
                InventoryChange(kind: .changed, application: "shop", fields: ["exposure"]),
                InventoryChange(kind: .changed, application: "shop", component: "web", fields: ["hosts"]),
                InventoryChange(kind: .removed, application: "shop", component: "monolith"),
                InventoryChange(kind: .added, application: "billing", component: "reports"),
                InventoryChange(kind: .added, application: "crm"),
            ])
    }
}
