import Foundation
import RampartCore

/// SpotBugs' XML report (`-xml:withMessages`), FindBugs' before it, and Find Security Bugs'
/// detectors within: one `BugInstance` per bug, with its pattern (type, category, CWE), the
/// priority SpotBugs gives it, and source lines. The instance's `instanceHash` is SpotBugs' own
/// identity of a bug across builds. Patterns' descriptions (`BugPattern/Details`) become the
/// finding's description.
struct SpotBugsImporter: ReportImporter {
    let info = FormatInfo(
        id: "spotbugs-xml", name: "SpotBugs XML", tool: "SpotBugs", category: .sast, syntax: .xml,
        notes: "bug instances (Find Security Bugs included) with pattern, category, CWE, priority and rank, source line",
        defectDojoScanTypes: ["SpotBugs Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.xmlRoot, root.localName == "BugCollection" else { return nil }
        return .certain
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "SpotBugs", version: root.attributes["version"]))
        var patterns: [String: XMLElement] = [:]
        for pattern in root.children("BugPattern") { if let type = pattern.attributes["type"] { patterns[type] = pattern } }
        // Source paths are relative to a source directory SpotBugs was given; `SrcDir` names them.
        for bug in root.children("BugInstance") {
            guard let type = bug.attributes["type"] else {
                output.diagnostics.append(Diagnostic("a bug instance without a type was skipped", at: "line \(bug.line)"))
                continue
            }
            let pattern = patterns[type]
            // The instance's own source line; else the primary method's, else the class's.
            let line =
                bug.child("SourceLine")
                ?? bug.children("Method").first { $0.attributes["primary"] == "true" }?.child("SourceLine")
                ?? bug.child("Class")?.child("SourceLine")
            let file = line?.attributes["sourcepath"] ?? line?.attributes["sourcefile"] ?? bug.child("Class")?.attributes["classname"] ?? "unknown"
            let priority = bug.attributes["priority"]
            let rank = bug.attributes["rank"].flatMap(ReportInteger.parse)
            let details = pattern?.childText("Details").map(plainText(fromHTML:))
            var description = [bug.childText("LongMessage")]
            if let method = bug.children("Method").first(where: { $0.attributes["primary"] == "true" }), let name = method.attributes["name"] {
                description.append("In \(method.attributes["classname"] ?? "").\(name)")
            }
            description.append(details)
            if let rank { description.append("Rank \(rank) (\(Self.rankName(rank)))") }
            output.findings.append(
                Finding(
                    category: .sast, tool: output.tool, ruleID: type,
                    title: bug.childText("ShortMessage") ?? pattern?.childText("ShortDescription") ?? type,
                    description: description.compactMap { $0?.nonBlank }.joined(separator: "\n\n"), toolSeverity: priority.map { "priority \($0)" },
                    severity: Self.severity(priority: priority, category: bug.attributes["category"]),
                    cwes: CWE.parseAll([bug.attributes["cweid"] ?? pattern?.attributes["cweid"] ?? ""]),
                    location: .code(
                        CodeLocation(
                            file: file, startLine: line?.attributes["start"].flatMap(ReportInteger.parse),
                            endLine: line?.attributes["end"].flatMap(ReportInteger.parse))),
                    tags: [bug.attributes["category"]?.lowercased()].compactMap { $0 },
                    toolFingerprint: bug.attributes["instanceHash"].map { hash in
                        // Equal hashes are told apart by SpotBugs' occurrence number.
                        "\(hash):\(bug.attributes["instanceOccurrenceNum"] ?? "0")"
                    }, raw: .xml(bug)))
        }
        return output
    }

    /// Priority 1 is high confidence in a serious bug; Find Security Bugs' SECURITY category
    /// keeps its priority, others (style, performance...) are rated one step lower.
    static func severity(priority: String?, category: String?) -> Severity {
        let base: Severity =
            switch priority {
            case "1": .high
            case "2": .medium
            case "3": .low
            default: .info
            }
        guard let category, category != "SECURITY", category != "MALICIOUS_CODE" else { return base }
        return base == .high ? .medium : base == .medium ? .low : .info
    }

    static func rankName(_ rank: Int) -> String {
        switch rank {
        case ...4: "scariest"
        case 5...9: "scary"
        case 10...14: "troubling"
        default: "of concern"
        }
    }
}
