import Foundation
import RampartCore

/// Xanitizer's findings list (`XanitizerFindingsList`, its XML report): one finding per
/// `finding`, of any kind (taint paths, protocol checks, generic checks, special method calls,
/// and the OWASP Dependency-Check results it embeds), at its file and line. A taint path is
/// placed at its sink (`endNode`), with its source in the description. The 0-10 rating sets the
/// severity (Information classifications are informational); a finding reviewed as Harmless is
/// kept as a false positive.
struct XanitizerImporter: ReportImporter {
    let info = FormatInfo(
        id: "xanitizer-xml", name: "Xanitizer findings XML", tool: "Xanitizer", category: .sast, syntax: .xml,
        notes: "findings with problem type, rating, CWE, file and line; taint paths at their sink with their source; review state kept",
        defectDojoScanTypes: ["Xanitizer Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        report.xmlRoot?.localName == "XanitizerFindingsList" ? .certain : nil
    }

    /// A node's path below the project's source root (`.../SourceCode/org/x/A.java` → `org/x/A.java`).
    static func sourcePath(_ relative: String?) -> String? {
        guard let relative, let range = relative.range(of: "/SourceCode/") else { return relative }
        return String(relative[range.upperBound...])
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "Xanitizer", version: root.attributes["xanitizerVersionShort"]))
        for item in root.children("finding") {
            guard let problem = item.childText("problemTypeId") ?? item.childText("problemType") else {
                output.diagnostics.append(Diagnostic("finding without a problem type skipped", at: "line \(item.line)"))
                continue
            }
            let endNode = item.child("endNode")
            let startNode = item.child("startNode")
            let packagePath = item.childText("package").map { $0.replacingOccurrences(of: ".", with: "/") + "/" } ?? ""
            let file = Self.sourcePath(endNode?.attributes["relativePath"]) ?? (item.childText("file").map { packagePath + $0 } ?? "")
            let line = ReportInteger.parse(endNode?.attributes["lineNo"] ?? item.childText("line")).flatMap { $0 > 0 ? $0 : nil }
            let snippet = endNode?.children("code").first { $0.attributes["finding"] == "true" }?.value
            var lines = [item.childText("description")].compactMap { $0 }
            if let startNode {
                let source = Self.sourcePath(startNode.attributes["relativePath"]) ?? startNode.attributes["classFQN"] ?? "?"
                lines.append("Taint source: \(source):\(startNode.attributes["lineNo"] ?? "?")")
            }
            let classification = item.childText("classification")
            let rating = item.childText("rating").flatMap(Double.init)
            let severity: Severity = classification?.lowercased() == "information" ? .info : .from(tool: nil, score: rating, default: .medium)
            let cwe = item.childText("cweNumber").map { $0.replacingOccurrences(of: ",", with: "") }
            let reviewed = item.childText("reviewed")
            output.findings.append(
                Finding(
                    category: .sast, tool: output.tool, ruleID: problem, title: item.childText("problemType") ?? problem,
                    description: lines.joined(separator: "\n\n").nonBlank,
                    toolSeverity: [classification, rating.map { "rating \($0)" }].compactMap { $0 }.joined(separator: ", ").nonBlank,
                    severity: severity, cwes: CWE.parseAll([cwe].compactMap { $0 }),
                    location: .code(CodeLocation(file: file, startLine: line, snippet: snippet)),
                    tags: [item.attributes["kind"], item.childText("category")].compactMap { $0 },
                    suppression: reviewed?.lowercased() == "harmless"
                        ? Suppression(kind: .falsePositive, justification: "reviewed as harmless in Xanitizer") : nil,
                    raw: .xml(item)))
        }
        return output
    }
}
