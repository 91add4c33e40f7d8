import ArgumentParser
import Foundation
import RampartCore
import RampartImporters
import RampartIngest
import RampartSQLite
import RampartStore

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import scanner reports; the format is detected from the content.",
        discussion: """
            Every file is read and checked before anything is written; a file that cannot be read \
            stops the whole command and changes nothing. Each file is then recorded in its stream \
            (application, component, tool, branch, and what was scanned for what, or --stream) in \
            one transaction; only a later scan of the same stream closes its findings.
            """)

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var actor: ActorOptions

    @Argument(help: "Report files (JSON, JSON Lines, SARIF, XML, CSV, text, or a zip the format is handed out in).")
    var files: [String]

    @Option(
        name: .long,
        help: """
            Application the reports belong to. Without it, each report is placed by what it names \
            (repository, image, URL, host, account, package) in the inventory; with no inventory, \
            reports go to the application 'default'.
            """)
    var app: String?

    @Option(
        name: .long,
        help: "Component of the application (default: the one the inventory matches, else the application name).")
    var component: String?

    @Option(name: .long, help: "Branch or environment of the scan stream.")
    var branch: String = ""

    @Option(
        name: .long,
        help: "Name the scan stream instead of letting the report decide it (e.g. one per CI job that runs the same tool on other targets).")
    var stream: String?

    @Option(name: .long, help: "Skip detection and read the files in this format (see `rampart formats`).")
    var format: String?

    @Flag(name: .long, help: "Let an empty report, or one whose tool reported an error, close missing findings.")
    var allowEmpty = false

    @Option(name: .long, help: "Refuse files larger than this many megabytes.")
    var maxSize: Int = 1024

    @Flag(name: .long, help: "Print machine-readable JSON.")
    var json = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name at least one report file") }
        guard maxSize > 0 else { throw ValidationError("--max-size must be positive") }
        if let app, app.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--app must not be empty") }
        if let component, component.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--component must not be empty") }
        if let stream, stream.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--stream must not be empty") }
        if let format, ImportPipeline().format(named: format) == nil {
            throw ValidationError("unknown format '\(format)'; run `rampart formats` for the list")
        }
    }

    func run() async throws {
        let store = try database.openStore()
        let ingestor = Ingestor(store: store, pipeline: ImportPipeline(maxFileSize: maxSize * 1_048_576))
        let context = ImportContext(secretSalt: try await store.secretKey())
        let inventory = try await store.inventory()
        let placement = try Self.placement(app: app, component: component, inventory: inventory)
        let template = ImportTarget(
            application: placement.application, component: placement.component ?? placement.application, branch: branch, streamName: stream,
            formatID: format, allowEmpty: allowEmpty, actor: actor.name)
        // Read and check every file before writing anything.
        var steps: [(step: Ingestor.Step, target: ImportTarget)] = []
        for (index, path) in files.enumerated() {
            Terminal.progress("[\(index + 1)/\(files.count)] reading \(path)…")
            do {
                if placement.component == nil {
                    steps.append(
                        try await ingestor.prepare(
                            path: path, placingIn: inventory, within: placement.withinApplication ? placement.application : nil, template: template,
                            context: context))
                } else {
                    steps.append((try await ingestor.prepare(path: path, target: template, context: context), template))
                }
            } catch let error as ImportError {
                Terminal.endProgress()
                throw CLIError("\(error.description)\nNothing was imported.")
            } catch let error as PlacementError {
                Terminal.endProgress()
                throw CLIError(error.description)
            }
        }
        var results: [FileImportResult] = []
        let now = try Clock.now()
        for (index, (step, target)) in steps.enumerated() {
            switch step {
            case .repeated(let result):
                results.append(result)
            case .prepared(let report):
                Terminal.progress("[\(index + 1)/\(steps.count)] recording \(report.report.file) (\(report.report.findings.count) findings)…")
                results.append(try await ingestor.record(report, target: target, at: now))
            }
        }
        Terminal.endProgress()
        // The process ends after printing: freeing a large report's findings one by one would
        // add a third of a second to a 100k-finding import for nothing (compilers skip it too).
        _ = Unmanaged.passRetained(ProcessLifetime(steps))
        if json {
            let items = results.map { result in
                JSONOut.object([
                    ("file", JSONOut.string(result.file)), ("app", JSONOut.string(result.stream.application)),
                    ("component", JSONOut.string(result.stream.component)), ("format", JSONOut.string(result.format.id)),
                    ("tool", JSONOut.string(result.tool.name)),
                    ("tool_version", JSONOut.string(result.tool.version)), ("tool_id", JSONOut.string(result.stream.tool)),
                    ("stream", JSONOut.string(result.stream.scope.summary)), ("scan_id", String(result.outcome.scanID)),
                    ("duplicate", JSONOut.bool(result.outcome.duplicateOfScan != nil)), ("findings", String(result.outcome.findings)),
                    ("new", String(result.outcome.new)), ("unchanged", String(result.outcome.unchanged)),
                    ("reopened", String(result.outcome.reopened)), ("fixed", String(result.outcome.fixed)),
                    ("closed_missing", JSONOut.bool(result.outcome.closedMissing)), ("packages", JSONOut.int(result.outcome.packages)),
                    ("diagnostics", JSONOut.array(result.diagnostics.map(\.jsonText))),
                ])
            }
            print(JSONOut.object([("imports", JSONOut.array(items))]))
            return
        }
        let rows = results.map { result in
            [
                result.file, "\(result.stream.application)/\(result.stream.component)", result.format.id, result.stream.tool,
                result.stream.scope.summary, String(result.outcome.findings),
                String(result.outcome.new), String(result.outcome.unchanged), String(result.outcome.reopened), String(result.outcome.fixed),
                result.outcome.duplicateOfScan != nil ? "same as latest scan" : result.outcome.packages.map { "\($0) package(s) listed" } ?? "",
            ]
        }
        print(table(["FILE", "APP/COMPONENT", "FORMAT", "TOOL", "STREAM", "FINDINGS", "NEW", "UNCHANGED", "REOPENED", "FIXED", "NOTE"], rows))
        for result in results where !result.diagnostics.isEmpty {
            print("\n\(result.file):")
            for diagnostic in result.diagnostics.prefix(20) { print("  \(diagnostic)") }
            if result.diagnostics.count > 20 { print("  … and \(result.diagnostics.count - 20) more (see --json)") }
        }
    }
}

extension ImportCommand {
    /// Where the reports go, before they are read: a fixed component, or placement by the
    /// inventory (within one application when `withinApplication`).
    struct TargetChoice {
        var application: String
        /// Nil: each report is placed by what it names.
        var component: String?
        var withinApplication: Bool
    }

    static func placement(app: String?, component: String?, inventory: Inventory) throws -> TargetChoice {
        switch (app, component) {
        case (let app?, let component?):
            return TargetChoice(application: app, component: component, withinApplication: true)
        case (let app?, nil):
            // A declared application's reports are placed among its components; any other
            // application keeps one component of its own name.
            guard let declared = inventory.application(named: app), !declared.components.isEmpty else {
                return TargetChoice(application: app, component: app, withinApplication: true)
            }
            if declared.components.count == 1 {
                return TargetChoice(application: app, component: declared.components[0].name, withinApplication: true)
            }
            return TargetChoice(application: app, component: nil, withinApplication: true)
        case (nil, let component?):
            let owners = inventory.applications.filter { $0.component(named: component) != nil }
            if owners.count == 1 { return TargetChoice(application: owners[0].name, component: component, withinApplication: true) }
            if owners.count > 1 {
                throw CLIError(
                    "component '\(component)' is declared in \(owners.map(\.name).joined(separator: ", ")): pass --app too. Nothing was imported.")
            }
            return TargetChoice(application: "default", component: component, withinApplication: true)
        case (nil, nil):
            if inventory.applications.isEmpty { return TargetChoice(application: "default", component: "default", withinApplication: true) }
            return TargetChoice(application: "default", component: nil, withinApplication: false)
        }
    }
}

/// Holds a value until the process exits.
private final class ProcessLifetime<Value> {
    let value: Value
    init(_ value: Value) { self.value = value }
}
