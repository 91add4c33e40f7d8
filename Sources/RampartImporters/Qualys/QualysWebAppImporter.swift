import Foundation
import RampartCore

/// Qualys Web Application Scanning XML (`WAS_SCAN_REPORT`, the scan report; the
/// `WAS_WEBAPP_REPORT` web application report has the same results): one finding per detected
/// vulnerability, sensitive content and information-gathered record, each joined to its QID in
/// the glossary (title, Qualys severity 1-5, CWE, CVSS, description, impact, solution). A
/// vulnerability keeps its URL, parameter and payload; information gathered keeps its decoded
/// data and is informational. Records Qualys marks ignored are suppressed.
struct QualysWebAppImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "qualys-was-xml", name: "Qualys WAS XML", tool: "Qualys WAS", category: .dast, syntax: .xml,
        notes: "vulnerabilities, sensitive content and information gathered per URL, joined to the QID glossary",
        defectDojoScanTypes: ["Qualys Webapp Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot else { return nil }
        return root.localName == "WAS_SCAN_REPORT" || root.localName == "WAS_WEBAPP_REPORT" ? .certain : nil
    }

    struct QID {
        var title: String?
        var category: String?
        var severity: Int?
        var cwes: [String]
        var cvss: Double?
        var description: String?
        var impact: String?
        var solution: String?
        var group: String?
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected a Qualys WAS XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "Qualys WAS"))
        var glossary: [String: QID] = [:]
        for entry in root.path("GLOSSARY", "QID_LIST")?.children("QID") ?? [] {
            guard let id = entry.childText("QID") else { continue }
            glossary[id] = QID(
                title: entry.childText("TITLE"), category: entry.childText("CATEGORY"), severity: ReportInteger.parse(entry.childText("SEVERITY")),
                cwes: entry.children("CWE").compactMap(\.value).flatMap { $0.split(separator: ",").map(String.init) },
                cvss: (entry.childText("CVSS_V3_BASE") ?? entry.childText("CVSS_BASE")).flatMap(Double.init),
                description: entry.childText("DESCRIPTION").map(plainText(fromHTML:)), impact: entry.childText("IMPACT").map(plainText(fromHTML:)),
                solution: entry.childText("SOLUTION").map(plainText(fromHTML:)), group: entry.childText("GROUP"))
        }
        let target = root.path("TARGET", "URL")?.value ?? root.path("APPENDIX", "WEBAPP", "URL")?.value
        let severities: [Int: Severity] = [1: .info, 2: .low, 3: .medium, 4: .high, 5: .critical]
        let results = root.child("RESULTS")
        let lists: [(list: String, item: String, informational: Bool)] = [
            ("VULNERABILITY_LIST", "VULNERABILITY", false), ("SENSITIVE_CONTENT_LIST", "SENSITIVE_CONTENT", false),
            ("INFORMATION_GATHERED_LIST", "INFORMATION_GATHERED", true),
        ]
        for (list, item, informational) in lists {
            for record in results?.child(list)?.children(item) ?? [] {
                guard let qid = record.childText("QID") else {
                    output.diagnostics.append(Diagnostic("\(item.lowercased()) without a QID skipped", at: "line \(record.line)"))
                    continue
                }
                let entry = glossary[qid]
                let url = record.childText("URL") ?? target ?? ""
                var details = [entry?.description, entry?.impact.map { "Impact: \($0)" }].compactMap { $0?.nonBlank }
                if let data = record.childText("DATA"), let decoded = Data(base64Encoded: data, options: .ignoreUnknownCharacters) {
                    details.append("Data:\n" + String(decoding: decoded, as: UTF8.self).asciiTrimmed)
                }
                let payloads = record.child("PAYLOADS")?.children("PAYLOAD").compactMap { $0.childText("PAYLOAD") } ?? []
                if !payloads.isEmpty { details.append("Payloads:\n" + payloads.joined(separator: "\n")) }
                let method = record.path("PAYLOADS", "PAYLOAD", "REQUEST", "METHOD")?.value
                let level = entry?.severity
                output.findings.append(
                    Finding(
                        category: .dast, tool: output.tool, ruleID: qid, title: entry?.title ?? "QID \(qid)",
                        description: details.joined(separator: "\n\n").nonBlank, toolSeverity: level.map { "severity \($0)" },
                        severity: informational ? .info : level.flatMap { severities[$0] } ?? .medium, cwes: CWE.parseAll(entry?.cwes ?? []),
                        cvss: [entry?.cvss.flatMap { CVSSScore(vector: nil, score: $0, source: "Qualys") }].compactMap { $0 },
                        location: .endpoint(EndpointLocation(url: url, method: method, parameter: record.childText("PARAM"))),
                        remediation: entry?.solution.flatMap { $0 == "N/A" || $0.hasPrefix("Not ") ? nil : $0 },
                        tags: [entry?.category, entry?.group].compactMap { $0 },
                        suppression: record.childText("IGNORED")?.lowercased() == "true"
                            ? Suppression(kind: .external, justification: record.childText("IGNORED_REASON") ?? "ignored in Qualys") : nil,
                        raw: .xml(record)))
            }
        }
        return output
    }
}
