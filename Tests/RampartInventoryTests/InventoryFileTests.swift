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

@Suite("Rules and policy files")
struct PolicyFileTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a rules file reads every kind of rule, and the export reads back to the same rules")
    func rulesRoundTrip() throws {
        let text = """
            rules:
              - match: {app: shop, tool: semgrep, path: "tests/*"}
                triage: false_positive
                reason: test fixtures are not shipped
                owner: appsec@example.com
                expires: 2027-06-30
              - match: {package: "pkg:npm/lodash", vuln: CVE-2021-23337, cwe: CWE-94}
                triage: accepted_risk
                until: 2027-01-31
                approver: ciso
                reason: no exploitable path
                owner: payments-team
              - match: {category: sca, severity: low}
                triage: not_affected
                justification: code_not_reachable
                reason: reachability analysis
                owner: appsec
              - match: {tool: zap, rule: "10038", url: "https://staging.example.com/*"}
                severity: low
                reason: CSP tracked elsewhere
                owner: appsec
            """
        let rules = try RulesFile.read(Data(text.utf8), file: "rules.yaml", at: Self.now)
        #expect(rules.count == 4)
        #expect(rules[0].match == RuleMatch(application: "shop", tool: "semgrep", path: "tests/*"))
        #expect(rules[1].match.cwe == 94 && rules[1].action.summary == "triage accepted_risk until 2027-01-31")
        #expect(rules[2].action == .triage(.notAffected(.codeNotReachable)))
        #expect(rules[3].action == .severity(.low))
        let again = try RulesFile.read(Data(RulesFile.yaml(rules).utf8), file: "export.yaml", at: Self.now)
        #expect(again == rules)
    }

    @Test("a rules file with problems is refused with every problem and its line")
    func rulesProblems() {
        let text = """
            rules:
              - match: {tool: semgrep, colour: red}
                triage: false_positive
                reason: x
                owner: y
              - match: {tool: semgrep}
                triage: accepted_risk
                reason: x
                owner: y
              - match: {}
                severity: low
                reason: x
                owner: y
            """
        #expect {
            try RulesFile.read(Data(text.utf8), file: "rules.yaml", at: Self.now)
        } throws: { error in
            let message = String(describing: error)
            return message.contains("rules.yaml:2") && message.contains("unknown key 'colour'") && message.contains("until")
                && message.contains("at least one criterion")
        }
    }

    @Test("a policy file gives the SLA and the gate, and refuses nonsense")
    func policy() throws {
        let text = """
            sla:
              basis: risk
              days: {critical: 7, high: 30, medium: 90}
              due_soon: 2w
              criticality:
                critical: {critical: 3}
            gate:
              fail_on: {severity: critical, risk: 70, kev: true, ssvc_act: false, sla_breach: false}
              baseline: develop
            """
        let policy = try PolicyFile.read(Data(text.utf8), file: "policy.yaml")
        #expect(
            policy.sla
                == SLAPolicy(basis: .risk, days: [.critical: 7, .high: 30, .medium: 90], byCriticality: [.critical: [.critical: 3]], dueSoonDays: 14))
        #expect(policy.gate == GatePolicy(failOnSeverity: .critical, failOnRisk: 70, failOnKEV: true, failOnSSVCAct: false, failOnSLABreach: false))
        #expect(policy.baseline == "develop")
        #expect(throws: InventoryFileError.self) { try PolicyFile.read(Data("sla:\n  days: {high: 0}\n".utf8), file: "p.yaml") }
        #expect(throws: InventoryFileError.self) { try PolicyFile.read(Data("gate:\n  fail_on: {risk: 200}\n".utf8), file: "p.yaml") }
    }
}
