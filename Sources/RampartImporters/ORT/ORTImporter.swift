import Foundation
import RampartCore

/// The OSS Review Toolkit's evaluated model (`ort report -f EvaluatedModel`, JSON): one finding
/// per rule violation of the evaluator's policy (license and package rules), on the package it
/// names (purl from the model), with the license and where it was found (declared, detected,
/// concluded), ORT's severity (ERROR high, WARNING medium, HINT low) and how to fix it.
/// Violations a resolution covers are kept as accepted, with its reason and comment.
struct ORTImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "ort-evaluated-model", name: "ORT evaluated model JSON", tool: "OSS Review Toolkit", category: .sca, syntax: .json,
        notes: "policy rule violations (licenses, packages) per package with license source, severity, fix and resolutions",
        defectDojoScanTypes: ["ORT evaluated model Importer"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        return root["rule_violations"] != nil && root["packages"] != nil && root["dependency_trees"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected an ORT evaluated model") }
        var output = ImporterOutput(tool: ToolInfo(name: "OSS Review Toolkit"))
        // The model refers to packages, licenses and resolutions by their index (`_id`).
        func indexed(_ name: String) -> [Int: JSONNode] {
            var result: [Int: JSONNode] = [:]
            for (position, item) in (root[name]?.array ?? []).enumerated() { result[item["_id"]?.int ?? position] = item }
            return result
        }
        let packages = indexed("packages")
        let licenses = indexed("licenses")
        let resolutions = indexed("rule_violation_resolutions")
        for violation in root["rule_violations"]?.array ?? [] {
            let rule = violation["rule"]?.text ?? "rule"
            let message = violation["message"]?.text ?? rule
            let package = violation["pkg"]?.int.flatMap { packages[$0] }
            let license = violation["license"]?.int.flatMap { licenses[$0] }?["id"]?.text
            let severityText = violation["severity"]?.text
            let severity: Severity =
                switch severityText?.uppercased() {
                case "ERROR": .high
                case "WARNING": .medium
                default: .low
                }
            let resolution = violation["resolutions"]?.array.first?.int.flatMap { resolutions[$0] }
            let identifier = package?["id"]?.text
            // ORT ids are `Type:namespace:name:version`.
            let parts = identifier?.split(separator: ":", omittingEmptySubsequences: false).map(String.init) ?? []
            // Maven groups are written `group:artifact`, npm scopes `@scope/name`.
            let separator = parts.first?.lowercased() == "maven" || parts.first?.lowercased() == "gradle" ? ":" : "/"
            let name = parts.count >= 4 ? [parts[1], parts[2]].filter { !$0.isEmpty }.joined(separator: separator) : identifier ?? "project"
            let version = parts.count >= 4 ? parts[3].nonBlank : nil
            var details = [message]
            if let license { details.append("License: \(license)" + (violation["license_source"]?.text.map { " (\($0.lowercased()))" } ?? "")) }
            if let identifier { details.append("Package: \(identifier)") }
            output.findings.append(
                Finding(
                    category: .sca, tool: output.tool, ruleID: rule, title: "\(rule): \(message)", description: details.joined(separator: "\n"),
                    toolSeverity: severityText, severity: severity,
                    location: .package(
                        packageLocation(
                            name: name, version: version, ecosystem: parts.first?.lowercased(), purl: package?["purl"]?.text,
                            manifestPath: package?["definition_file_path"]?.text)),
                    remediation: violation["how_to_fix"]?.text, tags: [license.map { "license:\($0)" }].compactMap { $0 },
                    suppression: resolution.map {
                        Suppression(
                            kind: .accepted,
                            justification: [$0["reason"]?.text, $0["comment"]?.text].compactMap { $0 }.joined(separator: ": ").nonBlank)
                    }, raw: .json(violation)))
        }
        return output
    }
}
