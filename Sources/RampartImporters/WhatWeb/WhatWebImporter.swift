import Foundation
import RampartCore

/// WhatWeb's JSON log (`--log-json`): per target, the technologies its plugins identified
/// (server, framework, CMS, versions). They are informational findings: what a site discloses
/// about itself, which an attacker reads first. One finding per target and plugin.
struct WhatWebImporter: ReportImporter {
    let info = FormatInfo(
        id: "whatweb-json", name: "WhatWeb JSON", tool: "WhatWeb", category: .dast, syntax: .json,
        notes: "technologies and versions a site discloses, per target and plugin (informational)", defectDojoScanTypes: ["WhatWeb Scan"])

    /// Plugins that state facts about the request, not technologies of the site.
    static let contextPlugins: Set<String> = ["Country", "IP", "Title", "HTML5", "RedirectLocation", "UncommonHeaders", "Email"]

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isArray, let first = root.array.first, first.isObject else { return nil }
        return first["target"] != nil && first["plugins"] != nil && first["http_status"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isArray else { throw ImportError.content("expected a JSON array") }
        var output = ImporterOutput(tool: ToolInfo(name: "WhatWeb"))
        for target in root.array {
            guard let url = target["target"]?.text else { continue }
            for (plugin, data) in target["plugins"]?.entries ?? [] where !Self.contextPlugins.contains(plugin) {
                let versions = data["version"]?.strings ?? []
                let strings = data["string"]?.strings ?? []
                let detail = (versions.map { "version \($0)" } + strings).uniqued().joined(separator: ", ")
                output.findings.append(
                    Finding(
                        category: .dast, tool: output.tool, ruleID: plugin, title: detail.isEmpty ? plugin : "\(plugin): \(detail)",
                        description: "WhatWeb identified \(plugin)\(detail.isEmpty ? "" : " (\(detail))") at \(url).", severity: .info, cwes: [200],
                        location: .endpoint(EndpointLocation(url: url)), raw: .json(data)))
            }
        }
        return output
    }
}
