import Foundation
import RampartCore

/// The column values a store writes for one finding, derived once from the model. Shared by
/// every backend so that all of them store the same thing.
public struct StorageRow: Sendable {
    public var columns: DisplayColumns
    public var cwes: String
    public var vulnerabilityIDs: String
    public var location: String
    public var cvss: String
    public var suppression: String?
    public var references: String
    public var tags: String
    public var contentHash: Int64
    /// Where the finding's evidence lies in the archived report, when it is a verbatim slice of
    /// it; the evidence is then stored as this span instead of a copy.
    public var evidenceSpan: Range<Int>?

    public init(_ finding: borrowing Finding, contentHash: Int64? = nil) {
        // The canonical purl is rendered once, for its column and the location JSON.
        let purl = finding.location.packagePURLText
        columns = DisplayColumns(finding, purl: purl)
        cwes = JSONText.array(finding.cwes)
        vulnerabilityIDs = JSONText.array(finding.vulnerabilityIDs.map(\.value))
        location = finding.location.jsonText(purl: purl)
        var cvss = "["
        for index in finding.cvss.indices {
            if index > 0 { cvss.append(",") }
            cvss.append(finding.cvss[index].jsonText)
        }
        cvss.append("]")
        self.cvss = cvss
        suppression = finding.suppression?.jsonText
        references = JSONText.array(finding.references)
        tags = JSONText.array(finding.tags)
        self.contentHash = contentHash ?? Self.contentHash(finding)
    }

    /// Hash of what a rescan could change: a finding seen again with the same hash only gets
    /// its sighting stamped, which keeps a large reimport cheap.
    public static func contentHash(_ finding: borrowing Finding) -> Int64 {
        var hasher = ChangeHasher()
        if let raw = finding.raw { raw.bytes.withUnsafeBytes { hasher.combine(buffer: $0) } }
        hasher.combine(finding.title)
        hasher.combine(finding.severity.rawValue)
        hasher.combine(finding.description ?? "")
        hasher.combine(String(finding.occurrences))
        hasher.combine(finding.suppression?.kind.rawValue ?? "")
        return Int64(bitPattern: hasher.value)
    }
}

/// The flat columns that filters and listings use, derived from the location.
public struct DisplayColumns: Sendable {
    public var filePath: String?
    public var line: Int?
    public var componentName: String?
    public var componentVersion: String?
    public var purl: String?
    public var url: String?
    public var host: String?
    public var cvssVector: String?
    public var cvssScore: Double?

    /// - Parameter canonicalPURL: the location's canonical purl text, rendered once by the caller.
    init(_ finding: borrowing Finding, purl canonicalPURL: String?) {
        filePath = finding.location.filePath
        line = finding.location.line
        switch finding.location {
        case .package(let package):
            componentName = package.name
            componentVersion = package.version
            purl = canonicalPURL
        case .containerImage(let image):
            componentName = image.name
            componentVersion = image.tag
        case .endpoint(let endpoint):
            url = endpoint.url
            host = endpoint.host
        case .host(let hostLocation):
            host = hostLocation.address
        case .cloud(let cloud):
            componentName = cloud.resourceID
        case .code, .iac:
            break
        }
        let primary = finding.primaryCVSS
        cvssVector = primary?.vector?.description
        cvssScore = primary?.score
    }
}
