import RampartCore

/// Every importer, in detection order: specific formats before generic ones.
public enum ImporterRegistry {
    public static let all: [any ReportImporter] = [
        SARIFImporter(),
        CycloneDXImporter(),
        TrivyImporter(),
        GrypeImporter(),
        BanditImporter(),
        SemgrepImporter(),
        GitleaksImporter(),
        CheckovImporter(),
        ZAPJSONImporter(),
        ZAPXMLImporter(),
        DependencyCheckJSONImporter(),
        DependencyCheckXMLImporter(),
        CycloneDXXMLImporter(),
        NPMAuditImporter(),
        OSVScannerImporter(),
        PipAuditImporter(),
        NucleiImporter(),
    ]
}
