import Foundation
import RampartCore
import Yams

/// An inventory file that cannot be applied: every problem found, each with its field and
/// line. Nothing is applied from a file with any problem.
public struct InventoryFileError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var issues: [InventoryIssue]
    /// What the file is: "inventory" or "policy".
    public var kind: String = "inventory"

    public var description: String {
        let lines = issues.prefix(50).map { issue in
            let position = issue.line.map { ":\($0)" + (issue.column.map { ":\($0)" } ?? "") } ?? ""
            return "\(file)\(position): \(issue.field): \(issue.message)"
        }
        let more = issues.count > 50 ? ["... and \(issues.count - 50) more problems"] : []
        return (["\(kind) \(file) has \(issues.count) problem\(issues.count == 1 ? "" : "s"); nothing was applied:"] + lines + more)
            .joined(separator: "\n")
    }
}

/// Reads and writes inventory files (docs/inventory.md): YAML, or JSON, which YAML reads too.
/// Unknown keys are errors, so that a misspelt field is not silently ignored.
public enum InventoryFile {
    /// Larger files are refused before parsing.
    public static let maximumBytes = 16 << 20
    /// A YAML alias repeats a node; a file whose tree (aliases expanded) exceeds this many nodes
    /// is refused, so that an alias bomb cannot exhaust memory or time.
    public static let maximumNodes = 200_000

    public static func read(_ data: Data, file: String) throws(InventoryFileError) -> Inventory {
        guard data.count <= maximumBytes else {
            throw InventoryFileError(file: file, issues: [InventoryIssue(field: "(file)", message: "larger than \(maximumBytes >> 20) MB")])
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw InventoryFileError(file: file, issues: [InventoryIssue(field: "(file)", message: "not UTF-8 text")])
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw InventoryFileError(file: file, issues: [Self.issue(error)])
        } catch {
            throw InventoryFileError(file: file, issues: [InventoryIssue(field: "(file)", message: "not YAML or JSON")])
        }
        var reader = Reader()
        let inventory = root.map { reader.inventory($0) } ?? Inventory()
        if root == nil { reader.issue(nil, "(file)", "the file is empty: an inventory lists applications") }
        var issues = reader.issues.sorted { ($0.line ?? .max, $0.column ?? 0) < ($1.line ?? .max, $1.column ?? 0) }
        if issues.isEmpty { issues = inventory.validationIssues(positions: reader.positions) }
        guard issues.isEmpty else { throw InventoryFileError(file: file, issues: issues) }
        return inventory
    }

    /// The YAML parser's complaint, with its position; the message is libyaml's own, which
    /// names the problem, not the text.
    static func issue(_ error: YamlError) -> InventoryIssue {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            InventoryIssue(field: "(syntax)", line: mark.line, column: mark.column, message: problem)
        default:
            InventoryIssue(field: "(syntax)", message: "not valid YAML")
        }
    }

    /// Walks the node tree into the model, collecting every problem.
    struct Reader {
        var issues: [InventoryIssue] = []
        var positions: [String: (line: Int, column: Int)] = [:]
        var visited = 0

        mutating func issue(_ node: Node?, _ field: String, _ message: String) {
            issues.append(InventoryIssue(field: field, line: node?.mark?.line, column: node?.mark?.column, message: message))
        }

        mutating func note(_ node: Node, _ field: String) {
            visited += 1
            if let mark = node.mark { positions[field] = (mark.line, mark.column) }
        }

        /// The mapping's entries by key, with unknown keys reported.
        mutating func mapping(_ node: Node, _ field: String, keys: Set<String>) -> [String: Node]? {
            note(node, field)
            guard case .mapping(let mapping) = node else {
                issue(node, field, "expected a mapping of \(keys.sorted().joined(separator: ", "))")
                return nil
            }
            var entries: [String: Node] = [:]
            for (key, value) in mapping {
                guard visited < InventoryFile.maximumNodes else { break }
                guard let name = key.string else {
                    issue(key, field, "a key must be text")
                    continue
                }
                guard keys.contains(name) else {
                    issue(key, field.isEmpty ? name : "\(field).\(name)", "unknown key '\(name)' (known: \(keys.sorted().joined(separator: ", ")))")
                    continue
                }
                if entries[name] != nil { issue(key, field.isEmpty ? name : "\(field).\(name)", "'\(name)' is given twice") }
                entries[name] = value
            }
            return entries
        }

        mutating func sequence(_ node: Node?, _ field: String) -> [Node] {
            guard let node else { return [] }
            note(node, field)
            switch node {
            case .sequence(let sequence):
                let items = Array(sequence)
                if visited + items.count > InventoryFile.maximumNodes {
                    issue(node, field, "the file holds more than \(InventoryFile.maximumNodes) values (aliases expanded)")
                    return []
                }
                return items
            case .scalar(let scalar) where scalar.string.isEmpty || scalar.tag == .init(.null): return []
            default:
                issue(node, field, "expected a list")
                return []
            }
        }

        mutating func string(_ node: Node?, _ field: String, required: Bool = false) -> String? {
            guard let node else {
                if required { issue(nil, field, "required") }
                return nil
            }
            note(node, field)
            guard case .scalar(let scalar) = node else {
                issue(node, field, "expected text")
                return nil
            }
            let text = scalar.string.trimmingCharacters(in: .whitespaces)
            if text.isEmpty {
                if required { issue(node, field, "required") }
                return nil
            }
            return text
        }

        mutating func strings(_ node: Node?, _ field: String) -> [String] {
            // A single value where a list is expected is read as a list of one.
            if let node, case .scalar = node { return string(node, field).map { [$0] } ?? [] }
            return sequence(node, field).enumerated().compactMap { string($1, "\(field)[\($0)]", required: true) }
        }

        mutating func bool(_ node: Node?, _ field: String) -> Bool? {
            guard let text = string(node, field) else { return nil }
            switch text.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default:
                issue(node, field, "expected true or false")
                return nil
            }
        }

        /// Days: `14`, `14d` or `2w`.
        mutating func days(_ node: Node?, _ field: String) -> Int? {
            guard let text = string(node, field)?.lowercased() else { return nil }
            var digits = Substring(text)
            var factor = 1
            if digits.hasSuffix("d") {
                digits = digits.dropLast()
            } else if digits.hasSuffix("w") {
                digits = digits.dropLast()
                factor = 7
            }
            guard let number = Int(digits.trimmingCharacters(in: .whitespaces)), number >= 0, number <= 3650 / factor + 1 else {
                issue(node, field, "expected a number of days (14, 14d or 2w)")
                return nil
            }
            return number * factor
        }

        mutating func choice<Value: RawRepresentable & CaseIterable>(_ node: Node?, _ field: String, as: Value.Type) -> Value?
        where Value.RawValue == String {
            guard let text = string(node, field) else { return nil }
            if let value = Value(rawValue: text.lowercased()) { return value }
            issue(node, field, "'\(text)' is not one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }

        mutating func choices<Value: RawRepresentable & CaseIterable>(_ node: Node?, _ field: String, as: Value.Type) -> [Value]
        where Value.RawValue == String {
            var values: [Value] = []
            // A single value where a list is expected is read as a list of one.
            let single: Node? = if let node, case .scalar = node { node } else { nil }
            let items = single.map { [$0] } ?? sequence(node, field)
            for (index, item) in items.enumerated() {
                let itemField = single == nil ? "\(field)[\(index)]" : field
                if let value = choice(item, itemField, as: Value.self), !values.contains(where: { $0.rawValue == value.rawValue }) {
                    values.append(value)
                }
            }
            return values
        }

        mutating func inventory(_ root: Node) -> Inventory {
            guard let entries = mapping(root, "", keys: ["version", "applications"]) else { return Inventory() }
            if let version = string(entries["version"], "version"), version != "1" {
                issue(entries["version"], "version", "this Rampart reads inventory version 1")
            }
            if entries["applications"] == nil { issue(root, "applications", "required: the list of applications") }
            let applications = sequence(entries["applications"], "applications").enumerated().compactMap { application($1, "applications[\($0)]") }
            return Inventory(applications: applications)
        }

        mutating func application(_ node: Node, _ field: String) -> ApplicationDeclaration? {
            let keys: Set<String> = [
                "name", "owner", "team", "criticality", "data", "exposure", "environments", "stale_after", "components", "description",
            ]
            guard let entries = mapping(node, field, keys: keys) else { return nil }
            let name = string(entries["name"], field + ".name", required: true) ?? ""
            let environments = sequence(entries["environments"], field + ".environments").enumerated().compactMap {
                environment($1, "\(field).environments[\($0)]")
            }
            let components = sequence(entries["components"], field + ".components").enumerated().compactMap {
                component($1, "\(field).components[\($0)]")
            }
            return ApplicationDeclaration(
                name: name, owner: string(entries["owner"], field + ".owner"), team: string(entries["team"], field + ".team"),
                criticality: choice(entries["criticality"], field + ".criticality", as: Criticality.self) ?? .medium,
                data: choices(entries["data"], field + ".data", as: DataClassification.self),
                exposure: choice(entries["exposure"], field + ".exposure", as: Exposure.self) ?? .internal,
                environments: environments, staleAfterDays: days(entries["stale_after"], field + ".stale_after"), components: components)
        }

        mutating func environment(_ node: Node, _ field: String) -> DeploymentEnvironment? {
            // `- production` is shorthand for an environment of that name.
            if case .scalar = node, let name = string(node, field + ".name", required: true) {
                return DeploymentEnvironment(name: name, production: name.lowercased() == "production" || name.lowercased() == "prod")
            }
            guard let entries = mapping(node, field, keys: ["name", "production"]) else { return nil }
            let name = string(entries["name"], field + ".name", required: true) ?? ""
            let production = bool(entries["production"], field + ".production")
            return DeploymentEnvironment(name: name, production: production ?? (name.lowercased() == "production" || name.lowercased() == "prod"))
        }

        mutating func component(_ node: Node, _ field: String) -> ComponentDeclaration? {
            let keys: Set<String> = [
                "name", "repositories", "repository", "path", "iac", "images", "urls", "hosts", "cloud", "packages", "expect", "stale_after",
                "routes", "exposure", "description",
            ]
            guard let entries = mapping(node, field, keys: keys) else { return nil }
            var repositories: [RepositoryDeclaration] = []
            // `repository:` and `path:` are shorthand for one repository.
            if let url = string(entries["repository"], field + ".repository") {
                repositories.append(RepositoryDeclaration(url: url, path: string(entries["path"], field + ".path") ?? ""))
            } else if entries["path"] != nil {
                issue(entries["path"], field + ".path", "a path is a folder of a repository: give `repository` too")
            }
            for (index, item) in sequence(entries["repositories"], field + ".repositories").enumerated() {
                let itemField = "\(field).repositories[\(index)]"
                if case .scalar = item, let url = string(item, itemField + ".url", required: true) {
                    repositories.append(RepositoryDeclaration(url: url))
                } else if let repository = mapping(item, itemField, keys: ["url", "path"]) {
                    let url = string(repository["url"], itemField + ".url", required: true) ?? ""
                    repositories.append(RepositoryDeclaration(url: url, path: string(repository["path"], itemField + ".path") ?? ""))
                }
            }
            var cloud: [CloudDeclaration] = []
            for (index, item) in sequence(entries["cloud"], field + ".cloud").enumerated() {
                let itemField = "\(field).cloud[\(index)]"
                guard let entry = mapping(item, itemField, keys: ["provider", "account", "subscription", "project", "resources"]) else { continue }
                let account = entry["account"] ?? entry["subscription"] ?? entry["project"]
                cloud.append(
                    CloudDeclaration(
                        provider: string(entry["provider"], itemField + ".provider")?.lowercased(),
                        account: string(account, itemField + ".account", required: true) ?? "",
                        resources: strings(entry["resources"], itemField + ".resources")))
            }
            var routes: [RouteDeclaration] = []
            for (index, item) in sequence(entries["routes"], field + ".routes").enumerated() {
                let itemField = "\(field).routes[\(index)]"
                guard let entry = mapping(item, itemField, keys: ["path", "method", "files"]) else { continue }
                routes.append(
                    RouteDeclaration(
                        path: string(entry["path"], itemField + ".path", required: true) ?? "/",
                        method: string(entry["method"], itemField + ".method")?.uppercased(),
                        files: strings(entry["files"], itemField + ".files").map(FindingIdentity.normalizePath)))
            }
            return ComponentDeclaration(
                name: string(entries["name"], field + ".name", required: true) ?? "", repositories: repositories,
                iac: strings(entries["iac"], field + ".iac").map { $0.lowercased() }, images: strings(entries["images"], field + ".images"),
                urls: strings(entries["urls"], field + ".urls"), hosts: strings(entries["hosts"], field + ".hosts"), cloud: cloud,
                packages: strings(entries["packages"], field + ".packages"),
                expect: entries["expect"] == nil ? nil : choices(entries["expect"], field + ".expect", as: FindingCategory.self),
                staleAfterDays: days(entries["stale_after"], field + ".stale_after"), routes: routes,
                exposure: choice(entries["exposure"], field + ".exposure", as: Exposure.self))
        }
    }
}

extension InventoryFile {
    /// The inventory as an inventory file (YAML), in declaration order, with only the fields
    /// that are set; reading it back gives the same inventory.
    public static func yaml(_ inventory: Inventory) throws -> String {
        func scalar(_ text: String) -> Node { Node(text) }
        func list(_ values: [String]) -> Node { Node.sequence(Node.Sequence(values.map(scalar))) }
        func map(_ pairs: [(String, Node?)]) -> Node {
            Node.mapping(Node.Mapping(pairs.compactMap { key, value in value.map { (scalar(key), $0) } }))
        }
        func nonEmpty(_ values: [String]) -> Node? { values.isEmpty ? nil : list(values) }
        let applications = inventory.applications.map { application in
            map([
                ("name", scalar(application.name)),
                ("owner", application.owner.map(scalar)),
                ("team", application.team.map(scalar)),
                ("criticality", scalar(application.criticality.rawValue)),
                ("data", nonEmpty(application.data.map(\.rawValue))),
                ("exposure", scalar(application.exposure.rawValue)),
                (
                    "environments",
                    application.environments.isEmpty
                        ? nil
                        : Node.sequence(
                            Node.Sequence(
                                application.environments.map {
                                    map([("name", scalar($0.name)), ("production", scalar($0.production ? "true" : "false"))])
                                }))
                ),
                ("stale_after", application.staleAfterDays.map { scalar(String($0)) }),
                (
                    "components",
                    Node.sequence(
                        Node.Sequence(
                            application.components.map { component in
                                map([
                                    ("name", scalar(component.name)),
                                    (
                                        "repositories",
                                        component.repositories.isEmpty
                                            ? nil
                                            : Node.sequence(
                                                Node.Sequence(
                                                    component.repositories.map {
                                                        map([("url", scalar($0.url)), ("path", $0.path.isEmpty ? nil : scalar($0.path))])
                                                    }))
                                    ),
                                    ("iac", nonEmpty(component.iac)),
                                    ("images", nonEmpty(component.images)),
                                    ("urls", nonEmpty(component.urls)),
                                    ("hosts", nonEmpty(component.hosts)),
                                    (
                                        "cloud",
                                        component.cloud.isEmpty
                                            ? nil
                                            : Node.sequence(
                                                Node.Sequence(
                                                    component.cloud.map {
                                                        map([
                                                            ("provider", $0.provider.map(scalar)), ("account", scalar($0.account)),
                                                            ("resources", nonEmpty($0.resources)),
                                                        ])
                                                    }))
                                    ),
                                    ("packages", nonEmpty(component.packages)),
                                    ("expect", component.expect.map { list($0.map(\.rawValue)) }),
                                    ("stale_after", component.staleAfterDays.map { scalar(String($0)) }),
                                    (
                                        "routes",
                                        component.routes.isEmpty
                                            ? nil
                                            : Node.sequence(
                                                Node.Sequence(
                                                    component.routes.map {
                                                        map([
                                                            ("path", scalar($0.path)), ("method", $0.method.map(scalar)),
                                                            ("files", nonEmpty($0.files)),
                                                        ])
                                                    }))
                                    ),
                                    ("exposure", component.exposure.map { scalar($0.rawValue) }),
                                ])
                            }))
                ),
            ])
        }
        let root = map([("version", scalar("1")), ("applications", Node.sequence(Node.Sequence(applications)))])
        return try Yams.serialize(node: root, indent: 2, width: -1, allowUnicode: true, sequenceStyle: .block, mappingStyle: .block)
    }
}
