import Foundation
import RampartCore
import RampartInventory
import Testing

@Suite("Inventory file")
struct InventoryFileTests {
    static let example = """
        version: 1
        applications:
          - name: shop
            owner: alice@example.com
            criticality: High
            data: [pii, pci]
            exposure: internet
            environments:
              - name: production
              - name: staging
                production: no
            stale_after: 2w
            components:
              - name: api
                repository: https://github.com/acme/shop
                path: ./services/api/
                images: ghcr.io/acme/shop-api
                urls: [https://shop.example.com/api]
                cloud:
                  - provider: AWS
                    account: "012345678901"
                    resources: ["arn:aws:s3:::shop-*"]
                packages: [pkg:npm/%40acme/shop-api]
                expect: [sast, sca, dast]
                routes:
                  - path: /login
                    method: post
                    files: [./app/auth.py]
          - name: batch
        """

    @Test("a YAML file reads into the inventory, shorthands and all")
    func readsYAML() throws {
        let inventory = try InventoryFile.read(Data(Self.example.utf8), file: "inventory.yaml")
        let shop = try #require(inventory.application(named: "shop"))
        #expect(shop.criticality == .high && shop.exposure == .internet && shop.data == [.pii, .pci])
        #expect(shop.environments == [DeploymentEnvironment(name: "production", production: true), DeploymentEnvironment(name: "staging")])
        #expect(shop.staleAfterDays == 14)
        let api = try #require(shop.component(named: "api"))
        #expect(api.repositories == [RepositoryDeclaration(url: "https://github.com/acme/shop", path: "services/api")])
        #expect(api.images == ["ghcr.io/acme/shop-api"])
        #expect(api.cloud == [CloudDeclaration(provider: "aws", account: "012345678901", resources: ["arn:aws:s3:::shop-*"])])
        #expect(api.expectedCategories == [.sast, .sca, .dast])
        #expect(api.routes == [RouteDeclaration(path: "/login", method: "POST", files: ["app/auth.py"])])
        let batch = try #require(inventory.application(named: "batch"))
        #expect(batch.criticality == .medium && batch.exposure == .internal && batch.components.isEmpty)
    }

    @Test("export writes YAML that reads back to the same inventory")
    func roundTrip() throws {
        let inventory = try InventoryFile.read(Data(Self.example.utf8), file: "inventory.yaml")
        let yaml = try InventoryFile.yaml(inventory)
        #expect(try InventoryFile.read(Data(yaml.utf8), file: "export.yaml") == inventory)
        #expect(yaml.hasPrefix("version: 1\napplications:\n"))
    }

    @Test("JSON is read as well")
    func readsJSON() throws {
        let json =
            #"{"version": 1, "applications": [{"name": "shop", "criticality": "critical", "components": [{"name": "web", "urls": ["https://shop.example.com"]}]}]}"#
        let inventory = try InventoryFile.read(Data(json.utf8), file: "inventory.json")
        #expect(inventory.applications.first?.criticality == .critical)
        #expect(inventory.applications.first?.components.first?.expectedCategories == [.dast])
    }

    func problems(_ text: String) -> [String] {
        do {
            _ = try InventoryFile.read(Data(text.utf8), file: "bad.yaml")
            return []
        } catch {
            return error.issues.map { "\($0.line.map(String.init) ?? "?"):\($0.field): \($0.message)" }
        }
    }

    @Test("every problem is reported with its line and field, and nothing is read from the file")
    func problemsWithPositions() {
        let text = """
            applications:
              - name: shop
                criticality: hgh
                exposure: internet
                data: [pii, gdpr]
                components:
                  - name: api
                    imagez: [x]
                    urls: [ftp://x]
              - name: shop
            """
        #expect(
            problems(text) == [
                "3:applications[0].criticality: 'hgh' is not one of low, medium, high, critical",
                "5:applications[0].data[1]: 'gdpr' is not one of public, internal, confidential, pii, pci, phi, secrets",
                "8:applications[0].components[0].imagez: unknown key 'imagez' (known: cloud, description, expect, exposure, hosts, iac, images, name, packages, path, repositories, repository, routes, stale_after, urls)",
            ])
        // Once the reader is satisfied, validation speaks, with positions too.
        #expect(
            problems(
                """
                applications:
                  - name: shop
                    components:
                      - name: api
                        urls: [ftp://x]
                  - name: shop
                """) == [
                    "5:applications[0].components[0].urls[0]: not an absolute http or https URL",
                    "6:applications[1].name: application 'shop' is declared twice",
                ])
    }

    @Test("syntax errors, an empty file and a wrong root are refused with their position")
    func refusals() {
        #expect(problems("applications:\n  - name: [unclosed\n").first?.hasPrefix("3:(syntax)") == true)
        #expect(problems("") == ["?:(file): the file is empty: an inventory lists applications"])
        #expect(problems("- a\n- b\n").first?.contains("expected a mapping") == true)
        #expect(problems("version: 2\napplications: []\n") == ["1:version: this Rampart reads inventory version 1"])
    }

    @Test("aliases that would expand past the node limit are refused, not expanded")
    func aliasExpansion() {
        let hosts = (0..<1000).map { "h\($0).example.com" }.joined(separator: ", ")
        var text = "applications:\n  - name: shop\n    components:\n      - name: c0\n        hosts: &h [\(hosts)]\n"
        for index in 1...300 { text += "      - name: c\(index)\n        hosts: *h\n" }
        let found = problems(text)
        #expect(found.contains { $0.contains("more than 200000 values") })
        // Within the limit, an alias is an ordinary repetition.
        let small =
            "applications:\n  - name: shop\n    components:\n      - name: a\n        hosts: &h [x.example.com]\n      - name: b\n        hosts: *h\n"
        #expect(problems(small).isEmpty)
    }
}
