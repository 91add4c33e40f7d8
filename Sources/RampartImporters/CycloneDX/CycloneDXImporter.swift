import Foundation
import RampartCore

/// CycloneDX JSON 1.2 to 1.6 with a `vulnerabilities` section (VEX/VDR): one finding per
/// vulnerability and affected component, ratings (CVSS v2/v3/v4, OWASP), CWEs and the VEX
/// `analysis` (not_affected and false_positive become suppressions). A BOM without
/// vulnerabilities yields no findings.
struct CycloneDXImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "cyclonedx-json", name: "CycloneDX JSON (1.2-1.6)", tool: "any CycloneDX producer", category: .sbom, syntax: .json,
        notes: "vulnerabilities with ratings, affects and VEX analysis; nested components resolved", defectDojoScanTypes: ["CycloneDX Scan"],
        isStandard: true)

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if root["bomFormat"]?.string == "CycloneDX" { return .certain }
        return root["specVersion"] != nil && root["components"] != nil && root["$schema"]?.string?.contains("cyclonedx") == true ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        let toolNode = root["metadata", "tools"]
        let tools = toolNode?["components"]?.array ?? toolNode?.array ?? []
        let producer = tools.first { !CycloneDXTools.isLibrary($0["name"]?.text) } ?? tools.first
        var output = ImporterOutput(tool: ToolInfo(name: producer?["name"]?.text ?? "CycloneDX", version: producer?["version"]?.text))
        // An SBOM is its own kind of scan, even from a tool that also writes other reports.
        output.scope = ScanScope(
            kind: "sbom",
            target: root["metadata", "component", "type"]?.string == "container" ? root["metadata", "component", "name"]?.text ?? "" : "")
        output.subject = CycloneDXSubject.subject(
            type: root["metadata", "component", "type"]?.string, name: root["metadata", "component", "name"]?.text,
            version: root["metadata", "component", "version"]?.text, purl: root["metadata", "component", "purl"]?.text,
            vcs: (root["metadata", "component", "externalReferences"]?.array ?? []).filter { $0["type"]?.string == "vcs" }.compactMap {
                $0["url"]?.text
            })
        var components: [String: JSONNode] = [:]
        func collect(_ list: [JSONNode]) {
            for component in list {
                if let reference = component["bom-ref"]?.text { components[reference] = component }
                collect(component["components"]?.array ?? [])
            }
        }
        collect(root["components"]?.array ?? [])
        if let main = root["metadata", "component"], let reference = main["bom-ref"]?.text { components[reference] = main }

        var statements: [VEXStatement] = []
        for vulnerability in root["vulnerabilities"]?.array ?? [] {
            guard let id = vulnerability["id"]?.text else {
                output.diagnostics.append(Diagnostic("vulnerability without id skipped", at: vulnerability.position))
                continue
            }
            let record = CycloneDXVulnerability(
                id: id,
                references: (vulnerability["references"]?.array ?? []).compactMap { $0["id"]?.text },
                ratings: (vulnerability["ratings"]?.array ?? []).map { rating in
                    CycloneDXVulnerability.Rating(
                        method: rating["method"]?.string ?? "", vector: rating["vector"]?.text, score: rating["score"]?.double,
                        severity: rating["severity"]?.text, source: rating["source", "name"]?.text)
                },
                cwes: (vulnerability["cwes"]?.array ?? []).compactMap(\.int), description: vulnerability["description"]?.text,
                detail: vulnerability["detail"]?.text, recommendation: vulnerability["recommendation"]?.text,
                advisories: (vulnerability["advisories"]?.array ?? []).compactMap { $0["url"]?.text }
                    + [vulnerability["source", "url"]?.text].compactMap { $0 },
                analysisState: vulnerability["analysis", "state"]?.string, analysisJustification: vulnerability["analysis", "justification"]?.text,
                analysisDetail: vulnerability["analysis", "detail"]?.text, analysisResponses: vulnerability["analysis", "response"]?.strings ?? [])
            let references = (vulnerability["affects"]?.array ?? []).compactMap { $0["ref"]?.text }
            if references.isEmpty {
                output.diagnostics.append(
                    Diagnostic("vulnerability \(id) affects no component; kept against the BOM subject", at: vulnerability.position))
            }
            var affectedComponents: [CycloneDXVulnerability.Component] = []
            for reference in references.isEmpty ? [""] : references {
                let component = components[reference]
                let affected = CycloneDXVulnerability.Component(
                    reference: reference, name: component?["name"]?.text, group: component?["group"]?.text, version: component?["version"]?.text,
                    purl: component?["purl"]?.text)
                affectedComponents.append(affected)
                output.findings.append(record.finding(affecting: affected, tool: output.tool, raw: .json(vulnerability)))
            }
            if let statement = record.statement(affecting: affectedComponents) { statements.append(statement) }
        }
        CycloneDXTools.treatInfrastructureChecks(&output)
        output.packages = CycloneDXInventory.packages(json: root)
        if !statements.isEmpty { output.vexStatements = statements }
        return output
    }
}

/// One CycloneDX vulnerability, whichever syntax it was read from.
struct CycloneDXVulnerability {
    struct Rating {
        var method: String
        var vector: String?
        var score: Double?
        var severity: String?
        var source: String?
    }

    struct Component {
        var reference: String
        var name: String?
        var group: String?
        var version: String?
        var purl: String?
    }

    var id: String
    var references: [String]
    var ratings: [Rating]
    var cwes: [Int]
    var description: String?
    var detail: String?
    var recommendation: String?
    var advisories: [String]
    var analysisState: String?
    var analysisJustification: String?
    var analysisDetail: String?
    var analysisResponses: [String]

    /// CVSS ratings; CycloneDX writes vectors with or without the `CVSS:x.y/` prefix, the
    /// method telling the version. CVSS v2 and OWASP ratings give the severity only.
    var cvss: [CVSSScore] {
        ratings.compactMap { rating in
            var vector = rating.vector?.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
            if let raw = vector, !raw.uppercased().hasPrefix("CVSS:") {
                switch rating.method {
                case "CVSSv31": vector = "CVSS:3.1/" + raw
                case "CVSSv3": vector = "CVSS:3.0/" + raw
                case "CVSSv4": vector = "CVSS:4.0/" + raw
                default: vector = nil
                }
            }
            guard rating.method.hasPrefix("CVSSv3") || rating.method == "CVSSv4" || rating.method.isEmpty else { return nil }
            return CVSSScore(vector: vector, score: rating.score, source: rating.source)
        }
    }

    /// The VEX statement the `analysis` makes about the affected components, kept to be
    /// applied to other tools' findings; nil without an analysis state VEX can express.
    func statement(affecting components: [Component]) -> VEXStatement? {
        let status: VEXStatus
        switch analysisState {
        case "not_affected", "false_positive": status = .notAffected
        case "exploitable": status = .affected
        case "in_triage": status = .underInvestigation
        case "resolved", "resolved_with_pedigree": status = .fixed
        default: return nil
        }
        let purls = components.compactMap { component in
            (component.purl ?? (component.reference.hasPrefix("pkg:") ? component.reference : nil)).flatMap(PackageURL.init(parsing:))
        }
        let names = components.filter { $0.purl == nil && !$0.reference.hasPrefix("pkg:") }.compactMap { $0.name ?? $0.reference.nonBlank }
        return VEXStatement(
            vulnerabilities: .parsing([id] + references), products: purls, productNames: names, status: status,
            justification: analysisState == "false_positive" ? "false_positive" : analysisJustification, detail: analysisDetail)
    }

    func finding(affecting component: Component, tool: ToolInfo, raw: RawEvidence) -> Finding {
        let cvss = self.cvss
        let severityWord = ratings.lazy.compactMap(\.severity).first { $0.lowercased() != "unknown" }
        var suppression: Suppression?
        switch analysisState {
        case "not_affected":
            suppression = Suppression(
                kind: .notAffected, justification: [analysisJustification, analysisDetail].compactMap { $0 }.joined(separator: ": ").nonBlank)
        case "false_positive":
            suppression = Suppression(kind: .falsePositive, justification: analysisDetail)
        default:
            break
        }
        var tags = analysisState.map { ["vex:\($0)"] } ?? []
        tags += analysisResponses.map { "vex-response:\($0)" }
        let purlText = component.purl ?? (component.reference.hasPrefix("pkg:") ? component.reference : nil)
        let purl = purlText.flatMap { PackageURL(parsing: $0) }
        var name = component.name ?? purl?.name ?? (component.reference.isEmpty ? "unknown" : component.reference)
        if let group = component.group { name = "\(group):\(name)" }
        let version = component.version ?? purl?.version
        return Finding(
            category: .sca, tool: tool, ruleID: id, title: "\(id) in \(name)\(version.map { " \($0)" } ?? "")",
            description: [description, detail].compactMap { $0 }.joined(separator: "\n\n").nonBlank, toolSeverity: severityWord,
            severity: .from(tool: severityWord, score: cvss.first?.score), cwes: Array(Set(cwes)).sorted(),
            vulnerabilityIDs: .parsing([id] + references), cvss: cvss,
            location: .package(PackageLocation(purl: purl, name: name, version: version, ecosystem: purl?.type)), remediation: recommendation,
            references: advisories, tags: tags, suppression: suppression, raw: raw)
    }
}

/// CycloneDX XML: 1.4+ `vulnerabilities` (ratings, affects, VEX analysis) and the 1.0-1.3
/// vulnerability extension (`v:vulnerabilities` inside the affected component).
struct CycloneDXXMLImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "cyclonedx-xml", name: "CycloneDX XML (1.0-1.6)", tool: "any CycloneDX producer", category: .sbom, syntax: .xml,
        notes: "vulnerabilities with ratings, affects and VEX analysis, and the 1.x vulnerability extension",
        defectDojoScanTypes: ["CycloneDX Scan"], isStandard: true)

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot, root.localName == "bom" else { return nil }
        return root.attributes.contains { $0.key.hasPrefix("xmlns") && $0.value.contains("cyclonedx") } ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        // 1.5+ lists tools as components; earlier versions as tool elements.
        let tools = root.path("metadata", "tools")
        let listed = tools?.child("components")?.children("component") ?? tools?.children ?? []
        let tool = listed.first { !CycloneDXTools.isLibrary($0.childText("name")) } ?? listed.first
        var output = ImporterOutput(tool: ToolInfo(name: tool?.childText("name") ?? "CycloneDX", version: tool?.childText("version")))
        let main = root.path("metadata", "component")
        output.scope = ScanScope(kind: "sbom", target: main?.attributes["type"] == "container" ? main?.childText("name") ?? "" : "")
        output.subject = CycloneDXSubject.subject(
            type: main?.attributes["type"], name: main?.childText("name"), version: main?.childText("version"), purl: main?.childText("purl"),
            vcs: (main?.child("externalReferences")?.children("reference") ?? []).filter { $0.attributes["type"] == "vcs" }.compactMap {
                $0.childText("url")
            })
        var components: [String: XMLElement] = [:]
        func visit(_ list: [XMLElement]) {
            for component in list {
                if let reference = component.attributes["bom-ref"] { components[reference] = component }
                // 1.0-1.3 extension: the vulnerabilities sit inside the component they affect.
                for vulnerability in component.child("vulnerabilities")?.children("vulnerability") ?? [] {
                    read(vulnerability, affecting: [component], into: &output)
                }
                visit(component.child("components")?.children("component") ?? [])
            }
        }
        visit(root.child("components")?.children("component") ?? [])
        if let subject = root.path("metadata", "component"), let reference = subject.attributes["bom-ref"] { components[reference] = subject }
        for vulnerability in root.child("vulnerabilities")?.children("vulnerability") ?? [] {
            // 1.4+ names the affected components in affects/target/ref; the extension in a `ref` attribute.
            let references =
                (vulnerability.child("affects")?.children("target") ?? []).compactMap { $0.childText("ref") }
                + [vulnerability.attributes["ref"]].compactMap { $0 }
            if references.isEmpty {
                output.diagnostics.append(
                    Diagnostic("vulnerability affects no component; kept against the BOM subject", at: "line \(vulnerability.line)"))
            }
            let affected = references.map {
                components[$0] ?? XMLElement(name: "component", attributes: ["bom-ref": $0], children: [], text: "", line: 0)
            }
            read(vulnerability, affecting: affected, into: &output)
        }
        CycloneDXTools.treatInfrastructureChecks(&output)
        output.packages = CycloneDXInventory.packages(xml: root)
        return output
    }

    private func read(_ element: XMLElement, affecting components: [XMLElement], into output: inout ImporterOutput) {
        guard let id = element.childText("id") else {
            output.diagnostics.append(Diagnostic("vulnerability without id skipped", at: "line \(element.line)"))
            return
        }
        let analysis = element.child("analysis")
        let record = CycloneDXVulnerability(
            id: id, references: (element.child("references")?.children("reference") ?? []).compactMap { $0.childText("id") },
            ratings: (element.child("ratings")?.children("rating") ?? []).map { rating in
                CycloneDXVulnerability.Rating(
                    method: rating.childText("method") ?? "", vector: rating.childText("vector"),
                    score: (rating.childText("score") ?? rating.path("score", "base")?.value).flatMap(Double.init),
                    severity: rating.childText("severity"),
                    source: rating.path("source", "name")?.value ?? rating.child("source")?.attributes["name"])
            },
            cwes: (element.child("cwes")?.children("cwe") ?? []).compactMap { $0.value.flatMap(CWE.parse) },
            description: element.childText("description"), detail: element.childText("detail"),
            recommendation: element.childText("recommendation")
                ?? element.child("recommendations")?.children.compactMap(\.value).joined(separator: "\n").nonBlank,
            advisories: (element.child("advisories")?.children("advisory") ?? []).compactMap { $0.childText("url") ?? $0.value }
                + [element.path("source", "url")?.value].compactMap { $0 },
            analysisState: analysis?.childText("state"), analysisJustification: analysis?.childText("justification"),
            analysisDetail: analysis?.childText("detail"),
            analysisResponses: (analysis?.child("responses")?.children("response") ?? []).compactMap(\.value))
        var affectedComponents: [CycloneDXVulnerability.Component] = []
        for component in components.isEmpty ? [XMLElement(name: "component", attributes: [:], children: [], text: "", line: 0)] : components {
            let affected = CycloneDXVulnerability.Component(
                reference: component.attributes["bom-ref"] ?? "", name: component.childText("name"), group: component.childText("group"),
                version: component.childText("version"), purl: component.childText("purl"))
            affectedComponents.append(affected)
            output.findings.append(record.finding(affecting: affected, tool: output.tool, raw: .xml(element)))
        }
        if let statement = record.statement(affecting: affectedComponents) { output.vexStatements = (output.vexStatements ?? []) + [statement] }
    }
}

/// Who wrote a CycloneDX document, and what it is about.
enum CycloneDXTools {
    /// Libraries that serialize CycloneDX and list themselves as a tool beside the scanner
    /// (Checkov's BOM names cyclonedx-python-lib first).
    static func isLibrary(_ name: String?) -> Bool {
        guard let name = name?.lowercased() else { return false }
        return name.hasPrefix("cyclonedx-") || name.hasPrefix("@cyclonedx/") || name == "cyclonedx" || name.hasPrefix("cyclonedx ")
    }

    /// Package URL types that name infrastructure code, not packages (Checkov's BOM lists each
    /// checked resource as `pkg:terraform/<repo path>/<file>/<resource>`).
    static let infrastructureTypes: Set<String> = [
        "terraform", "dockerfile", "kubernetes", "cloudformation", "helm", "kustomize", "github_actions", "gitlab_ci", "bitbucket_pipelines",
        "azure_pipelines", "arm", "bicep", "serverless", "ansible", "argo_workflows", "circleci_pipelines", "openapi", "secrets",
    ]

    /// A document whose vulnerabilities all affect infrastructure resources is an IaC report:
    /// its findings are misconfigurations of files, not advisories of packages, and it is that
    /// tool's ordinary scan, not an SBOM.
    static func treatInfrastructureChecks(_ output: inout ImporterOutput) {
        var converted = 0
        for index in output.findings.indices {
            guard case .package(let package) = output.findings[index].location, let purl = package.purl,
                infrastructureTypes.contains(purl.type)
            else { continue }
            // The namespace is `<scan root>/<repository>/<path>`; the name is the resource.
            var path = (purl.namespace ?? "").split(separator: "/").map(String.init)
            if path.first == "cli_repo" { path.removeFirst(min(2, path.count)) }
            var finding = output.findings[index]
            finding.category = purl.type == "secrets" ? .secrets : .iac
            finding.vulnerabilityIDs = []
            // Checkov writes "Resource: <resource>. <check name>".
            var title = finding.description.flatMap { $0.split(separator: "\n").first.map(String.init) } ?? finding.ruleID
            if title.hasPrefix("Resource: "), let end = title.range(of: ". ") { title = String(title[end.upperBound...]) }
            finding.title = title
            finding.location = .iac(IaCLocation(file: path.joined(separator: "/"), resource: purl.name, framework: purl.type))
            output.findings[index] = finding
            converted += 1
        }
        if converted > 0 && converted == output.findings.count { output.scope = .component }
    }
}

/// The packages a CycloneDX BOM lists, from either syntax: every component but files and
/// infrastructure resources, nested ones included, with licenses and whether the BOM's subject
/// depends on each directly (from the `dependencies` graph).
enum CycloneDXInventory {
    struct Component {
        var reference: String?
        var type: String?
        var name: String?
        var group: String?
        var version: String?
        var purl: String?
        var licenses: [String]
    }

    /// Nil when the BOM lists only infrastructure resources (Checkov's): that is an IaC
    /// report, not an inventory of packages.
    static func packages(_ components: [Component], subject: String?, dependencies: [String: [String]]) -> [SBOMPackage]? {
        let listed = components.filter { $0.type?.lowercased() != "file" && $0.name?.nonBlank != nil }
        let kept = listed.filter { component in
            guard let type = component.purl.flatMap(PackageURL.init(parsing:))?.type else { return true }
            return !CycloneDXTools.infrastructureTypes.contains(type)
        }
        if kept.isEmpty && !listed.isEmpty { return nil }
        // Components without a purl (a lock file, an operating system) group packages rather
        // than being dependencies: the packages under them are still the subject's own.
        let transparent = Set(kept.filter { $0.purl == nil }.compactMap(\.reference))
        let relations = SBOMPackage.relations(
            root: subject, nodes: kept.compactMap(\.reference), edges: dependencies, transparent: transparent)
        let packages = kept.compactMap { component -> SBOMPackage? in
            guard let rawName = component.name?.nonBlank else { return nil }
            let purl = component.purl.flatMap(PackageURL.init(parsing:))
            var name = rawName
            if let group = component.group?.nonBlank {
                // npm scopes are written `@scope/name`; Maven-style groups `group:name`.
                name = group.hasPrefix("@") || purl?.type == "npm" ? "\(group)/\(rawName)" : "\(group):\(rawName)"
            }
            return SBOMPackage(
                name: name, version: component.version?.nonBlank ?? purl?.version, purl: purl, licenses: component.licenses,
                relation: component.reference.flatMap { relations[$0] })
        }
        return SBOMPackage.merged(packages)
    }

    static func packages(json root: JSONNode) -> [SBOMPackage]? {
        var components: [Component] = []
        func collect(_ list: [JSONNode]) {
            for node in list {
                let licenses = (node["licenses"]?.array ?? []).compactMap { choice in
                    choice["expression"]?.text ?? choice["license", "id"]?.text ?? choice["license", "name"]?.text
                }
                components.append(
                    Component(
                        reference: node["bom-ref"]?.text, type: node["type"]?.string, name: node["name"]?.text, group: node["group"]?.text,
                        version: node["version"]?.text, purl: node["purl"]?.text, licenses: licenses))
                collect(node["components"]?.array ?? [])
            }
        }
        collect(root["components"]?.array ?? [])
        var dependencies: [String: [String]] = [:]
        for entry in root["dependencies"]?.array ?? [] {
            guard let reference = entry["ref"]?.text else { continue }
            // 1.6 adds `provides` beside `dependsOn`; only dependsOn is a dependency.
            dependencies[reference, default: []] += (entry["dependsOn"]?.array ?? []).compactMap(\.text)
        }
        return packages(components, subject: root["metadata", "component", "bom-ref"]?.text, dependencies: dependencies)
    }

    static func packages(xml root: XMLElement) -> [SBOMPackage]? {
        var components: [Component] = []
        func collect(_ list: [XMLElement]) {
            for element in list {
                var licenses: [String] = []
                for choice in element.child("licenses")?.children ?? [] {
                    if choice.localName == "expression", let expression = choice.value { licenses.append(expression) }
                    if choice.localName == "license", let license = choice.childText("id") ?? choice.childText("name") { licenses.append(license) }
                }
                components.append(
                    Component(
                        reference: element.attributes["bom-ref"], type: element.attributes["type"], name: element.childText("name"),
                        group: element.childText("group"), version: element.childText("version"), purl: element.childText("purl"),
                        licenses: licenses))
                collect(element.child("components")?.children("component") ?? [])
            }
        }
        collect(root.child("components")?.children("component") ?? [])
        var dependencies: [String: [String]] = [:]
        for entry in root.child("dependencies")?.children("dependency") ?? [] {
            guard let reference = entry.attributes["ref"] else { continue }
            dependencies[reference, default: []] += entry.children("dependency").compactMap { $0.attributes["ref"] }
        }
        return packages(components, subject: root.path("metadata", "component")?.attributes["bom-ref"], dependencies: dependencies)
    }
}

/// What a CycloneDX document describes (`metadata.component`): its package, its image, its repository.
enum CycloneDXSubject {
    static func subject(type: String?, name: String?, version: String?, purl: String?, vcs: [String]) -> ReportSubject {
        var subject = ReportSubject()
        if let purl, var parsed = PackageURL(parsing: purl) {
            parsed.version = nil
            subject.packages.append(parsed.description)
        }
        if type == "container", let name { subject.images.append(version.map { "\(name):\($0)" } ?? name) }
        subject.repositories = vcs.filter { RepositoryMatch.normalizedURL($0) != nil }
        return subject
    }
}
