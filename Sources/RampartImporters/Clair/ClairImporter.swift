import Foundation
import RampartCore

/// Clair's image reports: the clair-scanner JSON (`image`, `unapproved`, `vulnerabilities`
/// with feature name and version) and klar's (`LayerCount`, vulnerabilities grouped by
/// severity). Both come from Clair v2's API.
struct ClairImporter: ReportImporter {
    let info = FormatInfo(
        id: "clair-json", name: "Clair (clair-scanner, klar) JSON", tool: "Clair", category: .container, syntax: .json,
        notes: "image vulnerabilities per feature (OS package) with namespace, severity and fixed-by version", defectDojoScanTypes: ["Clair Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if root["LayerCount"] != nil && root["Vulnerabilities"] != nil { return .certain }
        return root["image"] != nil && root["unapproved"] != nil && root["vulnerabilities"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: root["LayerCount"] != nil ? "klar" : "Clair"))
        let image = root["image"]?.text.map { ImageLocation(reference: $0) }
        if let image { output.scope = ScanScope(kind: "image", target: image.name) }
        let unapproved = Set(root["unapproved"]?.strings ?? [])
        var records: [JSONNode] = root["vulnerabilities"]?.array ?? []
        for (_, group) in root["Vulnerabilities"]?.entries ?? [] { records += group.array }
        for record in records {
            let id = record["vulnerability"]?.text ?? record["Name"]?.text ?? "unknown"
            let name = record["featurename"]?.text ?? record["FeatureName"]?.text ?? "unknown"
            let version = record["featureversion"]?.text ?? record["FeatureVersion"]?.text
            let namespace = record["namespace"]?.text ?? record["NamespaceName"]?.text
            let fixedBy = (record["fixedby"]?.text ?? record["FixedBy"]?.text)?.nonBlank
            let severityText = record["severity"]?.text ?? record["Severity"]?.text
            output.findings.append(
                Finding(
                    category: .container, tool: output.tool, ruleID: id, title: "\(id) in \(name)",
                    description: record["description"]?.text ?? record["Description"]?.text, toolSeverity: severityText,
                    severity: .from(tool: severityText == "Unknown" || severityText == "Defcon1" ? nil : severityText, default: .medium),
                    vulnerabilityIDs: .parsing([id]),
                    location: .package(
                        packageLocation(
                            name: name, version: version, ecosystem: namespace.map { String($0.split(separator: ":").first ?? "") },
                            fixedVersions: fixedBy.map { [$0] } ?? [], image: image)),
                    remediation: fixedBy.map { "Upgrade \(name) to \($0)" },
                    references: [record["link"]?.text ?? record["Link"]?.text].compactMap { $0 },
                    tags: unapproved.contains(id) ? ["unapproved"] : [], raw: .json(record)))
        }
        return output
    }
}
