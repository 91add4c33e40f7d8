import Foundation
import RampartCore

/// The column values a store writes for one finding, derived once from the model. Shared by
/// every backend so that all of them store the same thing.
///
/// A finding is stored as a listing row (what lists and filters read, with its place), a
/// sighting row (its status and position: what every rescan rewrites anyway) and a detail row
/// (its long text, and its evidence when that is a copy). Hashes of exactly the values written
/// tell a rescan what else to rewrite: nothing (a shifted line or a bumped version is position),
/// the place columns alone, the whole listing row, or the detail row.
package struct StorageRow: Sendable {
    package var columns: DisplayColumns
    /// The location without what a rescan moves (`Location.placeJSONText`).
    package var place: String
    /// What a rescan moves: lines, a package's version and purl, an image's tag and layer.
    package var position: String
    /// Where the finding's evidence lies in the archived report, when it is a verbatim slice of
    /// it; the evidence is then stored as this span instead of a copy.
    package var evidenceSpan: Range<Int>?
    /// Hash of the listing row's place columns (all derived from the location's place).
    package var locationHash: Int64
    /// Hash of the listing row's other values.
    package var listingHash: Int64
    /// Hash of the detail row's values, the evidence copy included when there is one.
    package var detailHash: Int64
    /// The JSON texts of the listing and detail rows; made only for rows that are written (a
    /// finding seen again unchanged needs its hashes and position, not its texts).
    package var text: Text?

    /// The JSON columns of the listing and detail rows.
    package struct Text: Sendable {
        package var cwes: String
        package var vulnerabilityIDs: String
        package var cvss: String
        package var suppression: String?
        package var references: String
        package var tags: String

        package init(_ finding: borrowing Finding) {
            cwes = JSONText.array(finding.cwes)
            vulnerabilityIDs = JSONText.array(finding.vulnerabilityIDs.map(\.value))
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
        }
    }

    /// - Parameters:
    ///   - report: the archived report the finding's evidence may be a slice of (empty when the
    ///     report is not archived).
    ///   - withText: make the JSON texts too (rows known to be written: new findings).
    package init(_ finding: borrowing Finding, report: UnsafeRawBufferPointer, withText: Bool = true) {
        // The canonical purl is rendered once, for its column and the position JSON.
        let purl = finding.location.packagePURLText
        columns = DisplayColumns(finding, purl: purl)
        place = finding.location.placeJSONText()
        position = finding.location.positionJSONText(purl: purl)
        evidenceSpan = finding.raw.flatMap { ReportArchive.span(of: $0.bytes, in: report) }
        text = withText ? Text(finding) : nil

        // The hashes cover every value the texts are made of (each model field they render),
        // read from the model so that an unchanged finding costs no rendering. A field a text
        // renders must be hashed here: a test changes each field and checks a hash moves.
        var listing = ChangeHasher()
        listing.combine(finding.category.rawValue)
        listing.combine(finding.ruleID)
        listing.combine(finding.title)
        listing.combine(finding.severity.rawValue)
        listing.combine(optional: finding.toolSeverity)
        listing.combine(optional: finding.confidence?.rawValue)
        listing.combine(finding.cwes.map(String.init))
        listing.combine(finding.vulnerabilityIDs.map(\.value))
        listing.combine(finding.location.kind)
        listing.combine(optional: columns.cvssVector)
        listing.combine(optional: columns.cvssScore.map { String($0) })
        listing.combine(optional: finding.secret?.saltedHash)
        listing.combine(optional: finding.secret?.preview)
        listing.combine(finding.suppression == nil ? "0" : "1")
        listing.combine(String(finding.occurrences))
        listing.combine(optional: finding.identityAnchor)
        listing.combine(optional: finding.exploitMaturity?.rawValue)
        listingHash = Int64(bitPattern: listing.value)
        // The place columns (file, component name, URL, host) are functions of the place, which
        // its JSON states in full.
        var located = ChangeHasher()
        located.combine(place)
        locationHash = Int64(bitPattern: located.value)

        var detail = ChangeHasher()
        detail.combine(optional: finding.description)
        detail.combine(String(finding.cvss.count))
        for score in finding.cvss {
            detail.combine(optional: score.vector?.description)
            detail.combine(optional: score.score.map { String($0) })
            detail.combine(optional: score.source)
        }
        detail.combine(optional: finding.suppression?.kind.rawValue)
        detail.combine(optional: finding.suppression?.justification)
        detail.combine(optional: finding.remediation)
        detail.combine(finding.references)
        detail.combine(finding.tags)
        detail.combine(optional: finding.raw?.format)
        if evidenceSpan == nil, let raw = finding.raw {
            raw.bytes.withUnsafeBytes { detail.combine(buffer: $0) }
        } else {
            detail.combine(optional: nil)
        }
        detailHash = Int64(bitPattern: detail.value)
    }
}

/// The flat columns that filters and listings use, derived from the location.
package struct DisplayColumns: Sendable {
    package var filePath: String?
    package var line: Int?
    package var componentName: String?
    package var componentVersion: String?
    package var purl: String?
    package var url: String?
    package var host: String?
    package var cvssVector: String?
    package var cvssScore: Double?

    /// - Parameter canonicalPURL: the location's canonical purl text, rendered once by the caller.
    init(_ finding: borrowing Finding, purl canonicalPURL: String?) {
        filePath = finding.location.filePath
        line = finding.location.line
        switch finding.location {
        case .package(let package):
            // A manifest that only names the image is position, not place (see `manifestNamesImage`).
            if package.manifestNamesImage { filePath = package.artifactPath }
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
        case .design(let design):
            componentName = design.element
        case .code, .iac:
            break
        }
        let primary = finding.primaryCVSS
        cvssVector = primary?.vector?.description
        cvssScore = primary?.score
    }
}
