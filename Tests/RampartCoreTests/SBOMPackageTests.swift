import RampartCore
import Testing

@Suite("SBOM packages")
struct SBOMPackageTests {
    @Test("the root's dependencies are direct, theirs transitive, and a lock file between them is passed through")
    func relationsFromTheRoot() {
        let edges = ["app": ["lock", "express"], "lock": ["react"], "express": ["qs"], "react": ["scheduler"], "qs": ["app"]]
        let relations = SBOMPackage.relations(root: "app", edges: edges, transparent: ["lock"])
        #expect(relations == ["express": .direct, "react": .direct, "qs": .transitive, "scheduler": .transitive])
    }

    @Test("a complete graph without a root: what nothing depends on is direct; an incomplete one says nothing")
    func relationsOfAnEnvironment() {
        let edges = ["flask": ["jinja2"], "jinja2": ["markupsafe"], "markupsafe": [], "pip": []]
        let complete = SBOMPackage.relations(root: nil, nodes: ["flask", "jinja2", "markupsafe", "pip"], edges: edges)
        #expect(complete == ["flask": .direct, "pip": .direct, "jinja2": .transitive, "markupsafe": .transitive])
        #expect(SBOMPackage.relations(root: nil, nodes: ["flask", "jinja2", "markupsafe", "pip", "requests"], edges: edges).isEmpty)
        #expect(SBOMPackage.relations(root: "app", edges: [:]).isEmpty)
    }

    @Test("a package listed twice is kept once, with both licenses, and direct wins")
    func repeatsMerge() {
        let purl = PackageURL(parsing: "pkg:npm/qs@6.7.0")
        let merged = SBOMPackage.merged([
            SBOMPackage(name: "qs", version: "6.7.0", purl: purl, licenses: ["BSD-3-Clause"], relation: .transitive),
            SBOMPackage(name: "other", version: "1"),
            SBOMPackage(name: "qs", version: "6.7.0", purl: purl, licenses: ["MIT", "BSD-3-Clause"], relation: .direct),
        ])
        #expect(merged.map(\.name) == ["qs", "other"])
        #expect(merged[0].licenses == ["BSD-3-Clause", "MIT"])
        #expect(merged[0].relation == .direct)
    }
}
