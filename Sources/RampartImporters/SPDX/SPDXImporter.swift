import Foundation
import RampartCore

/// SPDX 2.2 and 2.3 SBOMs, JSON and tag-value: every package becomes one of the component's
/// known packages (name, version, purl, licenses, and direct or transitive where
/// `DEPENDS_ON` relationships say), and vulnerability ids a package's `SECURITY` external
/// references name (`advisory`, `fix`, `url`) become findings. SPDX 3.0 (JSON-LD) is
/// recognized and refused with a message, not mistaken for an unknown format.
struct SPDXImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "spdx", name: "SPDX 2.2/2.3 (JSON, tag-value)", tool: "any SPDX producer", category: .sbom, syntax: .json,
        notes: "packages with purl, licenses and dependency relationships; advisories in SECURITY references become findings",
        defectDojoScanTypes: ["SPDX Scan"], isStandard: true)

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        if let text = report.text {
            return text.head(6).contains { $0.hasPrefix("SPDXVersion:") && $0.contains("SPDX-") } ? .certain : nil
        }
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if root["spdxVersion"]?.string?.hasPrefix("SPDX-") == true { return .certain }
        // SPDX 3.0 is JSON-LD: recognized so that it can be refused clearly.
        return root["@context"]?.text?.contains("spdx.org/rdf/3") == true ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        let document: SPDXDocument
        if let text = report.text {
            document = SPDXDocument(tagValue: text)
        } else if let root = report.jsonRoot {
            let version = root["spdxVersion"]?.string ?? "SPDX-3.0"
            guard version.hasPrefix("SPDX-2.") else {
                throw ImportError.content(
                    "\(version) documents are not read yet (SPDX 3.0 is JSON-LD); export SPDX 2.3 JSON or CycloneDX from the tool")
            }
            document = SPDXDocument(json: root)
        } else {
            throw ImportError.content("expected an SPDX JSON or tag-value document")
        }
        return document.output()
    }
}

/// An SPDX 2.x document, whichever syntax it came in.
struct SPDXDocument {
    struct Package {
        var id: String
        var name: String
        var version: String?
        var purl: String?
        var licenseConcluded: String?
        var licenseDeclared: String?
        /// `SECURITY` external references: their type and locator.
        var securityReferences: [(type: String, locator: String)]
        var raw: RawEvidence
        var position: String

        /// The name without the ecosystem prefix some exports add (GitHub's `npm:express`).
        var displayName: String {
            guard let type = purl.flatMap(PackageURL.init(parsing:))?.type, name.lowercased().hasPrefix(type + ":") else { return name }
            return String(name.dropFirst(type.count + 1))
        }
    }

    var creators: [String] = []
    var packages: [Package] = []
    /// (element, relationship type in upper case, related element).
    var relationships: [(String, String, String)] = []
    var describes: [String] = []

    init(json root: JSONNode) {
        creators = root["creationInfo", "creators"]?.strings ?? []
        describes = root["documentDescribes"]?.strings ?? []
        for node in root["packages"]?.array ?? [] {
            guard let id = node["SPDXID"]?.text, let name = node["name"]?.text else { continue }
            var package = Package(
                id: id, name: name, version: node["versionInfo"]?.text, purl: nil, licenseConcluded: node["licenseConcluded"]?.text,
                licenseDeclared: node["licenseDeclared"]?.text, securityReferences: [], raw: .json(node), position: node.position)
            for reference in node["externalRefs"]?.array ?? [] {
                guard let type = reference["referenceType"]?.text, let locator = reference["referenceLocator"]?.text else { continue }
                let category = (reference["referenceCategory"]?.text ?? "").uppercased().replacingOccurrences(of: "_", with: "-")
                if type == "purl" && package.purl == nil { package.purl = locator }
                if category == "SECURITY" { package.securityReferences.append((type, locator)) }
            }
            packages.append(package)
        }
        for relationship in root["relationships"]?.array ?? [] {
            guard let from = relationship["spdxElementId"]?.text, let type = relationship["relationshipType"]?.text,
                let to = relationship["relatedSpdxElement"]?.text
            else { continue }
            relationships.append((from, type.uppercased(), to))
        }
    }

    /// Tag-value: `Tag: value` lines, multi-line values in `<text>...</text>`; a package runs
    /// from its `PackageName` to the next package, file or snippet.
    init(tagValue text: TextReport) {
        var current: Package?
        var start = 0
        func finish(at end: Int) {
            if var package = current {
                package.raw = .text(text, lines: start..<end)
                packages.append(package)
            }
            current = nil
        }
        var index = 0
        while index < text.lines.count {
            let line = text.lines[index]
            guard let colon = line.firstIndex(of: ":"), !line.hasPrefix("#") else {
                index += 1
                continue
            }
            let tag = line[..<colon].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            let tagLine = index
            if value.hasPrefix("<text>") {
                // A multi-line value: up to the line holding </text>.
                var collected = String(value.dropFirst(6))
                while !collected.contains("</text>"), index + 1 < text.lines.count {
                    index += 1
                    collected += "\n" + text.lines[index]
                }
                value = collected.components(separatedBy: "</text>").first ?? collected
            }
            index += 1
            switch tag {
            case "Creator": creators.append(value)
            case "PackageName":
                finish(at: tagLine)
                start = tagLine
                current = Package(
                    id: "", name: value, version: nil, purl: nil, licenseConcluded: nil, licenseDeclared: nil, securityReferences: [],
                    raw: RawEvidence(format: "text", bytes: Data()), position: "line \(tagLine + 1)")
            case "FileName", "SnippetSPDXID": finish(at: tagLine)
            case "SPDXID": if current != nil, current?.id.isEmpty == true { current?.id = value }
            case "PackageVersion": current?.version = value
            case "PackageLicenseConcluded": current?.licenseConcluded = value
            case "PackageLicenseDeclared": current?.licenseDeclared = value
            case "ExternalRef":
                // `ExternalRef: CATEGORY TYPE LOCATOR`
                let parts = value.split(separator: " ", maxSplits: 2).map(String.init)
                guard parts.count == 3 else { break }
                let category = parts[0].uppercased().replacingOccurrences(of: "_", with: "-")
                if parts[1] == "purl" && current?.purl == nil { current?.purl = parts[2] }
                if category == "SECURITY" { current?.securityReferences.append((parts[1], parts[2])) }
            case "Relationship":
                let parts = value.split(separator: " ").map(String.init)
                if parts.count >= 3 { relationships.append((parts[0], parts[1].uppercased(), parts[2])) }
            default: break
            }
        }
        finish(at: text.lines.count)
    }

    /// The tool among the creators (`Tool: syft-1.50.0`), its version split off.
    var tool: ToolInfo {
        guard let creator = creators.first(where: { $0.hasPrefix("Tool:") }) else { return ToolInfo(name: "SPDX") }
        let text = creator.dropFirst(5).trimmingCharacters(in: .whitespaces)
        // The version starts at the first dash followed by a digit or by `v` and a digit.
        var index = text.startIndex
        while let dash = text[index...].firstIndex(of: "-") {
            let rest = text[text.index(after: dash)...]
            if rest.first?.isNumber == true || (rest.first == "v" && rest.dropFirst().first?.isNumber == true) {
                return ToolInfo(name: String(text[..<dash]), version: String(rest))
            }
            index = text.index(after: dash)
        }
        return ToolInfo(name: text)
    }

    func output() -> ImporterOutput {
        var output = ImporterOutput(tool: tool, scope: ScanScope(kind: "sbom"))
        // The packages the document describes are its subject (the image or directory scanned),
        // not packages of it, when it lists others.
        let described = Set(describes + relationships.filter { $0.1 == "DESCRIBES" }.map(\.2))
            .union(relationships.filter { $0.1 == "DESCRIBED-BY" || $0.1 == "DESCRIBED_BY" }.map(\.0))
        let listed = packages.count > described.count ? packages.filter { !described.contains($0.id) } : packages
        var edges: [String: [String]] = [:]
        for (from, type, to) in relationships {
            switch type {
            case "DEPENDS_ON": edges[from, default: []].append(to)
            case "DEPENDENCY_OF", "DEV_DEPENDENCY_OF", "OPTIONAL_DEPENDENCY_OF", "PROVIDED_DEPENDENCY_OF", "RUNTIME_DEPENDENCY_OF",
                "BUILD_DEPENDENCY_OF", "TEST_DEPENDENCY_OF":
                edges[to, default: []].append(from)
            default: break
            }
        }
        var relations: [String: DependencyRelation] = [:]
        for root in described.sorted() {
            for (id, relation) in SBOMPackage.relations(root: root, edges: edges) where relations[id] != .direct { relations[id] = relation }
        }
        output.packages = SBOMPackage.merged(
            listed.map { package in
                SBOMPackage(
                    name: package.displayName, version: package.version?.nonBlank, purl: package.purl.flatMap(PackageURL.init(parsing:)),
                    licenses: [Self.license(package.licenseConcluded) ?? Self.license(package.licenseDeclared)].compactMap { $0 },
                    relation: relations[package.id])
            })
        for package in listed {
            for (id, locators) in Self.advisories(package.securityReferences) {
                let location = packageLocation(name: package.displayName, version: package.version?.nonBlank, ecosystem: nil, purl: package.purl)
                output.findings.append(
                    Finding(
                        category: .sca, tool: output.tool, ruleID: id.value,
                        title: "\(id.value) in \(package.displayName)\(package.version.map { " \($0)" } ?? "")",
                        description: "The SBOM names this advisory for the package; it gives no severity.", severity: .medium,
                        vulnerabilityIDs: [id], location: .package(location), references: locators, raw: package.raw))
            }
        }
        return output
    }

    /// A license field's value, nil for `NOASSERTION`, `NONE` or nothing.
    static func license(_ value: String?) -> String? {
        guard let value = value?.nonBlank, value != "NOASSERTION", value != "NONE" else { return nil }
        return value
    }

    /// The vulnerability ids the references name, each with the locators naming it, in order.
    /// CPEs and other references that name no advisory give nothing.
    static func advisories(_ references: [(type: String, locator: String)]) -> [(VulnerabilityID, [String])] {
        var result: [(VulnerabilityID, [String])] = []
        for (type, locator) in references where ["advisory", "fix", "url", "securityother"].contains(type.lowercased()) {
            var ids = VulnerabilityID.cves(mentionedIn: locator)
            // An advisory URL usually ends in its id (…/GHSA-xxxx-xxxx-xxxx).
            let last = locator.split(whereSeparator: { "/?#=".contains($0) }).last.map(String.init) ?? locator
            if let id = VulnerabilityID(last), id.scheme != .other || VulnerabilityID.isAdvisoryLike(last), !ids.contains(id) { ids.append(id) }
            for id in ids {
                if let existing = result.firstIndex(where: { $0.0 == id }) {
                    if !result[existing].1.contains(locator) { result[existing].1.append(locator) }
                } else {
                    result.append((id, [locator]))
                }
            }
        }
        return result
    }
}
