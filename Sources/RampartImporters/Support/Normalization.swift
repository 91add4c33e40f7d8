import RampartCore

/// What every importer's findings go through after they are read, so that a tool's finding
/// comes out the same whichever of its formats carried it.
enum Normalization {
    static func apply(_ finding: inout Finding) {
        // Most paths are already clean: the location is rewritten only when one is not.
        switch finding.location {
        case .code(var code):
            if needsCleaning(code.file) {
                code.file = sourcePath(code.file)
                finding.location = .code(code)
            }
        case .iac(var iac):
            if needsCleaning(iac.file) {
                iac.file = sourcePath(iac.file)
                finding.location = .iac(iac)
            }
        case .package(var package):
            if let manifest = package.manifestPath, needsCleaning(manifest) {
                package.manifestPath = sourcePath(manifest)
                finding.location = .package(package)
            }
        case .containerImage, .endpoint, .cloud, .host, .design:
            break
        }
        if finding.category == .secrets {
            // A secret is a hard-coded credential (CWE-798) and serious unless its tool says
            // otherwise; secret scanners that write no severity or CWE in one format (Gitleaks'
            // SARIF, Checkov's) get what their other format says. A secret verified live stays critical.
            if finding.cwes.isEmpty { finding.cwes = [798] }
            if finding.toolSeverity == nil && finding.severity < .high { finding.severity = .high }
        }
    }

    static func needsCleaning(_ path: String) -> Bool {
        path.hasPrefix("/") || path.hasPrefix("./") || path.hasPrefix("file:") || path.utf8.contains(0x5C) || path.contains("//")
    }

    /// A scanned file's path relative to the scan root, spelled one way: `/` separators, no
    /// `file://`, `./` or leading `/` (Checkov writes `/infra/main.tf` where its SARIF and
    /// other tools write `infra/main.tf`), no repeated slashes.
    static func sourcePath(_ path: String) -> String {
        var text = FindingIdentity.normalizePath(path)
        while text.hasPrefix("/") { text.removeFirst() }
        while text.hasPrefix("./") { text.removeFirst(2) }
        return text.isEmpty ? path : text
    }
}
