import RampartCore

/// Every importer. Order matters only for listing: detection asks each how sure it is.
package enum ImporterRegistry {
    package static let all: [any ReportImporter] = [
        SARIFImporter(),
        CycloneDXImporter(),
        TrivyImporter(),
        GrypeImporter(),
        BanditImporter(),
        SemgrepImporter(),
        GitleaksImporter(),
        GitLabSecurityReportImporter(),
        CheckovImporter(),
        ZAPJSONImporter(),
        ZAPXMLImporter(),
        DependencyCheckJSONImporter(),
        DependencyCheckXMLImporter(),
        CycloneDXXMLImporter(),
        NPMAuditImporter(),
        OSVScannerImporter(),
        PipAuditImporter(),
        YarnAuditImporter(),
        NucleiImporter(),
    ]
}
