import RampartCore

/// The stream scope of a Trivy scan, the same from its JSON and from its SARIF: whether it
/// checked configuration, and the image when one was scanned (a filesystem or repository scan
/// targets the component itself).
enum TrivyScope {
    /// The result classes (JSON) and rule tags (SARIF) of Trivy's configuration scanner.
    static let configurationClasses: Set<String> = ["config", "misconfiguration"]

    /// - Parameters:
    ///   - classes: the result classes or rule tags seen in the report.
    ///   - image: the scanned image reference, when the artifact is an image.
    ///   - otherTarget: a non-image target worth keeping apart (a Kubernetes cluster, a remote repository).
    static func scope(classes: some Sequence<String>, image: String?, otherTarget: String? = nil) -> ScanScope {
        // Only a configuration scan is told apart: Trivy's JSON does not record which scanners
        // ran, and a package result is listed whether or not vulnerabilities were looked for,
        // so vulnerability, secret and license scans of one target are one stream (name
        // separate jobs with --stream). Configuration results are listed for every file
        // checked, clean or not.
        let configuration = classes.contains { configurationClasses.contains($0.lowercased()) }
        let target = image.map { ImageLocation(reference: $0).name } ?? otherTarget ?? ""
        return ScanScope(kind: configuration ? "misconfiguration" : "", target: target)
    }
}
