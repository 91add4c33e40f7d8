import Foundation
import RampartCore

/// Trivy JSON: schema 2 (`Results[]` with Vulnerabilities, Misconfigurations, Secrets,
/// Licenses), the legacy schema 1 (a bare array of results) and Kubernetes reports
/// (`ClusterName` with per-resource results under Vulnerabilities/Misconfigurations/Resources).
struct TrivyImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "trivy-json", name: "Trivy JSON", tool: "Trivy", category: .container, syntax: .json,
        notes: "vulnerabilities, misconfigurations, secrets, licenses; image, filesystem, repository and Kubernetes reports",
        defectDojoScanTypes: ["Trivy Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot else { return nil }
        if root.isObject {
            if root["SchemaVersion"] != nil && (root["Results"] != nil || root["ArtifactName"] != nil) { return .certain }
            if root["ClusterName"] != nil && (root["Resources"] != nil || root["Vulnerabilities"] != nil || root["Misconfigurations"] != nil) {
                return .likely
            }
            return nil
        }
        if root.isArray, let first = root.array.first {
            return first["Target"] != nil && (first["Vulnerabilities"] != nil || first["Type"] != nil) ? .likely : nil
        }
        return nil
    }

    var secretFields: [SecretFields] { [Self.secretFields] }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot else { throw ImportError.content("expected a JSON object") }
        var output = ImporterOutput(tool: ToolInfo(name: "Trivy", version: root["Trivy", "Version"]?.text))
        var jobs: [VulnerabilityJob] = []
        var passedChecks = 0
        let artifactType = root["ArtifactType"]?.string
        let artifactName = root["ArtifactName"]?.string
        let image = artifactType == "container_image" ? artifactName.map { ImageLocation(reference: $0) } : nil
        var classes: [String] = []
        for result in root.isArray ? root.array : (root["Results"]?.array ?? []) { classes.append(result["Class"]?.string ?? "") }
        for section in ["Resources", "Vulnerabilities", "Misconfigurations"] {
            for resource in root[section]?.array ?? [] {
                for result in resource["Results"]?.array ?? [] { classes.append(result["Class"]?.string ?? "") }
            }
        }
        output.scope = TrivyScope.scope(
            classes: classes, image: image == nil ? nil : artifactName,
            otherTarget: root["ClusterName"]?.text.map { "cluster:" + $0 } ?? (artifactType == "repository" ? artifactName : nil))
        // The artifact names what was scanned: an image, a remote repository (a local path says nothing).
        switch artifactType {
        case "container_image": output.subject.images = artifactName.map { [$0] } ?? []
        case "repository": output.subject.repositories = artifactName.map { [$0] } ?? []
        default: break
        }
        if let repository = root["Metadata", "RepoURL"]?.text ?? root["Metadata", "RepoTags"]?.array.first?.text,
            RepositoryMatch.normalizedURL(repository) != nil, artifactType != "container_image"
        {
            output.subject.repositories.append(repository)
        }
        if root.isArray {
            for result in root.array {
                readResult(result, image: nil, resource: nil, context: context, into: &output, jobs: &jobs, passedChecks: &passedChecks)
            }
        } else if root["ClusterName"] != nil {
            for section in ["Resources", "Vulnerabilities", "Misconfigurations"] {
                for resource in root[section]?.array ?? [] {
                    let name = [resource["Namespace"]?.text, resource["Kind"]?.text, resource["Name"]?.text].compactMap { $0 }.joined(separator: "/")
                    for result in resource["Results"]?.array ?? [] {
                        let target = result["Target"]?.string
                        let resultImage = result["Class"]?.string == "os-pkgs" ? target.map { ImageLocation(reference: $0) } : nil
                        readResult(
                            result, image: resultImage, resource: name, context: context, into: &output, jobs: &jobs, passedChecks: &passedChecks)
                    }
                }
            }
        } else {
            guard root["Results"] == nil || root["Results"]!.isArray || root["Results"]!.isNull else {
                throw ImportError.content("Results is not an array", at: root["Results"]!.position)
            }
            for result in root["Results"]?.array ?? [] {
                readResult(result, image: image, resource: nil, context: context, into: &output, jobs: &jobs, passedChecks: &passedChecks)
            }
        }
        if passedChecks > 0 {
            output.diagnostics.append(
                Diagnostic("\(passedChecks) passed misconfiguration check(s) are not findings and were not imported", level: .note))
        }
        // Vulnerabilities are most of a large report and independent of each other: read them on every core.
        let tool = output.tool
        let allJobs = jobs
        let produced = await Concurrently.map(count: allJobs.count) { index in
            let job = allJobs[index]
            return vulnerabilityFinding(
                job.node, id: job.id, packageName: job.packageName, target: job.target, resultClass: job.resultClass, type: job.type,
                image: job.image,
                tool: tool)
        }
        // Vulnerabilities first: the large array is kept, the few other findings appended to it.
        var findings = produced
        findings.append(contentsOf: output.findings)
        output.findings = findings
        return output
    }

    struct VulnerabilityJob: Sendable {
        var node: JSONNode
        var id: String
        var packageName: String
        var target: String
        var resultClass: String?
        var type: String?
        var image: ImageLocation?
    }

    private func readResult(
        _ result: JSONNode, image: ImageLocation?, resource: String?, context: ImportContext, into output: inout ImporterOutput,
        jobs: inout [VulnerabilityJob], passedChecks: inout Int
    ) {
        let target = result["Target"]?.string ?? ""
        let resultClass = result["Class"]?.string
        let type = result["Type"]?.string
        for vulnerability in result["Vulnerabilities"]?.array ?? [] {
            guard let id = vulnerability["VulnerabilityID"]?.text, let packageName = vulnerability["PkgName"]?.text else {
                output.diagnostics.append(Diagnostic("vulnerability without VulnerabilityID or PkgName skipped", at: vulnerability.position))
                continue
            }
            jobs.append(
                VulnerabilityJob(
                    node: vulnerability, id: id, packageName: packageName, target: target, resultClass: resultClass, type: type, image: image))
        }
        for misconfiguration in result["Misconfigurations"]?.array ?? [] {
            // A passed check is a fact about coverage, not a finding; it is counted, not dropped silently.
            if misconfiguration["Status"]?.string == "PASS" {
                passedChecks += 1
                continue
            }
            output.findings.append(misconfigurationFinding(misconfiguration, target: target, type: type, resource: resource, tool: output.tool))
        }
        for secret in result["Secrets"]?.array ?? [] {
            output.findings.append(secretFinding(secret, target: target, context: context, tool: output.tool))
        }
        for license in result["Licenses"]?.array ?? [] {
            guard let name = license["Name"]?.text, let package = license["PkgName"]?.text ?? license["FilePath"]?.text else { continue }
            output.findings.append(
                Finding(
                    category: .sca, tool: output.tool, ruleID: "license:\(name)", title: "License \(name) in \(package)",
                    description: license["Category"]?.text.map { "License category: \($0)" }, toolSeverity: license["Severity"]?.text,
                    severity: .from(tool: license["Severity"]?.text, default: .low),
                    location: .package(
                        packageLocation(name: package, version: nil, ecosystem: type, manifestPath: license["FilePath"]?.text ?? target, image: image)
                    ),
                    references: license["Link"]?.text.map { [$0] } ?? [], tags: ["license"], raw: .json(license)))
        }
    }

    private func vulnerabilityFinding(
        _ vulnerability: JSONNode, id: String, packageName: String, target: String, resultClass: String?, type: String?, image: ImageLocation?,
        tool: ToolInfo
    ) -> Finding {
        var cvss: [CVSSScore] = []
        for (source, scores) in vulnerability["CVSS"]?.entries ?? [] {
            if let score = CVSSScore(vector: scores["V3Vector"]?.text, score: scores["V3Score"]?.double, source: source) { cvss.append(score) }
            if let score = CVSSScore(vector: scores["V40Vector"]?.text, score: scores["V40Score"]?.double, source: source) { cvss.append(score) }
        }
        // The source Trivy took the severity from first.
        if let source = vulnerability["SeveritySource"]?.string, let index = cvss.firstIndex(where: { $0.source == source }) {
            cvss.insert(cvss.remove(at: index), at: 0)
        }
        let installed = vulnerability["InstalledVersion"]?.text
        let osPackage = resultClass == "os-pkgs"
        // OS packages belong to the image; without one (a Kubernetes or rootfs scan) the target names it.
        let image = image ?? (osPackage ? ImageLocation(reference: target) : nil)
        let location = packageLocation(
            name: packageName, version: installed, ecosystem: type,
            purl: vulnerability["PkgIdentifier", "PURL"]?.text ?? vulnerability["PkgRef"]?.text,
            fixedVersions: splitVersions(vulnerability["FixedVersion"]?.text),
            manifestPath: target, artifactPath: vulnerability["PkgPath"]?.text,
            image: image.map {
                var located = $0
                located.layer = vulnerability["Layer", "DiffID"]?.text ?? vulnerability["Layer", "Digest"]?.text
                return located
            })
        let severityText = vulnerability["Severity"]?.text
        return Finding(
            category: image != nil || osPackage ? .container : .sca, tool: tool, ruleID: id,
            title: vulnerability["Title"]?.text.map { "\(id): \($0)" } ?? "\(id) in \(packageName)",
            description: vulnerability["Description"]?.text, toolSeverity: severityText,
            severity: .from(tool: severityText, score: cvss.first?.score, default: .medium),
            cwes: CWE.parseAll(vulnerability["CweIDs"]?.strings ?? []),
            vulnerabilityIDs: .parsing([id] + (vulnerability["VendorIDs"]?.strings ?? [])), cvss: cvss,
            location: .package(location),
            remediation: vulnerability["FixedVersion"]?.text.map { "Upgrade \(packageName) to \($0)" },
            references: (vulnerability["PrimaryURL"]?.text.map { [$0] } ?? []) + (vulnerability["References"]?.strings ?? []),
            tags: vulnerability["Status"]?.text.map { ["status:\($0)"] } ?? [], raw: .json(vulnerability))
    }

    private func misconfigurationFinding(_ item: JSONNode, target: String, type: String?, resource: String?, tool: ToolInfo) -> Finding {
        let id = item["AVDID"]?.text ?? item["ID"]?.text ?? "unknown"
        let cause = item["CauseMetadata"]
        let resourceName = cause?["Resource"]?.text ?? resource
        let severityText = item["Severity"]?.text
        let message = item["Message"]?.text
        return Finding(
            category: .iac, tool: tool, ruleID: id, title: item["Title"]?.text ?? id,
            description: [item["Description"]?.text, message].compactMap { $0 }.joined(separator: "\n\n").nonBlank,
            toolSeverity: severityText, severity: .from(tool: severityText, default: .medium),
            location: .iac(
                IaCLocation(
                    file: target, resource: resourceName, startLine: cause?["StartLine"]?.int, endLine: cause?["EndLine"]?.int,
                    framework: type)),
            remediation: item["Resolution"]?.text,
            references: (item["PrimaryURL"]?.text.map { [$0] } ?? []) + (item["References"]?.strings ?? []),
            tags: [item["ID"]?.text].compactMap { $0 }, raw: .json(item))
    }

    /// Trivy masks the secrets it prints, but only from version 0.27 on and only where its rules
    /// say where the secret is: the matched line and the code around it are treated as secret.
    static let secretFields = SecretFields(
        secret: [["Secret"], ["Match"]], quoting: [["Match"], ["Code", "Lines", "*", "Content"], ["Code", "Lines", "*", "Highlighted"]])

    private func secretFinding(_ item: JSONNode, target: String, context: ImportContext, tool: ToolInfo) -> Finding {
        let rule = item["RuleID"]?.text ?? "secret"
        let severityText = item["Severity"]?.text
        var finding = Finding(
            category: .secrets, tool: tool, ruleID: rule, title: item["Title"]?.text ?? rule,
            description: item["Category"]?.text.map { "Secret category: \($0)" }, toolSeverity: severityText,
            severity: .from(tool: severityText, default: .high),
            location: .code(CodeLocation(file: target, startLine: item["StartLine"]?.int, endLine: item["EndLine"]?.int)),
            raw: .json(item))
        finding.revealedSecrets = Self.secretFields.values(in: item)
        return finding
    }
}
