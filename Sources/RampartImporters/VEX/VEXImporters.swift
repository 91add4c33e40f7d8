import Foundation
import RampartCore

/// What VEX importers share: a statement about one product becomes a finding (suppressed when
/// the product is not affected or fixed, as DefectDojo and the CycloneDX importer treat VEX),
/// and the statements themselves are kept, to be applied to other tools' findings.
enum VEXFindings {
    /// One finding for a statement about one product.
    static func finding(
        ids: [VulnerabilityID], status: VEXStatus, product: PackageLocation, title: String?, description: String?, severity: Severity?,
        cvss: [CVSSScore] = [], cwes: [Int] = [], justification: String?, detail: String?, remediation: String? = nil, references: [String] = [],
        tool: ToolInfo, raw: RawEvidence
    ) -> Finding {
        let primary = ids.canonical?.value ?? "VEX"
        let label = product.name + (product.version.map { " \($0)" } ?? "")
        var suppression: Suppression?
        switch status {
        case .notAffected:
            suppression = Suppression(
                kind: .notAffected, justification: [justification, detail].compactMap { $0 }.joined(separator: ": ").nonBlank ?? "VEX: not affected")
        case .fixed: suppression = Suppression(kind: .fixed, justification: detail ?? "VEX: fixed in this product version")
        case .affected, .underInvestigation: break
        }
        var text = [title, description].compactMap { $0?.nonBlank }.joined(separator: "\n\n")
        if status == .underInvestigation { text = ("The author is investigating whether the product is affected.\n\n" + text).asciiTrimmed }
        return Finding(
            category: .sca, tool: tool, ruleID: primary, title: "\(primary) in \(label)", description: text.nonBlank,
            toolSeverity: status.rawValue,
            // A statement rarely rates the vulnerability: affected is at least worth a look, and
            // "under investigation" says nothing yet.
            severity: severity ?? (status == .underInvestigation ? .info : .medium), cwes: cwes, vulnerabilityIDs: ids, cvss: cvss,
            location: .package(product), remediation: remediation ?? (status == .affected ? detail : nil), references: references,
            tags: ["vex:\(status.rawValue)"], suppression: suppression, raw: raw)
    }

    /// A product named by a purl, or by a name such as "Generic App 1.0.0" whose last word is
    /// its version when it starts with a digit.
    static func product(purl rawPurl: String?, name: String?) -> PackageLocation {
        if let rawPurl, let purl = PackageURL(parsing: rawPurl) {
            let display = purl.namespace.map { purl.type == "maven" ? "\($0):\(purl.name)" : "\($0)/\(purl.name)" } ?? purl.name
            return PackageLocation(
                purl: purl, name: purl.type == "npm" || purl.type == "maven" ? display : purl.name, version: purl.version, ecosystem: purl.type)
        }
        let text = name?.nonBlank ?? rawPurl ?? "product"
        if let space = text.lastIndex(of: " "), text[text.index(after: space)...].first?.isNumber == true {
            return PackageLocation(name: String(text[..<space]), version: String(text[text.index(after: space)...]))
        }
        return PackageLocation(name: text)
    }
}

/// OpenVEX documents (0.0.x and 0.2.0): each statement's vulnerability (with aliases), products
/// and subcomponents, status, justification and impact or action statement.
struct OpenVEXImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "openvex", name: "OpenVEX", tool: "any OpenVEX author", category: .sbom, syntax: .json,
        notes: "statements kept and applied to matching findings of other tools; each statement is also a finding (suppressed unless affected)",
        defectDojoScanTypes: ["OpenVEX Scan"], isStandard: true)

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        if root["@context"]?.text?.contains("openvex") == true { return .certain }
        return root["statements"]?.array.first?["status"] != nil && root["@id"] != nil ? .likely : nil
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, root.isObject else { throw ImportError.content("expected an OpenVEX JSON object") }
        // A document keeps its @id across versions: a later version replaces the earlier's
        // statements, and other documents keep theirs.
        var output = ImporterOutput(
            tool: ToolInfo(name: "OpenVEX", version: root["version"]?.text), scope: ScanScope(kind: "vex", target: root["@id"]?.text ?? ""))
        var statements: [VEXStatement] = []
        for statement in root["statements"]?.array ?? [] {
            let vulnerability = statement["vulnerability"]
            // 0.2.0: an object with name, @id and aliases; 0.0.x: a string.
            let written = [vulnerability?.text, vulnerability?["name"]?.text, vulnerability?["@id"]?.text].compactMap { $0 }
            let ids = [VulnerabilityID].parsing(written + (vulnerability?["aliases"]?.strings ?? []))
            guard !ids.isEmpty else {
                output.diagnostics.append(Diagnostic("statement without a vulnerability skipped", at: statement.position))
                continue
            }
            guard let rawStatus = statement["status"]?.string, let status = VEXStatus(rawValue: rawStatus.lowercased()) else {
                output.diagnostics.append(Diagnostic("statement with an unknown status skipped", at: statement.position))
                continue
            }
            // A product is a purl or an object with @id and identifiers; subcomponents (0.2.0:
            // inside the product; 0.0.x: beside it) are the packages the statement is really about.
            var purls: [String] = []
            var names: [String] = []
            func collect(_ node: JSONNode) {
                let id = node.text ?? node["@id"]?.text
                if let purl = node["identifiers", "purl"]?.text ?? id.flatMap({ $0.hasPrefix("pkg:") ? $0 : nil }) {
                    purls.append(purl)
                } else if let id {
                    names.append(id)
                }
            }
            var subcomponents = (statement["subcomponents"]?.array ?? [])
            for product in statement["products"]?.array ?? [] {
                let inner = product["subcomponents"]?.array ?? []
                if inner.isEmpty { collect(product) } else { subcomponents += inner }
            }
            if !subcomponents.isEmpty {
                purls = []
                names = []
                subcomponents.forEach(collect)
            }
            let justification = statement["justification"]?.text
            let detail = statement["impact_statement"]?.text ?? statement["action_statement"]?.text ?? statement["status_notes"]?.text
            statements.append(
                VEXStatement(
                    vulnerabilities: ids, products: purls.compactMap(PackageURL.init(parsing:)), productNames: names, status: status,
                    justification: justification, detail: detail))
            let named: [(purl: String?, name: String?)] = purls.map { ($0, nil) } + names.map { (nil, $0) }
            for product in named {
                output.findings.append(
                    VEXFindings.finding(
                        ids: ids, status: status, product: VEXFindings.product(purl: product.purl, name: product.name),
                        title: vulnerability?["description"]?.text, description: statement["status_notes"]?.text, severity: nil,
                        justification: justification, detail: detail,
                        references: [vulnerability?["@id"]?.text].compactMap { $0 }.filter { $0.hasPrefix("http") }, tool: output.tool,
                        raw: .json(statement)))
            }
        }
        output.vexStatements = statements
        return output
    }
}

/// CSAF 2.0 and 2.1 advisories and VEX documents: each vulnerability's product status
/// (affected, not affected, fixed, under investigation) per product of the product tree, with
/// CVSS scores, CWE, flags (the not-affected justification), threats and remediations.
struct CSAFImporter: ReportImporter {
    init() {}

    let info = FormatInfo(
        id: "csaf", name: "CSAF 2.0 VEX / advisory", tool: "any CSAF publisher", category: .sbom, syntax: .json,
        notes: "product status per product kept as VEX statements and applied to matching findings; each is also a finding",
        defectDojoScanTypes: ["CSAF Scan"], isStandard: true)

    func detect(_ report: ParsedReport) -> DetectionConfidence? {
        guard let root = report.jsonRoot, root.isObject else { return nil }
        return root["document", "csaf_version"] != nil ? .certain : nil
    }

    struct Product {
        var name: String?
        var purl: String?
    }

    func read(_ report: ParsedReport, context: ImportContext) async throws -> ImporterOutput {
        guard let root = report.jsonRoot, let version = root["document", "csaf_version"]?.text else {
            throw ImportError.content("expected a CSAF JSON document")
        }
        guard version.hasPrefix("2.") else {
            throw ImportError.content("CSAF \(version) documents are not read (CSAF 2.0 and later are); ask the publisher for CSAF 2.0")
        }
        let publisher = root["document", "publisher", "name"]?.text ?? "CSAF"
        var output = ImporterOutput(
            tool: ToolInfo(name: publisher, version: root["document", "tracking", "version"]?.text),
            scope: ScanScope(kind: "vex", target: root["document", "tracking", "id"]?.text ?? ""))
        var products: [String: Product] = [:]
        func visit(_ branches: [JSONNode]) {
            for branch in branches {
                if let product = branch["product"], let id = product["product_id"]?.text {
                    products[id] = Product(name: product["name"]?.text, purl: product["product_identification_helper", "purl"]?.text)
                }
                visit(branch["branches"]?.array ?? [])
            }
        }
        visit(root["product_tree", "branches"]?.array ?? [])
        for product in root["product_tree", "full_product_names"]?.array ?? [] {
            if let id = product["product_id"]?.text {
                products[id] = Product(name: product["name"]?.text, purl: product["product_identification_helper", "purl"]?.text)
            }
        }
        // "X as a component of Y": the package is X, which is what findings name.
        for relationship in root["product_tree", "relationships"]?.array ?? [] {
            guard let id = relationship["full_product_name", "product_id"]?.text else { continue }
            let reference = relationship["product_reference"]?.text.flatMap { products[$0] }
            products[id] = Product(
                name: relationship["full_product_name", "name"]?.text ?? reference?.name,
                purl: relationship["full_product_name", "product_identification_helper", "purl"]?.text ?? reference?.purl)
        }
        let statusGroups: [(String, VEXStatus)] = [
            ("known_affected", .affected), ("first_affected", .affected), ("last_affected", .affected), ("known_not_affected", .notAffected),
            ("fixed", .fixed), ("first_fixed", .fixed), ("under_investigation", .underInvestigation),
        ]
        var statements: [VEXStatement] = []
        for vulnerability in root["vulnerabilities"]?.array ?? [] {
            let ids = [VulnerabilityID].parsing(
                [vulnerability["cve"]?.text].compactMap { $0 } + (vulnerability["ids"]?.array ?? []).compactMap { $0["text"]?.text })
            guard !ids.isEmpty else {
                output.diagnostics.append(Diagnostic("vulnerability without a CVE or id skipped", at: vulnerability.position))
                continue
            }
            let cwes =
                [vulnerability["cwe", "id"]?.text].compactMap { $0 }.compactMap(CWE.parse)
                + (vulnerability["cwes"]?.array ?? []).compactMap { $0["id"]?.text }.compactMap(CWE.parse)
            let notes = vulnerability["notes"]?.array ?? []
            let description =
                notes.first { ["description", "summary"].contains($0["category"]?.string ?? "") }?["text"]?.text ?? notes.first?["text"]?.text
            let references = (vulnerability["references"]?.array ?? []).compactMap { $0["url"]?.text }
            func forProduct<T>(_ list: String, _ value: (JSONNode) -> T?) -> [String: T] {
                var result: [String: T] = [:]
                for entry in vulnerability[list]?.array ?? [] {
                    guard let value = value(entry) else { continue }
                    for id in entry["products"]?.strings ?? entry["product_ids"]?.strings ?? [] where result[id] == nil { result[id] = value }
                }
                return result
            }
            let scores = forProduct("scores") { entry -> [CVSSScore]? in
                let v3 = CVSSScore(vector: entry["cvss_v3", "vectorString"]?.text, score: entry["cvss_v3", "baseScore"]?.double, source: "CSAF")
                let v2 = CVSSScore(vector: entry["cvss_v2", "vectorString"]?.text, score: entry["cvss_v2", "baseScore"]?.double, source: "CSAF")
                return [v3, v2].compactMap { $0 }
            }
            let flags = forProduct("flags") { $0["label"]?.text }
            let impacts = forProduct("threats") { $0["category"]?.string == "impact" ? $0["details"]?.text : nil }
            let remediations = forProduct("remediations") { entry in
                entry["details"]?.text.map { details in entry["url"]?.text.map { "\(details) (\($0))" } ?? details }
            }
            for (group, status) in statusGroups {
                let productIDs = vulnerability["product_status", group]?.strings ?? []
                guard !productIDs.isEmpty else { continue }
                var purls: [PackageURL] = []
                var names: [String] = []
                for productID in productIDs {
                    let product = products[productID]
                    if let purl = product?.purl.flatMap(PackageURL.init(parsing:)) {
                        purls.append(purl)
                    } else {
                        names.append(product?.name ?? productID)
                    }
                    let cvss = scores[productID] ?? []
                    output.findings.append(
                        VEXFindings.finding(
                            ids: ids, status: status, product: VEXFindings.product(purl: product?.purl, name: product?.name ?? productID),
                            title: vulnerability["title"]?.text, description: description,
                            severity: cvss.compactMap(\.score).max().map { Severity.from(tool: nil, score: $0) }, cvss: cvss, cwes: cwes,
                            justification: flags[productID], detail: impacts[productID], remediation: remediations[productID],
                            references: references, tool: output.tool, raw: .json(vulnerability)))
                }
                statements.append(
                    VEXStatement(
                        vulnerabilities: ids, products: purls, productNames: names, status: status,
                        justification: productIDs.lazy.compactMap { flags[$0] }.first, detail: productIDs.lazy.compactMap { impacts[$0] }.first))
            }
        }
        output.vexStatements = statements
        return output
    }
}
