/// Hand-written JSON renderings of the model, used where many findings are written at once.
extension Location {
    public var jsonText: String {
        typealias J = JSONText
        switch self {
        case .code(let code):
            return J.object([
                ("kind", J.quoted("code")), ("file", J.quoted(code.file)), ("startLine", J.number(code.startLine)),
                ("endLine", J.number(code.endLine)), ("startColumn", J.number(code.startColumn)), ("endColumn", J.number(code.endColumn)),
                ("snippet", J.string(code.snippet)),
            ])
        case .package(let package):
            return J.object([
                ("kind", J.quoted("package")), ("purl", J.string(package.purl?.description)), ("name", J.quoted(package.name)),
                ("version", J.string(package.version)), ("ecosystem", J.string(package.ecosystem)),
                ("fixedVersions", J.array(package.fixedVersions)), ("relation", J.string(package.relation?.rawValue)),
                ("manifestPath", J.string(package.manifestPath)), ("artifactPath", J.string(package.artifactPath)),
                ("image", package.image.map(Location.imageJSON)),
            ])
        case .containerImage(let image):
            return Location.imageJSON(image, kind: "image")
        case .iac(let iac):
            return J.object([
                ("kind", J.quoted("iac")), ("file", J.quoted(iac.file)), ("resource", J.string(iac.resource)),
                ("startLine", J.number(iac.startLine)), ("endLine", J.number(iac.endLine)), ("framework", J.string(iac.framework)),
            ])
        case .endpoint(let endpoint):
            return J.object([
                ("kind", J.quoted("endpoint")), ("url", J.quoted(endpoint.url)), ("method", J.string(endpoint.method)),
                ("parameter", J.string(endpoint.parameter)), ("evidence", J.string(endpoint.evidence)),
            ])
        case .cloud(let cloud):
            return J.object([
                ("kind", J.quoted("cloud")), ("provider", J.quoted(cloud.provider)), ("account", J.string(cloud.account)),
                ("region", J.string(cloud.region)), ("resourceID", J.quoted(cloud.resourceID)), ("resourceType", J.string(cloud.resourceType)),
            ])
        case .host(let host):
            return J.object([
                ("kind", J.quoted("host")), ("address", J.quoted(host.address)), ("port", J.number(host.port)),
                ("transport", J.string(host.transport)), ("service", J.string(host.service)),
            ])
        }
    }

    static func imageJSON(_ image: ImageLocation) -> String { imageJSON(image, kind: nil) }

    static func imageJSON(_ image: ImageLocation, kind: String?) -> String {
        JSONText.object([
            ("kind", JSONText.string(kind)), ("name", JSONText.quoted(image.name)), ("tag", JSONText.string(image.tag)),
            ("digest", JSONText.string(image.digest)), ("layer", JSONText.string(image.layer)),
        ])
    }
}

extension CVSSScore {
    public var jsonText: String {
        JSONText.object([
            ("vector", JSONText.string(vector?.description)), ("score", JSONText.number(score)), ("source", JSONText.string(source)),
        ])
    }
}

extension Suppression {
    public var jsonText: String {
        JSONText.object([("kind", JSONText.quoted(kind.rawValue)), ("justification", JSONText.string(justification))])
    }
}

extension Diagnostic {
    public var jsonText: String {
        JSONText.object([("level", JSONText.quoted(level.rawValue)), ("message", JSONText.quoted(message)), ("position", JSONText.string(position))])
    }
}
