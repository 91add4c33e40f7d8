import Foundation
import RampartCore

/// CloudSploit's JSON output (`--json`): one result per plugin, resource and region with a
/// status. FAIL and WARN results are findings (WARN as low); OK results are not, and UNKNOWN
/// results (the plugin could not query the resource) are counted as a diagnostic and close
/// nothing, since the resource was not checked.
struct CloudSploitImporter: ReportImporter {
    let info = FormatInfo(
        id: "cloudsploit-json", name: "CloudSploit JSON", tool: "CloudSploit", category: .cloud, syntax: .json,
        notes: "cloud configuration checks (AWS, Azure, GCP, OCI) per resource and region: FAIL and WARN results",
        defectDojoScanTypes: ["Cloudsploit Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, first.isObject else { return nil }
        return first["plugin"] != nil && first["category"] != nil && first["status"] != nil && first["resource"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        var output = ImporterOutput(tool: ToolInfo(name: "CloudSploit"))
        var unknown = 0
        for item in root.array {
            let status = item["status"]?.text?.uppercased() ?? ""
            guard status == "FAIL" || status == "WARN" else {
                if status == "UNKNOWN" { unknown += 1 }
                continue
            }
            let plugin = item["plugin"]?.text ?? "cloudsploit"
            let resource = item["resource"]?.text?.nonBlank ?? "N/A"
            let region = item["region"]?.text
            // The provider shows in the ARN (`arn:aws:...`); CloudSploit does not name it otherwise.
            let provider =
                resource.hasPrefix("arn:aws")
                ? "aws" : resource.hasPrefix("/subscriptions/") ? "azure" : resource.hasPrefix("projects/") ? "gcp" : "cloud"
            let account =
                resource.hasPrefix("arn:")
                ? resource.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first.map(String.init)?.nonBlank : nil
            output.findings.append(
                Finding(
                    category: .cloud, tool: output.tool, ruleID: plugin, title: item["title"]?.text ?? plugin,
                    description: [item["description"]?.text, item["message"]?.text, item["category"]?.text.map { "Category: \($0)" }].compactMap {
                        $0
                    }
                    .joined(separator: "\n"),
                    toolSeverity: status, severity: status == "FAIL" ? .medium : .low,
                    location: .cloud(
                        CloudLocation(provider: provider, account: account, region: region == "global" ? nil : region, resourceID: resource)),
                    raw: .json(item)))
        }
        if unknown > 0 {
            output.toolReportedError = true
            output.diagnostics.append(
                Diagnostic("\(unknown) check(s) could not query their resource (UNKNOWN); findings missing from this report are not closed"))
        }
        return output
    }
}
