import Foundation
import RampartCore

/// Popeye's JSON report (`popeye -o json`): per sanitizer (a Kubernetes resource kind), the
/// issues found on each resource with a level (0 ok, 1 info, 2 warning, 3 error) and a coded
/// message (`[POP-106] No resources requests/limits defined`). Level 0 is not a finding.
struct PopeyeImporter: ReportImporter {
    let info = FormatInfo(
        id: "popeye-json", name: "Popeye JSON", tool: "Popeye", category: .iac, syntax: .json,
        notes: "Kubernetes resource issues (POP codes) per resource with level", defectDojoScanTypes: ["Popeye Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let popeye = report.jsonRoot?["popeye"], popeye["sanitizers"] != nil else { return nil }
        return .certain
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let popeye = report.jsonRoot?["popeye"] else { throw ImportError.content("expected Popeye's report") }
        var output = ImporterOutput(tool: ToolInfo(name: "Popeye"))
        for sanitizer in popeye["sanitizers"]?.array ?? [] {
            let kind = sanitizer["sanitizer"]?.text ?? "resource"
            for (resource, issues) in sanitizer["issues"]?.entries ?? [] {
                for issue in issues.array {
                    let level = issue["level"]?.int ?? 0
                    guard level > 0 else { continue }
                    let message = issue["message"]?.text ?? ""
                    // `[POP-106] No resources requests/limits defined`: the code is the rule.
                    let code = message.hasPrefix("[") ? message.dropFirst().prefix { $0 != "]" } : "POP"
                    let text = message.drop { $0 != "]" }.dropFirst().trimmingCharacters(in: .whitespaces)
                    // Issues of one resource are told apart by the container (group) they concern.
                    let container = issue["group"]?.text.flatMap { $0 == "__root__" ? nil : $0 }
                    let namespaceAndName = resource.split(separator: "/", maxSplits: 1).map(String.init)
                    output.findings.append(
                        Finding(
                            category: .iac, tool: output.tool, ruleID: String(code), title: "\(kind) \(resource) \(message)",
                            description: [text.nonBlank ?? message, issue["group"]?.text.flatMap { $0 == "__root__" ? nil : "Container: \($0)" }]
                                .compactMap { $0 }
                                .joined(separator: "\n"),
                            toolSeverity: ["ok", "info", "warning", "error"][min(level, 3)],
                            severity: level >= 3 ? .medium : level == 2 ? .low : .info,
                            location: .cloud(
                                CloudLocation(
                                    provider: "kubernetes", account: nil, region: namespaceAndName.count == 2 ? namespaceAndName[0] : nil,
                                    resourceID: ["\(kind)/\(resource)", container].compactMap { $0 }.joined(separator: "/"),
                                    resourceType: issue["gvr"]?.text ?? kind)),
                            references: ["https://github.com/derailed/popeye#the-popeye-codes"], raw: .json(issue)))
                }
            }
        }
        return output
    }
}
