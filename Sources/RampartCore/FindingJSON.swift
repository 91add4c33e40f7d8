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
    public func jsonText(purl: String?) -> String {
        var json = JSONObjectBuilder()
        switch self {
        case .code(let code):
            json.add("kind", "code")
            json.add("file", code.file)
            json.add("startLine", code.startLine)
            json.add("endLine", code.endLine)
            json.add("startColumn", code.startColumn)
            json.add("endColumn", code.endColumn)
            json.add("snippet", code.snippet)
        case .package(let package):
            json.add("kind", "package")
            json.add("purl", purl)
            json.add("name", package.name)
            json.add("version", package.version)
            json.add("ecosystem", package.ecosystem)
            json.add("fixedVersions", package.fixedVersions)
            json.add("relation", package.relation?.rawValue)
            json.add("manifestPath", package.manifestPath)
            json.add("artifactPath", package.artifactPath)
            json.add("image", json: package.image.map { Location.imageJSON($0, kind: nil) })
        case .containerImage(let image):
            return Location.imageJSON(image, kind: "image")
        case .iac(let iac):
            json.add("kind", "iac")
            json.add("file", iac.file)
            json.add("resource", iac.resource)
            json.add("startLine", iac.startLine)
            json.add("endLine", iac.endLine)
            json.add("framework", iac.framework)
        case .endpoint(let endpoint):
            json.add("kind", "endpoint")
            json.add("url", endpoint.url)
            json.add("method", endpoint.method)
            json.add("parameter", endpoint.parameter)
            json.add("evidence", endpoint.evidence)
        case .cloud(let cloud):
            json.add("kind", "cloud")
            json.add("provider", cloud.provider)
            json.add("account", cloud.account)
            json.add("region", cloud.region)
            json.add("resourceID", cloud.resourceID)
            json.add("resourceType", cloud.resourceType)
        case .host(let host):
            json.add("kind", "host")
            json.add("address", host.address)
            json.add("port", host.port)
            json.add("transport", host.transport)
            json.add("service", host.service)
        }
        return json.result
    }

    /// The location without what a rescan moves (lines and columns, a package's version and
    /// purl, an image's tag, digest and layer): where the finding is, which rarely changes.
    /// With `positionJSONText` it states the whole location; stores keep the two apart so that
    /// a rescan that only moved a finding rewrites its small sighting row, not its listing row.
    public func placeJSONText() -> String {
        var json = JSONObjectBuilder()
        switch self {
        case .code(let code):
            json.add("kind", "code")
            json.add("file", code.file)
            json.add("snippet", code.snippet)
        case .package(let package):
            json.add("kind", "package")
            json.add("name", package.name)
            json.add("ecosystem", package.ecosystem)
            json.add("fixedVersions", package.fixedVersions)
            json.add("relation", package.relation?.rawValue)
            json.add("manifestPath", package.manifestNamesImage ? nil : package.manifestPath)
            json.add("artifactPath", package.artifactPath)
            if let image = package.image {
                var nested = JSONObjectBuilder(capacity: 96)
                nested.add("name", image.name)
                json.add("image", json: nested.result)
            }
        case .containerImage(let image):
            json.add("kind", "image")
            json.add("name", image.name)
        case .iac(let iac):
            json.add("kind", "iac")
            json.add("file", iac.file)
            json.add("resource", iac.resource)
            json.add("framework", iac.framework)
        case .endpoint, .cloud, .host:
            return jsonText(purl: nil)
        }
        return json.result
    }

    /// What a rescan moves (see `placeJSONText`), given the canonical purl text.
    public func positionJSONText(purl: String?) -> String {
        var json = JSONObjectBuilder(capacity: 128)
        func addImage(_ image: ImageLocation?) {
            guard let image, image.tag != nil || image.digest != nil || image.layer != nil else { return }
            var nested = JSONObjectBuilder(capacity: 160)
            nested.add("tag", image.tag)
            nested.add("digest", image.digest)
            nested.add("layer", image.layer)
            json.add("image", json: nested.result)
        }
        switch self {
        case .code(let code):
            json.add("startLine", code.startLine)
            json.add("endLine", code.endLine)
            json.add("startColumn", code.startColumn)
            json.add("endColumn", code.endColumn)
        case .package(let package):
            json.add("purl", purl)
            json.add("version", package.version)
            json.add("manifestPath", package.manifestNamesImage ? package.manifestPath : nil)
            addImage(package.image)
        case .containerImage(let image):
            json.add("tag", image.tag)
            json.add("digest", image.digest)
            json.add("layer", image.layer)
        case .iac(let iac):
            json.add("startLine", iac.startLine)
            json.add("endLine", iac.endLine)
        case .endpoint, .cloud, .host:
            break
        }
        return json.result
    }

    static func imageJSON(_ image: ImageLocation, kind: String?) -> String {
        var json = JSONObjectBuilder(capacity: 192)
        json.add("kind", kind)
        json.add("name", image.name)
        json.add("tag", image.tag)
        json.add("digest", image.digest)
        json.add("layer", image.layer)
        return json.result
    }
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
