import Foundation
import RampartCore

/// Rampart's own generic format, for in-house tools: JSON (`"format": "rampart-generic"`,
/// schema in docs/generic-format.schema.json) and CSV (one row per finding, columns named as
/// the JSON members). It maps one to one onto the finding model, so nothing a tool knows is
/// lost: category, rule, severity and confidence, CWE, vulnerability ids, CVSS, a typed
/// location, remediation, references, tags, a suppression, and a secret (hidden like every
/// secret scanner's). See docs/generic-format.md.
enum RampartGeneric {
    /// The location kinds, as `Location.kind` names them.
    static let locationKinds = ["code", "package", "image", "iac", "endpoint", "cloud", "host", "design"]

    /// The flat fields of one finding, whichever syntax they came in.
    struct Record {
        var field: (String) -> String?
        var list: (String) -> [String]
        var integer: (String) -> Int?
        var number: (String) -> Double?
        var position: String
    }

    enum Problem: Error {
        case skip(String)
    }

    /// A finding from a record; throws `.skip` with the reason a record cannot be one.
    static func finding(_ record: Record, location explicitKind: String?, tool: ToolInfo, raw: RawEvidence) throws -> Finding {
        guard let ruleID = record.field("rule_id") else { throw Problem.skip("a finding without rule_id was skipped") }
        guard let title = record.field("title") else { throw Problem.skip("finding \(ruleID) has no title; skipped") }
        guard let categoryText = record.field("category")?.lowercased(), let category = FindingCategory(rawValue: categoryText) else {
            throw Problem.skip(
                "finding \(ruleID) has no category or an unknown one (use one of \(FindingCategory.allCases.map(\.rawValue).joined(separator: ", "))); skipped"
            )
        }
        guard let severityText = record.field("severity")?.lowercased(), let severity = Severity(rawValue: severityText) else {
            throw Problem.skip("finding \(ruleID) has no severity or an unknown one (use critical, high, medium, low or info); skipped")
        }
        var cvss: [CVSSScore] = []
        if let score = CVSSScore(vector: record.field("cvss_vector"), score: record.number("cvss_score")) { cvss.append(score) }
        let location = try location(record, kind: explicitKind, category: category, ruleID: ruleID)
        var suppression: Suppression?
        if let kindText = record.field("suppression") {
            let kinds: [String: Suppression.Kind] = [
                "false_positive": .falsePositive, "not_affected": .notAffected, "accepted": .accepted, "in_source": .inSource,
                "external": .external, "fixed": .fixed,
            ]
            guard let kind = kinds[kindText.lowercased()] else {
                throw Problem.skip(
                    "finding \(ruleID) has an unknown suppression '\(kindText)' (use \(kinds.keys.sorted().joined(separator: ", "))); skipped")
            }
            suppression = Suppression(kind: kind, justification: record.field("suppression_justification"))
        }
        var finding = Finding(
            category: category, tool: tool, ruleID: ruleID, title: title, description: record.field("description"),
            toolSeverity: record.field("tool_severity"), severity: severity,
            confidence: record.field("confidence").flatMap(Confidence.init(toolText:)),
            cwes: CWE.parseAll(record.list("cwes")), vulnerabilityIDs: .parsing(record.list("vulnerability_ids")), cvss: cvss,
            location: location, remediation: record.field("remediation"), references: record.list("references"), tags: record.list("tags"),
            toolFingerprint: record.field("fingerprint"), suppression: suppression, raw: raw)
        if let secret = record.field("secret") { finding.revealedSecrets = [secret] }
        return finding
    }

    static func location(_ record: Record, kind explicitKind: String?, category: FindingCategory, ruleID: String) throws -> Location {
        let file = record.field("file")
        let kind: String
        if let explicitKind {
            kind = explicitKind.lowercased()
        } else if record.field("purl") != nil || record.field("package_name") != nil {
            kind = "package"
        } else if file != nil {
            kind = category == .iac ? "iac" : "code"
        } else if record.field("url") != nil {
            kind = "endpoint"
        } else if record.field("cloud_provider") != nil || record.field("resource_id") != nil {
            kind = "cloud"
        } else if record.field("image") != nil {
            kind = "image"
        } else if record.field("host") != nil {
            kind = "host"
        } else if record.field("element") != nil || record.field("model") != nil || category == .design {
            kind = "design"
        } else {
            throw Problem.skip("finding \(ruleID) names no location (a file, package, url, host, image, cloud resource or model element); skipped")
        }
        func require(_ name: String) throws -> String {
            guard let value = record.field(name) else { throw Problem.skip("finding \(ruleID): a \(kind) location needs \(name); skipped") }
            return value
        }
        switch kind {
        case "code":
            return .code(
                CodeLocation(
                    file: try require("file"), startLine: record.integer("line"), endLine: record.integer("end_line"),
                    startColumn: record.integer("column"), endColumn: record.integer("end_column"), snippet: record.field("snippet")))
        case "iac":
            return .iac(
                IaCLocation(
                    file: try require("file"), resource: record.field("resource"), startLine: record.integer("line"),
                    endLine: record.integer("end_line"), framework: record.field("framework")))
        case "package":
            guard let name = record.field("package_name") ?? record.field("purl").flatMap(PackageURL.init(parsing:))?.name else {
                throw Problem.skip("finding \(ruleID): a package location needs package_name or a valid purl; skipped")
            }
            return .package(
                packageLocation(
                    name: name, version: record.field("package_version"), ecosystem: record.field("ecosystem"), purl: record.field("purl"),
                    fixedVersions: record.list("fixed_versions"), manifestPath: record.field("manifest") ?? file))
        case "endpoint":
            return .endpoint(
                EndpointLocation(
                    url: try require("url"), method: record.field("method"), parameter: record.field("parameter"), evidence: record.field("evidence"))
            )
        case "cloud":
            return .cloud(
                CloudLocation(
                    provider: try require("cloud_provider"), account: record.field("cloud_account"), region: record.field("cloud_region"),
                    resourceID: try require("resource_id"), resourceType: record.field("resource_type")))
        case "image":
            return .containerImage(ImageLocation(reference: try require("image")))
        case "host":
            return .host(
                HostLocation(
                    address: try require("host"), port: record.integer("port"), transport: record.field("transport"), service: record.field("service")
                ))
        case "design":
            return .design(DesignLocation(model: record.field("model"), element: record.field("element"), elementType: record.field("element_type")))
        default:
            throw Problem.skip("finding \(ruleID) has an unknown location kind '\(kind)' (use \(locationKinds.joined(separator: ", "))); skipped")
        }
    }
}

struct RampartGenericJSONImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "rampart-generic-json", name: "Rampart generic JSON", tool: "any in-house tool", category: .sast, syntax: .json,
        notes: "Rampart's documented generic format (docs/generic-format.md); every field of the finding model, secrets hidden",
        defectDojoScanTypes: [], isStandard: true)

    var secretFields: [SecretFields] { [SecretFields(secret: [["secret"]])] }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        return root["format"]?.string == "rampart-generic" ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        guard let version = root["version"]?.int, version == 1 else {
            throw ImportError.content("rampart-generic version \(root["version"]?.text ?? "(missing)") is not read; this Rampart reads version 1")
        }
        guard let toolName = root["tool", "name"]?.text else { throw ImportError.content("tool.name is required", at: "/tool") }
        guard let findings = root["findings"], findings.isArray else { throw ImportError.content("findings must be an array", at: "/findings") }
        var output = ImporterOutput(
            tool: ToolInfo(name: toolName, version: root["tool", "version"]?.text),
            scope: ScanScope(kind: root["scan", "kind"]?.text ?? "", target: root["scan", "target"]?.text ?? ""))
        for item in findings.array {
            let location = item["location"]
            // Members are read from the finding, then from its location object.
            func node(_ name: String) -> JSONNode? {
                if let value = item[name], !value.isNull { return value }
                if let value = location?[name], !value.isNull { return value }
                return nil
            }
            let record = RampartGeneric.Record(
                field: { node($0)?.text?.nonBlank },
                list: { name in node(name).map { $0.isArray ? $0.array.compactMap(\.text) : [$0.text].compactMap { $0 } } ?? [] },
                integer: { node($0)?.int }, number: { node($0)?.double }, position: item.position)
            do {
                output.findings.append(try RampartGeneric.finding(record, location: location?["kind"]?.text, tool: output.tool, raw: .json(item)))
            } catch RampartGeneric.Problem.skip(let reason) {
                output.diagnostics.append(Diagnostic(reason, at: item.position))
            }
        }
        return output
    }
}

struct RampartGenericCSVImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "rampart-generic-csv", name: "Rampart generic CSV", tool: "any in-house tool", category: .sast, syntax: .csv,
        notes: "one row per finding, columns named as the generic JSON's members; lists separated by |",
        defectDojoScanTypes: [], isStandard: true)

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let table = report.csvTable else { return nil }
        let required = ["rule_id", "title", "category", "severity"]
        return required.allSatisfy { table.header.index(of: $0) != nil } && table.header.index(of: "tool") != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected a CSV table") }
        let toolName = table.records.lazy.compactMap { $0["tool"] }.first ?? "generic"
        var output = ImporterOutput(tool: ToolInfo(name: toolName, version: table.records.lazy.compactMap { $0["tool_version"] }.first))
        for row in table.records {
            let record = RampartGeneric.Record(
                field: { row[$0] },
                list: { name in
                    (row[name] ?? "").split(whereSeparator: { $0 == "|" || $0.isNewline }).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                        !$0.isEmpty
                    }
                }, integer: { row[$0].flatMap(ReportInteger.parse) }, number: { row.double($0) }, position: row.position)
            do {
                var finding = try RampartGeneric.finding(record, location: row["location_kind"], tool: output.tool, raw: .csv(row))
                if row["tool"].map({ $0 != toolName }) == true {
                    output.diagnostics.append(Diagnostic("rows name several tools; all are recorded as \(toolName)", at: row.position))
                }
                finding.tool = output.tool
                output.findings.append(finding)
            } catch RampartGeneric.Problem.skip(let reason) {
                output.diagnostics.append(Diagnostic(reason, at: row.position))
            }
        }
        return output
    }

    var secretFields: [SecretFields] { [SecretFields(secret: [["secret"]])] }
}
