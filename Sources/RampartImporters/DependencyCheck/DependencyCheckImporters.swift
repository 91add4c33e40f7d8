import Foundation
import RampartCore

/// One Dependency-Check vulnerability of one dependency, from either report format.
struct DependencyCheckVulnerability {
    var name: String
    var severity: String?
    var cvss: [CVSSScore]
    var cwes: [Int]
    var description: String?
    var references: [String]
    var suppressed: Bool

    /// `dependency` is the dependency's location and display name, made once for all its
    /// vulnerabilities (each reads its package URL).
    func finding(dependency: (location: PackageLocation, displayName: String), tool: ToolInfo, raw: RawEvidence) -> Finding {
        let score = cvss.first?.score
        return Finding(
            category: .sca, tool: tool, ruleID: name, title: "\(name) in \(dependency.displayName)", description: description,
            toolSeverity: severity, severity: .from(tool: severity, score: score, default: .medium), cwes: cwes,
            vulnerabilityIDs: .parsing([name]), cvss: cvss, location: .package(dependency.location), references: references,
            suppression: suppressed ? Suppression(kind: .external, justification: "suppressed by a Dependency-Check suppression file") : nil,
            raw: raw)
    }
}

struct DependencyCheckDependency {
    var fileName: String
    var filePath: String?
    var packageIDs: [String]
    /// The product and version Dependency-Check's evidence names with the most confidence: what
    /// identifies a file no package identifier was found for.
    var evidence: (product: String?, version: String?) = (nil, nil)

    /// The most confident value of each evidence type, from (type, confidence, value) triples.
    static func strongestEvidence(_ items: [(type: String, confidence: String?, value: String?)]) -> (product: String?, version: String?) {
        let rank = ["HIGHEST": 4, "HIGH": 3, "MEDIUM": 2, "LOW": 1]
        func best(_ type: String) -> String? {
            items.filter { $0.type.lowercased() == type && $0.value?.nonBlank != nil }
                .max { rank[$0.confidence?.uppercased() ?? ""] ?? 0 < rank[$1.confidence?.uppercased() ?? ""] ?? 0 }?.value?.nonBlank
        }
        return (best("product"), best("version"))
    }

    static func displayName(of location: PackageLocation, fileName: String) -> String {
        location.purl.map { "\($0.name)\($0.version.map { " \($0)" } ?? "")" } ?? fileName
    }

    /// The location and display name every vulnerability of the dependency shares.
    var described: (location: PackageLocation, displayName: String) {
        let location = location
        return (location, Self.displayName(of: location, fileName: fileName))
    }

    var location: PackageLocation {
        let purl = packageIDs.lazy.compactMap { PackageURL(parsing: $0) }.first
        var name = evidence.product ?? fileName
        if let purl { name = purl.namespace.map { "\($0):\(purl.name)" } ?? purl.name }
        // The scanned file's name carries the version (log4j-core-2.14.1.jar): shown, not identity.
        return PackageLocation(
            purl: purl, name: name, version: purl?.version ?? evidence.version, ecosystem: purl?.type,
            artifactPath: fileName.isEmpty ? filePath : fileName)
    }
}

enum DependencyCheckCVSS {
    static let abbreviations: [String: String] = [
        "NETWORK": "N", "ADJACENT_NETWORK": "A", "ADJACENT": "A", "LOCAL": "L", "PHYSICAL": "P", "LOW": "L", "HIGH": "H", "NONE": "N",
        "REQUIRED": "R", "UNCHANGED": "U", "CHANGED": "C",
    ]

    static let metrics = [
        ("AV", "attackVector"), ("AC", "attackComplexity"), ("PR", "privilegesRequired"), ("UI", "userInteraction"), ("S", "scope"),
        ("C", "confidentialityImpact"), ("I", "integrityImpact"), ("A", "availabilityImpact"),
    ]

    /// Dependency-Check spells CVSS v3 metrics out (attackVector NETWORK...); rebuild the vector.
    static func vector(_ value: (String) -> String?) -> String? {
        var parts: [String] = []
        parts.reserveCapacity(metrics.count)
        for (key, name) in metrics {
            guard let text = value(name)?.uppercased(), let short = abbreviations[text] ?? (text.count == 1 ? text : nil) else { return nil }
            parts.append("\(key):\(short)")
        }
        let version = value("version").map { $0.hasPrefix("3.0") ? "3.0" : "3.1" } ?? "3.1"
        return "CVSS:\(version)/" + parts.joined(separator: "/")
    }
}

/// OWASP Dependency-Check XML report (schemas 1.x to 2.5 and later).
struct DependencyCheckXMLImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "dependency-check-xml", name: "OWASP Dependency-Check XML", tool: "OWASP Dependency-Check", category: .sca, syntax: .xml,
        notes: "vulnerabilities per dependency with CVSS v2/v3, CWEs, package ids; suppressed ones kept as suppressed",
        defectDojoScanTypes: ["Dependency Check Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot, root.localName == "analysis" else { return nil }
        if root.attributes["xmlns"]?.contains("dependency-check") == true { return .certain }
        return root.child("dependencies") != nil || root.child("scanInfo") != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "Dependency-Check", version: root.path("scanInfo", "engineVersion")?.value))
        // Dependencies are read on every core: a large report's vulnerabilities are most of its import.
        let dependencies = root.child("dependencies")?.children("dependency") ?? []
        let tool = output.tool
        let read = await Concurrently.map(count: dependencies.count) { Self.findings(of: dependencies[$0], tool: tool) }
        for part in read {
            output.findings += part.findings
            output.diagnostics += part.diagnostics
        }
        return output
    }

    /// The findings of one `<dependency>`: one per vulnerability, suppressed ones kept as suppressed.
    static func findings(of element: XMLElement, tool: ToolInfo) -> (findings: [Finding], diagnostics: [Diagnostic]) {
        var findings: [Finding] = []
        var diagnostics: [Diagnostic] = []
        // Identifiers come as <package><id>purl</id> (schema 2.x, sometimes nested twice) or, in
        // schema 1.x, as <identifier type="maven"><name>group:artifact:version</name>.
        let identifiers = element.child("identifiers")
        var packageIDs = (identifiers?.descendants("package") ?? []).compactMap { $0.childText("id") }
        for identifier in identifiers?.children("identifier") ?? [] {
            guard let type = identifier.attributes["type"], type != "cpe", let name = identifier.childText("name") else { continue }
            let parts = name.split(separator: ":").map(String.init)
            let purlType = PackageURL.purlType(forEcosystem: type) ?? type
            if parts.count == 3 {
                packageIDs.append(PackageURL(type: purlType, namespace: parts[0], name: parts[1], version: parts[2]).description)
            } else if parts.count == 2 {
                packageIDs.append(PackageURL(type: purlType, name: parts[0], version: parts[1]).description)
            }
        }
        var dependency = DependencyCheckDependency(
            fileName: element.childText("fileName") ?? "", filePath: element.childText("filePath"), packageIDs: packageIDs)
        dependency.evidence = DependencyCheckDependency.strongestEvidence(
            (element.child("evidenceCollected")?.children("evidence") ?? []).map {
                (type: $0.attributes["type"] ?? "", confidence: $0.attributes["confidence"], value: $0.childText("value"))
            })
        let described = dependency.described
        // Each child element looked up once: a copy of an element retains each of its parts.
        let listed = element.child("vulnerabilities")
        let vulnerabilities =
            (listed?.children("vulnerability") ?? []).map { ($0, false) } + (listed?.children("suppressedVulnerability") ?? []).map { ($0, true) }
            + (element.child("suppressedVulnerabilities")?.children("suppressedVulnerability") ?? []).map { ($0, true) }
        for (item, suppressed) in vulnerabilities {
            guard let name = item.childText("name") else {
                diagnostics.append(Diagnostic("vulnerability without name skipped", at: "line \(item.line)"))
                continue
            }
            var cvss: [CVSSScore] = []
            let v3 = item.child("cvssV3")
            if let v3 {
                if let score = CVSSScore(
                    vector: DependencyCheckCVSS.vector { v3.childText($0) }, score: v3.childText("baseScore").flatMap(Double.init), source: "NVD")
                {
                    cvss.append(score)
                }
            }
            if cvss.isEmpty, let score = (item.child("cvssV2")?.childText("score") ?? item.childText("cvssScore")).flatMap(Double.init),
                let rating = CVSSScore(vector: nil, score: score, source: "NVD v2")
            {
                cvss.append(rating)
            }
            let cweTexts = (item.child("cwes")?.children("cwe") ?? []).compactMap(\.value) + item.children("cwe").compactMap(\.value)
            let references = (item.child("references")?.children("reference") ?? []).compactMap { $0.childText("url") }
            let severity = item.childText("severity") ?? v3?.childText("baseSeverity")
            let vulnerability = DependencyCheckVulnerability(
                name: name, severity: severity, cvss: cvss, cwes: CWE.parseAll(cweTexts), description: item.childText("description"),
                references: references, suppressed: suppressed)
            findings.append(vulnerability.finding(dependency: described, tool: tool, raw: .xml(item)))
        }

        return (findings, diagnostics)
    }
}

/// OWASP Dependency-Check JSON report.
struct DependencyCheckJSONImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "dependency-check-json", name: "OWASP Dependency-Check JSON", tool: "OWASP Dependency-Check", category: .sca, syntax: .json,
        notes: "vulnerabilities per dependency with CVSS v2/v3, CWEs, package ids; suppressed ones kept as suppressed",
        defectDojoScanTypes: ["Dependency Check Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["dependencies"] != nil else { return nil }
        return root["reportSchema"] != nil || root["scanInfo", "engineVersion"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Dependency-Check", version: root["scanInfo", "engineVersion"]?.text))
        for element in root["dependencies"]?.array ?? [] {
            let packageIDs = (element["packages"]?.array ?? []).compactMap { $0["id"]?.text }
            var dependency = DependencyCheckDependency(
                fileName: element["fileName"]?.text ?? "", filePath: element["filePath"]?.text, packageIDs: packageIDs)
            let evidence = element["evidenceCollected"]
            dependency.evidence = DependencyCheckDependency.strongestEvidence(
                ["product", "version"].flatMap { type in
                    (evidence?["\(type)Evidence"]?.array ?? []).map {
                        (type: type, confidence: $0["confidence"]?.text, value: $0["value"]?.text)
                    }
                })
            let described = dependency.described
            let items =
                (element["vulnerabilities"]?.array ?? []).map { ($0, false) } + (element["suppressedVulnerabilities"]?.array ?? []).map { ($0, true) }
            for (item, suppressed) in items {
                guard let name = item["name"]?.text else {
                    output.diagnostics.append(Diagnostic("vulnerability without name skipped", at: item.position))
                    continue
                }
                var cvss: [CVSSScore] = []
                if let v3 = item["cvssv3"],
                    let score = CVSSScore(vector: DependencyCheckCVSS.vector { v3[$0]?.text }, score: v3["baseScore"]?.double, source: "NVD")
                {
                    cvss.append(score)
                }
                if cvss.isEmpty, let score = item["cvssv2", "score"]?.double, let rating = CVSSScore(vector: nil, score: score, source: "NVD v2") {
                    cvss.append(rating)
                }
                let vulnerability = DependencyCheckVulnerability(
                    name: name, severity: item["severity"]?.text, cvss: cvss, cwes: CWE.parseAll(item["cwes"]?.strings ?? []),
                    description: item["description"]?.text, references: (item["references"]?.array ?? []).compactMap { $0["url"]?.text },
                    suppressed: suppressed)
                output.findings.append(vulnerability.finding(dependency: described, tool: output.tool, raw: .json(item)))
            }
        }
        return output
    }
}
