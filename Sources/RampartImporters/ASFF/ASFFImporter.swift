import Foundation
import RampartCore

/// AWS Security Finding Format (ASFF), as AWS Security Hub exports it (`Findings`) and as
/// tools write it for Security Hub (a bare array: Prowler, Inspector, GuardDuty, Config and
/// partners). Each finding names its account, region and resources; Inspector's carry
/// vulnerable packages with CVSS. Archived records and passed compliance checks are not
/// findings; suppressed ones are kept as suppressed.
struct ASFFImporter: ReportImporter {
    let info = FormatInfo(
        id: "asff-json", name: "AWS Security Finding Format (ASFF)", tool: "AWS Security Hub", category: .cloud, syntax: .json,
        notes: "Security Hub exports and ASFF from Prowler, Inspector, GuardDuty, Config: account, region, resource, CVEs and packages",
        defectDojoScanTypes: ["AWS Security Finding Format (ASFF) Scan", "AWS Security Hub Scan"], isStandard: true)

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        let findings = root.isArray ? root : root["Findings"] ?? root["findings"]
        guard let first = findings?.array.first else { return root.isObject && root["Findings"]?.isArray == true ? .likely : nil }
        return first["SchemaVersion"] != nil && first["ProductArn"] != nil && first["AwsAccountId"] != nil
            || first["GeneratorId"] != nil && first["Resources"] != nil
            ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "AWS Security Hub"))
        var skipped = 0
        let records = root.isArray ? root.array : (root["Findings"] ?? root["findings"])?.array ?? []
        // A whole file from one producer is named after it (Prowler, Inspector...).
        let products = Set(records.compactMap { $0["ProductName"]?.text ?? $0["ProductFields", "aws/securityhub/ProductName"]?.text })
        if products.count == 1, let product = products.first { output.tool = ToolInfo(name: product) }
        for record in records {
            if record["RecordState"]?.string == "ARCHIVED" || record["Compliance", "Status"]?.string == "PASSED" {
                skipped += 1
                continue
            }
            output.findings.append(finding(record, tool: output.tool))
        }
        if skipped > 0 { output.diagnostics.append(Diagnostic("\(skipped) archived or passed record(s) are not findings", level: .note)) }
        return output
    }

    private func finding(_ record: JSONNode, tool: ToolInfo) -> Finding {
        let resource = record["Resources"]?.array.first
        let vulnerabilities = record["Vulnerabilities"]?.array ?? []
        let ids = vulnerabilities.compactMap { $0["Id"]?.text }
        var cvss: [CVSSScore] = []
        for vulnerability in vulnerabilities {
            for rating in vulnerability["Cvss"]?.array ?? [] {
                if let score = CVSSScore(vector: rating["BaseVector"]?.text, score: rating["BaseScore"]?.double, source: rating["Source"]?.text) {
                    cvss.append(score)
                }
            }
        }
        let packages = vulnerabilities.flatMap { $0["VulnerablePackages"]?.array ?? [] }
        var description = [record["Description"]?.text].compactMap { $0 }
        if !packages.isEmpty {
            description.append(
                "Packages: "
                    + packages.map {
                        [$0["Name"]?.text, $0["Version"]?.text].compactMap { $0 }.joined(separator: " ")
                            + ($0["FixedInVersion"]?.text.map { " (fixed in \($0))" } ?? "")
                    }
                    .joined(separator: ", "))
        }
        let severityText = record["Severity", "Label"]?.text ?? record["Severity", "Original"]?.text
        // A control's generator id names the check; GuardDuty's is its detector's ARN, and its finding type names the check.
        let generator = record["GeneratorId"]?.text.flatMap { $0.hasPrefix("arn:") ? nil : $0 }
        let ruleID =
            ids.first.flatMap { [VulnerabilityID].parsing(ids).canonical?.value ?? $0 } ?? generator ?? record["Types"]?.strings.first ?? record[
                "Title"]?.text
            ?? "unknown"
        let suppressed = record["Workflow", "Status"]?.string == "SUPPRESSED"
        return Finding(
            category: vulnerabilities.isEmpty ? .cloud : .container, tool: tool, ruleID: ruleID, title: record["Title"]?.text ?? ruleID,
            description: description.joined(separator: "\n\n").nonBlank, toolSeverity: severityText,
            severity: .from(tool: severityText, score: record["Severity", "Normalized"]?.double.map { $0 / 10 }), vulnerabilityIDs: .parsing(ids),
            cvss: cvss,
            location: .cloud(
                CloudLocation(
                    provider: resource?["Partition"]?.text.map { $0.hasPrefix("aws") ? "aws" : $0 } ?? "aws", account: record["AwsAccountId"]?.text,
                    region: resource?["Region"]?.text ?? record["Region"]?.text, resourceID: resource?["Id"]?.text ?? record["Id"]?.text ?? "unknown",
                    resourceType: resource?["Type"]?.text)),
            remediation: record["Remediation", "Recommendation", "Text"]?.text,
            references: [record["Remediation", "Recommendation", "Url"]?.text, record["SourceUrl"]?.text].compactMap { $0 }
                + vulnerabilities.flatMap { $0["ReferenceUrls"]?.strings ?? [] },
            tags: (record["Types"]?.strings ?? []).map { "type:\($0)" } + (record["Compliance", "Status"]?.text.map { ["compliance:\($0)"] } ?? []),
            suppression: suppressed ? Suppression(kind: .accepted, justification: record["Note", "Text"]?.text) : nil, raw: .json(record))
    }
}
