import Foundation
import RampartCore

/// Amazon Inspector's findings as its API and console export them (`aws inspector2
/// list-findings`): package vulnerabilities in EC2 instances, ECR images and Lambda functions,
/// network reachability and code vulnerabilities, each with its resources, Inspector's score
/// and EPSS. Closed findings are gone; suppressed ones are kept as suppressed.
struct Inspector2Importer: ReportImporter {
    let info = FormatInfo(
        id: "aws-inspector2-json", name: "Amazon Inspector findings JSON", tool: "Amazon Inspector", category: .container, syntax: .json,
        notes: "package, network and code findings in EC2, ECR and Lambda with CVSS, Inspector score, EPSS and fixed versions",
        defectDojoScanTypes: ["AWS Inspector2 Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject, let first = root["findings"]?.array.first else { return nil }
        return first["findingArn"] != nil && first["awsAccountId"] != nil ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Amazon Inspector"))
        var closed = 0
        for item in root["findings"]?.array ?? [] {
            if item["status"]?.string == "CLOSED" {
                closed += 1
                continue
            }
            output.findings.append(finding(item, tool: output.tool))
        }
        if closed > 0 { output.diagnostics.append(Diagnostic("\(closed) closed finding(s) are not imported", level: .note)) }
        return output
    }

    private func finding(_ item: JSONNode, tool: ToolInfo) -> Finding {
        let details = item["packageVulnerabilityDetails"]
        let id = details?["vulnerabilityId"]?.text
        let ids = [id].compactMap { $0 } + (details?["relatedVulnerabilities"]?.strings ?? [])
        var cvss: [CVSSScore] = []
        for rating in details?["cvss"]?.array ?? [] {
            if let score = CVSSScore(vector: rating["scoringVector"]?.text, score: rating["baseScore"]?.double, source: rating["source"]?.text) {
                cvss.append(score)
            }
        }
        let resource = item["resources"]?.array.first
        let ecr = resource?["details", "awsEcrContainerImage"]
        var image: ImageLocation?
        if let repository = ecr?["repositoryName"]?.text {
            let registry = ecr?["registry"]?.text.map { "\($0).dkr.ecr.\(resource?["region"]?.text ?? "aws").amazonaws.com/" } ?? ""
            image = ImageLocation(reference: registry + repository + (ecr?["imageTags"]?.strings.first.map { ":\($0)" } ?? ""))
            image?.digest = ecr?["imageHash"]?.text
        }
        let package = details?["vulnerablePackages"]?.array.first
        let severityText = item["severity"]?.text
        let location: Location
        if let package, let name = package["name"]?.text {
            let fixed = package["fixedInVersion"]?.text.flatMap { $0 == "NotAvailable" ? nil : $0 }
            location = .package(
                packageLocation(
                    name: name, version: package["version"]?.text,
                    ecosystem: Self.ecosystem(package["packageManager"]?.text, platform: ecr?["platform"]?.text),
                    fixedVersions: fixed.map { [$0] } ?? [], artifactPath: package["filePath"]?.text, image: image))
        } else {
            location = .cloud(
                CloudLocation(
                    provider: "aws", account: item["awsAccountId"]?.text, region: resource?["region"]?.text,
                    resourceID: resource?["id"]?.text ?? "unknown",
                    resourceType: resource?["type"]?.text))
        }
        let tags = [item["type"]?.text.map { "type:\($0)" }].compactMap { $0 }
        var finding = Finding(
            category: package != nil ? .container : .cloud, tool: tool,
            ruleID: [VulnerabilityID].parsing(ids).canonical?.value ?? item["title"]?.text ?? "unknown",
            title: item["title"]?.text ?? id ?? "Inspector finding", description: item["description"]?.text, toolSeverity: severityText,
            severity: .from(tool: severityText == "UNTRIAGED" ? nil : severityText, score: item["inspectorScore"]?.double),
            vulnerabilityIDs: .parsing(ids),
            cvss: cvss, location: location,
            remediation: item["remediation", "recommendation", "text"]?.text.flatMap { $0 == "None Provided" ? nil : $0 },
            references: [details?["sourceUrl"]?.text].compactMap { $0 } + (details?["referenceUrls"]?.strings ?? []), tags: tags,
            suppression: item["status"]?.string == "SUPPRESSED" ? Suppression(kind: .accepted, justification: "suppressed in Inspector") : nil,
            raw: .json(item))
        if item["exploitAvailable"]?.string == "YES" { finding.exploitMaturity = .proofOfConcept }
        return finding
    }

    /// Inspector's package managers: OS (then the platform's distribution), JAR, NPM, PYTHONPKG, GOBINARY...
    static func ecosystem(_ manager: String?, platform: String?) -> String? {
        guard let manager = manager?.uppercased() else { return nil }
        switch manager {
        case "OS": return platform.map { String($0.split(separator: "_").first ?? "").lowercased() }
        case "PYTHONPKG", "PIP", "POETRY", "PIPENV": return "pypi"
        case "GOBINARY", "GOMOD": return "golang"
        case "NODEPKG", "NPM", "YARN", "PNPM": return "npm"
        case "JAR", "GRADLE", "POM": return "maven"
        case "GEMSPEC", "BUNDLER": return "gem"
        case "NUGET", "DOTNET_CORE": return "nuget"
        case "CARGO": return "cargo"
        default: return manager.lowercased()
        }
    }
}
