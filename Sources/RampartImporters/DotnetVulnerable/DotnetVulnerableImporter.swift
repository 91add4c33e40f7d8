import Foundation
import RampartCore

/// `dotnet list package --vulnerable --format json` (.NET SDK 7.0.200+): per project and target
/// framework, the top-level and transitive NuGet packages with known vulnerabilities (severity
/// and advisory URL, a GitHub advisory).
struct DotnetVulnerableImporter: ReportImporter {
    let info = FormatInfo(
        id: "dotnet-vulnerable-json", name: "dotnet list package --vulnerable JSON", tool: "dotnet", category: .sca, syntax: .json,
        notes: "vulnerable NuGet packages per project and framework, direct and transitive, with GitHub advisories",
        defectDojoScanTypes: ["Dotnet Vulnerable Packages Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, root["projects"]?.isArray == true, root["version"] != nil else { return nil }
        if root["parameters"]?.string?.contains("--vulnerable") == true { return .certain }
        return root["projects"]?.array.first?["frameworks"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "dotnet"))
        for problem in root["problems"]?.array ?? [] where problem["level"]?.string == "error" {
            output.toolReportedError = true
            output.diagnostics.append(Diagnostic("dotnet reported: \(problem["text"]?.text ?? "an error")", at: problem.position))
        }
        for project in root["projects"]?.array ?? [] {
            let path = project["path"]?.text
            for framework in project["frameworks"]?.array ?? [] {
                let frameworkName = framework["framework"]?.text
                for (key, direct) in [("topLevelPackages", true), ("transitivePackages", false)] {
                    for package in framework[key]?.array ?? [] {
                        let name = package["id"]?.text ?? "unknown"
                        let version = package["resolvedVersion"]?.text
                        for vulnerability in package["vulnerabilities"]?.array ?? [] {
                            let url = vulnerability["advisoryurl"]?.text
                            let ghsa = url.flatMap { $0.split(separator: "/").last.map(String.init) }.flatMap {
                                VulnerabilityID($0)?.scheme == .ghsa ? $0 : nil
                            }
                            let severityText = vulnerability["severity"]?.text
                            output.findings.append(
                                Finding(
                                    category: .sca, tool: output.tool, ruleID: ghsa ?? url ?? "unknown",
                                    title: "\(ghsa ?? "Vulnerability") in \(name) \(version ?? "")".trimmingCharacters(in: .whitespaces),
                                    description: frameworkName.map { "Target framework: \($0)" }, toolSeverity: severityText,
                                    severity: .from(tool: severityText, default: .medium), vulnerabilityIDs: .parsing([ghsa].compactMap { $0 }),
                                    location: .package(
                                        packageLocation(
                                            name: name, version: version, ecosystem: "nuget", relation: direct ? .direct : .transitive,
                                            manifestPath: path)),
                                    references: [url].compactMap { $0 }, tags: frameworkName.map { ["framework:\($0)"] } ?? [],
                                    raw: .json(package)))
                        }
                    }
                }
            }
        }
        return output
    }
}
