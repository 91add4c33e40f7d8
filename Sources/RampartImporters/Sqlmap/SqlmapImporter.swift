import Foundation
import RampartCore

/// sqlmap writes no report file of its own; what a pipeline keeps is one of three outputs, all
/// read here: the results CSV of a multi-target run (`Target URL,Place,Parameter,Technique(s),
/// Note(s)`), the per-target `log` (`Parameter: id (GET)` blocks with each technique's title
/// and payload), and the REST API's scan data (`sqlmapapi`: `data[]` entries of type 0, the
/// target, and type 1, the injection points). One finding per injectable parameter: SQL
/// injection is high, confirmed by the tool's own exploitation.
enum SqlmapReport {
    static let techniques: [Character: String] = [
        "B": "boolean-based blind", "E": "error-based", "U": "UNION query", "S": "stacked queries", "T": "time-based blind", "Q": "inline query",
    ]

    static func finding(
        url: String, place: String?, parameter: String, techniques: [String], details: [String], dbms: String?, tool: ToolInfo, raw: RawEvidence
    )
        -> Finding
    {
        let where_ = place.map { "\($0) parameter" } ?? "parameter"
        var description = ["sqlmap injected SQL through the \(where_) '\(parameter)'."]
        if !techniques.isEmpty { description.append("Techniques: " + techniques.joined(separator: ", ")) }
        if let dbms { description.append("Back-end DBMS: \(dbms)") }
        description += details
        return Finding(
            category: .dast, tool: tool, ruleID: "sql-injection", title: "SQL injection in \(where_) '\(parameter)'",
            description: description.joined(separator: "\n"), severity: .high, confidence: .high, cwes: [89],
            location: .endpoint(EndpointLocation(url: url, method: place == "POST" ? "POST" : place == "GET" ? "GET" : nil, parameter: parameter)),
            remediation: "Use parameterized queries for every statement that includes this parameter.",
            references: ["https://owasp.org/www-community/attacks/SQL_Injection"], raw: raw)
    }
}

struct SqlmapCSVImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "sqlmap-csv", name: "sqlmap results CSV", tool: "sqlmap", category: .dast, syntax: .csv,
        notes: "injectable parameters per target URL with techniques (multi-target runs' results file)", defectDojoScanTypes: ["Sqlmap Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return header.contains("Target URL") && header.contains("Technique(s)") && header.contains("Parameter") ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected sqlmap's results CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "sqlmap"))
        for row in table.records {
            guard let url = row["Target URL"], let parameter = row["Parameter"] else {
                output.diagnostics.append(Diagnostic("row without a target URL and parameter skipped", at: row.position))
                continue
            }
            let techniques = (row["Technique(s)"] ?? "").compactMap { SqlmapReport.techniques[$0] }
            output.findings.append(
                SqlmapReport.finding(
                    url: url, place: row["Place"], parameter: parameter, techniques: techniques, details: [row["Note(s)"]].compactMap { $0 },
                    dbms: nil, tool: output.tool, raw: .csv(row)))
        }
        return output
    }
}

struct SqlmapLogImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "sqlmap-log", name: "sqlmap log", tool: "sqlmap", category: .dast, syntax: .text,
        notes: "a target's log: injection points with technique titles and payloads, back-end DBMS (the log names no URL)",
        defectDojoScanTypes: ["Sqlmap Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let text = report.text else { return nil }
        return text.lines.prefix(40).contains {
            $0.hasPrefix("sqlmap identified the following injection point") || $0.hasPrefix("sqlmap resumed the following injection point")
        } ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let text = report.text else { throw ImportError.content("expected a sqlmap log") }
        var output = ImporterOutput(tool: ToolInfo(name: "sqlmap"))
        let dbms = text.lines.lazy.compactMap { line -> String? in
            line.hasPrefix("back-end DBMS:") ? line.dropFirst("back-end DBMS:".count).trimmingCharacters(in: .whitespaces) : nil
        }.first
        // `Parameter: id (GET)` opens a block of `Type:`, `Title:`, `Payload:` lines up to `---`.
        var index = 0
        while index < text.lines.count {
            let line = text.lines[index]
            guard line.hasPrefix("Parameter: ") else {
                index += 1
                continue
            }
            let start = index
            let spec = line.dropFirst("Parameter: ".count)
            var parameter = String(spec)
            var place: String?
            if let open = spec.lastIndex(of: "("), spec.hasSuffix(")") {
                parameter = spec[..<open].trimmingCharacters(in: .whitespaces)
                place = String(spec[spec.index(after: open)..<spec.index(before: spec.endIndex)])
            }
            var techniques: [String] = []
            var details: [String] = []
            index += 1
            while index < text.lines.count, !text.lines[index].hasPrefix("---"), !text.lines[index].hasPrefix("Parameter: ") {
                let entry = text.lines[index].trimmingCharacters(in: .whitespaces)
                if entry.hasPrefix("Type: ") { techniques.append(String(entry.dropFirst(6))) }
                if entry.hasPrefix("Title: ") || entry.hasPrefix("Payload: ") { details.append(entry) }
                index += 1
            }
            output.findings.append(
                SqlmapReport.finding(
                    url: "", place: place, parameter: parameter, techniques: techniques, details: details, dbms: dbms, tool: output.tool,
                    raw: .text(text, lines: start..<index)))
        }
        if !output.findings.isEmpty {
            output.diagnostics.append(
                Diagnostic("sqlmap's log does not name the target URL; import the results CSV or the API data for located findings", level: .note))
        }
        return output
    }
}

struct SqlmapAPIImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "sqlmap-api-json", name: "sqlmap API scan data", tool: "sqlmap", category: .dast, syntax: .json,
        notes: "sqlmapapi /scan/<id>/data: target and injection points with techniques, payloads and DBMS", defectDojoScanTypes: ["Sqlmap Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let data = root["data"], data.isArray, root["success"] != nil else { return nil }
        guard let first = data.array.first else { return root["error"] != nil ? .possible : nil }
        return first["type"] != nil && first["value"] != nil && first["status"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let data = report.jsonRoot?["data"] else { throw ImportError.content("expected sqlmap API scan data") }
        var output = ImporterOutput(tool: ToolInfo(name: "sqlmap"))
        // Type 0 names the target; type 1 lists the injection points found on it.
        var url = ""
        for entry in data.array where entry["type"]?.int == 0 {
            url = entry["value", "url"]?.text ?? url
            if let query = entry["value", "query"]?.text?.nonBlank, !url.contains("?") { url += "?" + query }
        }
        for entry in data.array where entry["type"]?.int == 1 {
            for point in entry["value"]?.array ?? [] {
                guard let parameter = point["parameter"]?.text else { continue }
                let techniques = (point["data"]?.entries ?? []).map { $0.value }
                output.findings.append(
                    SqlmapReport.finding(
                        url: url, place: point["place"]?.text, parameter: parameter, techniques: techniques.compactMap { $0["title"]?.text },
                        details: techniques.compactMap { $0["payload"]?.text.map { "Payload: \($0)" } }, dbms: point["dbms"]?.text,
                        tool: output.tool, raw: .json(point)))
            }
        }
        return output
    }
}
