import Foundation
import RampartCore

/// Prowler's own outputs: the JSON of Prowler 3 (`-M json`: CheckID, Status, ResourceArn...)
/// and the CSV of Prowler 3 and 4 (`-M csv`, semicolons: CHECK_ID, STATUS, RESOURCE_UID...).
/// Prowler 4's OCSF JSON is read by the OCSF importer. Passed and manual checks are not
/// findings; muted ones are kept as suppressed.
struct ProwlerImporter: ReportImporter {
    /// JSON (Prowler 3) or CSV (Prowler 3 and 4): one format each, read by the same code.
    let syntax: ReportSyntax

    var info: FormatInfo {
        FormatInfo(
            id: "prowler-\(syntax.rawValue)", name: syntax == .csv ? "Prowler CSV" : "Prowler JSON (v3)", tool: "Prowler", category: .cloud,
            syntax: syntax,
            notes: "failed checks per resource with account, region, severity, remediation and compliance (AWS, Azure, GCP, Kubernetes)",
            defectDojoScanTypes: ["AWS Prowler V3", "Prowler Scan"])
    }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        if let header = report.csvTable?.header, syntax == .csv {
            return (header.contains("CHECK_ID") || header.contains("CHECKID")) && header.contains("STATUS") && header.contains("PROVIDER")
                ? .certain : nil
        }
        guard syntax == .json, let root = report.jsonRoot, root.isArray, let first = root.array.first else { return nil }
        return first["CheckID"] != nil && first["Status"] != nil && first["Provider"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        var output = ImporterOutput(tool: ToolInfo(name: "Prowler"))
        var skipped = 0
        func keep(_ status: String?) -> Bool {
            let kept = !["PASS", "MANUAL", "INFO"].contains(status?.uppercased() ?? "")
            if !kept { skipped += 1 }
            return kept
        }
        if let table = report.csvTable {
            for record in table.records where keep(record["STATUS"]) {
                let check = record[first: "CHECK_ID", "CHECKID"] ?? "unknown"
                let severityText = record["SEVERITY"]
                output.findings.append(
                    Finding(
                        category: .cloud, tool: output.tool, ruleID: check, title: record["CHECK_TITLE"] ?? check,
                        description: [record["STATUS_EXTENDED"], record["DESCRIPTION"], record["RISK"]].compactMap { $0 }.joined(separator: "\n\n")
                            .nonBlank,
                        toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
                        location: .cloud(
                            CloudLocation(
                                provider: record["PROVIDER"] ?? "unknown", account: record[first: "ACCOUNT_UID", "ACCOUNT_ID"],
                                region: record["REGION"],
                                resourceID: record[first: "RESOURCE_UID", "RESOURCE_ARN", "RESOURCE_ID", "RESOURCE_NAME"] ?? record["ACCOUNT_UID"]
                                    ?? "unknown",
                                resourceType: record["RESOURCE_TYPE"])),
                        remediation: record["REMEDIATION_RECOMMENDATION_TEXT"],
                        references: [record["REMEDIATION_RECOMMENDATION_URL"], record["RELATED_URL"]].compactMap { $0 }.uniqued(),
                        tags: [record["SERVICE_NAME"].map { "service:\($0)" }].compactMap { $0 },
                        suppression: record["MUTED"]?.lowercased() == "true" ? Suppression(kind: .accepted, justification: "muted") : nil,
                        raw: .csv(record)))
            }
        } else if let root = report.jsonRoot {
            for item in root.array where keep(item["Status"]?.text) {
                let check = item["CheckID"]?.text ?? "unknown"
                let severityText = item["Severity"]?.text
                output.findings.append(
                    Finding(
                        category: .cloud, tool: output.tool, ruleID: check, title: item["CheckTitle"]?.text ?? check,
                        description: [item["StatusExtended"]?.text, item["Description"]?.text, item["Risk"]?.text].compactMap { $0?.nonBlank }
                            .joined(separator: "\n\n").nonBlank,
                        toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
                        location: .cloud(
                            CloudLocation(
                                provider: item["Provider"]?.text ?? "unknown", account: item["AccountId"]?.text ?? item["SubscriptionId"]?.text,
                                region: item["Region"]?.text ?? item["Location"]?.text,
                                resourceID: item["ResourceArn"]?.text ?? item["ResourceId"]?.text ?? item["ResourceName"]?.text ?? "unknown",
                                resourceType: item["ResourceType"]?.text)),
                        remediation: item["Remediation", "Recommendation", "Text"]?.text,
                        references: [item["Remediation", "Recommendation", "Url"]?.text, item["RelatedUrl"]?.text].compactMap { $0?.nonBlank }
                            .uniqued(),
                        tags: [item["ServiceName"]?.text.map { "service:\($0)" }].compactMap { $0 }, raw: .json(item)))
            }
        }
        if skipped > 0 { output.diagnostics.append(Diagnostic("\(skipped) passed or manual check(s) are not findings", level: .note)) }
        return output
    }
}

/// Prowler 2 (the shell version, AWS only): its CSV (`PROFILE,ACCOUNT_NUM,REGION,TITLE_ID,
/// CHECK_RESULT,...`) and its JSON output, one object per line (`Control`, `Status`,
/// `Message`, `Control ID`, ...). Passed and informational checks are not findings.
struct ProwlerV2Importer: ReportImporter {
    let syntax: ReportSyntax
    let info: FormatInfo

    init(syntax: ReportSyntax) {
        self.syntax = syntax
        self.info = FormatInfo(
            id: "prowler-v2-\(syntax.rawValue)", name: syntax == .csv ? "Prowler 2 CSV" : "Prowler 2 JSON", tool: "Prowler", category: .cloud,
            syntax: syntax, notes: "Prowler 2 (AWS): failed checks with account, region, severity, service, risk and remediation",
            defectDojoScanTypes: ["AWS Prowler Scan"])
    }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        if syntax == .csv, let header = report.csvTable?.header {
            return header.contains("TITLE_ID") && header.contains("CHECK_RESULT") && header.contains("ACCOUNT_NUM") ? .certain : nil
        }
        guard syntax == .json, case .json(let document) = report, let first = document.roots.first.flatMap({ $0.isArray ? $0.array.first : $0 })
        else { return nil }
        return first["Control ID"] != nil && first["Account Number"] != nil && first["Status"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        var output = ImporterOutput(tool: ToolInfo(name: "Prowler", version: "2"))
        var passed = 0
        func keep(_ status: String?) -> Bool {
            // Prowler 2 writes PASS, FAIL, INFO and WARNING; only FAIL and WARNING need work.
            let word = status?.uppercased() ?? ""
            if word == "FAIL" || word == "WARNING" { return true }
            passed += 1
            return false
        }
        /// `[check11] Avoid the use of the root account (Scored)`: the check id in brackets.
        func check(_ title: String?, id: String?) -> (rule: String, title: String) {
            guard let title else { return (id ?? "unknown", id ?? "unknown") }
            if title.hasPrefix("["), let close = title.firstIndex(of: "]") {
                return (
                    String(title[title.index(after: title.startIndex)..<close]),
                    title[title.index(after: close)...].trimmingCharacters(in: .whitespaces)
                )
            }
            return (id ?? title, title)
        }
        if let table = report.csvTable {
            for record in table.records where keep(record["CHECK_RESULT"]) {
                let (rule, title) = check(record["TITLE_TEXT"], id: record["TITLE_ID"])
                let severityText = record["CHECK_SEVERITY"]
                output.findings.append(
                    Finding(
                        category: .cloud, tool: output.tool, ruleID: rule, title: record["CHECK_RESULT_EXTENDED"] ?? title,
                        description: [title, record["CHECK_RISK"]].compactMap { $0 }.joined(separator: "\n\n").nonBlank,
                        toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
                        location: .cloud(
                            CloudLocation(
                                provider: "aws", account: record["ACCOUNT_NUM"], region: record["REGION"],
                                resourceID: record["CHECK_RESOURCE_ID"] ?? record["ACCOUNT_NUM"] ?? "unknown",
                                resourceType: record["CHECK_ASFF_RESOURCE_TYPE"])),
                        remediation: record["CHECK_REMEDIATION"], references: [record["CHECK_DOC"]].compactMap { $0 },
                        tags: [record["CHECK_SERVICENAME"].map { "service:\($0)" }, record["TITLE_ID"].map { "control:\($0)" }].compactMap { $0 },
                        raw: .csv(record)))
            }
        } else if case .json(let document) = report {
            for item in document.roots.flatMap({ $0.isArray ? $0.array : [$0] }) where item.isObject && keep(item["Status"]?.text) {
                let (rule, title) = check(item["Control"]?.text, id: item["Control ID"]?.text)
                let severityText = item["Severity"]?.text
                let region = item["Region"]?.text
                output.findings.append(
                    Finding(
                        category: .cloud, tool: output.tool, ruleID: rule, title: item["Message"]?.text ?? title,
                        description: [title, item["Risk"]?.text].compactMap { $0?.nonBlank }.joined(separator: "\n\n").nonBlank,
                        toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
                        location: .cloud(
                            CloudLocation(
                                provider: "aws", account: item["Account Number"]?.text, region: region,
                                resourceID: item["Resource ID"]?.text ?? item["Account Number"]?.text ?? "unknown")),
                        remediation: item["Remediation"]?.text, references: [item["Doc link"]?.text].compactMap { $0 },
                        tags: [item["Service"]?.text.map { "service:\($0)" }, item["Control ID"]?.text.map { "control:\($0)" }].compactMap { $0 },
                        raw: .json(item)))
            }
        }
        if passed > 0 { output.diagnostics.append(Diagnostic("\(passed) passed or informational check(s) are not findings", level: .note)) }
        return output
    }
}
