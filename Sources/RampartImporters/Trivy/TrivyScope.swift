import RampartCore

/// The stream scope of a Trivy scan, the same from its JSON and from its SARIF: which of
/// Trivy's scanners ran, and the image when one was scanned (a filesystem or repository scan
/// targets the component itself).
enum TrivyScope {
    /// Trivy's result classes (JSON) or rule tags (SARIF), by the scanner that reports them.
    static let scannerByClass: [String: String] = [
        "os-pkgs": "vulnerability", "lang-pkgs": "vulnerability", "vulnerability": "vulnerability",
        "config": "misconfiguration", "misconfiguration": "misconfiguration",
        "secret": "secret", "license": "license", "license-file": "license",
    ]

    /// - Parameters:
    ///   - classes: the result classes or rule tags seen in the report.
    ///   - image: the scanned image reference, when the artifact is an image.
    ///   - otherTarget: a non-image target worth keeping apart (a Kubernetes cluster, a remote repository).
    static func scope(classes: some Sequence<String>, image: String?, otherTarget: String? = nil) -> ScanScope {
        var scanners = Set(classes.compactMap { scannerByClass[$0.lowercased()] })
        // Vulnerability and misconfiguration results are listed for every scanned target even
        // when clean; secrets and licenses only when found. They name the scan only when they
        // are all it found, so that a scan that finds a secret one day is still the same scan.
        if !scanners.isDisjoint(with: ["vulnerability", "misconfiguration"]) { scanners.subtract(["secret", "license"]) }
        let target = image.map { ImageLocation(reference: $0).name } ?? otherTarget ?? ""
        return ScanScope(kinds: scanners, target: target)
    }
}
