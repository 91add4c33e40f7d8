import Foundation
import RampartCore

/// One ZAP alert, whichever report format it came from.
struct ZAPAlert {
    var pluginID: String
    var name: String
    var riskCode: Int?
    var confidence: Int?
    var description: String?
    var solution: String?
    var otherInfo: String?
    var reference: String?
    var cweID: Int?
    var wascID: String?
    var instances: [EndpointLocation]
    var siteURL: String
    var position: String

    /// One finding per alert and site, as ZAP groups them; the instances are the affected
    /// endpoints (the first, in URL order, is the finding's location; all are listed).
    /// `plain` makes a description plain text: a report's `ConvertedTexts`, which converts each
    /// rule's repeated texts once.
    func finding(tool: ToolInfo, raw: RawEvidence, plain: (String) -> String) -> Finding {
        let severity: Severity =
            switch riskCode {
            case 1: .low
            case 2: .medium
            case 3: .high
            default: .info
            }
        let sorted = instances.sorted { ($0.url, $0.method ?? "", $0.parameter ?? "") < ($1.url, $1.method ?? "", $1.parameter ?? "") }
        let location = sorted.first ?? EndpointLocation(url: siteURL)
        var details: [String] = []
        if let description { details.append(plain(description)) }
        if let otherInfo { details.append(plain(otherInfo)) }
        if sorted.count > 1 {
            details.append(
                "Instances (\(sorted.count)):\n"
                    + sorted.map { "- \($0.method ?? "GET") \($0.url)\($0.parameter.map { " [\($0)]" } ?? "")" }.joined(separator: "\n"))
        }
        let confidenceValue: Confidence? =
            switch confidence {
            case 1: .low
            case 2: .medium
            case 3, 4: .high
            default: nil
            }
        return Finding(
            category: .dast, tool: tool, ruleID: pluginID, title: name, description: details.joined(separator: "\n\n").nonBlank,
            toolSeverity: riskCode.map { "riskcode \($0)" }, severity: severity, confidence: confidenceValue,
            cwes: cweID.flatMap { $0 > 0 ? [$0] : nil } ?? [], location: .endpoint(location),
            remediation: solution.map(plain),
            references: split(reference.map(plain) ?? "", onASCII: { $0 == 0x20 }).filter { $0.hasPrefix("http") },
            tags: wascID.map { ["WASC-\($0)"] } ?? [],
            suppression: confidence == 0 ? Suppression(kind: .falsePositive, justification: "ZAP confidence: false positive") : nil, raw: raw)
    }
}

/// OWASP ZAP traditional XML report (`OWASPZAPReport/site/alerts/alertitem`), 2.x versions.
struct ZAPXMLImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "zap-xml", name: "OWASP ZAP XML", tool: "OWASP ZAP", category: .dast, syntax: .xml,
        notes: "traditional XML report; one finding per alert and site with its instances", defectDojoScanTypes: ["ZAP Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? { report.xmlRoot?.localName == "OWASPZAPReport" ? .certain : nil }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.xmlRoot else { throw ImportError.content("expected an XML document") }
        var output = ImporterOutput(tool: ToolInfo(name: "ZAP", version: root.attributes["version"]))
        output.scope = zapScope(sites: root.children("site").map { $0.attributes["name"] ?? $0.attributes["host"] ?? "" })
        // Alerts are read on every core: for a large report this is half of what precedes the store.
        let items = root.children("site").flatMap { site in
            let siteURL = site.attributes["name"] ?? site.attributes["host"] ?? ""
            return (site.child("alerts")?.children("alertitem") ?? []).map { (siteURL: siteURL, item: $0) }
        }
        let tool = output.tool
        let plain = ConvertedTexts(plainText(fromHTML:))
        let read = await Concurrently.map(count: items.count) { index in
            Self.alert(items[index].item, siteURL: items[index].siteURL, tool: tool, plain: plain.callAsFunction)
        }
        for result in read {
            switch result {
            case .success(let finding): output.findings.append(finding)
            case .failure(let diagnostic): output.diagnostics.append(diagnostic.diagnostic)
            }
        }
        return output
    }
}

extension ZAPXMLImporter {
    struct SkippedAlert: Error {
        var diagnostic: Diagnostic
    }

    static func alert(_ item: XMLElement, siteURL: String, tool: ToolInfo, plain: (String) -> String) -> Result<Finding, SkippedAlert> {
        var instances: [EndpointLocation] = (item.child("instances")?.children("instance") ?? []).compactMap { instance in
            guard let uri = instance.childText("uri") else { return nil }
            return EndpointLocation(
                url: uri, method: instance.childText("method"), parameter: instance.childText("param"), evidence: instance.childText("evidence"))
        }
        // ZAP before 2.8 put one location directly in the alert item.
        if instances.isEmpty, let uri = item.childText("uri") {
            instances.append(
                EndpointLocation(url: uri, method: item.childText("method"), parameter: item.childText("param"), evidence: item.childText("evidence"))
            )
        }
        guard let pluginID = item.childText("pluginid") ?? item.childText("alertRef") else {
            return .failure(SkippedAlert(diagnostic: Diagnostic("alertitem without pluginid skipped", at: "line \(item.line)")))
        }
        let alert = ZAPAlert(
            pluginID: pluginID, name: item.childText("name") ?? item.childText("alert") ?? pluginID,
            riskCode: ReportInteger.parse(item.childText("riskcode")), confidence: ReportInteger.parse(item.childText("confidence")),
            description: item.childText("desc"), solution: item.childText("solution"), otherInfo: item.childText("otherinfo"),
            reference: item.childText("reference"), cweID: ReportInteger.parse(item.childText("cweid")), wascID: item.childText("wascid"),
            instances: instances, siteURL: siteURL, position: "line \(item.line)")
        return .success(alert.finding(tool: tool, raw: .xml(item), plain: plain))
    }
}

/// OWASP ZAP JSON report (`site[].alerts[]` with `instances`).
struct ZAPJSONImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "zap-json", name: "OWASP ZAP JSON", tool: "OWASP ZAP", category: .dast, syntax: .json,
        notes: "traditional JSON report; one finding per alert and site with its instances", defectDojoScanTypes: ["ZAP Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if root["@programName"]?.string?.uppercased().contains("ZAP") == true { return .certain }
        // GitLab's DAST report embeds ZAP's sites beside its own schema (scan, vulnerabilities).
        guard root["scan"] == nil && root["vulnerabilities"] == nil else { return nil }
        return root["site"]?.array.first?["alerts"] != nil && root["@version"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "ZAP", version: root["@version"]?.text))
        let sites = root["site"].map { $0.isArray ? $0.array : [$0] } ?? []
        output.scope = zapScope(sites: sites.map { $0["@name"]?.text ?? $0["@host"]?.text ?? "" })
        let plain = ConvertedTexts(plainText(fromHTML:))
        for site in sites {
            let siteURL = site["@name"]?.text ?? site["@host"]?.text ?? ""
            for item in site["alerts"]?.array ?? [] {
                guard let pluginID = item["pluginid"]?.text ?? item["alertRef"]?.text else {
                    output.diagnostics.append(Diagnostic("alert without pluginid skipped", at: item.position))
                    continue
                }
                let instances: [EndpointLocation] = (item["instances"]?.array ?? []).compactMap { instance in
                    guard let uri = instance["uri"]?.text else { return nil }
                    return EndpointLocation(
                        url: uri, method: instance["method"]?.text, parameter: instance["param"]?.text, evidence: instance["evidence"]?.text)
                }
                let alert = ZAPAlert(
                    pluginID: pluginID, name: item["name"]?.text ?? item["alert"]?.text ?? pluginID, riskCode: item["riskcode"]?.int,
                    confidence: item["confidence"]?.int, description: item["desc"]?.text, solution: item["solution"]?.text,
                    otherInfo: item["otherinfo"]?.text, reference: item["reference"]?.text, cweID: item["cweid"]?.int, wascID: item["wascid"]?.text,
                    instances: instances, siteURL: siteURL, position: item.position)
                output.findings.append(alert.finding(tool: output.tool, raw: .json(item), plain: plain.callAsFunction))
            }
        }
        return output
    }
}

/// A ZAP scan's target is the site it was pointed at, which ZAP lists first; other sites are
/// hosts the spider met on the way.
func zapScope(sites: [String]) -> ScanScope {
    ScanScope(target: sites.first { !$0.isEmpty }.map { EndpointLocation(url: $0).host ?? $0 } ?? "")
}
