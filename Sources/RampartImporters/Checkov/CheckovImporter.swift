import Foundation
import RampartCore

/// Checkov JSON (`checkov -o json`): one report object or an array of them (one per check
/// type). Failed checks are findings; skipped checks are kept as suppressed findings; the
/// `secrets` check type is redacted, `sca_package` results become package findings.
struct CheckovImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "checkov-json", name: "Checkov JSON", tool: "Checkov", category: .iac, syntax: .json,
        notes: "failed checks per check type (terraform, kubernetes, dockerfile, ...); skipped checks kept as suppressed",
        defectDojoScanTypes: ["Checkov Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        let first = root.isArray ? root.array.first : root
        guard let first, first.isObject else { return nil }
        if first["checkov_version"] != nil || first["summary"]?["checkov_version"] != nil { return .certain }
        return first["check_type"] != nil && first["results"] != nil || first["results"]?["failed_checks"] != nil ? .likely : nil
    }

    /// The secrets framework's code block quotes the secret (masked only where Checkov's
    /// detector knows the value).
    var secretFields: [SecretFields] { [SecretFields(secret: [], quoting: [["code_block", "*", "*"]])] }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Checkov"))
        let sections = root.isArray ? root.array : [root]
        for section in sections {
            if output.tool.version == nil { output.tool.version = section["summary", "checkov_version"]?.text }
            let checkType = section["check_type"]?.text ?? "unknown"
            // `--repo-id owner/name` names the repository; Checkov writes it beside the results and on each record.
            let repoID = section["repo_id"]?.text ?? section["results", "failed_checks"]?.array.first?["repo_id"]?.text
            if let repoID, !output.subject.repositories.contains(repoID) { output.subject.repositories.append(repoID) }
            if let errors = section["results", "parsing_errors"]?.array, !errors.isEmpty {
                output.toolReportedError = true
                output.diagnostics.append(Diagnostic("Checkov could not parse \(errors.count) file(s) for \(checkType)", at: section.position))
            }
            for check in section["results", "failed_checks"]?.array ?? [] {
                output.findings.append(finding(check, checkType: checkType, suppressed: false, tool: output.tool, context: context))
            }
            if let passed = section["results", "passed_checks"]?.array.count, passed > 0 {
                output.diagnostics.append(Diagnostic("\(passed) passed \(checkType) check(s) are not findings and were not imported", level: .note))
            }
            for check in section["results", "skipped_checks"]?.array ?? [] {
                output.findings.append(finding(check, checkType: checkType, suppressed: true, tool: output.tool, context: context))
            }
        }
        return output
    }

    private func finding(_ check: JSONNode, checkType: String, suppressed: Bool, tool: ToolInfo, context: ImportContext) -> Finding {
        let id = check["check_id"]?.text ?? "unknown"
        let file = check["repo_file_path"]?.text ?? check["file_path"]?.text ?? ""
        let lines = check["file_line_range"]?.array.compactMap(\.int) ?? []
        let severityText = check["severity"]?.text
        let suppression = suppressed ? Suppression(kind: .inSource, justification: check["check_result", "suppress_comment"]?.text) : nil
        let references = [check["guideline"]?.text].compactMap { $0 }
        if checkType == "secrets" {
            // The code block's lines ([number, text] pairs) quote the secret, masked by Checkov
            // only where its detector knows the value.
            let codeLines = check["code_block"]?.array.compactMap { $0.array.last?.string } ?? []
            var finding = Finding(
                category: .secrets, tool: tool, ruleID: id, title: check["check_name"]?.text ?? id, toolSeverity: severityText,
                severity: .from(tool: severityText, default: .high), cwes: [798],
                location: .code(CodeLocation(file: file, startLine: lines.first, endLine: lines.last)),
                references: references, suppression: suppression, raw: .json(check))
            finding.revealedSecrets = [codeLines.joined(separator: "\n")] + codeLines
            return finding
        }
        if let details = check["vulnerability_details"], let name = details["package_name"]?.text {
            let vulnerability = details["id"]?.text ?? id
            let score = CVSSScore(vector: details["vector"]?.text, score: details["cvss"]?.double)
            return Finding(
                category: .sca, tool: tool, ruleID: vulnerability, title: "\(vulnerability) in \(name)",
                description: details["description"]?.text, toolSeverity: severityText ?? details["severity"]?.text,
                severity: .from(tool: severityText ?? details["severity"]?.text, score: score?.score),
                vulnerabilityIDs: .parsing([vulnerability]), cvss: score.map { [$0] } ?? [],
                location: .package(
                    packageLocation(
                        name: name, version: details["package_version"]?.text, ecosystem: nil,
                        fixedVersions: splitVersions(details["fixed_version"]?.text), manifestPath: file)),
                references: [details["link"]?.text].compactMap { $0 }, suppression: suppression, raw: .json(check))
        }
        return Finding(
            category: .iac, tool: tool, ruleID: id, title: check["check_name"]?.text ?? id,
            description: check["description"]?.text ?? check["details"]?.strings.joined(separator: "\n").nonBlank,
            toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
            location: .iac(
                IaCLocation(file: file, resource: check["resource"]?.text, startLine: lines.first, endLine: lines.last, framework: checkType)),
            remediation: check["guideline"]?.text, references: references,
            tags: [check["bc_check_id"]?.text, check["bc_category"]?.text].compactMap { $0 }, suppression: suppression, raw: .json(check))
    }
}
