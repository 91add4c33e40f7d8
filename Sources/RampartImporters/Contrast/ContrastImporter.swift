import Foundation
import RampartCore

/// Contrast Assess's vulnerability export (CSV: `Vulnerability Name, Vulnerability ID, Category,
/// Rule Name, Severity, Status, Number of Events, First Seen, Last Seen, Application Name, ...,
/// CWE ID, Request Method, Request Port, Request Protocol, Request Version, Request URI,
/// Request Qs, Request Body`): what the agent saw happen inside the running application (IAST).
/// One finding per vulnerability (Contrast's trace): at the sink its title names (`(File.jsp,
/// line 26)`, so that it meets a code scanner's finding there), else at the request that
/// triggered it with the parameter the data came from, else (a weak hash seen in a class) at the
/// code it names. Remediated and
/// fixed vulnerabilities are not findings; Not a Problem is kept as a false positive; Confirmed
/// and Suspicious set the confidence.
struct ContrastImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "contrast-csv", name: "Contrast Assess vulnerabilities CSV", tool: "Contrast Assess", category: .dast, syntax: .csv,
        notes: "runtime (IAST) vulnerabilities with rule, severity, CWE, status and the request that triggered them; remediated ones skipped",
        defectDojoScanTypes: ["Contrast Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["Vulnerability Name", "Vulnerability ID", "Rule Name", "Severity", "Status", "Request URI"].allSatisfy(header.contains)
            ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected a CSV table") }
        var output = ImporterOutput(tool: ToolInfo(name: "Contrast Assess"))
        var remediated = 0
        for record in table.records {
            guard let rule = record["Rule Name"] ?? record["Vulnerability ID"] else {
                output.diagnostics.append(Diagnostic("a vulnerability without a rule was skipped", at: record.position))
                continue
            }
            let status = record["Status"]?.lowercased().replacingOccurrences(of: " ", with: "")
            if ["remediated", "fixed", "autoremediated", "remediated-autoverified"].contains(status ?? "") {
                remediated += 1
                continue
            }
            let title = record["Vulnerability Name"] ?? rule
            let severityText = record["Severity"]
            var details = [record["Category"].map { "Category: \($0)" }, record["Application Name"].map { "Application: \($0)" }].compactMap { $0 }
            if let events = record.int("Number of Events") { details.append("Events: \(events)") }
            if let seen = record["Last Seen Datetime"] { details.append("Last seen: \(seen)") }
            if let body = record["Request Body"] { details.append("Request body:\n\(body)") }
            let url = record["Request URI"].map { $0 + (record["Request Qs"].map { "?" + $0 } ?? "") }
            if let url { details.insert("Request: " + (record["Request Method"].map { $0 + " " } ?? "") + url, at: 0) }
            let location: Location
            if let sink = Self.sink(in: title) {
                // The title names where the data arrived (`(ViewProfile.jsp, line 26)`): the place to fix.
                location = .code(CodeLocation(file: sink.file, startLine: sink.line))
            } else if let url {
                location = .endpoint(EndpointLocation(url: url, method: record["Request Method"], parameter: Self.source(in: title)))
            } else {
                // Seen without a request: the title names the class or file (`... at Digest.java`).
                let place = title.range(of: " at ", options: .backwards).map { String(title[$0.upperBound...]) }
                location = .code(CodeLocation(file: place ?? record["Application Name"] ?? "unknown"))
            }
            var finding = Finding(
                category: .dast, tool: output.tool, ruleID: rule, title: title, description: details.joined(separator: "\n"),
                toolSeverity: severityText, severity: severityText?.lowercased() == "note" ? .info : .from(tool: severityText),
                confidence: status == "confirmed" ? .high : status == "suspicious" ? .low : nil,
                cwes: CWE.parseAll(
                    [record["CWE ID"]].compactMap { $0?.components(separatedBy: "/").last?.replacingOccurrences(of: ".html", with: "") }),
                location: location, raw: .csv(record))
            finding.toolFingerprint = record["Vulnerability ID"]
            if status == "notaproblem" { finding.suppression = Suppression(kind: .falsePositive, justification: "Not a Problem in Contrast") }
            output.findings.append(finding)
        }
        if remediated > 0 { output.diagnostics.append(Diagnostic("\(remediated) remediated vulnerability row(s) are not findings", level: .note)) }
        return output
    }

    /// The sink a title names at its end: `... page (ViewProfile.jsp, line 26)`.
    static func sink(in title: String) -> (file: String, line: Int?)? {
        guard title.hasSuffix(")"), let open = title.range(of: " (", options: .backwards) else { return nil }
        let inner = title[open.upperBound..<title.index(before: title.endIndex)]
        guard let comma = inner.range(of: ", line ") else { return nil }
        let file = String(inner[..<comma.lowerBound])
        guard !file.isEmpty, !file.contains(" ") else { return nil }
        return (file, ReportInteger.parse(String(inner[comma.upperBound...])))
    }

    /// Where the tainted data came from, as a title says it (`from "username" Parameter on ...`):
    /// the quoted names, or the phrase (`Request Body`).
    static func source(in title: String) -> String? {
        guard let from = title.range(of: " from "), let on = title.range(of: " on \"", range: from.upperBound..<title.endIndex) else { return nil }
        let phrase = title[from.upperBound..<on.lowerBound]
        let quoted = phrase.split(separator: "\"", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map {
            String($0.element)
        }
        return quoted.isEmpty ? String(phrase) : quoted.joined(separator: ", ")
    }
}
