import Foundation
import RampartCore

/// Veracode's results, as the Detailed Report XML (`detailedreport`: static and dynamic flaws by
/// severity, category and CWE, and software composition analysis components) and as the
/// Findings REST API's JSON (`findings[]` or `_embedded.findings[]`, scan types STATIC, DYNAMIC,
/// MANUAL and SCA). One finding per flaw (Veracode's issue id is its identity across scans) and
/// per vulnerability of a component. Fixed flaws are not findings; flaws whose mitigation
/// Veracode approved are kept as suppressed.
struct VeracodeImporter: ReportImporter {
    let info = FormatInfo(
        id: "veracode", name: "Veracode Detailed Report XML / Findings API JSON", tool: "Veracode", category: .sast, syntax: .xml,
        notes: "static flaws (file, line, CWE), dynamic flaws (URL, parameter) and SCA component vulnerabilities, with mitigation status",
        defectDojoScanTypes: ["Veracode Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        if let root = report.xmlRoot { return root.localName == "detailedreport" ? .certain : nil }
        guard let root = report.jsonRoot, root.isObject else { return nil }
        let findings = root["findings"] ?? root["_embedded", "findings"]
        guard let findings, findings.isArray, let first = findings.array.first else { return nil }
        return first["scan_type"] != nil && first["finding_details"] != nil ? .certain : nil
    }

    /// Veracode's 0-5 severity: 5 very high, 4 high, 3 medium, 2 low, 1 very low, 0 informational.
    static func severity(_ level: Int?) -> Severity {
        switch level {
        case 5: .critical
        case 4: .high
        case 3: .medium
        case 2: .low
        case 1, 0: .info
        default: .medium
        }
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        var output = ImporterOutput(tool: ToolInfo(name: "Veracode"))
        if let root = report.xmlRoot {
            readXML(root, into: &output)
        } else if let root = report.jsonRoot {
            for item in (root["findings"] ?? root["_embedded", "findings"])?.array ?? [] { readAPIFinding(item, into: &output) }
        }
        return output
    }

    // MARK: Detailed Report XML

    private func readXML(_ root: XMLElement, into output: inout ImporterOutput) {
        let app = root.attributes["app_id"] ?? root.attributes["app_name"] ?? "app"
        var fixed = 0
        for severity in root.children("severity") {
            let level = severity.attributes["level"].flatMap(ReportInteger.parse)
            for category in severity.children("category") {
                let recommendation = category.child("recommendations").map(Self.paragraphs)
                for cwe in category.children("cwe") {
                    let flaws = (cwe.child("staticflaws")?.children("flaw") ?? []) + (cwe.child("dynamicflaws")?.children("flaw") ?? [])
                    for flaw in flaws {
                        let attributes = flaw.attributes
                        if attributes["remediation_status"]?.lowercased() == "fixed" {
                            fixed += 1
                            continue
                        }
                        let location: Location
                        if let url = attributes["url"] {
                            location = .endpoint(EndpointLocation(url: url, parameter: attributes["vuln_parameter"]?.nonBlank))
                        } else {
                            let directory = attributes["sourcefilepath"].map { $0.hasSuffix("/") || $0.isEmpty ? $0 : $0 + "/" } ?? ""
                            location = .code(
                                CodeLocation(
                                    file: directory + (attributes["sourcefile"] ?? attributes["module"] ?? "unknown"),
                                    startLine: attributes["line"].flatMap(ReportInteger.parse)))
                        }
                        var description = [attributes["description"]?.nonBlank.map(plainText(fromHTML:))]
                        if let function = attributes["functionprototype"]?.nonBlank { description.append("In \(function)") }
                        if let module = attributes["module"] { description.append("Module: \(module)") }
                        description.append(attributes["mitigation_status_desc"].map { "Mitigation: \($0)" })
                        let flawLevel = attributes["severity"].flatMap(ReportInteger.parse) ?? level
                        var finding = Finding(
                            category: attributes["url"] == nil ? .sast : .dast, tool: output.tool,
                            ruleID: "CWE-\(attributes["cweid"] ?? cwe.attributes["cweid"] ?? "0")",
                            title: attributes["categoryname"] ?? category.attributes["categoryname"] ?? "Veracode flaw",
                            description: description.compactMap { $0 }.joined(separator: "\n\n"), toolSeverity: flawLevel.map { "\($0)" },
                            severity: Self.severity(flawLevel), cwes: CWE.parseAll([attributes["cweid"] ?? cwe.attributes["cweid"] ?? ""]),
                            location: location,
                            remediation: recommendation, toolFingerprint: attributes["issueid"].map { "\(app):\($0)" }, raw: .xml(flaw))
                        if attributes["mitigation_status"]?.lowercased() == "accepted" {
                            // The proposal says why; the approval that follows it only agrees.
                            let proposal = flaw.child("mitigations")?.children("mitigation").last {
                                !($0.attributes["action"] ?? "").hasPrefix("Approve")
                            }
                            let action = proposal?.attributes["action"]
                            finding.suppression = Suppression(
                                kind: action?.lowercased().contains("false positive") == true ? .falsePositive : .accepted,
                                justification: [action, proposal?.attributes["description"]].compactMap { $0?.nonBlank }.joined(separator: ": ")
                                    .nonBlank
                                    ?? attributes["mitigation_status_desc"])
                        }
                        output.findings.append(finding)
                    }
                }
            }
        }
        for component in root.child("software_composition_analysis")?.child("vulnerable_components")?.children("component") ?? [] {
            let attributes = component.attributes
            // `maven:group:artifact:version:`: Veracode's library id names the ecosystem and coordinates.
            let id = (attributes["library_id"] ?? "").split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            let ecosystem = id.first?.nonBlank
            let name = id.count >= 3 && ecosystem == "maven" ? "\(id[1]):\(id[2])" : attributes["library"] ?? attributes["file_name"] ?? "component"
            let paths = component.child("file_paths")?.children("file_path").compactMap { $0.attributes["value"] } ?? []
            for vulnerability in component.child("vulnerabilities")?.children("vulnerability") ?? [] {
                let cve = vulnerability.attributes["cve_id"] ?? "vulnerability"
                let score = vulnerability.attributes["cvss_score"].flatMap(Double.init)
                var finding = Finding(
                    category: .sca, tool: output.tool, ruleID: cve, title: "\(cve) in \(name)",
                    description: vulnerability.attributes["cve_summary"]?.trimmingCharacters(in: .whitespacesAndNewlines),
                    toolSeverity: vulnerability.attributes["severity_desc"],
                    severity: Self.severity(vulnerability.attributes["severity"].flatMap(ReportInteger.parse)),
                    cwes: CWE.parseAll((vulnerability.attributes["cwe_id"] ?? "").split(separator: " ").map(String.init)),
                    vulnerabilityIDs: .parsing([cve]),
                    cvss: CVSSScore(vector: nil, score: score, source: "Veracode").map { [$0] } ?? [],
                    location: .package(
                        packageLocation(
                            name: name, version: attributes["version"], ecosystem: ecosystem, artifactPath: paths.first ?? attributes["file_name"])),
                    raw: .xml(vulnerability))
                if vulnerability.attributes["mitigation"] == "true" {
                    finding.suppression = Suppression(
                        kind: .accepted,
                        justification: vulnerability.child("mitigations")?.children("mitigation").last?.attributes["action"]
                            ?? "mitigated in Veracode")
                }
                output.findings.append(finding)
            }
        }
        if fixed > 0 { output.diagnostics.append(Diagnostic("\(fixed) fixed flaw(s) are not findings", level: .note)) }
    }

    /// A `para`/`bulletitem` tree's texts, one per line.
    static func paragraphs(_ element: XMLElement) -> String {
        var lines: [String] = []
        func walk(_ element: XMLElement) {
            if let text = element.attributes["text"]?.nonBlank { lines.append(element.localName == "bulletitem" ? "- \(text)" : text) }
            for child in element.children { walk(child) }
        }
        walk(element)
        return lines.joined(separator: "\n")
    }

    // MARK: Findings API JSON

    private func readAPIFinding(_ item: JSONNode, into output: inout ImporterOutput) {
        let details = item["finding_details"]
        let status = item["finding_status"]
        // A closed finding is fixed or mitigated away: not a finding.
        if status?["status"]?.text?.uppercased() == "CLOSED" { return }
        let level = details?["severity"]?.int
        let cwe = details?["cwe", "id"]?.text
        let scanType = item["scan_type"]?.text?.uppercased() ?? "STATIC"
        var finding: Finding
        switch scanType {
        case "SCA":
            let cve = details?["cve", "name"]?.text ?? "vulnerability"
            let file = details?["component_filename"]?.text ?? "component"
            let version = details?["version"]?.text
            let name = version.flatMap { version in file.range(of: "-\(version)").map { String(file[..<$0.lowerBound]) } } ?? file
            var scores: [CVSSScore] = []
            if let score = CVSSScore(
                vector: details?["cve", "cvss3", "vector"]?.text.map { "CVSS:3.1/\($0)" }, score: details?["cve", "cvss3", "score"]?.double,
                source: "Veracode")
            {
                scores.append(score)
            }
            finding = Finding(
                category: .sca, tool: output.tool, ruleID: cve, title: "\(cve) in \(name)", description: item["description"]?.text,
                toolSeverity: level.map { "\($0)" }, severity: Self.severity(level), cwes: CWE.parseAll([cwe ?? ""]),
                vulnerabilityIDs: .parsing([cve]),
                cvss: scores,
                location: .package(
                    packageLocation(
                        name: name, version: version, ecosystem: details?["language"]?.text.map { $0 == "JAVA" ? "maven" : $0.lowercased() },
                        artifactPath: details?["component_path"]?.array.first?["path"]?.text)),
                references: [details?["cve", "href"]?.text].compactMap { $0 }, raw: .json(item))
        case "DYNAMIC":
            finding = Finding(
                category: .dast, tool: output.tool, ruleID: "CWE-\(cwe ?? "0")", title: details?["finding_category", "name"]?.text ?? "Veracode flaw",
                description: item["description"]?.text.map(plainText(fromHTML:)), toolSeverity: level.map { "\($0)" }, severity: Self.severity(level),
                cwes: CWE.parseAll([cwe ?? ""]),
                location: .endpoint(EndpointLocation(url: details?["url"]?.text ?? "", parameter: details?["vulnerable_parameter"]?.text?.nonBlank)),
                toolFingerprint: item["issue_id"]?.text.map { "\(item["context_guid"]?.text ?? "app"):\($0)" }, raw: .json(item))
        default:
            finding = Finding(
                category: .sast, tool: output.tool, ruleID: "CWE-\(cwe ?? "0")", title: details?["finding_category", "name"]?.text ?? "Veracode flaw",
                description: item["description"]?.text.map(plainText(fromHTML:)), toolSeverity: level.map { "\($0)" }, severity: Self.severity(level),
                cwes: CWE.parseAll([cwe ?? ""]),
                location: .code(
                    CodeLocation(
                        file: details?["file_path"]?.text ?? details?["file_name"]?.text ?? "unknown", startLine: details?["file_line_number"]?.int)),
                toolFingerprint: item["issue_id"]?.text.map { "\(item["context_guid"]?.text ?? "app"):\($0)" }, raw: .json(item))
        }
        if status?["resolution_status"]?.text?.uppercased() == "APPROVED" {
            let resolution = status?["resolution"]?.text?.uppercased() ?? ""
            finding.suppression = Suppression(
                kind: resolution.contains("FALSE_POSITIVE") ? .falsePositive : .accepted,
                justification: "mitigation approved in Veracode (\(resolution))")
        }
        output.findings.append(finding)
    }
}
