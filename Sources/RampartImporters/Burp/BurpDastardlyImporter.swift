import Foundation
import RampartCore

/// Burp Dastardly's JUnit XML (the CI scanner's only output): a test suite per URL, a test case
/// per issue type, and a `failure` (with the severity as its type and Burp's text) per issue.
struct BurpDastardlyImporter: ReportImporter {
    let info = FormatInfo(
        id: "burp-dastardly-xml", name: "Burp Dastardly JUnit XML", tool: "Burp Dastardly", category: .dast, syntax: .xml,
        notes: "issues per URL from the CI scanner's JUnit report, with severity, confidence and details",
        defectDojoScanTypes: ["Burp Dastardly Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot, root.localName == "testsuites" else { return nil }
        return root.attributes["name"]?.hasPrefix("Dastardly") == true ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "Burp Dastardly"))
        for suite in root.children("testsuite") {
            let url = suite.attributes["name"] ?? ""
            for testCase in suite.children("testcase") {
                guard let failure = testCase.child("failure") else { continue }
                let name = testCase.attributes["name"] ?? "Dastardly issue"
                let text = failure.value ?? ""
                // `Label: value` lines at the top of the text, then Burp's sections.
                var fields: [String: String] = [:]
                for line in text.split(separator: "\n").prefix(12) {
                    if let colon = line.firstIndex(of: ":") {
                        fields[line[..<colon].trimmingCharacters(in: .whitespaces)] = line[line.index(after: colon)...].trimmingCharacters(
                            in: .whitespaces)
                    }
                }
                let severity = failure.attributes["type"] ?? fields["Severity"]
                let host = fields["Host"]
                let path = fields["Path"]
                output.findings.append(
                    Finding(
                        category: .dast, tool: output.tool, ruleID: name, title: name,
                        description: text.trimmingCharacters(in: .whitespacesAndNewlines).nonBlank,
                        toolSeverity: severity, severity: .from(tool: severity?.lowercased() == "information" ? "info" : severity, default: .info),
                        confidence: fields["Confidence"].flatMap(Confidence.init(toolText:)), cwes: CWE.parseAll(BurpXMLImporter.cweReferences(text)),
                        location: .endpoint(EndpointLocation(url: host.flatMap { host in path.map { host + $0 } } ?? url)),
                        references: BurpXMLImporter.links(text), raw: .xml(testCase)))
            }
        }
        return output
    }
}
