/// A package an SBOM says a component ships, vulnerable or not: the component's known
/// packages are what its latest SBOM lists.
public struct SBOMPackage: Sendable, Hashable, Codable {
    public var name: String
    public var version: String?
    public var purl: PackageURL?
    /// SPDX license ids or expressions, or license names where the SBOM gives no id.
    public var licenses: [String]
    /// Whether the component depends on the package itself or through another package; nil
    /// when the SBOM carries no dependency graph that says.
    public var relation: DependencyRelation?

    public init(name: String, version: String? = nil, purl: PackageURL? = nil, licenses: [String] = [], relation: DependencyRelation? = nil) {
        self.name = name
        self.version = version
        self.purl = purl
        self.licenses = licenses
        self.relation = relation
    }

    /// Relations from a dependency graph: packages the root depends on are direct, packages
    /// reachable only through those are transitive. Nodes in `transparent` (a lock file or an
    /// operating system some SBOMs put between the subject and its packages) are passed
    /// through without counting as a step. Without a root or edges from it, nothing is known:
    /// the result is empty. Returned by node id; nodes the graph does not reach are absent.
    ///
    /// A graph without edges from a root (a tool that records an environment, not a project)
    /// still says something when it is complete, that is when every node in `nodes` has its
    /// entry: packages nothing else depends on are the ones installed for their own sake
    /// (direct), the rest came with them (transitive).
    public static func relations(
        root: String?, nodes: [String] = [], edges: [String: [String]], transparent: Set<String> = []
    ) -> [String: DependencyRelation] {
        guard let root, let first = edges[root], !first.isEmpty else {
            guard !nodes.isEmpty, nodes.allSatisfy({ edges[$0] != nil }) else { return [:] }
            let dependedOn = Set(nodes.flatMap { edges[$0] ?? [] })
            let tops = nodes.filter { !dependedOn.contains($0) && !transparent.contains($0) }
            guard !tops.isEmpty else { return [:] }
            return relations(root: "", edges: edges.merging(["": tops]) { $1 }, transparent: transparent)
        }
        var relations: [String: DependencyRelation] = [:]
        // Direct: reached from the root through transparent nodes only.
        var stack = first
        var passed: Set<String> = [root]
        var frontier: [String] = []
        while let node = stack.popLast() {
            guard relations[node] == nil, !passed.contains(node) else { continue }
            if transparent.contains(node) {
                passed.insert(node)
                stack.append(contentsOf: edges[node] ?? [])
            } else {
                relations[node] = .direct
                frontier.append(node)
            }
        }
        // Transitive: anything else reachable from a direct package.
        var queue = frontier.flatMap { edges[$0] ?? [] }
        var next = 0
        while next < queue.count {
            let node = queue[next]
            next += 1
            guard node != root, relations[node] == nil else { continue }
            relations[node] = .transitive
            queue.append(contentsOf: edges[node] ?? [])
        }
        return relations
    }

    /// The packages with repeats merged: an SBOM may list one package several times (nested,
    /// or once per file it was found in). A repeat adds its licenses, and a direct relation
    /// wins over a transitive one.
    public static func merged(_ packages: [SBOMPackage]) -> [SBOMPackage] {
        struct Key: Hashable {
            var name: String
            var version: String?
            var purl: PackageURL?
        }
        var result: [SBOMPackage] = []
        var position: [Key: Int] = [:]
        for package in packages {
            let key = Key(name: package.name, version: package.version, purl: package.purl)
            guard let existing = position[key] else {
                position[key] = result.count
                var first = package
                first.licenses = first.licenses.reduce(into: []) { list, license in if !list.contains(license) { list.append(license) } }
                result.append(first)
                continue
            }
            for license in package.licenses where !result[existing].licenses.contains(license) { result[existing].licenses.append(license) }
            if result[existing].relation != .direct, let relation = package.relation { result[existing].relation = relation }
        }
        return result
    }
}
