import Foundation
import RampartCore

/// One Bugcrowd submission, from the API or the CSV export.
struct BugcrowdSubmission {
    var id: String
    var title: String
    var priority: Int?
    var state: String?
    var duplicate: Bool
    var bugURL: String?
    var vrt: String?
    var description: String?
    var request: String?
    var extraInfo: String?
    var remediation: String?
    var references: String?
    var target: String?
    var submittedAt: String?
    var link: String?

    var isResolved: Bool { state?.lowercased() == "resolved" }

    /// The address in `bug_url`, which researchers sometimes write as a command (`curl https://...`).
    static func address(in text: String?) -> String? {
        guard let text = text?.nonBlank else { return nil }
        guard let start = text.range(of: "http://") ?? text.range(of: "https://") else { return nil }
        return text[start.lowerBound...].split(whereSeparator: \.isWhitespace).first.map(String.init)
    }

    func finding(tool: ToolInfo, raw: RawEvidence) -> Finding {
        // Bugcrowd's priorities: P1 critical to P5 informational.
        let severity = Severity.fromFiveLevels(priority, criticalIsOne: true)
        let stateText = state?.lowercased()
        let suppression: Suppression? =
            if duplicate {
                Suppression(kind: .external, justification: "duplicate on Bugcrowd")
            } else {
                switch stateText {
                case "not_applicable", "not_reproducible": Suppression(kind: .falsePositive, justification: "\(stateText!) on Bugcrowd")
                case "out_of_scope": Suppression(kind: .external, justification: "out of scope on Bugcrowd")
                case "informational": Suppression(kind: .accepted, justification: "informational on Bugcrowd")
                default: nil
                }
            }
        var lines = [description, request.map { "HTTP request:\n\($0)" }, extraInfo.map { "Extra information:\n\($0)" }].compactMap { $0 }
        if let vrt { lines.append("VRT: \(vrt)") }
        if let target { lines.append("Target: \(target)") }
        lines.append("Bugcrowd submission \(id), \(state ?? "unknown")" + (submittedAt.map { ", submitted \($0)" } ?? ""))
        let place = Self.address(in: bugURL) ?? link ?? "bugcrowd:\(id)"
        return Finding(
            category: .dast, tool: tool, ruleID: id, title: title, description: lines.joined(separator: "\n\n"),
            toolSeverity: priority.map { "P\($0)" }, severity: severity, location: .endpoint(EndpointLocation(url: place)),
            remediation: remediation,
            references: (references ?? "").split(whereSeparator: \.isWhitespace).map(String.init).filter { $0.hasPrefix("http") },
            tags: [vrt].compactMap { $0 }, suppression: suppression, raw: raw)
    }
}

/// Bugcrowd's API submissions (`GET /submissions`: objects of type `submission` with their
/// attributes): one finding per submission at its bug URL, severity from the priority, the
/// state Bugcrowd's triage gave it; resolved ones are gone and counted in a note.
struct BugcrowdAPIImporter: ReportImporter {
    let info = FormatInfo(
        id: "bugcrowd-api-json", name: "Bugcrowd API submissions JSON", tool: "Bugcrowd", category: .dast, syntax: .json,
        notes: "submissions with priority, VRT, bug URL, request, remediation and state; resolved ones left out",
        defectDojoScanTypes: ["Bugcrowd API Import"])

    static func submissions(_ root: JSONNode) -> [JSONNode] {
        root.isArray ? root.array : root["data"]?.array ?? []
    }

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, let first = Self.submissions(root).first else { return nil }
        return first["type"]?.text == "submission" && first["attributes"]?["vrt_id"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON array or object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Bugcrowd"))
        var resolved = 0
        for item in Self.submissions(root) where item["type"]?.text == "submission" {
            let attributes = item["attributes"]
            guard let id = item["id"]?.text, let title = attributes?["title"]?.text else {
                output.diagnostics.append(Diagnostic("submission without id or title skipped", at: item.position))
                continue
            }
            let submission = BugcrowdSubmission(
                id: id, title: title, priority: attributes?["severity"]?.int, state: attributes?["state"]?.text,
                duplicate: attributes?["duplicate"]?.bool == true, bugURL: attributes?["bug_url"]?.text, vrt: attributes?["vrt_id"]?.text,
                description: attributes?["description"]?.text?.nonBlank, request: attributes?["http_request"]?.text?.nonBlank,
                extraInfo: attributes?["extra_info"]?.text?.nonBlank, remediation: attributes?["remediation_advice"]?.text?.nonBlank,
                references: attributes?["vulnerability_references"]?.text, target: nil, submittedAt: attributes?["submitted_at"]?.text,
                link: nil)
            if submission.isResolved {
                resolved += 1
                continue
            }
            output.findings.append(submission.finding(tool: output.tool, raw: .json(item)))
        }
        if resolved > 0 { output.diagnostics.append(Diagnostic("\(resolved) resolved submission(s) left out", level: .note)) }
        return output
    }
}

/// Bugcrowd's CSV export of a program's submissions (`reference_number, bounty_code, ...,
/// priority, vrt_lineage, substate, state, duplicate, bug_url, ...`).
struct BugcrowdCSVImporter: ReportImporter {
    let info = FormatInfo(
        id: "bugcrowd-csv", name: "Bugcrowd submissions CSV", tool: "Bugcrowd", category: .dast, syntax: .csv,
        notes: "the program's submissions with priority, VRT lineage, target, bug URL, request and substate; resolved ones left out",
        defectDojoScanTypes: ["BugCrowd Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["reference_number", "bounty_code", "priority", "vrt_lineage", "substate", "bug_url"].allSatisfy(header.contains) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected a CSV table") }
        var output = ImporterOutput(tool: ToolInfo(name: "Bugcrowd"))
        var resolved = 0
        for record in table.records {
            guard let id = record["reference_number"]?.nonBlank, let title = record["title"]?.nonBlank ?? record["caption"]?.nonBlank else {
                output.diagnostics.append(Diagnostic("submission without reference number or title skipped", at: record.position))
                continue
            }
            let submission = BugcrowdSubmission(
                id: id, title: title, priority: record.int("priority"), state: record["substate"],
                duplicate: record["duplicate"]?.lowercased() == "true",
                bugURL: record["bug_url"], vrt: record["vrt_lineage"], description: record["description"]?.nonBlank,
                request: record["http_request"]?.nonBlank, extraInfo: record["extra_info"]?.nonBlank,
                remediation: record["remediation_advice"]?.nonBlank,
                references: record["vulnerability_references"],
                target: [record["target_name"], record["target_category"]].compactMap { $0?.nonBlank }.joined(separator: ", ").nonBlank,
                submittedAt: record["submitted_at"], link: nil)
            if submission.isResolved {
                resolved += 1
                continue
            }
            output.findings.append(submission.finding(tool: output.tool, raw: .csv(record)))
        }
        if resolved > 0 { output.diagnostics.append(Diagnostic("\(resolved) resolved submission(s) left out", level: .note)) }
        return output
    }
}
