import Foundation

/// What a report says it scanned: the repositories, images, sites, hosts, cloud accounts and
/// packages it names, and some of the files it reports on. Auto-link places a report imported
/// without `--app` by matching this against the inventory.
public struct ReportSubject: Sendable, Hashable, Codable {
    public var repositories: [String]
    /// Image references as the report writes them (name, tag or digest).
    public var images: [String]
    public var urls: [String]
    public var hosts: [String]
    public var cloudAccounts: [String]
    public var cloudResources: [String]
    /// Package URLs of what the report describes (an SBOM's own component), not its dependencies.
    public var packages: [String]
    /// Source files the report's findings are in (a sample, for monorepo folders).
    public var paths: [String]

    public init(
        repositories: [String] = [], images: [String] = [], urls: [String] = [], hosts: [String] = [], cloudAccounts: [String] = [],
        cloudResources: [String] = [], packages: [String] = [], paths: [String] = []
    ) {
        self.repositories = repositories
        self.images = images
        self.urls = urls
        self.hosts = hosts
        self.cloudAccounts = cloudAccounts
        self.cloudResources = cloudResources
        self.packages = packages
        self.paths = paths
    }

    public var isEmpty: Bool {
        repositories.isEmpty && images.isEmpty && urls.isEmpty && hosts.isEmpty && cloudAccounts.isEmpty && cloudResources.isEmpty
            && packages.isEmpty && paths.isEmpty
    }

    /// What the importer declared, completed with what the findings' locations name. Each list
    /// keeps at most `limit` distinct values, in first-seen order.
    public init(declared: ReportSubject, findings: [Finding], scopeTarget: String, limit: Int = 50) {
        var subject = declared
        func add(_ value: String?, to list: WritableKeyPath<ReportSubject, [String]>) {
            guard let value, !value.isEmpty, subject[keyPath: list].count < limit, !subject[keyPath: list].contains(value) else { return }
            subject[keyPath: list].append(value)
        }
        for index in findings.indices {
            switch findings[index].location {
            case .code(let code): add(code.file, to: \.paths)
            case .iac(let iac): add(iac.file, to: \.paths)
            case .package(let package):
                add(package.image.map(\.reference), to: \.images)
                add(package.manifestPath, to: \.paths)
            case .containerImage(let image): add(image.reference, to: \.images)
            case .endpoint(let endpoint):
                if let parts = EndpointMatch.parts(of: endpoint.url) {
                    add(parts.origin + parts.path, to: \.urls)
                    add(parts.host, to: \.hosts)
                }
            case .host(let host): add(host.address, to: \.hosts)
            case .cloud(let cloud):
                add(cloud.account, to: \.cloudAccounts)
                add(cloud.resourceID, to: \.cloudResources)
            case .design:
                // A model's elements are names in a diagram, not assets an inventory declares.
                break
            }
        }
        if !scopeTarget.isEmpty, subject.images.isEmpty, subject.urls.isEmpty, subject.repositories.isEmpty {
            if let parts = EndpointMatch.parts(of: scopeTarget) {
                add(parts.origin, to: \.urls)
                add(parts.host, to: \.hosts)
            }
        }
        self = subject
    }

    /// A short account of what was seen, for messages.
    public var summary: String {
        var parts: [String] = []
        func list(_ label: String, _ values: [String]) {
            guard !values.isEmpty else { return }
            let shown = values.prefix(3).joined(separator: ", ")
            parts.append("\(label) \(shown)\(values.count > 3 ? " and \(values.count - 3) more" : "")")
        }
        list("repository", repositories)
        list("image", images)
        list("URL", urls)
        list("host", hosts)
        list("cloud account", cloudAccounts)
        list("package", packages)
        list("file", paths)
        return parts.isEmpty ? "nothing that names what was scanned" : parts.joined(separator: "; ")
    }
}

extension ImageLocation {
    /// `name:tag` or `name@digest`, as a registry reference.
    public var reference: String {
        if let digest { return "\(name)@\(digest)" }
        if let tag { return "\(name):\(tag)" }
        return name
    }
}

/// A component the inventory ties to a report, with what tied it.
public struct ComponentMatch: Sendable, Hashable, Codable {
    public var application: String
    public var component: String
    /// What matched, for people: `image ghcr.io/acme/api:1.2 matches ghcr.io/acme/api`.
    public var reasons: [String]
    /// How specific the match is: the number of kinds of evidence, then the depth of the
    /// repository folder the files are in or of the base URL. The most specific wins; a tie is ambiguous.
    var strength: Int
    var folderDepth: Int
}

/// Where the inventory places a report.
public enum Placement: Sendable, Hashable {
    case component(ComponentMatch)
    /// Nothing in the inventory matches what the report names.
    case unmatched
    /// Several components match equally well.
    case ambiguous([ComponentMatch])
}

extension Inventory {
    /// Places a report by what it names (docs/inventory.md, "Auto-link"): repository URLs,
    /// image names, site URLs and hosts, cloud accounts and resources, packages, and a
    /// monorepo's folders. The most specific match wins; equals are ambiguous.
    public func place(_ subject: ReportSubject) -> Placement {
        let repositories = subject.repositories.compactMap(RepositoryMatch.normalizedURL)
        let urls = subject.urls.compactMap(EndpointMatch.parts)
        let hosts = subject.hosts.map { $0.lowercased() }
        let paths = subject.paths.map(FindingIdentity.normalizePath)
        let packages = subject.packages.compactMap { PackageURL(parsing: $0)?.versionlessKey }
        var matches: [ComponentMatch] = []
        for application in applications {
            for component in application.components {
                var reasons: [String] = []
                var kinds = 0
                var folderDepth = 0
                // Repositories: the URL, and when the component is a folder of it, the files.
                var repositoryMatched = false
                for declared in component.repositories {
                    guard let url = RepositoryMatch.normalizedURL(declared.url), repositories.contains(where: { RepositoryMatch.same($0, url) })
                    else { continue }
                    if declared.path.isEmpty {
                        repositoryMatched = true
                        reasons.append("repository \(url)")
                    } else if !paths.isEmpty, let depth = RepositoryMatch.commonDepth(paths, in: declared.path) {
                        repositoryMatched = true
                        folderDepth = max(folderDepth, depth)
                        reasons.append("repository \(url), files under \(declared.path)/")
                    }
                }
                if repositoryMatched { kinds += 1 }
                // A report naming no repository: files under a declared monorepo folder.
                if repositories.isEmpty, !paths.isEmpty {
                    for declared in component.repositories where !declared.path.isEmpty {
                        if let depth = RepositoryMatch.commonDepth(paths, in: declared.path) {
                            kinds += 1
                            folderDepth = max(folderDepth, depth)
                            reasons.append("files under \(declared.path)/")
                            break
                        }
                    }
                }
                if let image = subject.images.first(where: { reference in component.images.contains { ImageMatch.matches(reference, $0) } }) {
                    kinds += 1
                    reasons.append("image \(image)")
                }
                // Every URL the report names must be under one of the component's base URLs (a
                // whole-site scan is the site's, not its API's); the deepest base is the most specific.
                let bases = component.urls.compactMap(EndpointMatch.parts)
                if !urls.isEmpty, !bases.isEmpty, urls.allSatisfy({ seen in bases.contains { seen.isUnder($0) } }) {
                    kinds += 1
                    let deepest = bases.filter { base in urls.contains { $0.isUnder(base) } }.map(\.depth).max() ?? 0
                    folderDepth = max(folderDepth, deepest)
                    reasons.append("URL \(urls[0].origin)\(urls[0].path)")
                } else if !hosts.isEmpty, !component.hosts.isEmpty,
                    hosts.allSatisfy({ seen in component.hosts.contains { HostMatch.matches(seen, $0) } })
                {
                    kinds += 1
                    reasons.append("host \(hosts[0])")
                }
                if let account = subject.cloudAccounts.first(where: { seen in component.cloud.contains { $0.account == seen } }) {
                    let resources = component.cloud.filter { $0.account == account }.flatMap(\.resources)
                    if resources.isEmpty
                        || subject.cloudResources.contains(where: { seen in resources.contains { Wildcard.matches(seen, pattern: $0) } })
                    {
                        kinds += 1
                        reasons.append("cloud account \(account)")
                    }
                }
                let declaredPackages = component.packages.compactMap { PackageURL(parsing: $0)?.versionlessKey }
                if let package = packages.first(where: declaredPackages.contains) {
                    kinds += 1
                    reasons.append("package \(package)")
                }
                guard kinds > 0 else { continue }
                matches.append(
                    ComponentMatch(
                        application: application.name, component: component.name, reasons: reasons, strength: kinds, folderDepth: folderDepth))
            }
        }
        guard let best = matches.max(by: { ($0.strength, $0.folderDepth) < ($1.strength, $1.folderDepth) }) else { return .unmatched }
        let tied = matches.filter { $0.strength == best.strength && $0.folderDepth == best.folderDepth }
        return tied.count == 1 ? .component(best) : .ambiguous(tied)
    }
}

/// Repository URLs compared as the same repository however they are written.
public enum RepositoryMatch {
    /// `host/owner/name`, lower case, for `https://host/owner/name(.git)`, `git@host:owner/name`,
    /// `ssh://git@host/owner/name`, with credentials, ports, trailing slashes and `.git` dropped.
    /// Nil for text that names no repository.
    public static func normalizedURL(_ raw: String) -> String? {
        var text = raw.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, !text.contains(where: \.isWhitespace) else { return nil }
        if let scheme = text.range(of: "://") {
            text = String(text[scheme.upperBound...])
        } else if let at = text.firstIndex(of: "@"), let colon = text[at...].firstIndex(of: ":") {
            // scp-like: git@host:owner/name
            text = String(text[text.index(after: at)..<colon]) + "/" + String(text[text.index(after: colon)...])
        } else if !text.contains("/") || text.hasPrefix("/") || text.hasPrefix(".") {
            return nil
        }
        if let at = text.firstIndex(of: "@"), let slash = text.firstIndex(of: "/"), at < slash { text = String(text[text.index(after: at)...]) }
        if let query = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = String(text[..<query]) }
        var parts = text.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard parts.count >= 2 else { return nil }
        if let colon = parts[0].firstIndex(of: ":") { parts[0] = String(parts[0][..<colon]) }
        if parts[parts.count - 1].hasSuffix(".git") { parts[parts.count - 1].removeLast(4) }
        guard parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        return parts.joined(separator: "/").lowercased()
    }

    /// Whether a repository a report names (normalized) is the declared one (normalized): equal,
    /// or an `owner/name` id (Checkov's `--repo-id`) that ends the declared URL.
    static func same(_ seen: String, _ declared: String) -> Bool {
        let parts = seen.split(separator: "/")
        return seen == declared || (parts.count == 2 && !parts[0].contains(".") && declared.hasSuffix("/" + seen))
    }

    /// The depth every path is in the folder at (the least of them); nil when one is not in it.
    static func commonDepth(_ paths: [String], in folder: String) -> Int? {
        var least = Int.max
        for path in paths {
            let depth = depth(path, isIn: folder)
            if depth == 0 { return nil }
            least = min(least, depth)
        }
        return least == Int.max ? nil : least
    }

    /// How many trailing segments of `folder` the path is under (the whole folder's count when
    /// it is under all of it); 0 when it is not in the folder. A file is in a folder even under
    /// an absolute checkout root (`/builds/acme/shop/services/api/app.py` is in `services/api`),
    /// and a scanner run inside the folder's parent writes paths from a tail of the folder
    /// (`vulnerable-app/app/server.py` for `examples/vulnerable-app`): that counts too.
    public static func depth(_ path: String, isIn folder: String) -> Int {
        guard !folder.isEmpty else { return 0 }
        let segments = folder.split(separator: "/")
        for start in segments.indices {
            let tail = segments[start...].joined(separator: "/")
            if path.hasPrefix(tail + "/") || path.contains("/" + tail + "/") { return segments.count - start }
        }
        return 0
    }
}

/// Image references against inventory patterns.
public enum ImageMatch {
    /// Whether `reference` (as a report writes it) matches `pattern`. A pattern without tag or
    /// digest matches every tag and digest of the name; `*` matches any run of characters; a
    /// Docker Hub name matches with or without `docker.io/` and `library/`.
    public static func matches(_ reference: String, _ pattern: String) -> Bool {
        let seen = canonical(reference)
        let wanted = canonical(pattern)
        if Wildcard.matches(seen.full, pattern: wanted.full) { return true }
        return !wanted.hasVersion && Wildcard.matches(seen.name, pattern: wanted.name)
    }

    static func canonical(_ reference: String) -> (name: String, full: String, hasVersion: Bool) {
        var name = reference.lowercased()
        var version = ""
        if let at = name.firstIndex(of: "@") {
            version = String(name[at...])
            name = String(name[..<at])
        } else if let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") {
            version = String(name[colon...])
            name = String(name[..<colon])
        }
        for prefix in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] where name.hasPrefix(prefix) {
            name.removeFirst(prefix.count)
        }
        if name.hasPrefix("library/") { name.removeFirst("library/".count) }
        return (name, name + version, !version.isEmpty)
    }
}

/// Site URLs: a finding's URL is under a declared base URL when scheme, host and port agree and
/// its path starts with the base's.
public enum EndpointMatch {
    public struct Parts: Sendable, Hashable {
        public var scheme: String
        public var host: String
        public var port: Int
        public var path: String

        public var origin: String {
            let defaultPort = scheme == "https" ? 443 : 80
            return "\(scheme)://\(host)\(port == defaultPort ? "" : ":\(port)")"
        }

        /// Path segments of the base, for specificity.
        var depth: Int { path.split(separator: "/").count }

        func isUnder(_ base: Parts) -> Bool {
            guard scheme == base.scheme, host == base.host, port == base.port else { return false }
            let prefix = base.path.hasSuffix("/") ? String(base.path.dropLast()) : base.path
            return prefix.isEmpty || path == prefix || path.hasPrefix(prefix + "/")
        }
    }

    /// Scheme, host, port and path of an absolute http(s) URL; nil for anything else.
    public static func parts(of raw: String) -> Parts? {
        // Found and trimmed on the bytes when the ends are plain (every finding of a DAST
        // report comes here): Foundation's search and trimming were most of the cost.
        let utf8 = raw.utf8
        let plainEnds = utf8.first.map { $0 > 0x20 && $0 < 0x80 } == true && utf8.last.map { $0 > 0x20 && $0 < 0x80 } == true
        let text = plainEnds ? raw : raw.trimmingCharacters(in: .whitespaces)
        guard let schemeEnd = text.utf8.firstRange(of: "://".utf8) else { return nil }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        // Delimiters are ASCII, so they are found on the bytes (a UTF-8 index of an ASCII byte
        // is a valid string index): walking Characters was most of this function's cost.
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.utf8.firstIndex(where: { $0 == 0x2F || $0 == 0x3F || $0 == 0x23 }) ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.utf8.lastIndex(of: 0x40) { authority = authority[authority.utf8.index(after: at)...] }
        var host = authority
        var port = scheme == "https" ? 443 : 80
        if host.utf8.first == 0x5B {
            guard let close = host.utf8.firstIndex(of: 0x5D) else { return nil }
            let after = host[host.utf8.index(after: close)...]
            if after.utf8.first == 0x3A {
                guard let number = Int(after.dropFirst()), (1...65535).contains(number) else { return nil }
                port = number
            }
            host = host[...close]
        } else if let colon = host.utf8.lastIndex(of: 0x3A) {
            guard let number = Int(host[host.utf8.index(after: colon)...]), (1...65535).contains(number) else { return nil }
            port = number
            host = host[..<colon]
        }
        let hostIsPlain = host.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
        guard !host.isEmpty, hostIsPlain || !host.contains(where: \.isWhitespace) else { return nil }
        let pathEnd = rest.utf8[authorityEnd...].firstIndex(where: { $0 == 0x3F || $0 == 0x23 }) ?? rest.endIndex
        let path = String(rest[authorityEnd..<pathEnd])
        return Parts(scheme: scheme, host: host.lowercased(), port: port, path: path)
    }
}

enum HostMatch {
    /// `seen` against a declared host: equal ignoring case, or `*.example.com` for any subdomain.
    static func matches(_ seen: String, _ declared: String) -> Bool {
        let pattern = declared.lowercased()
        if pattern.hasPrefix("*.") { return seen.hasSuffix(String(pattern.dropFirst())) }
        return seen == pattern
    }
}

/// `*` globbing, the one pattern language of the inventory.
public enum Wildcard {
    public static func matches(_ text: String, pattern: String) -> Bool {
        let text = Array(text.utf8)
        let pattern = Array(pattern.utf8)
        var t = 0
        var p = 0
        var star = -1
        var resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = p
                resume = t
                p += 1
            } else if p < pattern.count, pattern[p] == text[t] {
                p += 1
                t += 1
            } else if star >= 0 {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
