import Foundation
import RampartCore

/// Prisma Cloud Compute (Twistlock) image scan CSV, as the console exports it (Monitor >
/// Vulnerabilities > Images > CSV): one row per vulnerability or compliance issue of an image,
/// with registry, repository and tag. Older exports repeat the `Type` column (the scan's type,
/// then the package's).
struct TwistlockCSVImporter: ReportImporter {
    let info = FormatInfo(
        id: "twistlock-csv", name: "Prisma Cloud (Twistlock) image scan CSV", tool: "Prisma Cloud Compute", category: .container, syntax: .csv,
        notes: "console exports: vulnerabilities and compliance issues per image with package, fix status and risk factors",
        defectDojoScanTypes: ["Twistlock Image Scan"])

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let header = report.csvTable?.header else { return nil }
        return header.contains("CVE ID") && header.contains("Compliance ID") && header.contains("Fix Status") && header.contains("Repository")
            ? .certain : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let table = report.csvTable else { throw ImportError.content("expected a CSV table") }
        var output = ImporterOutput(tool: ToolInfo(name: "Prisma Cloud Compute"))
        let typeColumns = table.header.indices(of: "Type")
        for record in table.records {
            let registry = record["Registry"]
            let repository = record["Repository"] ?? "image"
            let reference = [registry, repository].compactMap { $0 }.joined(separator: "/") + (record["Tag"].map { ":\($0)" } ?? "")
            var image = ImageLocation(reference: reference)
            image.digest = record["Id"].flatMap { $0.hasPrefix("sha256:") ? $0 : nil }
            let severityText = record["Severity"]
            let description = [record["Description"], record["Cause"], record["Risk Factors"].map { "Risk factors: \($0)" }].compactMap { $0 }
            guard let cve = record["CVE ID"] else {
                let id = record["Compliance ID"] ?? "compliance"
                output.findings.append(
                    Finding(
                        category: .container, tool: output.tool, ruleID: "compliance:\(id)",
                        title: record["Description"].map { String($0.prefix(120)) } ?? id,
                        description: description.joined(separator: "\n\n").nonBlank, toolSeverity: severityText,
                        severity: .from(tool: severityText, default: .medium), location: .containerImage(image), raw: .csv(record)))
                continue
            }
            let name = record["Packages"] ?? record["Source Package"] ?? "unknown"
            let status = record["Fix Status"]
            let fixed =
                status.flatMap { $0.lowercased().hasPrefix("fixed in ") ? String($0.dropFirst(9)) : nil }
                .map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? []
            let packageType = typeColumns.count > 1 ? record.field(at: typeColumns[typeColumns.count - 1]) : record["Type"]
            let cvss = CVSSScore(vector: nil, score: record.double("CVSS"))
            output.findings.append(
                Finding(
                    category: .container, tool: output.tool, ruleID: cve, title: "\(cve) in \(name)",
                    description: description.joined(separator: "\n\n").nonBlank,
                    toolSeverity: severityText, severity: .from(tool: severityText, score: cvss?.score), vulnerabilityIDs: .parsing([cve]),
                    cvss: cvss.map { [$0] } ?? [],
                    location: .package(
                        packageLocation(
                            name: name, version: record["Package Version"],
                            ecosystem: TwistlockImporter.ecosystem(type: packageType, distro: record["Distro"]),
                            fixedVersions: fixed, image: image)),
                    remediation: status, tags: (record["Package License"].map { ["license:\($0)"] } ?? []), raw: .csv(record)))
        }
        return output
    }
}
