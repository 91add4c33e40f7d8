import Foundation
import RampartCore

/// Checkmarx CxSAST's XML report (`CxXMLResults`): per query (a rule, with its CWE, severity
/// and compliance categories), each result with the data-flow path from source to sink.
///
/// One finding per result, placed at the sink (the path's last node, where the harm is done),
/// with the source and every step in the description. Checkmarx's `SimilarityId` is its own
/// identity for a result across scans, so it is the tool fingerprint. Results marked false
/// positive or Not Exploitable are kept as suppressed; Proposed Not Exploitable is still open.
struct CheckmarxXMLImporter: ReportImporter {
    let info = FormatInfo(
        id: "checkmarx-xml", name: "Checkmarx CxSAST XML", tool: "Checkmarx CxSAST", category: .sast, syntax: .xml,
        notes: "query results with source-to-sink path, CWE, severity, state (Not Exploitable, Confirmed, Urgent) and similarity id",
        defectDojoScanTypes: ["Checkmarx Scan", "Checkmarx Scan detailed"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        report.xmlRoot?.localName == "CxXMLResults" ? .certain : nil
    }

    /// CxSAST's result states, by number.
    static let states = ["0": "To Verify", "1": "Not Exploitable", "2": "Confirmed", "3": "Urgent", "4": "Proposed Not Exploitable"]

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "Checkmarx CxSAST", version: root.attributes["CheckmarxVersion"]))
        for query in root.children("Query") {
            let queryName = (query.attributes["name"] ?? "query").replacingOccurrences(of: "_", with: " ")
            let categories = (query.attributes["categories"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            for result in query.children("Result") {
                let path = result.child("Path")
                let nodes = path?.children("PathNode") ?? []
                let sink = nodes.last
                let source = nodes.first
                let file = sink?.childText("FileName") ?? result.attributes["FileName"]
                let severityText = result.attributes["Severity"] ?? query.attributes["Severity"]
                let state = result.attributes["state"].flatMap { Self.states[$0] } ?? result.attributes["state"]
                var description = ["\(queryName) (\(query.attributes["group"] ?? query.attributes["Language"] ?? "Checkmarx"))"]
                if let source, nodes.count > 1 {
                    description.append(
                        "Source: \(source.childText("FileName") ?? "?"):\(source.childText("Line") ?? "?") \(source.childText("Name") ?? "")")
                    description.append(
                        "Path:\n"
                            + nodes.map { "\($0.childText("FileName") ?? "?"):\($0.childText("Line") ?? "?") \($0.childText("Name") ?? "")" }
                            .joined(separator: "\n"))
                }
                if let state { description.append("State: \(state)") }
                if let remark = result.attributes["Remark"]?.nonBlank { description.append("Remark: \(remark)") }
                if !categories.isEmpty { description.append("Categories: \(categories.joined(separator: "; "))") }
                var finding = Finding(
                    category: .sast, tool: output.tool, ruleID: query.attributes["id"].map { "\($0)" } ?? queryName, title: queryName,
                    description: description.joined(separator: "\n"), toolSeverity: severityText,
                    severity: .from(tool: severityText, default: .medium),
                    cwes: CWE.parseAll([query.attributes["cweId"] ?? ""]),
                    location: file.map {
                        .code(
                            CodeLocation(
                                file: $0, startLine: ReportInteger.parse(sink?.childText("Line") ?? result.attributes["Line"]),
                                startColumn: ReportInteger.parse(sink?.childText("Column") ?? result.attributes["Column"]),
                                snippet: sink?.path("Snippet", "Line")?.childText("Code")?.trimmingCharacters(in: .whitespaces)))
                    } ?? .code(CodeLocation(file: root.attributes["ProjectName"] ?? "project")),
                    references: [result.attributes["DeepLink"]].compactMap { $0 }, tags: [query.attributes["Language"]].compactMap { $0 },
                    toolFingerprint: path?.attributes["SimilarityId"].map { "\(query.attributes["id"] ?? queryName):\($0)" }, raw: .xml(result))
                if result.attributes["FalsePositive"]?.lowercased() == "true" || result.attributes["state"] == "1" {
                    finding.suppression = Suppression(kind: .falsePositive, justification: "Not Exploitable in Checkmarx")
                }
                output.findings.append(finding)
            }
        }
        return output
    }
}
