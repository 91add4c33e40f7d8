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
