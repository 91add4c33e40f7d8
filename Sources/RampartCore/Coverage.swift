import Foundation

/// One difference between the stored inventory and a file being applied.
public struct InventoryChange: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case added, changed, removed
    }

    public var kind: Kind
    public var application: String
    /// Nil when the change is to the application itself.
    public var component: String?
    /// The fields that differ, for a change (`criticality`, `images`, ...).
    public var fields: [String]

    public init(kind: Kind, application: String, component: String? = nil, fields: [String] = []) {
        self.kind = kind
        self.application = application
        self.component = component
        self.fields = fields
    }

    public var subject: String { component.map { "\(application)/\($0)" } ?? application }
}

extension Inventory {
    /// What applying `new` over this inventory adds, changes and removes, in file order.
    public func changes(to new: Inventory) -> [InventoryChange] {
        var changes: [InventoryChange] = []
        for application in new.applications {
            guard let old = self.application(named: application.name) else {
                changes.append(InventoryChange(kind: .added, application: application.name))
                for component in application.components {
                    changes.append(InventoryChange(kind: .added, application: application.name, component: component.name))
                }
                continue
            }
            var fields: [String] = []
            if old.owner != application.owner { fields.append("owner") }
            if old.team != application.team { fields.append("team") }
            if old.criticality != application.criticality { fields.append("criticality") }
            if old.data != application.data { fields.append("data") }
            if old.exposure != application.exposure { fields.append("exposure") }
            if old.environments != application.environments { fields.append("environments") }
            if old.staleAfterDays != application.staleAfterDays { fields.append("stale_after") }
            if !fields.isEmpty { changes.append(InventoryChange(kind: .changed, application: application.name, fields: fields)) }
            for component in application.components {
                guard let before = old.component(named: component.name) else {
                    changes.append(InventoryChange(kind: .added, application: application.name, component: component.name))
                    continue
                }
                let fields = Self.changedFields(before, component)
                if !fields.isEmpty {
                    changes.append(InventoryChange(kind: .changed, application: application.name, component: component.name, fields: fields))
                }
            }
            for component in old.components where application.component(named: component.name) == nil {
                changes.append(InventoryChange(kind: .removed, application: application.name, component: component.name))
            }
        }
        for application in applications where new.application(named: application.name) == nil {
            changes.append(InventoryChange(kind: .removed, application: application.name))
        }
        return changes
    }

    static func changedFields(_ old: ComponentDeclaration, _ new: ComponentDeclaration) -> [String] {
        var fields: [String] = []
        if old.repositories != new.repositories { fields.append("repositories") }
        if old.iac != new.iac { fields.append("iac") }
        if old.images != new.images { fields.append("images") }
        if old.urls != new.urls { fields.append("urls") }
        if old.hosts != new.hosts { fields.append("hosts") }
        if old.cloud != new.cloud { fields.append("cloud") }
        if old.packages != new.packages { fields.append("packages") }
        if old.expect != new.expect { fields.append("expect") }
        if old.staleAfterDays != new.staleAfterDays { fields.append("stale_after") }
        if old.routes != new.routes { fields.append("routes") }
        if old.exposure != new.exposure { fields.append("exposure") }
        return fields
    }
}

/// One import, as coverage sees it: which component it fed, by which tool, for which
/// categories, and when.
public struct CoverageScan: Sendable, Hashable {
    public var application: String
    public var component: String
    public var tool: String
    public var categories: Set<FindingCategory>
    public var importedAt: Date

    public init(application: String, component: String, tool: String, categories: Set<FindingCategory>, importedAt: Date) {
        self.application = application
        self.component = component
        self.tool = tool
        self.categories = categories
        self.importedAt = importedAt
    }

    /// The categories a scan covered: its findings' categories and what its scope says it looked
    /// for (Trivy's `vulnerability`, `misconfiguration`, `secret` scanners), or, for a report with
    /// neither, its format's category. A scan that found nothing still covered what it looked for.
    public static func categories(formatCategory: FindingCategory, scopeKind: String, scopeTarget: String, findings: [Finding])
        -> Set<FindingCategory>
    {
        var categories = Set(findings.map(\.category))
        for word in scopeKind.lowercased().split(whereSeparator: { !$0.isLetter }) {
            // A vulnerability scan of an image target is container coverage; of a file system, the format's.
            if word.hasPrefix("vuln") { categories.insert(scopeTarget.isEmpty ? formatCategory : .container) }
            if word.hasPrefix("misconfig") || word == "config" || word == "iac" { categories.insert(.iac) }
            if word.hasPrefix("secret") { categories.insert(.secrets) }
            if word == "sbom" || word == "license" { categories.insert(.sbom) }
        }
        if categories.isEmpty { categories.insert(formatCategory) }
        return categories
    }
}

public enum CoverageState: String, Sendable, Hashable, Codable {
    /// Scanned within the freshness window.
    case covered
    /// Scanned, but longer ago than the component's `stale_after` (30 days by default).
    case stale
    /// Never scanned for this category.
    case missing
}

/// Whether one component has current scans of one expected category.
public struct CoverageEntry: Sendable, Hashable, Codable {
    public var application: String
    public var component: String
    public var category: FindingCategory
    /// Tools that ever covered it, most recent first.
    public var tools: [String]
    public var lastImport: Date?
    /// Whole days since the last import.
    public var ageDays: Int?
    public var state: CoverageState

    public init(
        application: String, component: String, category: FindingCategory, tools: [String], lastImport: Date?, ageDays: Int?,
        state: CoverageState
    ) {
        self.application = application
        self.component = component
        self.category = category
        self.tools = tools
        self.lastImport = lastImport
        self.ageDays = ageDays
        self.state = state
    }
}

extension Inventory {
    public static let defaultStaleAfterDays = 30

    /// For each declared component and each category it is expected to have, the tools that
    /// covered it, the last import and its age, and whether that is current (`now` decides).
    public func coverage(scans: [CoverageScan], now: Date, application only: String? = nil) -> [CoverageEntry] {
        var byComponent: [String: [String: [CoverageScan]]] = [:]
        for scan in scans { byComponent[scan.application, default: [:]][scan.component, default: []].append(scan) }
        var entries: [CoverageEntry] = []
        for application in applications where only == nil || application.name == only {
            for component in application.components {
                let staleAfter = component.staleAfterDays ?? application.staleAfterDays ?? Self.defaultStaleAfterDays
                let componentScans = byComponent[application.name]?[component.name] ?? []
                for category in component.expectedCategories {
                    let covering = componentScans.filter { $0.categories.contains(category) }.sorted { $0.importedAt > $1.importedAt }
                    var tools: [String] = []
                    for scan in covering where !tools.contains(scan.tool) { tools.append(scan.tool) }
                    let last = covering.first?.importedAt
                    let age = last.map { max(0, Int(now.timeIntervalSince($0) / 86_400)) }
                    let state: CoverageState =
                        if let age { age > staleAfter ? .stale : .covered } else { .missing }
                    entries.append(
                        CoverageEntry(
                            application: application.name, component: component.name, category: category, tools: tools, lastImport: last,
                            ageDays: age, state: state))
                }
            }
        }
        return entries
    }
}
