import ArgumentParser
import Foundation
import RampartCore
import RampartImporters
import RampartSQLite
import RampartStore

extension Severity: ExpressibleByArgument {}
extension FindingCategory: ExpressibleByArgument {}
extension FindingSort: ExpressibleByArgument {}

struct FindingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "findings", abstract: "List findings, most severe first.")

    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "Only this application.") var app: String?
    @Option(name: .long, help: "Only this component.") var component: String?
    @Option(name: .long, help: "Only this tool (e.g. Trivy, Semgrep).") var tool: String?
    @Option(name: .long, help: "Only this category: \(FindingCategory.allCases.map(\.rawValue).joined(separator: ", ")).")
    var category: FindingCategory?
    @Option(name: .long, help: "Minimum severity: critical, high, medium, low, info.") var severity: Severity?
    @Option(
        name: .long,
        help: "Statuses, comma-separated: new, open, reopened, fixed; 'active' (the default) is new,open,reopened; 'all' is every status.")
    var status: String = "active"
    @Option(name: .long, help: "Sort by: \(FindingSort.allCases.map(\.rawValue).joined(separator: ", ")).") var sort: FindingSort = .severity
    @Option(name: .long, help: "At most this many findings.") var limit: Int?
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func statuses() throws -> [FindingStatus] { try Self.statuses(status, all: []) }

    /// `--status`: comma-separated statuses, `active` for new, open and reopened, and `all`
    /// for what the caller means by every status.
    static func statuses(_ text: String, all: [FindingStatus]) throws -> [FindingStatus] {
        var result: [FindingStatus] = []
        for word in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) {
            switch word {
            case "active": result += [.new, .open, .reopened]
            case "all": return all
            default:
                guard let parsed = FindingStatus(rawValue: word) else { throw ValidationError("unknown status '\(word)'") }
                result.append(parsed)
            }
        }
        return result
    }

    func validate() throws {
        _ = try statuses()
        if let limit, limit < 1 { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        let store = try database.openStore()
        let query = FindingQuery(
            application: app, component: component, tool: tool, category: category, minimumSeverity: severity, statuses: try statuses(),
            sort: sort, limit: limit)
        let findings = try await store.findings(query)
        if json {
            print(JSONOut.array(findings.map(Self.jsonObject)))
            return
        }
        if findings.isEmpty {
            print("No findings match.")
            return
        }
        let rows = findings.map { finding -> [String] in
            let place: String
            if let file = finding.filePath, finding.locationKind != "package" {
                place = file + (finding.line.map { ":\($0)" } ?? "")
            } else if let name = finding.componentName {
                place = name + (finding.componentVersion.map { "@\($0)" } ?? "")
            } else {
                place = finding.url ?? finding.host ?? ""
            }
            return [
                String(finding.id), finding.severity.rawValue.uppercased(), finding.status.rawValue + (finding.suppressed ? "*" : ""),
                finding.application + "/" + finding.component, finding.tool, truncate(finding.ruleID, 28), truncate(finding.title, 60),
                truncate(place, 50),
            ]
        }
        // VEX statuses get a column when any finding has one.
        if findings.contains(where: { $0.vex != nil }) {
            let withVEX = zip(rows, findings).map { row, finding in
                row + [finding.vex.map { "\($0.statement.status.rawValue) (\($0.document))" } ?? ""]
            }
            print(table(["ID", "SEVERITY", "STATUS", "APP/COMPONENT", "TOOL", "RULE", "TITLE", "WHERE", "VEX"], withVEX))
        } else {
            print(table(["ID", "SEVERITY", "STATUS", "APP/COMPONENT", "TOOL", "RULE", "TITLE", "WHERE"], rows))
        }
        print("\n\(findings.count) finding(s)" + (findings.contains { $0.suppressed } ? "; * suppressed by the tool or a VEX statement" : ""))
    }

    static func jsonObject(_ finding: StoredFinding) -> String {
        JSONOut.object([
            ("id", String(finding.id)), ("app", JSONOut.string(finding.application)), ("component", JSONOut.string(finding.component)),
            ("tool", JSONOut.string(finding.tool)), ("branch", JSONOut.string(finding.branch)),
            ("category", JSONOut.string(finding.category.rawValue)),
            ("rule_id", JSONOut.string(finding.ruleID)), ("title", JSONOut.string(finding.title)),
            ("severity", JSONOut.string(finding.severity.rawValue)), ("tool_severity", JSONOut.string(finding.toolSeverity)),
            ("confidence", JSONOut.string(finding.confidence?.rawValue)), ("status", JSONOut.string(finding.status.rawValue)),
            ("suppressed", JSONOut.bool(finding.suppressed)), ("cwe", JSONText.array(finding.cwes)),
            ("vulnerability_ids", JSONText.array(finding.vulnerabilityIDs)), ("location_kind", JSONOut.string(finding.locationKind)),
            ("component_name", JSONOut.string(finding.componentName)), ("component_version", JSONOut.string(finding.componentVersion)),
            ("purl", JSONOut.string(finding.purl)), ("file_path", JSONOut.string(finding.filePath)), ("line", JSONOut.int(finding.line)),
            ("url", JSONOut.string(finding.url)), ("host", JSONOut.string(finding.host)), ("cvss_vector", JSONOut.string(finding.cvssVector)),
            ("cvss_score", JSONOut.double(finding.cvssScore)), ("secret_preview", JSONOut.string(finding.secretPreview)),
            ("fingerprint", JSONOut.string(finding.fingerprint)), ("first_seen", JSONOut.string(isoTimestamp(finding.firstSeen))),
            ("last_seen", JSONOut.string(isoTimestamp(finding.lastSeen))), ("occurrences", String(finding.occurrences)),
            ("vex", finding.vex.map(Self.vexObject) ?? "null"), ("issue_id", JSONOut.int(finding.issueID.map(Int.init))),
            ("exploit_maturity", JSONOut.string(finding.exploitMaturity?.rawValue)),
        ])
    }

    static func vexObject(_ applied: AppliedVEX) -> String {
        JSONOut.object([
            ("status", JSONOut.string(applied.statement.status.rawValue)), ("justification", JSONOut.string(applied.statement.justification)),
            ("detail", JSONOut.string(applied.statement.detail)), ("document", JSONOut.string(applied.document)),
            ("source", JSONOut.string(applied.source)), ("scan_id", String(applied.scanID)),
        ])
    }
}

struct ScansCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scans", abstract: "List imports, newest first.")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Only this application.") var app: String?
    @Option(name: .long, help: "At most this many scans.") var limit: Int?
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        let scans = try await database.openStore().scans(application: app, limit: limit)
        if json {
            print(
                JSONOut.array(
                    scans.map { scan in
                        JSONOut.object([
                            ("id", String(scan.id)), ("app", JSONOut.string(scan.application)), ("component", JSONOut.string(scan.component)),
                            ("tool", JSONOut.string(scan.tool)), ("branch", JSONOut.string(scan.branch)),
                            ("stream", JSONOut.string(scan.scope.summary)), ("file", JSONOut.string(scan.fileName)),
                            ("format", JSONOut.string(scan.format)), ("tool_version", JSONOut.string(scan.toolVersion)),
                            ("imported_at", JSONOut.string(isoTimestamp(scan.importedAt))), ("findings", String(scan.findings)),
                            ("new", String(scan.new)), ("unchanged", String(scan.unchanged)), ("reopened", String(scan.reopened)),
                            ("fixed", String(scan.fixed)), ("closed_missing", JSONOut.bool(scan.closedMissing)),
                            ("diagnostics", JSONOut.array(scan.diagnostics.map(\.jsonText))),
                        ])
                    }))
            return
        }
        if scans.isEmpty {
            print("No scans imported yet. Try: rampart import REPORT --app NAME")
            return
        }
        print(
            table(
                ["ID", "IMPORTED", "APP/COMPONENT", "TOOL", "STREAM", "FILE", "FINDINGS", "NEW", "UNCHANGED", "REOPENED", "FIXED"],
                scans.map { scan in
                    [
                        String(scan.id), isoTimestamp(scan.importedAt).prefix(19).replacingOccurrences(of: "T", with: " "),
                        scan.application + "/" + scan.component, scan.tool + (scan.branch.isEmpty ? "" : "@\(scan.branch)"),
                        truncate(scan.scope.summary, 40), truncate(scan.fileName, 40),
                        String(scan.findings), String(scan.new), String(scan.unchanged), String(scan.reopened),
                        String(scan.fixed) + (scan.closedMissing ? "" : " (not closing)"),
                    ]
                }))
    }
}

struct AppsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apps", abstract: "List applications with their active findings.")

    @OptionGroup var database: DatabaseOptions
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        let store = try database.openStore()
        let applications = try await store.applications()
        let inventory = try await store.inventory()
        let coverage = Dictionary(
            grouping: inventory.coverage(scans: try await CoverageCommand.coverageScans(store), now: try Clock.now()), by: \.application)
        func counts(_ name: String) -> (covered: Int, stale: Int, missing: Int)? {
            guard inventory.application(named: name) != nil else { return nil }
            let entries = coverage[name] ?? []
            return (
                entries.filter { $0.state == .covered }.count, entries.filter { $0.state == .stale }.count,
                entries.filter { $0.state == .missing }.count
            )
        }
        if json {
            print(
                JSONOut.array(
                    applications.map { application in
                        JSONOut.object([
                            ("name", JSONOut.string(application.name)), ("components", JSONText.array(application.components)),
                            ("scans", String(application.scans)), ("active_findings", String(application.activeFindings)),
                            (
                                "active_by_severity",
                                JSONOut.object(Severity.allCases.reversed().map { ($0.rawValue, String(application.activeBySeverity[$0] ?? 0)) })
                            ),
                            ("last_import", JSONOut.string(application.lastImport.map(isoTimestamp))),
                            ("declared", JSONOut.bool(inventory.application(named: application.name) != nil)),
                            ("criticality", JSONOut.string(inventory.application(named: application.name)?.criticality.rawValue)),
                            ("exposure", JSONOut.string(inventory.application(named: application.name)?.exposure.rawValue)),
                            (
                                "coverage",
                                counts(application.name).map {
                                    JSONOut.object([("covered", String($0.covered)), ("stale", String($0.stale)), ("missing", String($0.missing))])
                                } ?? "null"
                            ),
                        ])
                    }))
            return
        }
        if applications.isEmpty {
            print("No applications yet. Importing a report with --app NAME creates one.")
            return
        }
        var rows: [[String]] = []
        for application in applications {
            var row = [
                application.name, application.components.joined(separator: ","), String(application.scans), String(application.activeFindings),
            ]
            for severity in Severity.allCases.reversed() { row.append(String(application.activeBySeverity[severity] ?? 0)) }
            let last = application.lastImport.map { String(isoTimestamp($0).prefix(19)).replacingOccurrences(of: "T", with: " ") }
            row.append(last ?? "-")
            if let counts = counts(application.name) {
                let total = counts.covered + counts.stale + counts.missing
                var text = "\(counts.covered)/\(total) covered"
                if counts.stale > 0 { text += ", \(counts.stale) stale" }
                if counts.missing > 0 { text += ", \(counts.missing) missing" }
                row.append(text)
            } else {
                row.append("not in inventory")
            }
            rows.append(row)
        }
        print(
            table(
                ["APPLICATION", "COMPONENTS", "SCANS", "ACTIVE", "CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO", "LAST IMPORT", "COVERAGE"], rows))
    }
}

struct FormatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "formats", abstract: "List the report formats Rampart reads.")

    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false
    @Flag(name: .long, help: "Print a Markdown table (the README's list).") var markdown = false

    func run() throws {
        let formats = ImportPipeline().formats
        if markdown {
            print(FormatInfo.markdownTable(formats))
            return
        }
        if json {
            print(
                JSONOut.array(
                    formats.map { format in
                        JSONOut.object([
                            ("id", JSONOut.string(format.id)), ("name", JSONOut.string(format.name)), ("tool", JSONOut.string(format.tool)),
                            ("category", JSONOut.string(format.category.rawValue)), ("syntax", JSONOut.string(format.syntax.rawValue)),
                            ("notes", JSONOut.string(format.notes)),
                            ("defectdojo_scan_types", JSONOut.array(format.defectDojoScanTypes.map(JSONOut.string))),
                        ])
                    }))
            return
        }
        print(
            table(
                ["FORMAT", "NAME", "CATEGORY", "SYNTAX", "NOTES"],
                formats.map { [$0.id, $0.name, $0.category.rawValue, $0.syntax.rawValue, $0.notes] }))
        print("\nThe format is detected from the content; --format FORMAT (or a DefectDojo scan type name) overrides detection.")
    }
}

struct PackagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "packages", abstract: "List the packages each component ships, as its latest SBOM lists them.")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Only this application.") var app: String?
    @Option(name: .long, help: "Only this component.") var component: String?
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        let packages = try await database.openStore().packages(application: app).filter { component == nil || $0.component == component }
        if json {
            print(JSONOut.array(packages.map(Self.jsonObject)))
            return
        }
        if packages.isEmpty {
            print("No packages known: import a CycloneDX or SPDX SBOM of a component (rampart import --app A --component C sbom.json).")
            return
        }
        let rows = packages.map { stored -> [String] in
            [
                stored.application + "/" + stored.component + (stored.branch.isEmpty ? "" : "@" + stored.branch),
                truncate(stored.package.name, 40), truncate(stored.package.version ?? "", 24), stored.package.relation?.rawValue ?? "unknown",
                truncate(stored.package.licenses.joined(separator: ", "), 30), truncate(stored.package.purl?.description ?? "", 60),
                truncate(stored.sbomFile, 30),
            ]
        }
        print(table(["APP/COMPONENT", "PACKAGE", "VERSION", "DEPENDENCY", "LICENSES", "PURL", "SBOM"], rows))
        let components = Set(packages.map { [$0.application, $0.component, $0.branch] }).count
        print("\n\(packages.count) package(s) in \(components) component(s)")
    }

    static func jsonObject(_ stored: StoredPackage) -> String {
        JSONOut.object([
            ("app", JSONOut.string(stored.application)), ("component", JSONOut.string(stored.component)),
            ("branch", JSONOut.string(stored.branch)), ("name", JSONOut.string(stored.package.name)),
            ("version", JSONOut.string(stored.package.version)), ("purl", JSONOut.string(stored.package.purl?.description)),
            ("licenses", JSONText.array(stored.package.licenses)), ("dependency", JSONOut.string(stored.package.relation?.rawValue ?? "unknown")),
            (
                "sbom",
                JSONOut.object([
                    ("scan_id", String(stored.scanID)), ("file", JSONOut.string(stored.sbomFile)), ("tool", JSONOut.string(stored.sbomTool)),
                    ("imported_at", JSONOut.string(isoTimestamp(stored.importedAt))),
                ])
            ),
        ])
    }
}
