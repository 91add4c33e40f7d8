import Foundation
import RampartCore

/// NeuVector's image scan report, as its REST API (`/v1/scan/registry/.../report`) and the
/// scanner CLI write it: `report.vulnerabilities[]` with the package, the fixed version, CVSS
/// v2 and v3 and whether the package comes from the base image.
struct NeuVectorImporter: ReportImporter {
    let info = FormatInfo(
        id: "neuvector-json", name: "NeuVector scan report JSON", tool: "NeuVector", category: .container, syntax: .json,
        notes: "image package vulnerabilities with CVSS v2/v3 vectors, fixed version and base-image flag", defectDojoScanTypes: ["NeuVector (REST)"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let report = report.jsonRoot?["report"], report.isObject, let vulnerabilities = report["vulnerabilities"], vulnerabilities.isArray
        else {
            return nil
        }
        guard let first = vulnerabilities.array.first else { return report["modules"] != nil ? .likely : nil }
        return first["package_name"] != nil && first["in_base_image"] != nil ? .certain : first["package_name"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot?["report"] else { throw ImportError.content("expected a NeuVector report object") }
        var output = ImporterOutput(tool: ToolInfo(name: "NeuVector"))
        let image = [root["registry"]?.text, root["repository"]?.text].compactMap { $0?.nonBlank }.joined(separator: "/").nonBlank
            .map { ImageLocation(reference: $0 + (root["tag"]?.text.map { ":\($0)" } ?? "")) }
        for item in root["vulnerabilities"]?.array ?? [] {
            guard let id = item["name"]?.text, let package = item["package_name"]?.text else {
                output.diagnostics.append(Diagnostic("a vulnerability without a name or package was skipped", at: item.position))
                continue
            }
            var scores: [CVSSScore] = []
            if let score = CVSSScore(vector: item["vectors_v3"]?.text?.nonBlank, score: item["score_v3"]?.double, source: "NeuVector") {
                scores.append(score)
            }
            if let score = CVSSScore(
                vector: item["vectors"]?.text?.nonBlank.map { "(\($0))" }, score: item["score"]?.double, source: "NeuVector (CVSS v2)")
            {
                scores.append(score)
            }
            let fixed = item["fixed_version"]?.text?.nonBlank
            let severityText = item["severity"]?.text
            output.findings.append(
                Finding(
                    category: .container, tool: output.tool, ruleID: id, title: "\(id) in \(package)",
                    description: [item["description"]?.text, item["in_base_image"]?.bool == true ? "The package comes from the base image." : nil]
                        .compactMap { $0 }.joined(separator: "\n\n"),
                    toolSeverity: severityText, severity: .from(tool: severityText, score: scores.first?.score, default: .medium),
                    vulnerabilityIDs: .parsing([id] + (item["cves"]?.strings ?? [])), cvss: scores,
                    location: .package(
                        packageLocation(
                            name: package, version: item["package_version"]?.text, ecosystem: nil, fixedVersions: fixed.map { [$0] } ?? [],
                            image: image)),
                    remediation: fixed.map { "Upgrade \(package) to \($0)" }, references: [item["link"]?.text?.nonBlank].compactMap { $0 },
                    tags: item["in_base_image"]?.bool == true ? ["base-image"] : [], raw: .json(item)))
        }
        return output
    }
}
