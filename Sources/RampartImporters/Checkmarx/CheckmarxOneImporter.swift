import Foundation
import RampartCore

/// Checkmarx One's JSON, from its three engines (SAST, KICS for IaC, SCA with containers):
/// - the results API (`/api/results`: `results[]`, each with a `type` and its engine's `data`),
/// - the AST CLI's JSON report (`cx scan create --report-format json`: `scanResults.sast`,
///   `.sca`, `.kics`),
/// - the improved scan report (`reportType: scan`: `scanResults.resultsList` per query).
///
/// A SAST result is placed at its sink (the last node) with its path in the description; a KICS
/// result at its file and line; an SCA result at its package. The similarity id is Checkmarx's
/// identity of a result across scans. NOT_EXPLOITABLE results are kept as suppressed.
struct CheckmarxOneImporter: ReportImporter {
    let info = FormatInfo(
        id: "checkmarx-one-json", name: "Checkmarx One JSON", tool: "Checkmarx One", category: .sast, syntax: .json,
        notes: "SAST (source-to-sink path), KICS (IaC), SCA and container results; results API, CLI JSON report and scan report",
        defectDojoScanTypes: ["Checkmarx One Scan", "Checkmarx Scan detailed", "Checkmarx Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if let results = root["scanResults"], results.isObject {
            if results["sast"] != nil || results["sca"] != nil || results["kics"] != nil { return .certain }
            if root["reportType"] != nil, results["resultsList"] != nil { return .certain }
        }
        guard let results = root["results"], results.isArray, root["totalCount"] != nil else { return nil }
        guard let first = results.array.first else { return .possible }
        let type = first["type"]?.string ?? ""
        return ["sast", "kics", "sca", "sca-container", "containers", "secrets", "apisec"].contains(type) && first["similarityId"] != nil
            ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Checkmarx One"))
        if let results = root["results"], results.isArray {
            for result in results.array { readAPIResult(result, into: &output) }
        } else if let scan = root["scanResults"], scan.isObject, scan["resultsList"] != nil {
            readScanReport(root, into: &output)
        } else if let scan = root["scanResults"] {
            readCLIReport(scan, into: &output)
        }
        return output
    }

    // MARK: The results API

    private func readAPIResult(_ result: JSONNode, into output: inout ImporterOutput) {
        let data = result["data"]
        let details = result["vulnerabilityDetails"]
        let common = Common(
            similarity: result["similarityId"]?.text, severity: result["severity"]?.text, state: result["state"]?.text,
            description: result["description"]?.text, raw: .json(result))
        switch result["type"]?.string {
        case "sast":
            output.findings.append(
                sast(
                    query: data?["queryName"]?.text, cwe: details?["cweId"]?.text, nodes: data?["nodes"]?.array ?? [],
                    language: data?["languageName"]?.text,
                    compliance: details?["compliances"]?.strings ?? [], common: common, tool: output.tool))
        case "kics":
            output.findings.append(
                kics(
                    query: data?["queryName"]?.text, file: data?["filename"]?.text ?? data?["fileName"]?.text, line: data?["line"]?.int,
                    platform: data?["platform"]?.text, expected: data?["expectedValue"]?.text,
                    actual: data?["value"]?.text ?? data?["actualValue"]?.text,
                    common: common, tool: output.tool))
        case "sca":
            // `Maven-com.thoughtworks.xstream:xstream-1.4.5`: ecosystem, name and version in one.
            let identifier = data?["packageIdentifier"]?.text ?? data?["scaPackageData", "id"]?.text
            let package = identifier.map { Self.splitIdentifier($0) }
            let manifest = data?["scaPackageData", "locations"]?.strings.first
            let direct = data?["scaPackageData", "isDirectDependency"]?.bool
            output.findings.append(
                sca(
                    id: details?["cveName"]?.text ?? result["id"]?.text, package: package, manifest: manifest, direct: direct,
                    fixed: data?["recommendedVersion"]?.text, score: details?["cvssScore"]?.double, cwe: details?["cweId"]?.text,
                    references: (data?["packageData"]?.array ?? []).compactMap { $0["url"]?.text }, common: common, tool: output.tool))
        case "sca-container", "containers":
            let name = data?["packageName"]?.text ?? "package"
            var finding = sca(
                id: details?["cveName"]?.text?.nonBlank ?? result["id"]?.text, package: (nil, name, data?["packageVersion"]?.text), manifest: nil,
                direct: nil, fixed: nil, score: details?["cvssScore"]?.double, cwe: details?["cweId"]?.text, references: [], common: common,
                tool: output.tool)
            finding.category = .container
            if case .package(var package) = finding.location, let image = data?["imageName"]?.text {
                package.image = ImageLocation(reference: image)
                finding.location = .package(package)
            }
            output.findings.append(finding)
        default:
            output.diagnostics.append(Diagnostic("a result of type \(result["type"]?.text ?? "unknown") was skipped", at: result.position))
        }
    }

    // MARK: The CLI's JSON report

    private func readCLIReport(_ scan: JSONNode, into output: inout ImporterOutput) {
        for language in scan["sast", "languages"]?.array ?? [] {
            for query in language["queries"]?.array ?? [] {
                for vulnerability in query["vulnerabilities"]?.array ?? [] {
                    output.findings.append(
                        sast(
                            query: query["queryName"]?.text, cwe: vulnerability["cweId"]?.text, nodes: vulnerability["nodes"]?.array ?? [],
                            language: language["languageName"]?.text, compliance: vulnerability["compliance"]?.strings ?? [],
                            common: Common(vulnerability, description: query["description"]?.text), tool: output.tool))
                }
            }
        }
        for package in scan["sca", "packages"]?.array ?? [] {
            for vulnerability in package["vulnerabilities"]?.array ?? [] {
                var split = Self.splitIdentifier(package["name"]?.text ?? "package")
                if let version = vulnerability["version"]?.text {
                    split = Self.splitIdentifier(package["name"]?.text ?? "package", version: version)
                }
                output.findings.append(
                    sca(
                        id: vulnerability["cveId"]?.text ?? vulnerability["similarityId"]?.text, package: split, manifest: nil, direct: nil,
                        fixed: nil,
                        score: nil, cwe: vulnerability["cwe"]?.text, references: [], common: Common(vulnerability, description: nil),
                        tool: output.tool))
            }
        }
        for result in scan["kics", "results"]?.array ?? [] {
            for vulnerability in result["vulnerabilities"]?.array ?? [] {
                output.findings.append(
                    kics(
                        query: vulnerability["queryName"]?.text, file: vulnerability["fileName"]?.text ?? result["name"]?.text,
                        line: vulnerability["line"]?.int,
                        platform: nil, expected: vulnerability["expectedValue"]?.text, actual: vulnerability["actualValue"]?.text,
                        common: Common(vulnerability, description: nil), tool: output.tool))
            }
        }
    }

    // MARK: The improved scan report

    private func readScanReport(_ root: JSONNode, into output: inout ImporterOutput) {
        var details: [String: JSONNode] = [:]
        for detail in root["vulnerabilityDetails"]?.array ?? [] { if let name = detail["vulnerabilityName"]?.text { details[name] = detail } }
        for query in root["scanResults", "resultsList"]?.array ?? [] {
            let name = query["queryName"]?.text
            let detail = name.flatMap { details[$0] }
            let description = [query["description"]?.text, detail?["risk"]?.text, detail?["cause"]?.text].compactMap { $0 }.joined(separator: "\n\n")
            let compliance = (query["categories"]?.array ?? []).compactMap { $0["name"]?.text }
            for vulnerability in query["vulnerabilities"]?.array ?? [] {
                var finding = sast(
                    query: name, cwe: query["cweId"]?.text, nodes: vulnerability["nodes"]?.array ?? [],
                    language: query["queryPath"]?.text?.split(separator: "/").first.map(String.init), compliance: compliance,
                    common: Common(vulnerability, description: description.nonBlank), tool: output.tool)
                // The report names the sink apart from the nodes, which may hold the source alone.
                if let file = vulnerability["destinationFileName"]?.text {
                    finding.location = .code(CodeLocation(file: file, startLine: vulnerability["destinationLine"]?.int))
                }
                finding.remediation = detail?["generalRecommendations"]?.text
                output.findings.append(finding)
            }
        }
        for section in ["iacScanResults", "scaScanResults", "containerScanResults", "apiSecScanResults"] {
            if let results = root[section], !results.isNull {
                output.toolReportedError = true
                output.diagnostics.append(
                    Diagnostic("the report's \(section) are not read yet: import the results API export for them", at: results.position))
            }
        }
    }

    // MARK: Findings

    /// What every result carries.
    struct Common {
        var similarity: String?
        var severity: String?
        var state: String?
        var description: String?
        var raw: RawEvidence

        init(similarity: String?, severity: String?, state: String?, description: String?, raw: RawEvidence) {
            self.similarity = similarity
            self.severity = severity
            self.state = state
            self.description = description
            self.raw = raw
        }

        init(_ node: JSONNode, description: String?) {
            self.init(
                similarity: node["similarityId"]?.text, severity: node["severity"]?.text, state: node["state"]?.text,
                description: node["description"]?.text?.nonBlank ?? description, raw: .json(node))
        }

        func apply(to finding: inout Finding) {
            let normalized = state?.uppercased().replacingOccurrences(of: " ", with: "_")
            if normalized == "NOT_EXPLOITABLE" {
                finding.suppression = Suppression(kind: .falsePositive, justification: "Not Exploitable in Checkmarx One")
            }
            if let state { finding.description = [finding.description, "State: \(state)"].compactMap { $0 }.joined(separator: "\n\n") }
        }
    }

    private func sast(query: String?, cwe: String?, nodes: [JSONNode], language: String?, compliance: [String], common: Common, tool: ToolInfo)
        -> Finding
    {
        let name = (query ?? "SAST result").replacingOccurrences(of: "_", with: " ")
        let sink = nodes.last
        var description = [common.description].compactMap { $0 }
        if nodes.count > 1 {
            description.append(
                "Path:\n"
                    + nodes.map { "\($0["fileName"]?.text ?? "?"):\($0["line"]?.text ?? "?") \($0["name"]?.text ?? $0["code"]?.text ?? "")" }
                    .joined(separator: "\n"))
        }
        if !compliance.isEmpty { description.append("Compliance: \(compliance.joined(separator: ", "))") }
        var finding = Finding(
            category: .sast, tool: tool, ruleID: query ?? "sast", title: name, description: description.joined(separator: "\n\n").nonBlank,
            toolSeverity: common.severity, severity: .from(tool: common.severity, default: .medium), cwes: CWE.parseAll([cwe ?? ""]),
            location: .code(
                CodeLocation(
                    file: sink?["fileName"]?.text ?? "unknown", startLine: sink?["line"]?.int, startColumn: sink?["column"]?.int,
                    snippet: sink?["code"]?.text)),
            tags: [language].compactMap { $0 }, toolFingerprint: common.similarity.map { "sast:\(query ?? ""):\($0)" }, raw: common.raw)
        common.apply(to: &finding)
        return finding
    }

    private func kics(
        query: String?, file: String?, line: Int?, platform: String?, expected: String?, actual: String?, common: Common, tool: ToolInfo
    ) -> Finding {
        var description = [common.description].compactMap { $0 }
        if let expected { description.append("Expected: \(expected)") }
        if let actual { description.append("Actual: \(actual)") }
        var finding = Finding(
            category: .iac, tool: tool, ruleID: query ?? "kics", title: query ?? "IaC result",
            description: description.joined(separator: "\n").nonBlank,
            toolSeverity: common.severity, severity: .from(tool: common.severity, default: .medium),
            location: .iac(IaCLocation(file: file ?? "unknown", startLine: line, framework: platform?.lowercased())),
            toolFingerprint: common.similarity.map { "kics:\($0)" }, raw: common.raw)
        common.apply(to: &finding)
        return finding
    }

    private func sca(
        id: String?, package: (ecosystem: String?, name: String, version: String?)?, manifest: String?, direct: Bool?, fixed: String?, score: Double?,
        cwe: String?, references: [String], common: Common, tool: ToolInfo
    ) -> Finding {
        let name = package?.name ?? "package"
        let ids = [VulnerabilityID].parsing([id].compactMap { $0 })
        var finding = Finding(
            category: .sca, tool: tool, ruleID: ids.canonical?.value ?? id ?? "sca", title: "\(id ?? "Vulnerability") in \(name)",
            description: common.description, toolSeverity: common.severity, severity: .from(tool: common.severity, score: score, default: .medium),
            cwes: CWE.parseAll([cwe ?? ""]), vulnerabilityIDs: ids,
            cvss: CVSSScore(vector: nil, score: score, source: "Checkmarx One").map { [$0] } ?? [],
            location: .package(
                packageLocation(
                    name: name, version: package?.version, ecosystem: package?.ecosystem, fixedVersions: fixed.map { [$0] } ?? [],
                    relation: direct.map { $0 ? .direct : .transitive }, manifestPath: manifest)),
            remediation: fixed.map { "Upgrade \(name) to \($0)" }, references: references, raw: common.raw)
        common.apply(to: &finding)
        return finding
    }

    /// `Npm-underscore-1.10.2` → (npm, underscore, 1.10.2); the version, when known, is cut off exactly.
    static func splitIdentifier(_ identifier: String, version: String? = nil) -> (ecosystem: String?, name: String, version: String?) {
        var rest = Substring(identifier)
        var ecosystem: String?
        if let dash = rest.firstIndex(of: "-") {
            let prefix = rest[..<dash].lowercased()
            if ["npm", "maven", "pypi", "python", "nuget", "go", "golang", "rubygems", "ruby", "php", "composer", "cargo", "rust"].contains(prefix) {
                ecosystem = prefix
                rest = rest[rest.index(after: dash)...]
            }
        }
        if let version, rest.hasSuffix("-" + version) { return (ecosystem, String(rest.dropLast(version.count + 1)), version) }
        if version == nil, let dash = rest.lastIndex(of: "-"), rest[rest.index(after: dash)...].first?.isNumber == true {
            return (ecosystem, String(rest[..<dash]), String(rest[rest.index(after: dash)...]))
        }
        return (ecosystem, String(rest), version)
    }
}

/// CxFlow's JSON report of a Checkmarx SAST scan (`xissues`, the issues CxFlow's filters kept):
/// one finding per data flow (`additionalDetails.results[]`), at its sink, with the source and
/// the nodes between. Lines marked false positive, and issues whose every flow is, are kept
/// as suppressed.
struct CxFlowImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "cxflow-json", name: "Checkmarx CxFlow JSON", tool: "Checkmarx SAST", category: .sast, syntax: .json,
        notes: "CxFlow's filtered issues: one finding per data flow at its sink, with source, nodes, CWE and categories",
        defectDojoScanTypes: ["Checkmarx CxFlow SAST"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        return root["xissues"] != nil && root["projectId"] != nil && (root["deepLink"] != nil || root["scanType"] != nil) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a CxFlow JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Checkmarx SAST", version: root["version"]?.text))
        for issue in root["xissues"]?.array ?? [] {
            guard let query = issue["vulnerability"]?.text else {
                output.diagnostics.append(Diagnostic("issue without a vulnerability name skipped", at: issue.position))
                continue
            }
            let severityText = issue["severity"]?.text
            let title = query.replacingOccurrences(of: "_", with: " ")
            let falsePositiveLines = Set(
                (issue["details"]?.entries ?? []).filter { $0.value["falsePositive"]?.bool == true }.compactMap { ReportInteger.parse($0.key) })
            let status = issue["vulnerabilityStatus"]?.text
            let categories = (issue["additionalDetails", "categories"]?.text ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
            var flows = issue["additionalDetails", "results"]?.array ?? []
            if flows.isEmpty { flows = [issue] }
            for flow in flows {
                let sink = flow["sink"]
                let source = flow["source"]
                let file = sink?["file"]?.text ?? issue["filename"]?.text ?? ""
                let line = ReportInteger.parse(sink?["line"]?.text) ?? issue["details"]?.entries.first.flatMap { ReportInteger.parse($0.key) }
                // Nodes are keyed "1", "2", ... in flow order.
                let nodes = (flow.entries.compactMap { entry -> (Int, JSONNode)? in ReportInteger.parse(entry.key).map { ($0, entry.value) } })
                    .sorted { $0.0 < $1.0 }.map { node in
                        "\(node.1["file"]?.text ?? file):\(node.1["line"]?.text ?? "?") \(node.1["object"]?.text ?? "")"
                    }
                var description: [String] = []
                if let text = issue["description"]?.text?.nonBlank { description.append(text) }
                if let source {
                    description.append(
                        "Source: \(source["file"]?.text ?? file):\(source["line"]?.text ?? "?") \(source["object"]?.text ?? "")\n\(source["snippet"]?.text?.asciiTrimmed ?? "")"
                    )
                }
                if !nodes.isEmpty { description.append("Flow:\n" + nodes.joined(separator: "\n")) }
                let sourceLine = ReportInteger.parse(source?["line"]?.text)
                let isFalsePositive =
                    issue["allFalsePositive"]?.bool == true || status?.uppercased() == "NOT EXPLOITABLE"
                    || sourceLine.map(falsePositiveLines.contains) == true
                output.findings.append(
                    Finding(
                        category: .sast, tool: output.tool, ruleID: query, title: "\(title) in \(file)",
                        description: description.joined(separator: "\n\n").nonBlank,
                        toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
                        cwes: CWE.parseAll([issue["cwe"]?.text].compactMap { $0 }),
                        location: .code(
                            CodeLocation(
                                file: file, startLine: line, startColumn: ReportInteger.parse(sink?["column"]?.text),
                                snippet: sink?["snippet"]?.text?.asciiTrimmed)),
                        remediation: issue["additionalDetails", "recommendedFix"]?.text.map { "See \($0)" },
                        references: [issue["link"]?.text].compactMap { $0 }, tags: categories,
                        toolFingerprint: issue["similarityId"]?.text.map { "\($0)/\(sourceLine.map(String.init) ?? "")" },
                        suppression: isFalsePositive ? Suppression(kind: .falsePositive, justification: "marked not exploitable in Checkmarx") : nil,
                        raw: .json(issue)))
            }
        }
        return output
    }
}
