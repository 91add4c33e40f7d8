import Foundation
import RampartCore

/// 42Crunch API Security Audit report (JSON, from the platform API or the `42c-ast` audit):
/// the issues its security and data-validation checks found in an OpenAPI definition. Each
/// issue instance points (`pointer`, an index into `index`) at a place in the definition.
///
/// An instance inside an operation (`/paths/<path>/<method>/...`) sits at that operation: the
/// path and method, with the rest of the pointer as the parameter, so the API's endpoints
/// line up with what DAST tools find. Instances elsewhere (components, global security) are
/// one finding per check, at the definition, listing their pointers. Severity is 42Crunch's
/// criticality (1 info to 5 critical); its fingerprint is kept for identity.
struct Crunch42Importer: ReportImporter {
    let info = FormatInfo(
        id: "42crunch-audit-json", name: "42Crunch API Security Audit JSON", tool: "42Crunch", category: .iac, syntax: .json,
        notes: "security and data-validation issues of an OpenAPI definition, at the operation they concern, with criticality",
        defectDojoScanTypes: ["Crunch42 Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        let body = root["report"] ?? root
        return body["assessmentVersion"] != nil && body["index"]?.isArray == true && (body["security"] != nil || body["data"] != nil)
            ? .certain : nil
    }

    /// 42Crunch's criticality, 1 (info) to 5 (critical); values past either end count as that end.
    static func severity(criticality: Int?) -> Severity {
        .fromFiveLevels(criticality.map { min(max($0, 1), 5) }, criticalIsOne: false)
    }

    /// A JSON pointer's tokens, unescaped (`~1` is `/`, `~0` is `~`).
    static func tokens(_ pointer: String) -> [String] {
        pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected a JSON object") }
        let body = root["report"] ?? root
        var output = ImporterOutput(tool: ToolInfo(name: "42Crunch", version: body["assessmentVersion"]?.text))
        let index = body["index"]?.array.map { $0.text ?? "" } ?? []
        let definition = body["apiId"]?.text?.nonBlank.map { "OpenAPI definition \($0)" } ?? "OpenAPI definition"
        // Instances outside operations, gathered per check.
        var elsewhere: [String: (description: String, criticality: Int?, pointers: [String], first: JSONNode, group: String)] = [:]
        var elsewhereOrder: [String] = []
        for group in ["security", "data", "semanticErrors", "validationErrors", "structureErrors"] {
            for (check, entry) in body[group]?["issues"]?.entries ?? [] {
                let description = entry["description"]?.text?.nonBlank ?? check
                for instance in entry["issues"]?.array ?? [] {
                    let pointerIndex = instance["pointer"]?.int
                    let pointer = pointerIndex.flatMap { $0 >= 0 && $0 < index.count ? index[$0] : nil } ?? ""
                    let criticality = instance["criticality"]?.int ?? entry["criticality"]?.int
                    let tokens = Self.tokens(pointer)
                    guard tokens.count >= 3, tokens[0] == "paths", Self.methods.contains(tokens[2].lowercased()) else {
                        if elsewhere[check] == nil {
                            elsewhere[check] = (description, criticality, [], instance, group)
                            elsewhereOrder.append(check)
                        }
                        elsewhere[check]!.pointers.append(pointer.isEmpty ? "(the whole definition)" : pointer)
                        elsewhere[check]!.criticality = max(elsewhere[check]!.criticality ?? 0, criticality ?? 0)
                        continue
                    }
                    let specific = instance["specificDescription"]?.text?.nonBlank
                    let rest = tokens.dropFirst(3).joined(separator: "/")
                    output.findings.append(
                        Finding(
                            category: .iac, tool: output.tool, ruleID: check, title: specific ?? description,
                            description: "\(description)\n\n42Crunch \(group) check \(check) at \(pointer)"
                                + (instance["score"]?.double.map { " (score impact \($0))" } ?? "") + ".",
                            toolSeverity: criticality.map { "criticality \($0)" }, severity: Self.severity(criticality: criticality),
                            location: .endpoint(EndpointLocation(url: tokens[1], method: tokens[2].uppercased(), parameter: rest.nonBlank)),
                            tags: [group], toolFingerprint: instance["fingerprint"]?.text?.nonBlank, raw: .json(instance)))
                }
            }
        }
        for check in elsewhereOrder {
            guard let entry = elsewhere[check] else { continue }
            output.findings.append(
                Finding(
                    category: .iac, tool: output.tool, ruleID: check, title: entry.description,
                    description: "\(entry.description)\n\n42Crunch \(entry.group) check \(check) at:\n"
                        + entry.pointers.map { "- \($0)" }.joined(separator: "\n"),
                    toolSeverity: entry.criticality.map { "criticality \($0)" }, severity: Self.severity(criticality: entry.criticality),
                    location: .iac(IaCLocation(file: definition, resource: entry.pointers.first, framework: "OpenAPI")),
                    tags: [entry.group], toolFingerprint: entry.pointers.count == 1 ? entry.first["fingerprint"]?.text?.nonBlank : nil,
                    raw: .json(entry.first)))
        }
        return output
    }
}
