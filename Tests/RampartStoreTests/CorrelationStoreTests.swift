import Foundation
import RampartCore
import RampartStore
import Testing

/// Each correlation rule both ways: what must be one issue, and what must not. Findings are
/// recorded as the tools' imports would record them, each tool in its own stream.
@Suite("Store conformance: correlation into issues")
struct CorrelationStoreTests {
    static func stream(_ tool: String, component: String = "api") -> StreamKey {
        StreamKey(application: "shop", component: component, tool: tool)
    }

    static func record(_ store: any Store, _ tool: String, _ findings: [Finding], content: String, component: String = "api") async throws {
        var submission = await submission(findings, stream: stream(tool, component: component), content: content)
        submission.tool = ToolInfo(name: tool)
        _ = try await store.record(submission)
    }

    static func package(
        _ tool: String, rule: String, ids: [String], purl: String, name: String, severity: Severity = .high, category: FindingCategory = .sca
    ) -> Finding {
        Finding(
            category: category, tool: ToolInfo(name: tool), ruleID: rule, title: "\(rule) in \(name)", severity: severity,
            vulnerabilityIDs: ids.compactMap(VulnerabilityID.init),
            location: .package(PackageLocation(purl: PackageURL(parsing: purl), name: name, version: PackageURL(parsing: purl)?.version)))
    }

    static func code(_ tool: String, rule: String, file: String, line: Int, cwes: [Int], severity: Severity = .high) -> Finding {
        Finding(
            category: .sast, tool: ToolInfo(name: tool), ruleID: rule, title: "\(tool) \(rule)", severity: severity, cwes: cwes,
            location: .code(CodeLocation(file: file, startLine: line)))
    }

    static func iac(_ tool: String, rule: String, file: String, resource: String, line: Int) -> Finding {
        Finding(
            category: .iac, tool: ToolInfo(name: tool), ruleID: rule, title: "\(tool) \(rule)", severity: .medium,
            location: .iac(IaCLocation(file: file, resource: resource, startLine: line)))
    }

    static func secret(_ tool: String, file: String, line: Int, value: String) -> Finding {
        Finding(
            category: .secrets, tool: ToolInfo(name: tool), ruleID: "aws-access-key", title: "AWS access key", severity: .critical, cwes: [798],
            location: .code(CodeLocation(file: file, startLine: line)), secret: SecretEvidence(secret: value, salt: Array("salt".utf8)))
    }

    static func endpoint(_ tool: String, rule: String, url: String, method: String? = "GET", parameter: String? = nil, cwes: [Int]) -> Finding {
        Finding(
            category: .dast, tool: ToolInfo(name: tool), ruleID: rule, title: "\(tool) \(rule)", severity: .high, cwes: cwes,
            location: .endpoint(EndpointLocation(url: url, method: method, parameter: parameter)))
    }

    /// The issues as sets of `tool rule` strings, for comparison.
    static func groups(_ store: any Store) async throws -> Set<Set<String>> {
        Set(
            try await store.issues(IssueQuery(statuses: FindingStatus.allCases)).map {
                Set($0.members.map { "\($0.finding.tool) \($0.finding.ruleID)" })
            })
    }

    @Test("SCA: one advisory in one package is one issue across tools, by alias; two advisories are two", arguments: StoreBackend.all)
    func advisories(backend: StoreBackend) async throws {
        let store = try backend.make()
        try await Self.record(
            store, "Trivy",
            [
                Self.package(
                    "Trivy", rule: "CVE-2021-23337", ids: ["CVE-2021-23337", "GHSA-35jh-r3h4-6jhm"], purl: "pkg:npm/lodash@4.17.15", name: "lodash"),
                Self.package("Trivy", rule: "CVE-2020-8203", ids: ["CVE-2020-8203"], purl: "pkg:npm/lodash@4.17.15", name: "lodash"),
            ], content: "trivy")
        // npm audit names only the GHSA, at another version of the package.
        try await Self.record(
            store, "npm audit",
            [Self.package("npm audit", rule: "1096305", ids: ["GHSA-35jh-r3h4-6jhm"], purl: "pkg:npm/lodash@4.17.19", name: "lodash")], content: "npm"
        )
        #expect(try await Self.groups(store) == [["trivy CVE-2021-23337", "npm-audit 1096305"], ["trivy CVE-2020-8203"]])
        let merged = try #require(try await store.issues(IssueQuery()).first { $0.members.count == 2 })
        #expect(merged.vulnerabilityIDs == ["CVE-2021-23337", "GHSA-35jh-r3h4-6jhm"])
        #expect(merged.members.last?.rule == .sameAdvisory && merged.members.last?.confidence == .high)
        // The other advisory of the package is related, not merged.
        let all = try await store.issues(IssueQuery())
        let other = try #require(all.first { $0.members.count == 1 })
        #expect(merged.related(among: all).map(\.id) == [other.id])
        #expect(merged.related(among: all).first?.reason.contains("same package, npm/lodash") == true)
        // The same advisory in another component is another issue.
        try await Self.record(
            store, "Trivy",
            [Self.package("Trivy", rule: "CVE-2021-23337", ids: ["CVE-2021-23337"], purl: "pkg:npm/lodash@4.17.15", name: "lodash")],
            content: "web", component: "web")
        #expect(try await store.issues(IssueQuery()).count == 3)
    }

    @Test(
        "SAST: Bandit and Semgrep on one SQL injection at shifted lines and path prefixes are one issue; two weaknesses on one line are two",
        arguments: StoreBackend.all)
    func codeWeaknesses(backend: StoreBackend) async throws {
        let store = try backend.make()
        try await Self.record(
            store, "Bandit",
            [
                Self.code("Bandit", rule: "B608", file: "vulnerable-app/app/server.py", line: 20, cwes: [89], severity: .medium),
                Self.code("Bandit", rule: "B602", file: "vulnerable-app/app/server.py", line: 27, cwes: [78]),
            ], content: "bandit")
        try await Self.record(
            store, "Semgrep",
            [
                // CWE-943 is SQL injection's parent class; the line is the statement's start.
                Self.code("Semgrep", rule: "tainted-sql-string", file: "/src/app/server.py", line: 18, cwes: [943]),
                // Another weakness on the SQL line: not the same problem.
                Self.code("Semgrep", rule: "reflected-xss", file: "app/server.py", line: 20, cwes: [79]),
                // Same weakness, another file with the same name.
                Self.code("Semgrep", rule: "subprocess-shell-true", file: "tools/server.py", line: 27, cwes: [78]),
            ], content: "semgrep")
        // CodeQL names no CWE for its query here: the rule table says it is SQL injection.
        try await Self.record(
            store, "CodeQL", [Self.code("CodeQL", rule: "py/sql-injection", file: "app/server.py", line: 21, cwes: [])], content: "codeql")
        #expect(
            try await Self.groups(store) == [
                ["bandit B608", "semgrep tainted-sql-string", "codeql py/sql-injection"], ["bandit B602"], ["semgrep reflected-xss"],
                ["semgrep subprocess-shell-true"],
            ])
        let sql = try #require(try await store.issues(IssueQuery()).first { $0.members.count == 3 })
        #expect(sql.severity == .high, "the highest any tool gives")
        #expect(sql.tools == ["bandit", "semgrep", "codeql"])
        // XSS on the SQL line is another problem at the same place: related, not merged.
        let all = try await store.issues(IssueQuery())
        let xss = try #require(all.first { $0.members.first?.finding.ruleID == "reflected-xss" })
        #expect(sql.related(among: all).map(\.id) == [xss.id])
        // Lines further apart than the window are different places.
        try await Self.record(store, "Gosec", [Self.code("Gosec", rule: "G201", file: "app/server.py", line: 40, cwes: [89])], content: "gosec")
        #expect(try await store.issues(IssueQuery()).count == 5)
    }

    @Test("IaC: Checkov and Trivy on one S3 bucket control are one issue; the same control on two resources is two", arguments: StoreBackend.all)
    func controls(backend: StoreBackend) async throws {
        let store = try backend.make()
        try await Self.record(
            store, "Checkov",
            [
                Self.iac("Checkov", rule: "CKV_AWS_19", file: "/infra/main.tf", resource: "aws_s3_bucket.data", line: 1),
                Self.iac("Checkov", rule: "CKV_AWS_19", file: "/infra/main.tf", resource: "aws_s3_bucket.logs", line: 12),
                Self.iac("Checkov", rule: "CKV_AWS_21", file: "/infra/main.tf", resource: "aws_s3_bucket.data", line: 1),
            ], content: "checkov")
        try await Self.record(
            store, "Trivy", [Self.iac("Trivy", rule: "AVD-AWS-0088", file: "infra/main.tf", resource: "aws_s3_bucket.data", line: 3)],
            content: "trivy")
        try await Self.record(
            store, "KICS",
            [Self.iac("KICS", rule: "6726dcc0-5ff5-459d-b473-a780bef7665c", file: "infra/main.tf", resource: "aws_s3_bucket.logs", line: 12)],
            content: "kics")
        #expect(
            try await Self.groups(store) == [
                ["checkov CKV_AWS_19", "trivy AVD-AWS-0088"], ["checkov CKV_AWS_19", "kics 6726dcc0-5ff5-459d-b473-a780bef7665c"],
                ["checkov CKV_AWS_21"],
            ])
    }

    @Test("Secrets: one secret in two files found by two tools is one credential to rotate", arguments: StoreBackend.all)
    func secrets(backend: StoreBackend) async throws {
        let store = try backend.make()
        try await Self.record(
            store, "Gitleaks", [Self.secret("Gitleaks", file: "config/settings.py", line: 3, value: "AKIAIOSFODNN7EXAMPLE")], content: "gl")
        try await Self.record(
            store, "TruffleHog",
            [
                Self.secret("TruffleHog", file: "deploy/env.sh", line: 9, value: "AKIAIOSFODNN7EXAMPLE"),
                Self.secret("TruffleHog", file: "deploy/env.sh", line: 10, value: "AKIAI44QH8DHBEXAMPLE"),
            ], content: "th")
        let issues = try await store.issues(IssueQuery())
        #expect(issues.count == 2)
        let shared = try #require(issues.first { $0.members.count == 2 })
        #expect(Set(shared.locations) == ["config/settings.py:3", "deploy/env.sh:9"])
        #expect(shared.members.last?.rule == .sameSecret)
    }

    @Test("DAST: ZAP and Nuclei on one endpoint template are one issue; another weakness there is another", arguments: StoreBackend.all)
    func endpoints(backend: StoreBackend) async throws {
        let store = try backend.make()
        try await Self.record(
            store, "ZAP",
            [
                Self.endpoint("ZAP", rule: "40018", url: "https://shop.example.com/users/42?sort=asc", parameter: "sort", cwes: [89]),
                Self.endpoint("ZAP", rule: "40012", url: "https://shop.example.com/users/42", parameter: "name", cwes: [79]),
            ], content: "zap")
        try await Self.record(
            store, "Nuclei", [Self.endpoint("Nuclei", rule: "sqli-error-based", url: "https://shop.example.com/users/7", method: nil, cwes: [89])],
            content: "nuclei")
        #expect(try await Self.groups(store) == [["zap 40018", "nuclei sqli-error-based"], ["zap 40012"]])
        let issues = try await store.issues(IssueQuery())
        #expect(issues.allSatisfy { $0.related(among: issues).count == 1 }, "another weakness at the same endpoint is related")
    }

    @Test("DAST confirms SAST where the inventory maps the route to the file", arguments: StoreBackend.all)
    func dastConfirmsSAST(backend: StoreBackend) async throws {
        let store = try backend.make()
        _ = try await store.applyInventory(
            Inventory(applications: [
                ApplicationDeclaration(
                    name: "shop",
                    components: [ComponentDeclaration(name: "api", routes: [RouteDeclaration(path: "/login", files: ["app/views/auth.py"])])])
            ]), source: "inventory.yaml", actor: "test", at: epoch)
        try await Self.record(store, "Bandit", [Self.code("Bandit", rule: "B608", file: "src/app/views/auth.py", line: 14, cwes: [89])], content: "b")
        try await Self.record(
            store, "ZAP", [Self.endpoint("ZAP", rule: "40018", url: "https://shop.example.com/login", method: "POST", cwes: [89])], content: "z")
        let issues = try await store.issues(IssueQuery())
        #expect(issues.count == 1)
        #expect(issues.first?.confirmedByDAST == true)
        #expect(issues.first?.members.last?.rule == .dastConfirmsSAST)
    }

    @Test("correlating the reports in any order gives the same issues", arguments: StoreBackend.all)
    func orderIndependence(backend: StoreBackend) async throws {
        let reports: [(String, [Finding])] = [
            ("Bandit", [Self.code("Bandit", rule: "B608", file: "app/server.py", line: 20, cwes: [89])]),
            ("Semgrep", [Self.code("Semgrep", rule: "sqli", file: "x/app/server.py", line: 21, cwes: [89])]),
            ("Trivy", [Self.package("Trivy", rule: "CVE-2021-23337", ids: ["CVE-2021-23337"], purl: "pkg:npm/lodash@4.17.15", name: "lodash")]),
            (
                "OSV-Scanner",
                [
                    Self.package(
                        "OSV-Scanner", rule: "GHSA-35jh-r3h4-6jhm", ids: ["GHSA-35jh-r3h4-6jhm", "CVE-2021-23337"], purl: "pkg:npm/lodash@4.17.21",
                        name: "lodash")
                ]
            ),
        ]
        var results: Set<Set<Set<String>>> = []
        for order in [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3, 0, 2]] {
            let store = try backend.make()
            for index in order { try await Self.record(store, reports[index].0, reports[index].1, content: reports[index].0) }
            results.insert(try await Self.groups(store))
        }
        #expect(results.count == 1)
        #expect(results.first?.count == 2)
    }

    @Test(
        "SCA: an advisory that gains its CVE on a rescan joins the issue other tools report under it, leaves when it loses it, and stays where a person put it",
        arguments: StoreBackend.all)
    func aliasChanges(backend: StoreBackend) async throws {
        let store = try backend.make()
        func npmAudit(_ ids: [String], content: String) async throws -> ImportOutcome {
            var submission = await submission(
                [Self.package("npm audit", rule: "1096305", ids: ids, purl: "pkg:npm/lodash@4.17.19", name: "lodash")],
                stream: Self.stream("npm audit"), content: content)
            submission.tool = ToolInfo(name: "npm audit")
            return try await store.record(submission)
        }
        try await Self.record(
            store, "Trivy", [Self.package("Trivy", rule: "CVE-2021-23337", ids: ["CVE-2021-23337"], purl: "pkg:npm/lodash@4.17.15", name: "lodash")],
            content: "trivy")
        // npm audit first names only the GHSA: nothing says it is Trivy's CVE.
        _ = try await npmAudit(["GHSA-35jh-r3h4-6jhm"], content: "npm1")
        #expect(try await Self.groups(store) == [["trivy CVE-2021-23337"], ["npm-audit 1096305"]])
        // The advisory gains its CVE: the same finding (not a new one) joins Trivy's issue, and its old issue goes.
        let gained = try await npmAudit(["GHSA-35jh-r3h4-6jhm", "CVE-2021-23337"], content: "npm2")
        #expect((gained.new, gained.unchanged, gained.fixed) == (0, 1, 0))
        #expect(try await Self.groups(store) == [["trivy CVE-2021-23337", "npm-audit 1096305"]])
        let joined = try #require(try await store.issues(IssueQuery()).first)
        #expect(joined.members.last?.rule == .sameAdvisory)
        // It loses the CVE again: it no longer meets Trivy's finding, so it leaves for an issue of its own.
        _ = try await npmAudit(["GHSA-35jh-r3h4-6jhm"], content: "npm3")
        #expect(try await Self.groups(store) == [["trivy CVE-2021-23337"], ["npm-audit 1096305"]])
        // A person merges the two; when the advisory changes again, the person's decision stands.
        let issues = try await store.issues(IssueQuery())
        let trivyIssue = try #require(issues.first { $0.members.first?.finding.tool == "trivy" })
        let npmIssue = try #require(issues.first { $0.members.first?.finding.tool == "npm-audit" })
        try await store.mergeIssues(into: trivyIssue.id, from: [npmIssue.id], reason: "same advisory", actor: "test", at: epoch)
        _ = try await npmAudit(["GHSA-35jh-r3h4-6jhm", "GHSA-0000-1111-2222"], content: "npm4")
        #expect(try await Self.groups(store) == [["trivy CVE-2021-23337", "npm-audit 1096305"]])
    }

    @Test(
        "a second tool's large report joins the first tool's issues and opens the rest, each scored as a full rescore scores it",
        arguments: StoreBackend.all)
    func largeSecondTool(backend: StoreBackend) async throws {
        // Large enough that the import reads the component's keys and scores beside the write
        // only the findings that meet none. Half of Semgrep's findings are far from Bandit's in
        // the same files: their keys meet Bandit's but they open issues of their own.
        let store = try backend.make()
        let files = 2_500
        let bandit = (0..<files).map { Self.code("Bandit", rule: "B608", file: "app/m\($0).py", line: 10, cwes: [89], severity: .medium) }
        let semgrep = (0..<files).map {
            Self.code("Semgrep", rule: "sqli", file: "app/m\($0).py", line: $0.isMultiple(of: 2) ? 11 : 500, cwes: [89], severity: .critical)
        }
        let others = (0..<10).map { Self.code("Semgrep", rule: "xss", file: "web/v\($0).js", line: 3, cwes: [79], severity: .low) }
        try await Self.record(store, "Bandit", bandit, content: "bandit")
        try await Self.record(store, "Semgrep", semgrep + others, content: "semgrep")
        let issues = try await store.issues(IssueQuery(limit: nil))
        #expect(issues.count == files + files / 2 + 10)
        #expect(issues.filter { $0.members.count == 2 }.count == files / 2)
        let scored = Dictionary(uniqueKeysWithValues: issues.map { ($0.id, $0.assessment) })
        #expect(scored.values.allSatisfy { $0 != nil })
        _ = try await store.rescoreIssues(at: epoch)
        let rescored = try await store.issues(IssueQuery(limit: nil))
        #expect(rescored.allSatisfy { scored[$0.id] == $0.assessment })
        // Joining raised the shared issues to the second tool's severity.
        #expect(rescored.filter { $0.members.count == 2 }.allSatisfy { $0.severity == .critical })
    }

    @Test("a merge and a split survive reimports and a rebuild; a reimport changes no issue", arguments: StoreBackend.all)
    func decisionsSurvive(backend: StoreBackend) async throws {
        let store = try backend.make()
        let bandit = [
            Self.code("Bandit", rule: "B608", file: "app/server.py", line: 20, cwes: [89]),
            Self.code("Bandit", rule: "B105", file: "app/settings.py", line: 3, cwes: [259]),
        ]
        let semgrep = [Self.code("Semgrep", rule: "sqli", file: "app/server.py", line: 20, cwes: [89])]
        try await Self.record(store, "Bandit", bandit, content: "b1")
        try await Self.record(store, "Semgrep", semgrep, content: "s1")
        var issues = try await store.issues(IssueQuery())
        #expect(issues.count == 2)
        let sql = try #require(issues.first { $0.members.count == 2 })
        let password = try #require(issues.first { $0.members.count == 1 })
        // A person splits Semgrep's finding off, and merges the password finding into the SQL issue.
        let semgrepID = try #require(sql.members.first { $0.finding.tool == "semgrep" }?.finding.id)
        let split = try await store.splitIssue(findings: [semgrepID], reason: "different query", actor: "test", at: epoch)
        try await store.mergeIssues(into: sql.id, from: [password.id], reason: "same root cause", actor: "test", at: epoch)
        let decided = try await Self.groups(store)
        #expect(decided == [["bandit B608", "bandit B105"], ["semgrep sqli"]])
        // A rescan of either tool changes nothing; neither does a rebuild.
        try await Self.record(store, "Bandit", bandit, content: "b2")
        try await Self.record(store, "Semgrep", semgrep, content: "s2")
        #expect(try await Self.groups(store) == decided)
        #expect(try await store.issues(IssueQuery(ids: [split])).first?.members.map(\.rule) == [.splitByPerson])
        _ = try await store.rebuildCorrelation(actor: "test", at: epoch)
        #expect(try await Self.groups(store) == decided)
        issues = try await store.issues(IssueQuery())
        #expect(issues.count == 2)
        // Invalid decisions change nothing.
        await #expect(throws: IssueDecisionError.self) {
            try await store.mergeIssues(into: issues[0].id, from: [issues[0].id], reason: "x", actor: "test", at: epoch)
        }
        #expect(try await Self.groups(store) == decided)
    }

    @Test("an issue is active while any finding is, fixed when all are, reopened when one comes back", arguments: StoreBackend.all)
    func issueLifecycle(backend: StoreBackend) async throws {
        let store = try backend.make()
        let bandit = Self.code("Bandit", rule: "B608", file: "app/server.py", line: 20, cwes: [89])
        let semgrep = Self.code("Semgrep", rule: "sqli", file: "app/server.py", line: 20, cwes: [89])
        let other = Self.code("Semgrep", rule: "xss", file: "app/views.py", line: 5, cwes: [79])
        try await Self.record(store, "Bandit", [bandit], content: "b1")
        try await Self.record(store, "Semgrep", [semgrep, other], content: "s1")
        func sqlStatus() async throws -> FindingStatus? {
            try await store.issues(IssueQuery(statuses: FindingStatus.allCases)).first { $0.tools.count == 2 }?.status
        }
        #expect(try await sqlStatus() == .new)
        try await Self.record(store, "Semgrep", [other], content: "s2")
        #expect(try await sqlStatus() == .new, "Bandit still reports it")
        try await Self.record(store, "Bandit", [Self.code("Bandit", rule: "B101", file: "t.py", line: 1, cwes: [703])], content: "b2")
        #expect(try await sqlStatus() == .fixed)
        #expect(try await store.issues(IssueQuery()).allSatisfy { $0.tools.count == 1 })
        try await Self.record(store, "Semgrep", [semgrep, other], content: "s3")
        #expect(try await sqlStatus() == .reopened)
    }
}
