/// The application inventory, as a team declares it in its inventory file (docs/inventory.md):
/// what each application is, who owns it, how much it matters and how exposed it is, and for
/// each component the things scanners report on. Rampart places reports, judges coverage and
/// weighs risk by it; it never changes an imported finding.
public struct Inventory: Sendable, Hashable, Codable {
    public var applications: [ApplicationDeclaration]

    public init(applications: [ApplicationDeclaration] = []) {
        self.applications = applications
    }

    public func application(named name: String) -> ApplicationDeclaration? {
        applications.first { $0.name == name }
    }
}

/// How much the business depends on an application.
public enum Criticality: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case low, medium, high, critical

    public var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        case .critical: 3
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// Who can reach an application or component.
public enum Exposure: String, Sendable, Hashable, Codable, CaseIterable {
    /// Reachable from the internet.
    case internet
    /// Reachable from the organization's network only.
    case `internal`
    /// Reachable from neither (a batch job, an air-gapped system).
    case isolated
}

/// The kinds of data an application holds. A closed list, so that a misspelt class is an error
/// in the inventory file rather than a silently ignored word.
public enum DataClassification: String, Sendable, Hashable, Codable, CaseIterable {
    case `public`, `internal`, confidential
    /// Personal data.
    case pii
    /// Payment card data.
    case pci
    /// Health data.
    case phi
    /// Credentials and keys the application keeps for others.
    case secrets

    /// Whether a breach of this data harms people or brings regulatory duties.
    public var isSensitive: Bool {
        switch self {
        case .public, .internal: false
        case .confidential, .pii, .pci, .phi, .secrets: true
        }
    }
}

/// An environment an application is deployed to.
public struct DeploymentEnvironment: Sendable, Hashable, Codable {
    public var name: String
    public var production: Bool

    public init(name: String, production: Bool = false) {
        self.name = name
        self.production = production
    }
}

public struct ApplicationDeclaration: Sendable, Hashable, Codable {
    public var name: String
    public var owner: String?
    public var team: String?
    public var criticality: Criticality
    public var data: [DataClassification]
    public var exposure: Exposure
    public var environments: [DeploymentEnvironment]
    /// Days after which a scan no longer counts as current coverage; 30 when not given.
    public var staleAfterDays: Int?
    public var components: [ComponentDeclaration]

    public init(
        name: String, owner: String? = nil, team: String? = nil, criticality: Criticality = .medium, data: [DataClassification] = [],
        exposure: Exposure = .internal, environments: [DeploymentEnvironment] = [], staleAfterDays: Int? = nil,
        components: [ComponentDeclaration] = []
    ) {
        self.name = name
        self.owner = owner
        self.team = team
        self.criticality = criticality
        self.data = data
        self.exposure = exposure
        self.environments = environments
        self.staleAfterDays = staleAfterDays
        self.components = components
    }

    /// Whether any environment of the application is production.
    public var deployedToProduction: Bool { environments.contains(where: \.production) }

    public func component(named name: String) -> ComponentDeclaration? {
        components.first { $0.name == name }
    }
}

/// A repository a component's code lives in, and where inside it (a monorepo's folder).
public struct RepositoryDeclaration: Sendable, Hashable, Codable {
    public var url: String
    /// The folder inside the repository, without leading or trailing `/`; empty for all of it.
    public var path: String

    public init(url: String, path: String = "") {
        self.url = url
        self.path = Self.normalizedFolder(path)
    }

    static func normalizedFolder(_ path: String) -> String {
        var text = path
        while text.hasPrefix("./") { text.removeFirst(2) }
        while text.hasPrefix("/") { text.removeFirst() }
        while text.hasSuffix("/") { text.removeLast() }
        return text == "." ? "" : text
    }
}

/// Cloud resources of a component: an account (or subscription, or project) and, optionally,
/// the resources in it that belong to the component (patterns with `*`).
public struct CloudDeclaration: Sendable, Hashable, Codable {
    public var provider: String?
    public var account: String
    public var resources: [String]

    public init(provider: String? = nil, account: String, resources: [String] = []) {
        self.provider = provider
        self.account = account
        self.resources = resources
    }
}

/// A route of a web component and the source files that serve it: a DAST finding on the route
/// and a SAST finding in those files can then be recognized as one problem.
public struct RouteDeclaration: Sendable, Hashable, Codable {
    public var path: String
    public var method: String?
    public var files: [String]

    public init(path: String, method: String? = nil, files: [String] = []) {
        self.path = path
        self.method = method
        self.files = files
    }
}

public struct ComponentDeclaration: Sendable, Hashable, Codable {
    public var name: String
    public var repositories: [RepositoryDeclaration]
    /// Infrastructure-as-code frameworks the component holds (`terraform`, `kubernetes`, ...).
    public var iac: [String]
    /// Container image names, with `*` wildcards; a pattern without tag or digest matches every
    /// tag and digest of the image.
    public var images: [String]
    /// Base URLs a DAST scan of the component targets.
    public var urls: [String]
    /// Host names or addresses (`*.example.com` allowed).
    public var hosts: [String]
    public var cloud: [CloudDeclaration]
    /// Package URLs without version: the packages the component publishes.
    public var packages: [String]
    /// The scan categories the component must have; nil for the default its declarations imply.
    public var expect: [FindingCategory]?
    public var staleAfterDays: Int?
    public var routes: [RouteDeclaration]
    /// Overrides the application's exposure for this component.
    public var exposure: Exposure?

    public init(
        name: String, repositories: [RepositoryDeclaration] = [], iac: [String] = [], images: [String] = [], urls: [String] = [],
        hosts: [String] = [], cloud: [CloudDeclaration] = [], packages: [String] = [], expect: [FindingCategory]? = nil,
        staleAfterDays: Int? = nil, routes: [RouteDeclaration] = [], exposure: Exposure? = nil
    ) {
        self.name = name
        self.repositories = repositories
        self.iac = iac
        self.images = images
        self.urls = urls
        self.hosts = hosts
        self.cloud = cloud
        self.packages = packages
        self.expect = expect
        self.staleAfterDays = staleAfterDays
        self.routes = routes
        self.exposure = exposure
    }

    /// The categories the component is expected to be scanned for: what `expect` says, or what
    /// its declarations imply (code: SAST, SCA and secrets; IaC: IaC; an image: container; a URL:
    /// DAST; a cloud account: cloud).
    public var expectedCategories: [FindingCategory] {
        if let expect { return FindingCategory.allCases.filter(expect.contains) }
        var categories: Set<FindingCategory> = []
        if !repositories.isEmpty { categories.formUnion([.sast, .sca, .secrets]) }
        if !iac.isEmpty { categories.insert(.iac) }
        if !images.isEmpty { categories.insert(.container) }
        if !urls.isEmpty { categories.insert(.dast) }
        if !cloud.isEmpty { categories.insert(.cloud) }
        return FindingCategory.allCases.filter(categories.contains)
    }
}

/// A problem in an inventory file: the field (a path such as `applications[0].components[1].images[0]`)
/// and, when the reader knows it, the line and column.
public struct InventoryIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    public var field: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(field: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.field = field
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        let position = line.map { ":\($0)" + (column.map { ":\($0)" } ?? "") } ?? ""
        return "line\(position.isEmpty ? " ?" : String(position.dropFirst())) \(field): \(message)"
    }
}

extension Inventory {
    /// Checks what a reader cannot: unique names, valid patterns, sane numbers. Each problem
    /// names its field; `positions` maps a field path to its line and column in the file.
    public func validationIssues(positions: [String: (line: Int, column: Int)] = [:]) -> [InventoryIssue] {
        var issues: [InventoryIssue] = []
        func issue(_ field: String, _ message: String) {
            let position = positions[field]
            issues.append(InventoryIssue(field: field, line: position?.line, column: position?.column, message: message))
        }
        func checkName(_ name: String, _ field: String) {
            if name.isEmpty || name.count > 200 { issue(field, "a name must have 1 to 200 characters") }
            if name.contains(where: { $0.isNewline }) { issue(field, "a name cannot contain a line break") }
        }
        func checkDays(_ days: Int?, _ field: String) {
            if let days, !(1...3650).contains(days) { issue(field, "must be between 1 and 3650 days") }
        }
        var applicationNames: Set<String> = []
        for (a, application) in applications.enumerated() {
            let base = "applications[\(a)]"
            checkName(application.name, base + ".name")
            if !applicationNames.insert(application.name).inserted {
                issue(base + ".name", "application '\(application.name)' is declared twice")
            }
            checkDays(application.staleAfterDays, base + ".stale_after")
            var environmentNames: Set<String> = []
            for (e, environment) in application.environments.enumerated() {
                checkName(environment.name, base + ".environments[\(e)].name")
                if !environmentNames.insert(environment.name).inserted {
                    issue(base + ".environments[\(e)].name", "environment '\(environment.name)' is declared twice")
                }
            }
            var componentNames: Set<String> = []
            for (c, component) in application.components.enumerated() {
                let field = base + ".components[\(c)]"
                checkName(component.name, field + ".name")
                if !componentNames.insert(component.name).inserted {
                    issue(field + ".name", "component '\(component.name)' is declared twice in '\(application.name)'")
                }
                checkDays(component.staleAfterDays, field + ".stale_after")
                for (r, repository) in component.repositories.enumerated() where RepositoryMatch.normalizedURL(repository.url) == nil {
                    issue(field + ".repositories[\(r)].url", "not a repository URL (https://host/owner/name or git@host:owner/name)")
                }
                for (i, image) in component.images.enumerated() where image.isEmpty || image.contains(where: \.isWhitespace) {
                    issue(field + ".images[\(i)]", "not an image name pattern")
                }
                for (u, url) in component.urls.enumerated() where EndpointMatch.parts(of: url) == nil {
                    issue(field + ".urls[\(u)]", "not an absolute http or https URL")
                }
                for (h, host) in component.hosts.enumerated() where host.isEmpty || host.contains(where: { $0.isWhitespace || $0 == "/" }) {
                    issue(field + ".hosts[\(h)]", "not a host name or address")
                }
                for (p, package) in component.packages.enumerated() {
                    if let purl = PackageURL(parsing: package) {
                        if purl.version != nil { issue(field + ".packages[\(p)]", "a package is named without version") }
                    } else {
                        issue(field + ".packages[\(p)]", "not a package URL (pkg:type/namespace/name)")
                    }
                }
                for (k, cloud) in component.cloud.enumerated() where cloud.account.isEmpty {
                    issue(field + ".cloud[\(k)].account", "an account, subscription or project id is required")
                }
                for (r, route) in component.routes.enumerated() where !route.path.hasPrefix("/") {
                    issue(field + ".routes[\(r)].path", "a route path starts with '/'")
                }
            }
        }
        return issues
    }
}
