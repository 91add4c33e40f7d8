import Foundation
import RampartCore

/// Microsoft Defender for Cloud's (formerly Azure Security Center's) recommendations CSV export:
/// one assessment per resource and recommendation with its state. Unhealthy is a finding;
/// Healthy and Not applicable are not.
struct AzureSecurityCenterImporter: ReportImporter {
    let info = FormatInfo(
        id: "azure-security-center-csv", name: "Defender for Cloud recommendations CSV", tool: "Microsoft Defender for Cloud", category: .cloud,
        syntax: .csv, notes: "unhealthy recommendations per Azure resource with severity, remediation steps and controls",
        defectDojoScanTypes: ["Azure Security Center Recommendations Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["subscriptionId", "resourceId", "recommendationId", "recommendationDisplayName", "state"].allSatisfy(header.contains) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "Microsoft Defender for Cloud"))
        for record in table.records where record["state"]?.lowercased() == "unhealthy" {
            // The export puts the recommendation's GUID in recommendationName and the assessment's path in recommendationId.
            let recommendation = record["recommendationName"] ?? record["recommendationId"] ?? "recommendation"
            let severityText = record["severity"]
            output.findings.append(
                Finding(
                    category: .cloud, tool: output.tool, ruleID: recommendation,
                    title: "\(record["resourceName"].map { "\($0) - " } ?? "")\(record["recommendationDisplayName"] ?? recommendation)",
                    description: [record["description"], record["controls"].map { "Controls: \($0)" }].compactMap { $0 }.joined(separator: "\n\n"),
                    toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
                    location: .cloud(
                        CloudLocation(
                            provider: "azure", account: record["subscriptionId"], region: nil,
                            resourceID: record["resourceId"] ?? record["resourceName"] ?? "unknown", resourceType: record["resourceType"])),
                    remediation: record["remediationSteps"], references: [record["azurePortalRecommendationLink"]].compactMap { $0 },
                    raw: .csv(record)))
        }
        return output
    }
}
