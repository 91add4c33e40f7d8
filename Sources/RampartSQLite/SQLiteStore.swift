import Foundation
import GRDB
import RampartCore
import RampartStore

/// The embedded default store: one SQLite file in WAL mode, through GRDB.
///
/// Every import is one write transaction: a failure at any point (bad input found late, a
/// constraint, a crash) leaves the database exactly as it was.
public final class SQLiteStore: Store {
    let writer: any DatabaseWriter

    /// Opens (creating and migrating if needed) the database file at `path`.
    public convenience init(path: String) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // Trade nothing on durability: an import that returned is on disk.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        try self.init(writer: DatabasePool(path: path, configuration: configuration))
    }

    /// A private in-memory database, for tests.
    public static func inMemory() throws -> SQLiteStore {
        try SQLiteStore(writer: DatabaseQueue())
    }

    init(writer: any DatabaseWriter) throws {
        self.writer = writer
        try Schema.migrator.migrate(writer)
        try writer.write { db in
            var generator = SystemRandomNumberGenerator()
            let salt = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
            try db.execute(sql: "INSERT OR IGNORE INTO meta (key, value) VALUES ('secret_salt', ?)", arguments: [salt])
        }
    }

    public func secretSalt() async throws -> [UInt8] {
        try await writer.read { db in
            guard let data = try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'secret_salt'") else {
                throw DatabaseError(message: "secret salt missing")
            }
            return [UInt8](data)
        }
    }

    public func record(_ submission: ScanSubmission) async throws -> ImportOutcome {
        try await writer.write { db in try Self.record(submission, in: db) }
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func date(_ text: String) -> Date {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
            ?? Date(timeIntervalSince1970: 0)
    }

    static func streamID(_ key: StreamKey, at now: String, in db: Database) throws -> Int64 {
        try db.execute(
            sql: "INSERT INTO application (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", arguments: [key.application, now])
        let applicationID = try Int64.fetchOne(db, sql: "SELECT id FROM application WHERE name = ?", arguments: [key.application])!
        try db.execute(
            sql: "INSERT INTO component (application_id, name) VALUES (?, ?) ON CONFLICT (application_id, name) DO NOTHING",
            arguments: [applicationID, key.component])
        let componentID = try Int64.fetchOne(
            db, sql: "SELECT id FROM component WHERE application_id = ? AND name = ?", arguments: [applicationID, key.component])!
        try db.execute(
            sql: "INSERT INTO stream (component_id, tool, branch) VALUES (?, ?, ?) ON CONFLICT (component_id, tool, branch) DO NOTHING",
            arguments: [componentID, key.tool, key.branch])
        return try Int64.fetchOne(
            db, sql: "SELECT id FROM stream WHERE component_id = ? AND tool = ? AND branch = ?", arguments: [componentID, key.tool, key.branch])!
    }

    /// Hash of what an update would rewrite: unchanged findings only get their sighting stamped.
    static func contentHash(_ finding: Finding) -> Int64 {
        var hasher = FNV1a64()
        if let raw = finding.raw { raw.bytes.withUnsafeBytes { hasher.combine(buffer: $0) } }
        hasher.combine(finding.title)
        hasher.combine(finding.severity.rawValue)
        hasher.combine(finding.description ?? "")
        hasher.combine(String(finding.occurrences))
        return Int64(bitPattern: hasher.value)
    }

    static func record(_ submission: ScanSubmission, in db: Database) throws -> ImportOutcome {
        let now = timestamp(submission.importedAt)
        let streamID = try streamID(submission.stream, at: now, in: db)
        if let duplicate = try Row.fetchOne(
            db, sql: "SELECT id, finding_count FROM scan WHERE stream_id = ? AND content_sha256 = ?", arguments: [streamID, submission.contentSHA256])
        {
            return ImportOutcome(
                scanID: duplicate["id"], duplicateOfScan: duplicate["id"], findings: duplicate["finding_count"], new: 0, unchanged: 0, reopened: 0,
                fixed: 0, closedMissing: false)
        }

        var existing: [String: StreamReconciliation.Existing] = [:]
        var storedHashes: [Int64: Int64] = [:]
        let cursor = try Row.fetchCursor(
            db, sql: "SELECT id, fingerprint, status, content_hash FROM finding WHERE stream_id = ?", arguments: [streamID])
        while let row = try cursor.next() {
            let id: Int64 = row[0]
            let status = FindingStatus(rawValue: row[2]) ?? .open
            existing[row[1]] = StreamReconciliation.Existing(id: id, status: status)
            storedHashes[id] = row[3]
        }
        let findings = submission.findings
        let closesMissing = submission.closesMissing
        let plan = StreamReconciliation(existing: existing, incoming: findings, closesMissing: closesMissing)

        try db.execute(
            sql: """
                INSERT INTO scan (stream_id, file_name, content_sha256, format, tool_name, tool_version, imported_at, record_count, finding_count,
                    new_count, unchanged_count, reopened_count, fixed_count, closed_missing, tool_reported_error, diagnostics)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                streamID, submission.fileName, submission.contentSHA256, submission.format, submission.tool.name, submission.tool.version, now,
                submission.recordCount, findings.count, plan.newCount, plan.unchangedCount, plan.reopenedCount, plan.fixedCount, closesMissing,
                submission.toolReportedError, "[" + submission.diagnostics.map(\.jsonText).joined(separator: ",") + "]",
            ])
        let scanID = db.lastInsertedRowID

        let insert = try db.makeStatement(
            sql: """
                INSERT INTO finding (stream_id, fingerprint, category, rule_id, title, description, severity, severity_rank, tool_severity, confidence,
                    cwes, vulnerability_ids, location_kind, location, file_path, line, component_name, component_version, purl, url, host,
                    cvss_vector, cvss_score, cvss, secret_hash, secret_preview, suppression, remediation, refs, tags, status, first_seen, last_seen,
                    first_scan_id, last_scan_id, occurrences, content_hash, evidence, evidence_format)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let event = try db.makeStatement(sql: "INSERT INTO finding_event (finding_id, scan_id, kind, at) VALUES (?, ?, ?, ?)")
        for index in plan.inserts {
            let finding = findings[index]
            let columns = DisplayColumns(finding)
            insert.setUncheckedArguments(
                StatementArguments(
                    [
                        streamID, finding.fingerprint, finding.category.rawValue, finding.ruleID, finding.title, finding.description,
                        finding.severity.rawValue,
                        finding.severity.rank, finding.toolSeverity, finding.confidence?.rawValue, JSONText.array(finding.cwes),
                        JSONText.array(finding.vulnerabilityIDs.map(\.value)), finding.location.kind, finding.location.jsonText, columns.filePath,
                        columns.line, columns.componentName, columns.componentVersion, columns.purl, columns.url, columns.host, columns.cvssVector,
                        columns.cvssScore, "[" + finding.cvss.map(\.jsonText).joined(separator: ",") + "]", finding.secret?.saltedHash,
                        finding.secret?.preview, finding.suppression?.jsonText, finding.remediation, JSONText.array(finding.references),
                        JSONText.array(finding.tags), now, now, scanID, scanID, finding.occurrences, contentHash(finding), finding.raw?.bytes,
                        finding.raw?.format,
                    ] as [(any DatabaseValueConvertible)?]))
            try insert.execute()
            event.setUncheckedArguments([db.lastInsertedRowID, scanID, "new", now])
            try event.execute()
        }

        let touch = try db.makeStatement(
            sql: "UPDATE finding SET status = ?, last_seen = ?, last_scan_id = ?, fixed_scan_id = NULL WHERE id = ?")
        let refresh = try db.makeStatement(
            sql: """
                UPDATE finding SET status = ?, last_seen = ?, last_scan_id = ?, fixed_scan_id = NULL, category = ?, rule_id = ?, title = ?,
                    description = ?, severity = ?, severity_rank = ?, tool_severity = ?, confidence = ?, cwes = ?, vulnerability_ids = ?,
                    location_kind = ?, location = ?, file_path = ?, line = ?, component_name = ?, component_version = ?, purl = ?, url = ?, host = ?,
                    cvss_vector = ?, cvss_score = ?, cvss = ?, secret_preview = ?, suppression = ?, remediation = ?, refs = ?, tags = ?,
                    occurrences = ?, content_hash = ?, evidence = ?, evidence_format = ?
                WHERE id = ?
                """)
        for update in plan.updates {
            let finding = findings[update.incomingIndex]
            let hash = contentHash(finding)
            if storedHashes[update.id] == hash {
                touch.setUncheckedArguments([update.status.rawValue, now, scanID, update.id])
                try touch.execute()
            } else {
                let columns = DisplayColumns(finding)
                refresh.setUncheckedArguments(
                    StatementArguments(
                        [
                            update.status.rawValue, now, scanID, finding.category.rawValue, finding.ruleID, finding.title, finding.description,
                            finding.severity.rawValue, finding.severity.rank, finding.toolSeverity, finding.confidence?.rawValue,
                            JSONText.array(finding.cwes), JSONText.array(finding.vulnerabilityIDs.map(\.value)), finding.location.kind,
                            finding.location.jsonText, columns.filePath, columns.line, columns.componentName, columns.componentVersion, columns.purl,
                            columns.url, columns.host, columns.cvssVector, columns.cvssScore,
                            "[" + finding.cvss.map(\.jsonText).joined(separator: ",") + "]",
                            finding.secret?.preview, finding.suppression?.jsonText, finding.remediation, JSONText.array(finding.references),
                            JSONText.array(finding.tags), finding.occurrences, hash, finding.raw?.bytes, finding.raw?.format, update.id,
                        ] as [(any DatabaseValueConvertible)?]))
                try refresh.execute()
            }
            if update.status == .reopened {
                event.setUncheckedArguments([update.id, scanID, "reopened", now])
                try event.execute()
            }
        }

        let close = try db.makeStatement(sql: "UPDATE finding SET status = 'fixed', fixed_scan_id = ? WHERE id = ?")
        for id in plan.fixed {
            close.setUncheckedArguments([scanID, id])
            try close.execute()
            event.setUncheckedArguments([id, scanID, "fixed", now])
            try event.execute()
        }
        return ImportOutcome(
            scanID: scanID, duplicateOfScan: nil, findings: findings.count, new: plan.newCount, unchanged: plan.unchangedCount,
            reopened: plan.reopenedCount, fixed: plan.fixedCount, closedMissing: closesMissing)
    }

    public func findings(_ query: FindingQuery) async throws -> [StoredFinding] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let application = query.application {
            conditions.append("a.name = ?")
            arguments.append(application)
        }
        if let component = query.component {
            conditions.append("c.name = ?")
            arguments.append(component)
        }
        if let tool = query.tool {
            conditions.append("lower(s.tool) = lower(?)")
            arguments.append(tool)
        }
        if let category = query.category {
            conditions.append("f.category = ?")
            arguments.append(category.rawValue)
        }
        if let minimum = query.minimumSeverity {
            conditions.append("f.severity_rank >= ?")
            arguments.append(minimum.rank)
        }
        if !query.statuses.isEmpty {
            conditions.append("f.status IN (" + query.statuses.map { _ in "?" }.joined(separator: ", ") + ")")
            arguments.append(contentsOf: query.statuses.map(\.rawValue))
        }
        let order: String
        switch query.sort {
        case .severity: order = "f.severity_rank DESC, f.cvss_score DESC NULLS LAST, f.id"
        case .firstSeen: order = "f.first_seen DESC, f.id"
        case .lastSeen: order = "f.last_seen DESC, f.id"
        case .title: order = "f.title COLLATE NOCASE, f.id"
        case .tool: order = "s.tool COLLATE NOCASE, f.severity_rank DESC, f.id"
        case .cvss: order = "f.cvss_score DESC NULLS LAST, f.severity_rank DESC, f.id"
        }
        var sql = """
            SELECT f.*, a.name AS application_name, c.name AS component_name_, s.tool AS stream_tool, s.branch AS stream_branch
            FROM finding f JOIN stream s ON s.id = f.stream_id JOIN component c ON c.id = s.component_id JOIN application a ON a.id = c.application_id
            """
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY " + order
        if let limit = query.limit {
            sql += " LIMIT ?"
            arguments.append(limit)
        }
        let finalSQL = sql
        let finalArguments = StatementArguments(arguments)
        return try await writer.read { db in
            try Row.fetchAll(db, sql: finalSQL, arguments: finalArguments).map(Self.storedFinding)
        }
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
        guard let text, let data = text.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }

    static func storedFinding(_ row: Row) -> StoredFinding {
        StoredFinding(
            id: row["id"], application: row["application_name"], component: row["component_name_"], tool: row["stream_tool"],
            branch: row["stream_branch"], category: FindingCategory(rawValue: row["category"]) ?? .sast, ruleID: row["rule_id"],
            title: row["title"], description: row["description"], severity: Severity(rawValue: row["severity"]) ?? .info,
            toolSeverity: row["tool_severity"], confidence: (row["confidence"] as String?).flatMap(Confidence.init(rawValue:)),
            status: FindingStatus(rawValue: row["status"]) ?? .open, cwes: decodeJSON([Int].self, row["cwes"]) ?? [],
            vulnerabilityIDs: decodeJSON([String].self, row["vulnerability_ids"]) ?? [], locationKind: row["location_kind"],
            componentName: row["component_name"], componentVersion: row["component_version"], purl: row["purl"], filePath: row["file_path"],
            line: row["line"], url: row["url"], host: row["host"], cvssVector: row["cvss_vector"], cvssScore: row["cvss_score"],
            secretPreview: row["secret_preview"], suppressed: (row["suppression"] as String?) != nil, fingerprint: row["fingerprint"],
            firstSeen: date(row["first_seen"]), lastSeen: date(row["last_seen"]), occurrences: row["occurrences"])
    }

    public func evidence(findingID: Int64) async throws -> Data? {
        try await writer.read { db in try Data.fetchOne(db, sql: "SELECT evidence FROM finding WHERE id = ?", arguments: [findingID]) }
    }

    static let scanSelection = """
        SELECT sc.*, a.name AS application_name, c.name AS component_name, s.tool AS stream_tool, s.branch AS stream_branch
        FROM scan sc JOIN stream s ON s.id = sc.stream_id JOIN component c ON c.id = s.component_id JOIN application a ON a.id = c.application_id
        """

    public func scanHolding(contentSHA256: String, application: String, component: String, branch: String) async throws -> ScanRecord? {
        let sql = Self.scanSelection + " WHERE sc.content_sha256 = ? AND a.name = ? AND c.name = ? AND s.branch = ? ORDER BY sc.id LIMIT 1"
        return try await writer.read { db in
            try Row.fetchOne(db, sql: sql, arguments: [contentSHA256, application, component, branch]).map(Self.scanRecord)
        }
    }

    public func scans(application: String?, limit: Int?) async throws -> [ScanRecord] {
        var sql = Self.scanSelection
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let application {
            sql += " WHERE a.name = ?"
            arguments.append(application)
        }
        sql += " ORDER BY sc.id DESC"
        if let limit {
            sql += " LIMIT ?"
            arguments.append(limit)
        }
        let finalSQL = sql
        let finalArguments = StatementArguments(arguments)
        return try await writer.read { db in
            try Row.fetchAll(db, sql: finalSQL, arguments: finalArguments).map(Self.scanRecord)
        }
    }

    static func scanRecord(_ row: Row) -> ScanRecord {
        ScanRecord(
            id: row["id"], application: row["application_name"], component: row["component_name"], tool: row["stream_tool"],
            branch: row["stream_branch"], fileName: row["file_name"], format: row["format"], toolVersion: row["tool_version"],
            importedAt: date(row["imported_at"]), findings: row["finding_count"], new: row["new_count"], unchanged: row["unchanged_count"],
            reopened: row["reopened_count"], fixed: row["fixed_count"], closedMissing: row["closed_missing"],
            diagnostics: decodeJSON([Diagnostic].self, row["diagnostics"]) ?? [])
    }

    public func applications() async throws -> [ApplicationSummary] {
        try await writer.read { db in
            let applications = try Row.fetchAll(db, sql: "SELECT id, name FROM application ORDER BY name")
            return try applications.map { application in
                let id: Int64 = application["id"]
                let components = try String.fetchAll(db, sql: "SELECT name FROM component WHERE application_id = ? ORDER BY name", arguments: [id])
                let scanRow = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) AS scans, max(sc.imported_at) AS last FROM scan sc JOIN stream s ON s.id = sc.stream_id
                        JOIN component c ON c.id = s.component_id WHERE c.application_id = ?
                        """, arguments: [id])
                var bySeverity: [Severity: Int] = [:]
                for row in try Row.fetchAll(
                    db,
                    sql: """
                        SELECT f.severity, count(*) AS n FROM finding f JOIN stream s ON s.id = f.stream_id JOIN component c ON c.id = s.component_id
                        WHERE c.application_id = ? AND f.status != 'fixed' GROUP BY f.severity
                        """, arguments: [id])
                {
                    if let severity = Severity(rawValue: row["severity"]) { bySeverity[severity] = row["n"] }
                }
                return ApplicationSummary(
                    name: application["name"], components: components, scans: scanRow?["scans"] ?? 0,
                    activeFindings: bySeverity.values.reduce(0, +), activeBySeverity: bySeverity,
                    lastImport: (scanRow?["last"] as String?).map(Self.date))
            }
        }
    }
}

/// The flat columns that filters and listings use, derived from the location.
struct DisplayColumns {
    var filePath: String?
    var line: Int?
    var componentName: String?
    var componentVersion: String?
    var purl: String?
    var url: String?
    var host: String?
    var cvssVector: String?
    var cvssScore: Double?

    init(_ finding: Finding) {
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
