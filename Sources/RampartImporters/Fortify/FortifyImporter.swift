import Foundation
import RampartCore

/// Fortify SCA results in the two XML shapes teams export: the report generator's XML
/// (`ReportDefinition`, `ReportGenerator -format xml`, with `Issue` elements carrying category,
/// priority folder, kingdom, abstract and the primary location) and the analysis results
/// themselves (`FVDL`, the `audit.fvdl` inside an FPR: vulnerability class, instance severity
/// and confidence, trace nodes, rule descriptions and snippets). An FPR is a zip archive:
/// unzip it and import its `audit.fvdl`.
struct FortifyImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "fortify-xml", name: "Fortify SCA XML / FVDL", tool: "Fortify", category: .sast, syntax: .xml,
        notes: "report generator XML (issues with priority folder) and audit.fvdl (instances with severity, confidence, trace, rule text)",
        defectDojoScanTypes: ["Fortify Scan", "Fortify Scan v2"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot else { return nil }
        if root.localName == "FVDL" { return .certain }
        if root.localName == "ReportDefinition",
            root.descendants("Issue").first?.attributes["iid"] != nil || root.child("TemplateName") != nil
                || root.descendants("Title").contains(where: { $0.value?.contains("Fortify") == true })
        {
            return .certain
        }
        return nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected a Fortify XML document") }
        return root.localName == "FVDL" ? readFVDL(root) : readReport(root)
    }

    /// The report generator's XML: every `Issue` under the issue listings, once per `iid`.
    func readReport(_ root: XMLElement) -> ImporterOutput {
        var output = ImporterOutput(tool: ToolInfo(name: "Fortify"))
        var seen: Set<String> = []
        for issue in root.descendants("Issue") {
            let iid = issue.attributes["iid"]
            if let iid, !seen.insert(iid).inserted { continue }
            let category = issue.childText("Category") ?? "Fortify issue"
            let priority = issue.childText("Friority") ?? issue.childText("Folder")
            let primary = issue.child("Primary")
            let file = primary?.childText("FilePath") ?? primary?.childText("FileName") ?? ""
            let line = ReportInteger.parse(primary?.childText("LineStart"))
            var details = [issue.childText("Abstract")].compactMap { $0 }
            if let kingdom = issue.childText("Kingdom") { details.append("Kingdom: \(kingdom)") }
            if let function = primary?.childText("TargetFunction"), function != "null()" { details.append("Function: \(function)") }
            if let source = issue.child("Source"), let sourceFile = source.childText("FilePath") ?? source.childText("FileName") {
                details.append("Source: \(sourceFile):\(source.childText("LineStart") ?? "?")")
            }
            output.findings.append(
                Finding(
                    category: .sast, tool: output.tool, ruleID: issue.attributes["ruleID"] ?? category,
                    title: "\(category) - \(primary?.childText("FileName") ?? file)" + (line.map { ": \($0)" } ?? ""),
                    description: details.joined(separator: "\n\n").nonBlank, toolSeverity: priority,
                    severity: .from(tool: priority, default: .medium),
                    location: .code(CodeLocation(file: file, startLine: line, snippet: primary?.childText("Snippet"))),
                    tags: [issue.childText("Kingdom")].compactMap { $0 }, toolFingerprint: iid, raw: .xml(issue)))
        }
        return output
    }

    /// Fortify's priority from an instance: impact (its severity, 0-5) and likelihood (its
    /// confidence, 0-5), split at 2.5 as Fortify's priority quadrants are.
    static func priority(severity: Double?, confidence: Double?) -> Severity {
        let impact = severity ?? 2.5
        let likelihood = confidence ?? 2.5
        switch (impact >= 2.5, likelihood >= 2.5) {
        case (true, true): return .critical
        case (true, false): return .high
        case (false, true): return .medium
        case (false, false): return .low
        }
    }

    /// `audit.fvdl`: one finding per vulnerability instance at its primary trace node.
    func readFVDL(_ root: XMLElement) -> ImporterOutput {
        var output = ImporterOutput(tool: ToolInfo(name: "Fortify", version: root.child("EngineData")?.childText("EngineVersion")))
        var descriptions: [String: XMLElement] = [:]
        for description in root.children("Description") {
            if let id = description.attributes["classID"] { descriptions[id] = description }
        }
        let base = root.path("Build", "SourceBasePath")?.value
        for vulnerability in root.child("Vulnerabilities")?.children("Vulnerability") ?? [] {
            let classInfo = vulnerability.child("ClassInfo")
            let instance = vulnerability.child("InstanceInfo")
            let type = classInfo?.childText("Type") ?? "Fortify issue"
            let title = [type, classInfo?.childText("Subtype")].compactMap { $0 }.joined(separator: ": ")
            let classID = classInfo?.childText("ClassID") ?? title
            let severity =
                instance?.childText("InstanceSeverity").flatMap(Double.init) ?? classInfo?.childText("DefaultSeverity").flatMap(Double.init)
            let confidence = instance?.childText("Confidence").flatMap(Double.init)
            // The primary node: the trace entry marked default, else the last node of the trace.
            let nodes = vulnerability.path("AnalysisInfo", "Unified", "Trace")?.descendants("Node") ?? []
            let node = nodes.first { $0.attributes["isDefault"] == "true" } ?? nodes.last
            let location = node?.child("SourceLocation")
            let file = location?.attributes["path"] ?? ""
            let line = ReportInteger.parse(location?.attributes["line"])
            let text = descriptions[classID]
            var details: [String] = []
            if let abstract = text?.childText("Abstract") { details.append(plainText(fromHTML: abstract)) }
            if let explanation = text?.childText("Explanation") { details.append(plainText(fromHTML: explanation)) }
            if let kingdom = classInfo?.childText("Kingdom") { details.append("Kingdom: \(kingdom)") }
            if let analyzer = classInfo?.childText("AnalyzerName") { details.append("Analyzer: \(analyzer)") }
            if nodes.count > 1 {
                details.append(
                    "Trace:\n"
                        + nodes.compactMap { node in
                            node.child("SourceLocation").map {
                                "\($0.attributes["path"] ?? "?"):\($0.attributes["line"] ?? "?") \(node.attributes["label"] ?? "")"
                            }
                        }.joined(separator: "\n"))
            }
            if let base { details.append("Source base path: \(base)") }
            output.findings.append(
                Finding(
                    category: .sast, tool: output.tool, ruleID: classID, title: "\(title) - \(file)" + (line.map { ": \($0)" } ?? ""),
                    description: details.joined(separator: "\n\n").nonBlank,
                    toolSeverity: [severity.map { "severity \($0)" }, confidence.map { "confidence \($0)" }].compactMap { $0 }.joined(separator: ", ")
                        .nonBlank,
                    severity: Self.priority(severity: severity, confidence: confidence),
                    confidence: confidence.map { $0 >= 4 ? .high : $0 >= 2.5 ? .medium : .low },
                    location: .code(CodeLocation(file: file, startLine: line, endLine: ReportInteger.parse(location?.attributes["lineEnd"]))),
                    remediation: text?.childText("Recommendations").map(plainText(fromHTML:)),
                    tags: [classInfo?.childText("Kingdom")].compactMap { $0 },
                    toolFingerprint: instance?.childText("InstanceID"), raw: .xml(vulnerability)))
        }
        return output
    }
}
