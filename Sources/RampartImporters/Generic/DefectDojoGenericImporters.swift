import Foundation
import RampartCore

/// DefectDojo's Generic Findings Import, so that teams moving over keep their custom exports:
/// JSON (`findings` with DefectDojo's finding fields) and CSV (Date, Title, CweId, Url,
/// Severity, Description, ...). A finding is placed by what it names: a component (package),
/// a file and line (code), or an endpoint. Mitigated findings are gone; false positives, risk
/// acceptances, out-of-scope and inactive ones are kept as suppressed.
enum DefectDojoGeneric {
    static let scanTypes = ["Generic Findings Import"]

    struct Fields {
        var title: String
        var severity: String?
        var description: String?
        var ids: [String]
        var cwes: [String]
        var cvss: [CVSSScore]
        var filePath: String?
        var line: Int?
        var component: String?
        var version: String?
        var endpoints: [String]
        var parameter: String?
        var mitigation: String?
        var references: [String]
        var tags: [String]
        var ruleID: String?
        var suppression: Suppression?
        var isStatic: Bool?
    }

    static func finding(_ fields: Fields, tool: ToolInfo, raw: RawEvidence) -> [Finding] {
        let location: Location
        let category: FindingCategory
        if let component = fields.component {
            location = .package(
                packageLocation(name: component, version: fields.version, ecosystem: nil, manifestPath: fields.filePath))
            category = .sca
        } else if let file = fields.filePath {
            location = .code(CodeLocation(file: file, startLine: fields.line))
            category = .sast
        } else if !fields.endpoints.isEmpty {
            // One finding per endpoint: each is fixed on its own.
            return fields.endpoints.flatMap { endpoint -> [Finding] in
                var single = fields
                single.endpoints = []
                single.filePath = nil
                return [
                    make(
                        single, category: .dast, location: .endpoint(EndpointLocation(url: endpoint, parameter: fields.parameter)), tool: tool,
                        raw: raw)
                ]
            }
        } else {
            location = .code(CodeLocation(file: "", startLine: fields.line))
            category = fields.isStatic == false ? .dast : .sast
        }
        return [make(fields, category: category, location: location, tool: tool, raw: raw)]
    }

    private static func make(_ fields: Fields, category: FindingCategory, location: Location, tool: ToolInfo, raw: RawEvidence) -> Finding {
        let ids = [VulnerabilityID].parsing(fields.ids)
        return Finding(
            category: category, tool: tool, ruleID: fields.ruleID ?? ids.canonical?.value ?? fields.title, title: fields.title,
            description: fields.description, toolSeverity: fields.severity,
            severity: .from(tool: fields.severity, score: fields.cvss.first?.score, default: .info), cwes: CWE.parseAll(fields.cwes),
            vulnerabilityIDs: ids, cvss: fields.cvss, location: location, remediation: fields.mitigation, references: fields.references,
            tags: fields.tags, suppression: fields.suppression, raw: raw)
    }

    /// DefectDojo's states: mitigated is gone (nil); false positive, accepted, out of scope, inactive are suppressed.
    static func state(falsePositive: Bool, riskAccepted: Bool, outOfScope: Bool, active: Bool?, mitigated: Bool) -> Suppression?? {
        if mitigated { return .none }
        if falsePositive { return .some(Suppression(kind: .falsePositive)) }
        if riskAccepted { return .some(Suppression(kind: .accepted)) }
        if outOfScope { return .some(Suppression(kind: .external, justification: "out of scope")) }
        if active == false { return .some(Suppression(kind: .external, justification: "inactive")) }
        return .some(nil)
    }

    static func urls(in text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init).filter { $0.hasPrefix("http") }
    }
}

struct DefectDojoGenericJSONImporter: ReportImporter {
    let info = FormatInfo(
        id: "defectdojo-generic-json", name: "DefectDojo Generic Findings Import JSON", tool: "Generic", category: .sast, syntax: .json,
        notes: "DefectDojo's generic JSON: findings with title, severity, CVE, CWE, CVSS, file, component or endpoints",
        defectDojoScanTypes: DefectDojoGeneric.scanTypes,
        isStandard: true)

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let findings = root["findings"], findings.isArray else { return nil }
        guard let first = findings.array.first else { return root["type"] != nil || root["name"] != nil ? .possible : nil }
        return first["title"] != nil && first["severity"] != nil && first["description"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: root["type"]?.text ?? root["name"]?.text ?? "Generic", version: root["version"]?.text))
        var mitigated = 0
        for item in root["findings"]?.array ?? [] {
            guard let title = item["title"]?.text else {
                output.diagnostics.append(Diagnostic("a finding without a title was skipped", at: item.position))
                continue
            }
            guard
                case .some(let suppression) = DefectDojoGeneric.state(
                    falsePositive: item["false_p"]?.bool == true, riskAccepted: item["risk_accepted"]?.bool == true,
                    outOfScope: item["out_of_scope"]?.bool == true, active: item["active"]?.bool, mitigated: item["is_mitigated"]?.bool == true)
            else {
                mitigated += 1
                continue
            }
            var cvss: [CVSSScore] = []
            if let score = CVSSScore(vector: item["cvssv4"]?.text, score: item["cvssv4_score"]?.double) { cvss.append(score) }
            if let score = CVSSScore(vector: item["cvssv3"]?.text, score: item["cvssv3_score"]?.double) { cvss.append(score) }
            let endpoints = (item["endpoints"]?.array ?? []).compactMap { endpoint -> String? in
                if let text = endpoint.text { return text.contains("://") ? text : "//" + text }
                guard let host = endpoint["host"]?.text else { return nil }
                let scheme = endpoint["protocol"]?.text.map { "\($0)://" } ?? "//"
                let port = endpoint["port"]?.int.map { ":\($0)" } ?? ""
                let path = endpoint["path"]?.text.map { $0.hasPrefix("/") ? $0 : "/" + $0 } ?? ""
                return scheme + host + port + path + (endpoint["query"]?.text.map { "?\($0)" } ?? "")
            }
            let fields = DefectDojoGeneric.Fields(
                title: title, severity: item["severity"]?.text,
                description: [item["description"]?.text, item["impact"]?.text.map { "Impact: \($0)" }]
                    .compactMap { $0?.nonBlank }.joined(separator: "\n\n").nonBlank,
                ids: [item["cve"]?.text].compactMap { $0 } + (item["vulnerability_ids"]?.strings ?? []),
                cwes: [item["cwe"]?.int.flatMap { $0 > 0 ? "CWE-\($0)" : nil }].compactMap { $0 } + (item["cwes"]?.strings ?? []), cvss: cvss,
                filePath: item["file_path"]?.text, line: item["line"]?.int, component: item["component_name"]?.text,
                version: item["component_version"]?.text, endpoints: endpoints, parameter: item["param"]?.text,
                mitigation: item["mitigation"]?.text, references: DefectDojoGeneric.urls(in: item["references"]?.text),
                tags: item["tags"]?.strings ?? [], ruleID: item["vuln_id_from_tool"]?.text, suppression: suppression,
                isStatic: item["static_finding"]?.bool ?? root["static_tool"]?.bool)
            output.findings += DefectDojoGeneric.finding(fields, tool: output.tool, raw: .json(item))
        }
        if mitigated > 0 { output.diagnostics.append(Diagnostic("\(mitigated) mitigated finding(s) are not imported", level: .note)) }
        return output
    }
}

struct DefectDojoGenericCSVImporter: ReportImporter {
    let info = FormatInfo(
        id: "defectdojo-generic-csv", name: "DefectDojo Generic Findings Import CSV", tool: "Generic", category: .sast, syntax: .csv,
        notes: "DefectDojo's generic CSV (Date, Title, CweId, Url, Severity, Description, ...), with CVE, CVSS and state columns",
        defectDojoScanTypes: DefectDojoGeneric.scanTypes, isStandard: true)

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return header.contains("Title") && header.contains("Severity") && header.contains("Description") && header.contains("Date") ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected a CSV table") }
        var output = ImporterOutput(tool: ToolInfo(name: "Generic"))
        var mitigated = 0
        func flag(_ record: CSVRecord, _ name: String) -> Bool? { record[name].map { $0.lowercased().hasPrefix("t") } }
        for record in table.records {
            guard let title = record["Title"] else {
                output.diagnostics.append(Diagnostic("a row without a title was skipped", at: record.position))
                continue
            }
            guard
                case .some(let suppression) = DefectDojoGeneric.state(
                    falsePositive: flag(record, "FalsePositive") == true, riskAccepted: false, outOfScope: false, active: flag(record, "Active"),
                    mitigated: flag(record, "IsMitigated") == true)
            else {
                mitigated += 1
                continue
            }
            var cvss: [CVSSScore] = []
            if let score = CVSSScore(vector: record["CVSSV4"], score: record.double("CVSSV4_score")) { cvss.append(score) }
            if let score = CVSSScore(vector: record["CVSSV3"], score: nil) { cvss.append(score) }
            let fields = DefectDojoGeneric.Fields(
                title: title, severity: record["Severity"],
                description: [record["Description"], record["Impact"].map { "Impact: \($0)" }].compactMap { $0 }.joined(separator: "\n\n").nonBlank,
                ids: [record["CVE"], record["Vulnerability Id"]].compactMap { $0 },
                cwes: [record.int("CweId").flatMap { $0 > 0 ? "CWE-\($0)" : nil }, record["CweIds"]].compactMap { $0 }, cvss: cvss, filePath: nil,
                line: nil,
                component: nil, version: nil, endpoints: [record["Url"]].compactMap { $0 }, parameter: nil, mitigation: record["Mitigation"],
                references: DefectDojoGeneric.urls(in: record["References"]), tags: [], ruleID: nil, suppression: suppression, isStatic: nil)
            output.findings += DefectDojoGeneric.finding(fields, tool: output.tool, raw: .csv(record))
        }
        if mitigated > 0 { output.diagnostics.append(Diagnostic("\(mitigated) mitigated finding(s) are not imported", level: .note)) }
        return output
    }
}
