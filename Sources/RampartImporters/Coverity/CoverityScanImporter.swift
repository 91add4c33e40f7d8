import Foundation
import RampartCore

/// Coverity's JSON issues report (`cov-format-errors --json-output-v7..v10`): each issue with its
/// checker, the main event's file and line, the events leading to it, and the checker's
/// properties (impact, CWE, issue kinds). `mergeKey` is Coverity's identity of an issue across
/// analyses. Issues triaged as false positive or intentional are kept as suppressed.
struct CoverityScanImporter: ReportImporter {
    let info = FormatInfo(
        id: "coverity-json", name: "Coverity JSON issues report", tool: "Coverity", category: .sast, syntax: .json,
        notes: "issues with checker, impact, CWE, main event file and line, event path and merge key",
        defectDojoScanTypes: ["Coverity Scan JSON Report"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["issues"] != nil else { return nil }
        if root["type"]?.string == "Coverity issues" { return .certain }
        return root["formatVersion"] != nil && root["issues"]?.array.first?["mergeKey"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Coverity"))
        for issue in root["issues"]?.array ?? [] {
            let checker = issue["checkerName"]?.text ?? "coverity"
            let properties = issue["checkerProperties"]
            let events = issue["events"]?.array ?? []
            let main = events.first { $0["main"]?.bool == true }
            var description = [properties?["subcategoryLongDescription"]?.text ?? main?["eventDescription"]?.text]
            if events.count > 1 {
                description.append(
                    "Events:\n"
                        + events.map {
                            "\($0["strippedFilePathname"]?.text ?? $0["filePathname"]?.text ?? "?"):\($0["lineNumber"]?.text ?? "?") \($0["eventDescription"]?.text ?? "")"
                        }
                        .joined(separator: "\n"))
            }
            if let function = issue["functionDisplayName"]?.text { description.append("In \(function)") }
            let impact = properties?["impact"]?.text
            var finding = Finding(
                category: .sast, tool: output.tool, ruleID: [checker, issue["subtype"]?.text].compactMap { $0 }.joined(separator: "/"),
                title: properties?["subcategoryShortDescription"]?.text?.nonBlank ?? checker,
                description: description.compactMap { $0?.nonBlank }.joined(separator: "\n\n"), toolSeverity: impact,
                severity: .from(tool: impact, default: .medium), cwes: CWE.parseAll([properties?["cweCategory"]?.text ?? ""]),
                location: .code(
                    CodeLocation(
                        file: issue["strippedMainEventFilePathname"]?.text ?? issue["mainEventFilePathname"]?.text ?? "unknown",
                        startLine: issue["mainEventLineNumber"]?.int, startColumn: issue["mainEventColumnNumber"]?.int)),
                tags: properties?["issueKinds"]?.strings.map { $0.lowercased() } ?? [], toolFingerprint: issue["mergeKey"]?.text, raw: .json(issue))
            switch (issue["localTriage"]?["classification"]?.text ?? issue["stateOnServer"]?["triage"]?["classification"]?.text)?.lowercased() {
            case "false positive": finding.suppression = Suppression(kind: .falsePositive, justification: "triaged as false positive in Coverity")
            case "intentional": finding.suppression = Suppression(kind: .accepted, justification: "triaged as intentional in Coverity")
            default: break
            }
            output.findings.append(finding)
        }
        return output
    }
}

/// Coverity Connect's REST API issue view (`/api/v2/views/viewContents`, `viewContentsV1`):
/// one finding per CID. Security issues are findings; of the quality defects, resource leaks
/// are kept (a denial-of-service weakness, CWE-404) and the rest (null dereferences, unused
/// values) are counted in a note, since they are code quality, not security. Issues triaged
/// as false positive or intentional are kept as suppressed; fixed ones are gone.
struct CoverityAPIImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "coverity-api-json", name: "Coverity Connect API view JSON", tool: "Coverity", category: .sast, syntax: .json,
        notes: "issues of a saved view (CID, checker, impact, CWE, file, function, triage); quality defects other than leaks skipped",
        defectDojoScanTypes: ["Coverity API"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let view = root["viewContentsV1"] else { return nil }
        return view["rows"] != nil || view["columns"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let rows = report.jsonRoot?["viewContentsV1", "rows"] else { throw ImportError.content("expected viewContentsV1.rows") }
        var output = ImporterOutput(tool: ToolInfo(name: "Coverity"))
        var quality = 0
        var fixed = 0
        for row in rows.array {
            guard let cid = row["cid"]?.text else {
                output.diagnostics.append(Diagnostic("issue without a CID skipped", at: row.position))
                continue
            }
            let kind = row["displayIssueKind"]?.text ?? ""
            let type = row["displayType"]?.text ?? row["checker"]?.text ?? "Coverity issue"
            let cwe = row["cwe"]?.int
            guard kind.contains("Security") || type == "Resource leak" || cwe == 404 else {
                quality += 1
                continue
            }
            let status = row["status"]?.text ?? ""
            guard status != "Fixed" else {
                fixed += 1
                continue
            }
            let classification = row["classification"]?.text ?? ""
            let suppression: Suppression? =
                switch classification {
                case "False Positive": Suppression(kind: .falsePositive, justification: "triaged in Coverity as false positive")
                case "Intentional": Suppression(kind: .accepted, justification: "triaged in Coverity as intentional")
                default: status == "Dismissed" ? Suppression(kind: .external, justification: "dismissed in Coverity") : nil
                }
            let impact = row["displayImpact"]?.text
            let file = row["displayFile"]?.text ?? ""
            var details = [
                row["displayCategory"]?.text.map { "Category: \($0)" }, row["displayFunction"]?.text.map { "Function: \($0)" },
                row["checker"]?.text.map { "Checker: \($0)" }, "Status: \(status)" + (classification.isEmpty ? "" : ", \(classification)"),
                row["action"]?.text.map { "Action: \($0)" }, row["firstDetected"]?.text.map { "First detected: \($0)" },
            ].compactMap { $0 }
            if let count = row["occurrenceCount"]?.int, count > 1 { details.append("Occurrences: \(count)") }
            output.findings.append(
                Finding(
                    category: .sast, tool: output.tool, ruleID: row["checker"]?.text ?? type, title: type,
                    description: details.joined(separator: "\n"), toolSeverity: impact,
                    severity: .from(tool: impact, default: .medium), confidence: classification == "Bug" ? .high : nil,
                    cwes: cwe.map { [$0] } ?? [], location: .code(CodeLocation(file: file)),
                    references: [row["externalReference"]?.text?.nonBlank].compactMap { $0 }, tags: [kind].filter { !$0.isEmpty },
                    toolFingerprint: "cid:\(cid)", suppression: suppression, raw: .json(row)))
        }
        if quality > 0 {
            output.diagnostics.append(Diagnostic("\(quality) code quality defect(s) (not security) were not imported", level: .note))
        }
        if fixed > 0 { output.diagnostics.append(Diagnostic("\(fixed) issue(s) Coverity marks fixed were not imported", level: .note)) }
        return output
    }
}
