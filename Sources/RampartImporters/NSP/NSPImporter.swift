import Foundation
import RampartCore

/// The Node Security Platform's JSON (`nsp check --reporter json`, npm's predecessor of
/// `npm audit`): advisories of the dependency tree, each with module, version, patched
/// versions, CVSS and the dependency path.
struct NSPImporter: ReportImporter {
    let info = FormatInfo(
        id: "nsp-json", name: "Node Security Platform JSON", tool: "nsp", category: .sca, syntax: .json,
        notes: "npm advisories with CVSS vector, patched versions and dependency path", defectDojoScanTypes: ["Node Security Platform Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, first.isObject else { return nil }
        return first["module"] != nil && first["advisory"]?.string?.contains("nodesecurity.io") == true ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "nsp"))
        for item in root.array {
            let module = item["module"]?.text ?? "package"
            let score = item["cvss_score"]?.double ?? item["cvss_score"]?.text.flatMap(Double.init)
            let path = item["path"]?.strings ?? []
            output.findings.append(
                Finding(
                    category: .sca, tool: output.tool, ruleID: "NSWG-ECO-\(item["id"]?.text ?? "0")",
                    title: "\(module): \(item["title"]?.text ?? "advisory")",
                    description: [item["overview"]?.text, path.isEmpty ? nil : "Path: \(path.joined(separator: " > "))"].compactMap { $0 }.joined(
                        separator: "\n\n"),
                    severity: score.map(Severity.init(cvssScore:)) ?? .medium,
                    cvss: CVSSScore(vector: item["cvss_vector"]?.text, score: score, source: "nsp").map { [$0] } ?? [],
                    location: .package(
                        packageLocation(
                            name: module, version: item["version"]?.text, ecosystem: "npm",
                            fixedVersions: [item["patched_versions"]?.text].compactMap { $0 },
                            relation: path.count > 2 ? .transitive : .direct)),
                    remediation: item["recommendation"]?.text, references: [item["advisory"]?.text].compactMap { $0 }, raw: .json(item)))
        }
        return output
    }
}
