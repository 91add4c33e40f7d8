import Foundation
import RampartCore

/// xeol's JSON output (`xeol -o json`, a Grype-based end-of-life scanner): packages whose
/// release cycle has reached or will soon reach its end of life.
struct XeolImporter: ReportImporter {
    let info = FormatInfo(
        id: "xeol-json", name: "xeol JSON", tool: "xeol", category: .sca, syntax: .json,
        notes: "end-of-life packages with their release cycle, EOL date and latest release", defectDojoScanTypes: ["Xeol Parser"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["matches"] != nil else { return nil }
        return root["descriptor", "name"]?.string?.lowercased() == "xeol" || root["matches"]?.array.first?["Cycle"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(
            tool: ToolInfo(name: "xeol", version: root["descriptor", "version"]?.text.flatMap { $0.hasPrefix("[") ? nil : $0 }))
        var image: ImageLocation?
        if root["source", "type"]?.string == "image", let reference = root["source", "target", "userInput"]?.text {
            image = ImageLocation(reference: reference)
        }
        if let image { output.scope = ScanScope(kind: "image", target: image.name) }
        for match in root["matches"]?.array ?? [] {
            let cycle = match["Cycle"]
            let artifact = match["artifact"]
            let product = cycle?["ProductName"]?.text ?? artifact?["name"]?.text ?? "unknown"
            let release = cycle?["ReleaseCycle"]?.text
            let eol = cycle?["Eol"]?.text
            let latest = cycle?["LatestRelease"]?.text?.nonBlank
            let name = artifact?["name"]?.text ?? product
            output.findings.append(
                Finding(
                    category: image != nil ? .container : .sca, tool: output.tool, ruleID: "eol:\(product.lowercased())",
                    title: "\(product) \(release ?? "") is end of life\(eol.map { " (\($0))" } ?? "")",
                    description: [eol.map { "End of life: \($0)" }, latest.map { "Latest release: \($0)" }, cycle?["ProductPermalink"]?.text]
                        .compactMap { $0 }.joined(separator: "\n"),
                    severity: .medium,
                    location: .package(
                        packageLocation(
                            name: name, version: artifact?["version"]?.text, ecosystem: artifact?["type"]?.text, purl: artifact?["purl"]?.text,
                            artifactPath: artifact?["locations"]?.array.first?["path"]?.text, image: image)),
                    remediation: latest.map { "Upgrade \(product) to a supported release (latest: \($0))" }, tags: ["end-of-life"], raw: .json(match))
            )
        }
        return output
    }
}
