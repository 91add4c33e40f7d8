import Foundation
import RampartCore

/// Black Duck's vulnerable BOM components as its REST API lists them
/// (`GET /api/projects/{p}/versions/{v}/vulnerable-bom-components`, the `items` or the bare
/// array): one finding per vulnerability of a component version, with the origin's ecosystem
/// and coordinates, CVSS scores, severity, CWE and the related CVE. Remediated vulnerabilities
/// are left out and counted; ignored, mitigated and not-affected ones are kept as suppressed.
struct BlackDuckAPIImporter: ReportImporter {
    let info = FormatInfo(
        id: "blackduck-api-json", name: "Black Duck vulnerable BOM components JSON", tool: "Black Duck", category: .sca, syntax: .json,
        notes: "component vulnerabilities (BDSA and CVE, CVSS, severity, CWE) with origin coordinates and remediation status",
        defectDojoScanTypes: ["BlackDuck API"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        let items = root.isArray ? root : root["items"]
        guard let first = items?.array.first else { return nil }
        return first["vulnerabilityWithRemediation"] != nil && first["componentName"] != nil ? .certain : nil
    }

    /// Black Duck's origin names for the ecosystems a purl names.
    static func purlType(origin: String?) -> String? {
        switch origin?.lowercased() {
        case "npmjs": "npm"
        case "maven": "maven"
        case "pypi": "pypi"
        case "nuget": "nuget"
        case "rubygems": "gem"
        case "golang", "go": "golang"
        case "crates": "cargo"
        case "packagist": "composer"
        case "debian": "deb"
        case "alpine": "apk"
        case "redhat", "centos", "fedora": "rpm"
        default: nil
        }
    }

    /// The purl of an origin id: `name/version` (npm, PyPI, NuGet, RubyGems) or
    /// `group:artifact:version` (Maven).
    static func purl(origin: String?, originID: String?, version: String?) -> String? {
        guard let type = purlType(origin: origin), let version, let name = coordinates(origin: origin, originID: originID, version: version) else {
            return nil
        }
        if type == "maven" { return "pkg:maven/" + name.replacingOccurrences(of: ":", with: "/") + "@\(version)" }
        let encoded = name.hasPrefix("@") ? "%40" + name.dropFirst() : name
        return "pkg:\(type)/\(encoded)@\(version)"
    }

    /// The package's name in its ecosystem: `group:artifact` for Maven, else the origin id
    /// without its version.
    static func coordinates(origin: String?, originID: String?, version: String?) -> String? {
        guard let type = purlType(origin: origin), let originID, let version else { return nil }
        if type == "maven" {
            let parts = originID.split(separator: ":").map(String.init)
            return parts.count >= 2 ? "\(parts[0]):\(parts[1])" : nil
        }
        guard originID.hasSuffix("/" + version), originID.count > version.count + 1 else { return nil }
        return String(originID.dropLast(version.count + 1))
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected JSON") }
        var output = ImporterOutput(tool: ToolInfo(name: "Black Duck"))
        var remediated = 0
        for item in (root.isArray ? root : root["items"])?.array ?? [] {
            let vulnerability = item["vulnerabilityWithRemediation"]
            guard let id = vulnerability?["vulnerabilityName"]?.text?.nonBlank, let component = item["componentName"]?.text?.nonBlank else {
                output.diagnostics.append(Diagnostic("component vulnerability without a name skipped", at: item.position))
                continue
            }
            let status = vulnerability?["remediationStatus"]?.text?.uppercased() ?? "NEW"
            if status == "REMEDIATION_COMPLETE" || status == "PATCHED" {
                remediated += 1
                continue
            }
            let version = item["componentVersionName"]?.text?.nonBlank
            let related = vulnerability?["relatedVulnerability"]?.text?.split(separator: "/").last.map(String.init)
            let score = vulnerability?["overallScore"]?.double ?? vulnerability?["baseScore"]?.double
            let severityText = vulnerability?["severity"]?.text
            let suppression: Suppression?
            switch status {
            case "IGNORED": suppression = Suppression(kind: .accepted, justification: "ignored in Black Duck")
            case "MITIGATED": suppression = Suppression(kind: .accepted, justification: "mitigated in Black Duck")
            case "NOT_AFFECTED": suppression = Suppression(kind: .notAffected, justification: "not affected, per Black Duck")
            default:
                suppression = item["ignored"]?.bool == true ? Suppression(kind: .accepted, justification: "component ignored in Black Duck") : nil
            }
            var lines = [vulnerability?["description"]?.text?.nonBlank].compactMap { $0 }
            lines.append("Black Duck \(vulnerability?["source"]?.text ?? "") record, remediation status \(status).")
            let origin = item["componentVersionOriginName"]?.text
            let purl = Self.purl(origin: origin, originID: item["componentVersionOriginId"]?.text, version: version)
            // The ecosystem's own name (`com.fasterxml.jackson.core:jackson-databind`), as Black Duck's CSV report writes it.
            let name =
                purl == nil
                ? component : Self.coordinates(origin: origin, originID: item["componentVersionOriginId"]?.text, version: version) ?? component
            output.findings.append(
                Finding(
                    category: .sca, tool: output.tool, ruleID: id, title: "\(id) in \(component)" + (version.map { ":\($0)" } ?? ""),
                    description: lines.joined(separator: "\n\n"), toolSeverity: severityText, severity: .from(tool: severityText, score: score),
                    cwes: CWE.parseAll([vulnerability?["cweId"]?.text].compactMap { $0 }),
                    vulnerabilityIDs: .parsing([id, related].compactMap { $0 }),
                    cvss: CVSSScore(vector: nil, score: vulnerability?["baseScore"]?.double).map { [$0] } ?? [],
                    location: .package(
                        packageLocation(name: name, version: version, ecosystem: Self.purlType(origin: origin), purl: purl)),
                    references: [vulnerability?["relatedVulnerability"]?.text].compactMap { $0 }, suppression: suppression, raw: .json(item)))
        }
        if remediated > 0 { output.diagnostics.append(Diagnostic("\(remediated) remediated vulnerability record(s) left out", level: .note)) }
        return output
    }
}

/// Black Duck Binary Analysis (BDBA, formerly Protecode) vulnerability CSV: one row per
/// vulnerability of a component found in an object of the scanned binary
/// (`JRE.msi:JRE.msi-30276-90876123.cab:java.exe`). The place is the scanned file and the
/// object (`JRE.msi:java.exe`): the inner archives' generated names change from build to
/// build, and a library linked into two objects is two things to fix.
struct BlackDuckBinaryAnalysisImporter: ReportImporter {
    let info = FormatInfo(
        id: "bdba-csv", name: "Black Duck Binary Analysis CSV", tool: "Black Duck Binary Analysis", category: .sca, syntax: .csv,
        notes: "component vulnerabilities per object of the scanned binary with CVSS v2/v3, BDSA, triage and missing exploit mitigations",
        defectDojoScanTypes: ["Blackduck Binary Analysis"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return ["Component", "Object full path", "Object SHA1", "Matching type", "CVE"].allSatisfy(header.contains) ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected CSV") }
        var output = ImporterOutput(tool: ToolInfo(name: "Black Duck Binary Analysis"))
        for record in table.records {
            guard let component = record["Component"], let id = record["CVE"] ?? record["BDSA"] else {
                if !record.isBlank {
                    output.diagnostics.append(Diagnostic("row without a component or vulnerability skipped", at: record.position))
                }
                continue
            }
            let fullPath = record["Object full path"] ?? record["Object"] ?? component
            let segments = fullPath.split(separator: ":").map(String.init)
            let place = segments.count > 1 ? "\(segments[0]):\(segments[segments.count - 1])" : fullPath
            let vector3 = record["CVSS vector (v3)"].map { $0.hasPrefix("CVSS:") ? $0 : "CVSS:3.1/\($0)" }
            var cvss: [CVSSScore] = []
            if let v3 = CVSSScore(vector: vector3, score: record.double("CVSS3")) { cvss.append(v3) }
            if let v2 = CVSSScore(vector: record["CVSS vector (v2)"].map { "CVSS:2.0/\($0)" }, score: record.double("CVSS")) { cvss.append(v2) }
            let score = record.double("CVSS3") ?? record.double("CVSS")
            var lines = [record["Summary"]].compactMap { $0 }
            lines.append(
                "Found in \(fullPath) (\(record["Matching type"] ?? "matched")" + (record["Object SHA1"].map { ", SHA-1 \($0)" } ?? "") + ").")
            if let missing = record["Missing exploit mitigations"] { lines.append("Missing exploit mitigations: \(missing)") }
            if let note = record["Note type"] { lines.append("Triage: \(note)" + (record["Note reason"].map { ", \($0)" } ?? "")) }
            let triaged = record["Note type"]?.lowercased()
            output.findings.append(
                Finding(
                    category: .sca, tool: output.tool, ruleID: id, title: "\(id) in \(component)" + (record["Version"].map { " \($0)" } ?? ""),
                    description: lines.joined(separator: "\n\n"), severity: score.map { Severity(cvssScore: $0) } ?? .medium,
                    vulnerabilityIDs: .parsing([record["CVE"], record["BDSA"]].compactMap { $0 }), cvss: cvss,
                    location: .package(
                        packageLocation(
                            name: component, version: record["Version"], ecosystem: nil,
                            fixedVersions: [], manifestPath: place, artifactPath: fullPath)),
                    remediation: record["Latest version"].map { "Upgrade \(component) (latest version \($0))." },
                    references: [record["Vulnerability URL"]].compactMap { $0 },
                    suppression: triaged == "ignored" || triaged == "mitigated" || triaged == "workaround"
                        ? Suppression(kind: .accepted, justification: "triaged in BDBA: \(record["Note type"] ?? "")") : nil,
                    raw: .csv(record)))
        }
        return output
    }
}
