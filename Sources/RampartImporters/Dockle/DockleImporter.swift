import Foundation
import RampartCore

/// Dockle's JSON report (`dockle -f json IMAGE`): image build checks (CIS Docker benchmark and
/// Dockle's own) that did not pass, with their level and alerts. Passed and skipped checks
/// appear only in the summary.
struct DockleImporter: ReportImporter {
    let info = FormatInfo(
        id: "dockle-json", name: "Dockle JSON", tool: "Dockle", category: .container, syntax: .json,
        notes: "image checks (CIS-DI, DKL) at FATAL, WARN and INFO with their alerts; the image name when given", defectDojoScanTypes: ["Dockle Scan"]
    )

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["details"] != nil, let summary = root["summary"] else { return nil }
        return summary["fatal"] != nil && summary["warn"] != nil && summary["pass"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Dockle"))
        let image = root["image"]?.text.map { ImageLocation(reference: $0) }
        if let image { output.scope = ScanScope(kind: "image", target: image.name) }
        for detail in root["details"]?.array ?? [] {
            let code = detail["code"]?.text ?? "unknown"
            let level = detail["level"]?.text
            if level == "PASS" || level == "SKIP" || level == "IGNORE" { continue }
            let alerts = detail["alerts"]?.strings ?? []
            output.findings.append(
                Finding(
                    category: .container, tool: output.tool, ruleID: code, title: "\(code): \(detail["title"]?.text ?? code)",
                    description: alerts.joined(separator: "\n").nonBlank, toolSeverity: level, severity: Self.severity(level),
                    location: .containerImage(image ?? ImageLocation(reference: "image")),
                    references: ["https://github.com/goodwithtech/dockle/blob/master/CHECKPOINT.md#\(code.lowercased())"], raw: .json(detail)))
        }
        return output
    }

    static func severity(_ level: String?) -> Severity {
        switch level?.uppercased() {
        case "FATAL": .high
        case "WARN": .medium
        default: .info
        }
    }
}
