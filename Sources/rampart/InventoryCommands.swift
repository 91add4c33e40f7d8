import ArgumentParser
import Foundation
import RampartCore
import RampartImporters
import RampartInventory
import RampartStore

struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Show, apply or export the application inventory (docs/inventory.md).",
        subcommands: [InventoryShowCommand.self, InventoryApplyCommand.self, InventoryExportCommand.self],
        defaultSubcommand: InventoryShowCommand.self)
}

struct InventoryShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the applications and components the inventory declares.")

    @OptionGroup var database: DatabaseOptions
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        let inventory = try await database.openStore().inventory()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(inventory.applications.map(ApplicationJSON.init)), as: UTF8.self))
            return
        }
        if inventory.applications.isEmpty {
            print("The inventory is empty. Declare applications in a YAML file and run `rampart inventory apply FILE` (see docs/inventory.md).")
            return
        }
        var rows: [[String]] = []
        for application in inventory.applications {
            for component in application.components {
                var targets: [String] = component.repositories.map { $0.path.isEmpty ? $0.url : "\($0.url) (\($0.path)/)" }
                targets += component.images + component.urls + component.hosts + component.cloud.map { "cloud \($0.account)" } + component.packages
                rows.append([
                    application.name, component.name, application.criticality.rawValue, (component.exposure ?? application.exposure).rawValue,
                    application.deployedToProduction ? "yes" : "no", application.data.map(\.rawValue).joined(separator: ","),
                    application.owner ?? application.team ?? "-", component.expectedCategories.map(\.rawValue).joined(separator: ","),
                    targets.joined(separator: " "),
                ])
            }
            if application.components.isEmpty {
                rows.append([
                    application.name, "-", application.criticality.rawValue, application.exposure.rawValue,
                    application.deployedToProduction ? "yes" : "no", application.data.map(\.rawValue).joined(separator: ","),
                    application.owner ?? application.team ?? "-", "-", "-",
                ])
            }
        }
        print(table(["APPLICATION", "COMPONENT", "CRITICALITY", "EXPOSURE", "PRODUCTION", "DATA", "OWNER", "EXPECTS", "TARGETS"], rows))
    }
}

/// The inventory as `inventory --json` prints it: the file's field names.
struct ApplicationJSON: Encodable {
    var name: String
    var owner: String?
    var team: String?
    var criticality: Criticality
    var data: [DataClassification]
    var exposure: Exposure
    var environments: [DeploymentEnvironment]
    var production: Bool
    var stale_after: Int
    var components: [ComponentJSON]

    init(_ application: ApplicationDeclaration) {
        name = application.name
        owner = application.owner
        team = application.team
        criticality = application.criticality
        data = application.data
        exposure = application.exposure
        environments = application.environments
        production = application.deployedToProduction
        stale_after = application.staleAfterDays ?? Inventory.defaultStaleAfterDays
        components = application.components.map { ComponentJSON($0, application: application) }
    }

    struct ComponentJSON: Encodable {
        var name: String
        var repositories: [RepositoryDeclaration]
        var iac: [String]
        var images: [String]
        var urls: [String]
        var hosts: [String]
        var cloud: [CloudDeclaration]
        var packages: [String]
        var expect: [FindingCategory]
        var stale_after: Int
        var exposure: Exposure
        var routes: [RouteDeclaration]

        init(_ component: ComponentDeclaration, application: ApplicationDeclaration) {
            name = component.name
            repositories = component.repositories
            iac = component.iac
            images = component.images
            urls = component.urls
            hosts = component.hosts
            cloud = component.cloud
            packages = component.packages
            expect = component.expectedCategories
            stale_after = component.staleAfterDays ?? application.staleAfterDays ?? Inventory.defaultStaleAfterDays
            exposure = component.exposure ?? application.exposure
            routes = component.routes
        }
    }
}

struct InventoryApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Validate an inventory file, show what it changes, and apply it in one transaction.",
        discussion: """
            The file (YAML or JSON) replaces the whole inventory. A file with any problem is refused \
            with each problem's line and field, and nothing is applied. Applications and components \
            the file no longer declares lose their declaration; their imported findings stay.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions
    @Argument(help: "The inventory file.") var file: String
    @Flag(name: .long, help: "Validate and show the changes without applying them.") var dryRun = false
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("\(file): cannot be read") }
        let inventory: Inventory
        do {
            inventory = try InventoryFile.read(data, file: file)
        } catch {
            throw CLIError(error.description)
        }
        let store = try database.openStore()
        let changes =
            dryRun
            ? try await store.inventory().changes(to: inventory)
            : try await store.applyInventory(inventory, source: file, actor: actor.name, at: try Clock.now())
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(
                JSONOut.object([
                    ("applied", JSONOut.bool(!dryRun)), ("applications", String(inventory.applications.count)),
                    ("components", String(inventory.applications.map(\.components.count).reduce(0, +))),
                    ("changes", String(decoding: try encoder.encode(changes), as: UTF8.self)),
                ]))
            return
        }
        if changes.isEmpty {
            print("\(file): no changes (\(inventory.applications.count) applications).")
            return
        }
        for change in changes {
            let mark =
                switch change.kind {
                case .added: "+"
                case .removed: "-"
                case .changed: "~"
                }
            let kind = change.component == nil ? "application" : "component"
            let fields = change.fields.isEmpty ? "" : " (\(change.fields.joined(separator: ", ")))"
            print("\(mark) \(kind) \(change.subject)\(fields)")
        }
        let counts = [InventoryChange.Kind.added, .changed, .removed].map { kind in "\(changes.filter { $0.kind == kind }.count) \(kind.rawValue)" }
        print(dryRun ? "Dry run: nothing applied (\(counts.joined(separator: ", ")))." : "Applied: \(counts.joined(separator: ", ")).")
    }
}

struct InventoryExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write the inventory as an inventory file (YAML).")

    @OptionGroup var database: DatabaseOptions
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

    func run() async throws {
        let text = try InventoryFile.yaml(try await database.openStore().inventory())
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: Data(text.utf8)) else { throw CLIError("\(output): cannot be written") }
        } else {
            print(text, terminator: "")
        }
    }
}

struct CoverageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "For each declared component and each scan category it should have: who covered it, when, and whether that is current.",
        discussion: """
            Rampart only knows what it is fed. A category is `covered` when an import of it is no \
            older than the component's stale_after (30 days by default), `stale` when it is older, \
            and `missing` when no import ever covered it.
            """)

    @OptionGroup var database: DatabaseOptions
    @Option(name: .long, help: "Only this application.") var app: String?
    @Flag(name: .long, help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        let store = try database.openStore()
        let inventory = try await store.inventory()
        if let app, inventory.application(named: app) == nil { throw CLIError("application '\(app)' is not in the inventory") }
        let entries = inventory.coverage(scans: try await Self.coverageScans(store), now: try Clock.now(), application: app)
        if json {
            print(
                JSONOut.array(
                    entries.map { entry in
                        JSONOut.object([
                            ("app", JSONOut.string(entry.application)), ("component", JSONOut.string(entry.component)),
                            ("category", JSONOut.string(entry.category.rawValue)), ("tools", JSONText.array(entry.tools)),
                            ("last_import", JSONOut.string(entry.lastImport.map(isoTimestamp))), ("age_days", JSONOut.int(entry.ageDays)),
                            ("state", JSONOut.string(entry.state.rawValue)),
                        ])
                    }))
            return
        }
        if inventory.applications.isEmpty {
            print("The inventory is empty: coverage is judged against declared components (rampart inventory apply FILE).")
            return
        }
        let rows = entries.map { entry in
            [
                entry.application, entry.component, entry.category.rawValue, entry.state.rawValue.uppercased(),
                entry.tools.isEmpty ? "-" : entry.tools.joined(separator: ","),
                entry.lastImport.map { String(isoTimestamp($0).prefix(10)) } ?? "-", entry.ageDays.map { "\($0) d" } ?? "-",
            ]
        }
        print(table(["APPLICATION", "COMPONENT", "CATEGORY", "STATE", "TOOLS", "LAST IMPORT", "AGE"], rows))
        let missing = entries.filter { $0.state == .missing }.count
        let stale = entries.filter { $0.state == .stale }.count
        print("\n\(entries.count - missing - stale) covered, \(stale) stale, \(missing) missing.")
        let undeclared = try await store.applications().flatMap { application in
            application.components.filter { inventory.application(named: application.name)?.component(named: $0) == nil }.map {
                "\(application.name)/\($0)"
            }
        }
        if !undeclared.isEmpty {
            print("Not in the inventory, so not judged: \(undeclared.joined(separator: ", ")).")
        }
    }

    /// Every import as coverage sees it. An old scan recorded before categories were kept, of a
    /// stream without findings, counts for its format's category.
    static func coverageScans(_ store: some Store) async throws -> [CoverageScan] {
        let pipeline = ImportPipeline()
        return try await store.scans(application: nil, limit: nil).map { scan in
            let categories = scan.categories.isEmpty ? [pipeline.format(named: scan.format)?.category].compactMap { $0 } : scan.categories
            return CoverageScan(
                application: scan.application, component: scan.component, tool: scan.tool, categories: Set(categories), importedAt: scan.importedAt)
        }
    }
}
