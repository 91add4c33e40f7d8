/// What a VEX statement says of a vulnerability in a product (the OpenVEX, CSAF and CycloneDX
/// vocabularies map onto these four).
public enum VEXStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case notAffected = "not_affected"
    case affected
    case fixed
    case underInvestigation = "under_investigation"

    /// Whether a finding the statement applies to still needs fixing.
    public var isActive: Bool { self == .affected || self == .underInvestigation }
}

/// One VEX statement: a vulnerability, the products it speaks of, and their status. Statements
/// are kept as their documents said them and applied to the vulnerability findings of other
/// tools that they match.
public struct VEXStatement: Sendable, Hashable, Codable {
    /// The vulnerability and its aliases; the first is the statement's own name for it.
    public var vulnerabilities: [VulnerabilityID]
    /// Products named by package URL: a finding of the same package (and version, when the
    /// purl gives one) matches.
    public var products: [PackageURL]
    /// Products named otherwise (a CSAF product name, an image digest): they match findings
    /// of the component the document was imported for.
    public var productNames: [String]
    public var status: VEXStatus
    /// The machine-readable justification of `not_affected` (e.g. `vulnerable_code_not_present`).
    public var justification: String?
    /// The impact or action statement, in the author's words.
    public var detail: String?

    public init(
        vulnerabilities: [VulnerabilityID], products: [PackageURL], productNames: [String] = [], status: VEXStatus, justification: String? = nil,
        detail: String? = nil
    ) {
        self.vulnerabilities = vulnerabilities
        self.products = products
        self.productNames = productNames
        self.status = status
        self.justification = justification
        self.detail = detail
    }

    /// Whether the statement speaks of a finding naming `ids` in package `purl`. A purl
    /// product matches a package of the same type, namespace and name, and of the same version
    /// when the product names one; qualifiers are ignored (a distro or architecture qualifier
    /// does not make another package). `sameComponent` says whether the finding belongs to
    /// the component the statement was imported for, where products without a purl apply.
    public func applies(toFindingNaming ids: [VulnerabilityID], purl: PackageURL?, sameComponent: Bool) -> Bool {
        guard ids.contains(where: vulnerabilities.contains) else { return false }
        if let purl {
            for product in products where product.versionlessKey == purl.versionlessKey {
                if product.version == nil || product.version == purl.version { return true }
            }
        }
        return sameComponent && !productNames.isEmpty && products.isEmpty
    }
}
