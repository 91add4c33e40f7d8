/// Hand-written JSON renderings of the model, used where many findings are written at once.
extension Location {
    public var jsonText: String { jsonText(purl: packagePURLText) }

    /// The canonical purl of a package location, or nil.
    public var packagePURLText: String? {
        if case .package(let package) = self { return package.purl?.description }
        return nil
    }

    /// The JSON rendering, given the canonical purl text the caller already derived (a store
    /// writes it to its own column too, and rendering it costs as much as the rest).
    public func jsonText(purl: String?) -> String { jsonText(purl: purl, part: nil) }

    /// The location without what a rescan moves (lines and columns, a package's version and
    /// purl, an image's tag, digest and layer, a manifest that only names the image): where
    /// the finding is, which rarely changes. With `positionJSONText` it states the whole
    /// location; stores keep the two apart so that a rescan that only moved a finding rewrites
    /// its small sighting row, not its listing row.
    public func placeJSONText() -> String { jsonText(purl: nil, part: .place) }

    /// What a rescan moves (see `placeJSONText`), given the canonical purl text.
    public func positionJSONText(purl: String?) -> String { jsonText(purl: purl, part: .position) }

    /// The two parts of a location; each field below is written in one of them.
    enum Part { case place, position }

    /// One list of fields per kind, each marked place or position, renders the whole location
    /// (`part` nil) or either part: a field added here is in the whole and in exactly one part.
    func jsonText(purl: String?, part: Part?) -> String {
        var json = LocationJSON(part: part)
        switch self {
        case .code(let code):
            json.add("kind", "code", .place)
            json.add("file", code.file, .place)
            json.add("startLine", code.startLine, .position)
            json.add("endLine", code.endLine, .position)
            json.add("startColumn", code.startColumn, .position)
            json.add("endColumn", code.endColumn, .position)
            json.add("snippet", code.snippet, .place)
        case .package(let package):
            json.add("kind", "package", .place)
            json.add("purl", purl, .position)
            json.add("name", package.name, .place)
            json.add("version", package.version, .position)
            json.add("ecosystem", package.ecosystem, .place)
            json.add("fixedVersions", package.fixedVersions, .place)
            json.add("relation", package.relation?.rawValue, .place)
            json.add("manifestPath", package.manifestPath, package.manifestNamesImage ? .position : .place)
            json.add("artifactPath", package.artifactPath, .place)
            if let image = package.image {
                var nested = LocationJSON(part: part)
                nested.addImage(image)
                json.add("image", nested: nested)
            }
        case .containerImage(let image):
            json.add("kind", "image", .place)
            json.addImage(image)
        case .iac(let iac):
            json.add("kind", "iac", .place)
            json.add("file", iac.file, .place)
            json.add("resource", iac.resource, .place)
            json.add("startLine", iac.startLine, .position)
            json.add("endLine", iac.endLine, .position)
            json.add("framework", iac.framework, .place)
        case .endpoint(let endpoint):
            json.add("kind", "endpoint", .place)
            json.add("url", endpoint.url, .place)
            json.add("method", endpoint.method, .place)
            json.add("parameter", endpoint.parameter, .place)
            json.add("evidence", endpoint.evidence, .place)
        case .cloud(let cloud):
            json.add("kind", "cloud", .place)
            json.add("provider", cloud.provider, .place)
            json.add("account", cloud.account, .place)
            json.add("region", cloud.region, .place)
            json.add("resourceID", cloud.resourceID, .place)
            json.add("resourceType", cloud.resourceType, .place)
        case .host(let host):
            json.add("kind", "host", .place)
            json.add("address", host.address, .place)
            json.add("port", host.port, .place)
            json.add("transport", host.transport, .place)
            json.add("service", host.service, .place)
        case .design(let design):
            json.add("kind", "design", .place)
            json.add("model", design.model, .place)
            json.add("element", design.element, .place)
            json.add("elementType", design.elementType, .place)
        }
        return json.result
    }
}

/// A JSON object builder that writes only the fields of one part of a location (all of them
/// when the part is nil).
private struct LocationJSON {
    let part: Location.Part?
    private var builder = JSONObjectBuilder()
    private(set) var isEmpty = true

    init(part: Location.Part?) { self.part = part }

    private mutating func wants(_ fieldPart: Location.Part) -> Bool {
        guard part == nil || part == fieldPart else { return false }
        isEmpty = false
        return true
    }

    mutating func add(_ key: StaticString, _ value: String?, _ fieldPart: Location.Part) {
        if value != nil, wants(fieldPart) { builder.add(key, value) }
    }

    mutating func add(_ key: StaticString, _ value: Int?, _ fieldPart: Location.Part) {
        if value != nil, wants(fieldPart) { builder.add(key, value) }
    }

    mutating func add(_ key: StaticString, _ values: [String], _ fieldPart: Location.Part) {
        if wants(fieldPart) { builder.add(key, values) }
    }

    /// A nested object, left out when none of its fields belongs to this part.
    mutating func add(_ key: StaticString, nested: LocationJSON) {
        guard !nested.isEmpty else { return }
        isEmpty = false
        builder.add(key, json: nested.result)
    }

    mutating func addImage(_ image: ImageLocation) {
        add("name", image.name, .place)
        add("tag", image.tag, .position)
        add("digest", image.digest, .position)
        add("layer", image.layer, .position)
    }

    var result: String { builder.result }
}

extension CVSSScore {
    public var jsonText: String {
        var json = JSONObjectBuilder(capacity: 128)
        json.add("vector", vector?.description)
        json.add("score", score)
        json.add("source", source)
        return json.result
    }
}

extension Suppression {
    public var jsonText: String {
        var json = JSONObjectBuilder(capacity: 64)
        json.add("kind", kind.rawValue)
        json.add("justification", justification)
        return json.result
    }
}

extension Diagnostic {
    public var jsonText: String {
        var json = JSONObjectBuilder(capacity: 128)
        json.add("level", level.rawValue)
        json.add("message", message)
        json.add("position", position)
        return json.result
    }
}
