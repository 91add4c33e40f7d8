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

    public init(_ finding: Finding, contentHash: Int64? = nil) {
        columns = DisplayColumns(finding)
        cwes = JSONText.array(finding.cwes)
        vulnerabilityIDs = JSONText.array(finding.vulnerabilityIDs.map(\.value))
        location = finding.location.jsonText
        cvss = "[" + finding.cvss.map(\.jsonText).joined(separator: ",") + "]"
        suppression = finding.suppression?.jsonText
        references = JSONText.array(finding.references)
        tags = JSONText.array(finding.tags)
        self.contentHash = contentHash ?? Self.contentHash(finding)
    }

    /// Hash of what a rescan could change: a finding seen again with the same hash only gets
    /// its sighting stamped, which keeps a large reimport cheap.
    public static func contentHash(_ finding: Finding) -> Int64 {
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

    public init(_ finding: Finding) {
        filePath = finding.location.filePath
        line = finding.location.line
        switch finding.location {
        case .package(let package):
            componentName = package.name
            componentVersion = package.version
            purl = package.purl?.description
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

extension StorageRow {
    /// Content hashes of all findings, computed on every core.
    public static func contentHashes(_ findings: [Finding]) async -> [Int64] {
        await Concurrently.map(count: findings.count) { contentHash(findings[$0]) }
    }

    /// Rows for the findings `needed` selects, computed on every core; nil elsewhere. Stores
    /// build them before their write transaction, so the transaction only binds and steps.
    public static func rows(_ findings: [Finding], hashes: [Int64], needed: @escaping @Sendable (Int) -> Bool) async -> [StorageRow?] {
        await Concurrently.map(count: findings.count) { index in
            needed(index) ? StorageRow(findings[index], contentHash: hashes[index]) : nil
        }
    }
}
