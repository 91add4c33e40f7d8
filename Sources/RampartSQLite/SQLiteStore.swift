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
    /// How long a write waits for another process's write transaction to end.
    let lockTimeout: Double
    /// The key that hashes reported secrets, kept outside the database.
    let key: [UInt8]

    /// Opens (creating and migrating if needed) the database file at `path`.
    ///
    /// - Parameter lockTimeout: seconds a write (and the first migration) waits while another
    ///   process writes, before failing with `DatabaseBusy`. Writers take turns; readers never wait.
    ///   - secretKey: where the key that hashes secrets comes from; by default the file
    ///     `PATH.key` beside the database, created with owner-only permissions.
    public convenience init(path: String, lockTimeout: Double = 60, secretKey: SecretKeySource? = nil) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(lockTimeout)
        configuration.prepareDatabase { db in
            // Trade nothing on durability: an import that returned is on disk.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // A large import touches hundreds of MB; the default 2 MB cache spills pages mid-transaction.
            try db.execute(sql: "PRAGMA cache_size = -8192")
            // Finding details with their evidence run to a few KB: 16 KB pages keep them in the
            // B-tree leaves instead of half-empty overflow pages (taking effect when the file is created).
            try db.execute(sql: "PRAGMA page_size = 16384")
        }
        do {
            try self.init(
                writer: Self.openPool(path: path, configuration: configuration, lockTimeout: lockTimeout), lockTimeout: lockTimeout,
                secretKey: secretKey ?? .file(path: path + ".key"))
        } catch let error as DatabaseError where Self.isBusy(error) {
            throw DatabaseBusy(seconds: lockTimeout)
        }
    }

    /// Opens the pool. Switching a new file to WAL takes a lock that SQLite does not wait for:
    /// a process opening the database while another creates it gets SQLITE_BUSY at once. It
    /// tries again until the lock timeout has passed, as the migration does.
    static func openPool(path: String, configuration: Configuration, lockTimeout: Double) throws -> DatabasePool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(lockTimeout * 1000))
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where isBusy(error) && ContinuousClock.now < deadline {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    /// Migrates the schema. Each migration is one transaction, but the migrator decides which
    /// migrations to run before it takes the write lock: two processes opening a new database
    /// at once may both try the same migration. The loser's transaction rolls back, and it
    /// tries again until the schema is complete or the lock timeout has passed.
    static func migrate(_ writer: any DatabaseWriter, lockTimeout: Double) throws {
        let migrator = Schema.migrator
        // Migrating takes the write lock and syncs the log even when there is nothing to do.
        if try writer.read({ db in try migrator.hasCompletedMigrations(db) }) { return }
        let deadline = ContinuousClock.now + .milliseconds(Int64(lockTimeout * 1000))
        while true {
            do {
                try migrator.migrate(writer)
                return
            } catch {
                if try writer.read({ db in try migrator.hasCompletedMigrations(db) }) { return }
                guard ContinuousClock.now < deadline else {
                    if let error = error as? DatabaseError, isBusy(error) { throw DatabaseBusy(seconds: lockTimeout) }
                    throw error
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    static func isBusy(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
    }

    /// A private in-memory database, for tests.
    public static func inMemory() throws -> SQLiteStore {
        var generator = SystemRandomNumberGenerator()
        return try SQLiteStore(writer: DatabaseQueue(), secretKey: .value((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }

    init(writer: any DatabaseWriter, lockTimeout: Double = 60, secretKey: SecretKeySource) throws {
        self.writer = writer
        self.lockTimeout = lockTimeout
        try Self.migrate(writer, lockTimeout: lockTimeout)
        // Databases made before keys moved out kept the key in `meta`: it moves to the key file
        // (so existing secret findings keep their identity) and is wiped from the database.
        let legacy = try writer.read { db in
            try Data.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'secret_salt'").map { [UInt8]($0) }
        }
        switch secretKey {
        case .value(let value):
            guard value.count >= 16 else { throw SecretKeyError(description: "the secret key must be at least 16 bytes") }
            key = value
        case .file(let path):
            // A full scan of the findings, so only when the key file is missing.
            key = try SecretKeyFile.load(path: path, adopt: legacy) {
                try !writer.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM finding WHERE secret_hash IS NOT NULL)") ?? false }
            }
        }
        if legacy != nil {
            try writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA secure_delete = ON")
                try db.execute(sql: "DELETE FROM meta WHERE key = 'secret_salt'")
                try db.execute(sql: "PRAGMA secure_delete = OFF")
            }
        }
    }

    public func secretKey() async throws -> [UInt8] { key }

    public func record(_ submission: ScanSubmission) async throws -> ImportOutcome {
        // Plan the import from a snapshot of the stream read outside the write transaction, then
        // write while another core builds the rows the plan needs. The transaction reuses the
        // snapshot only if the stream's revision is unchanged; otherwise it reads the stream
        // again and builds any row the prediction missed itself.
        let findings = submission.findings
        // Secrets are hidden by the import pipeline; a finding that skipped it is refused, not stored.
        guard !findings.contains(where: { !$0.revealedSecrets.isEmpty }) else {
            throw SecretKeyError(description: "a finding still carries revealed secret values; nothing was recorded")
        }
        async let keying = Concurrently.map(count: findings.count) { StreamReconciliation.IncomingIdentity(findings[$0]) }
        let snapshot = try await writer.read { db in try Self.snapshot(of: submission.stream, format: submission.format, in: db) }
        let keys = await keying
        var predicted = StreamReconciliation(existing: snapshot?.existing ?? [], incoming: keys, closesMissing: submission.closesMissing)
        if Self.mayPairAliases(predicted, keys: keys) {
            let unreported = Array(predicted.unreported.keys)
            let candidates = try await writer.read { db in try Self.aliasCandidates(unreported, in: db) }
            predicted.pairAliases(incoming: findings, unreported: candidates)
        }
        let stream = submission.stream
        let cves = Set(predicted.inserts.flatMap { findings[$0].vulnerabilityIDs.map(\.value).filter { $0.hasPrefix("CVE-") } })
        let insertCount = predicted.inserts.count
        let (routes, scoring, stamp, storedKeys) = try await writer.read { db in
            let componentID = try Self.componentID(application: stream.application, component: stream.component, in: db)
            return (
                try componentID.map { try Self.routes(componentID: $0, in: db) } ?? [],
                try PreparedScoring(application: stream.application, component: stream.component, cves: cves, in: db),
                try Self.scoringFactsStamp(in: db),
                // A large report into a component that has findings (a second tool's scan of it)
                // mostly joins issues: no score is made beside the write for a finding that will.
                insertCount >= Self.storedKeysThreshold ? try componentID.map { try Self.correlationKeyHashes(componentID: $0, in: db) } ?? [] : []
            )
        }
        let importedAt = submission.importedAt
        // Every finding gets its row, in the order the writer takes them; the row's hashes tell the
        // writer which of a seen-again finding's rows changed. Each new finding also gets its
        // correlation keys and the score of the issue it would open, made with its row on the
        // other cores while the writer works.
        let feed = ImportFeed(
            findings: findings, order: predicted.inserts + predicted.updates.map(\.incomingIndex), report: submission.archivedReport,
            textSlots: predicted.inserts.count
        ) { finding in
            let keys = Correlation.keys(for: finding, application: stream.application, component: stream.component, routes: routes)
            let joins = !storedKeys.isEmpty && keys.contains { storedKeys.contains($0.hash) }
            return PredictedIssue(
                keys: keys, score: joins ? nil : scoring.score(finding, application: stream.application, component: stream.component, at: importedAt))
        }
        let prediction = Prediction(snapshot: snapshot, plan: predicted, correlation: PredictedKeys(routes: routes, stamp: stamp))
        async let making: Void = feed.make()
        do {
            let outcome = try await writer.write { db in try Self.record(submission, keys: keys, feed: feed, prediction: prediction, in: db) }
            await making
            return outcome
        } catch let error as DatabaseError where Self.isBusy(error) {
            await making
            throw DatabaseBusy(seconds: lockTimeout)
        }
    }

    /// Pairs a submission's findings with the stream's: by identity, then, for new package
    /// findings, by alias with the stream's unreported findings of the same package.
    static func plan(
        _ findings: [Finding], keys: [StreamReconciliation.IncomingIdentity], snapshot: StreamSnapshot?, closesMissing: Bool, in db: Database
    ) throws -> StreamReconciliation {
        var plan = StreamReconciliation(existing: snapshot?.existing ?? [], incoming: keys, closesMissing: closesMissing)
        if mayPairAliases(plan, keys: keys) {
            plan.pairAliases(incoming: findings, unreported: try aliasCandidates(Array(plan.unreported.keys), in: db))
        }
        return plan
    }

    /// Whether the plan has new package findings and unreported ones an alias could pair.
    static func mayPairAliases(_ plan: StreamReconciliation, keys: [StreamReconciliation.IncomingIdentity]) -> Bool {
        !plan.unreported.isEmpty && plan.inserts.contains { keys[$0].isPackage }
    }

    /// The package findings among `ids`, with what an alias match reads.
    static func aliasCandidates(_ ids: [Int64], in db: Database) throws -> [StreamReconciliation.UnreportedPackage] {
        var candidates: [StreamReconciliation.UnreportedPackage] = []
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = ids[start..<min(start + 500, ids.count)]
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT id, anchor, vulnerability_ids FROM finding WHERE location_kind = 'package' AND anchor IS NOT NULL AND id IN ("
                    + chunk.map { _ in "?" }.joined(separator: ",") + ")", arguments: StatementArguments(Array(chunk)))
            for row in rows {
                let vulnerabilityIDs = try decodeJSON([String].self, row["vulnerability_ids"], column: "vulnerability_ids")
                candidates.append(.init(id: row["id"], anchor: row["anchor"], vulnerabilityIDs: Set(vulnerabilityIDs)))
            }
        }
        return candidates
    }

    /// The plan made before the write transaction, from the stream as it was then.
    struct Prediction: Sendable {
        /// Nil when the stream did not exist yet.
        var snapshot: StreamSnapshot?
        var plan: StreamReconciliation
        /// The predicted new findings' correlation keys, and the routes they were made with.
        var correlation: PredictedKeys

        /// Whether the stream is still as predicted: same revision, or still without findings
        /// (a stream's revision is 0 until its first import).
        func holds(streamID: Int64, revision: Int64) -> Bool {
            guard let snapshot else { return revision == 0 }
            return snapshot.streamID == streamID && snapshot.revision == revision
        }
    }

    /// Correlation keys made before the write, by finding index.
    struct PredictedKeys: Sendable {
        var routes: [Correlation.Route]
        /// `scoringFactsStamp` when the scores were made.
        var stamp: String = ""
    }

    /// A stream's findings as the lifecycle needs them, at one revision.
    struct StreamSnapshot: Sendable {
        var streamID: Int64
        var revision: Int64
        var existing: [StreamReconciliation.StoredIdentity]
        var hashes: [Int64: StoredHashes]
    }

    /// The change hashes of a stored finding's rows (see `StorageRow`).
    struct StoredHashes: Sendable {
        var location: Int64
        var listing: Int64
        var detail: Int64
    }

    static func snapshot(of key: StreamKey, format: String, in db: Database) throws -> StreamSnapshot? {
        guard let stream = try existingStream(key, format: format, in: db) else { return nil }
        return try snapshot(streamID: stream.id, revision: stream.revision, in: db)
    }

    /// The columns that hold a stream's scope: (scan_kind, scan_target, name).
    static func scopeColumns(_ scope: StreamScope) -> (kind: String, target: String, name: String) {
        switch scope {
        case .scan(let scan): (scan.kind, scan.target, "")
        case .named(let name): ("", "", name)
        }
    }

    static func scope(kind: String?, target: String, name: String) -> StreamScope {
        name.isEmpty ? .scan(ScanScope(kind: kind ?? "", target: target)) : .named(name)
    }

    /// The stream `key` names, if it exists; else a stream of the same tool and branch made
    /// before streams had scopes, which this import will claim: the one whose latest scan had
    /// the same format, else the one imported into last.
    static func existingStream(_ key: StreamKey, format: String, in db: Database) throws -> (id: Int64, revision: Int64, legacy: Bool)? {
        let scope = scopeColumns(key.scope)
        if let row = try Row.fetchOne(
            db,
            sql: """
                SELECT s.id, s.revision FROM stream s JOIN component c ON c.id = s.component_id JOIN application a ON a.id = c.application_id
                WHERE a.name = ? AND c.name = ? AND s.tool = ? AND s.branch = ? AND s.scan_kind = ? AND s.scan_target = ? AND s.name = ?
                """, arguments: [key.application, key.component, key.tool, key.branch, scope.kind, scope.target, scope.name])
        {
            return (row[0], row[1], false)
        }
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT s.id, s.revision FROM stream s JOIN component c ON c.id = s.component_id JOIN application a ON a.id = c.application_id
                    WHERE a.name = ? AND c.name = ? AND s.tool = ? AND s.branch = ? AND s.scan_kind IS NULL
                    ORDER BY coalesce((SELECT sc.format = ? FROM scan sc WHERE sc.stream_id = s.id ORDER BY sc.id DESC LIMIT 1), 0) DESC,
                        (SELECT max(sc.id) FROM scan sc WHERE sc.stream_id = s.id) DESC
                    LIMIT 1
                    """, arguments: [key.application, key.component, key.tool, key.branch, format])
        else { return nil }
        return (row[0], row[1], true)
    }

    static func snapshot(streamID: Int64, revision: Int64, in db: Database) throws -> StreamSnapshot {
        // Read through SQLite's C API: for 100k findings, building 100k fingerprint Strings cost
        // more than the query itself.
        var existing: [StreamReconciliation.StoredIdentity] = []
        var hashes: [Int64: StoredHashes] = [:]
        // Package findings pair by fingerprint: their anchors are read only for an alias match.
        let query = try BulkStatement(
            db,
            sql: """
                SELECT f.id, f.fingerprint, g.status, g.listing_hash, CASE WHEN f.location_kind = 'package' THEN NULL ELSE f.anchor END,
                    g.line, f.location_kind = 'package', g.detail_hash, g.location_hash
                FROM finding f INDEXED BY finding_by_stream JOIN finding_sighting g ON g.finding_id = f.id WHERE f.stream_id = ?
                """)
        query.bind(1, streamID)
        while try query.nextRow() {
            let id = query.int64(0)
            let fingerprint = query.textBytes(1)
            let key = FingerprintKey(hexBytes: fingerprint) ?? FingerprintKey(fingerprint: String(decoding: fingerprint, as: UTF8.self))
            let status = try stored(FindingStatus.self, String(decoding: query.textBytes(2), as: UTF8.self), column: "status")
            let anchor = query.isNull(4) ? nil : FingerprintKey(hexBytes: query.textBytes(4))
            let line = query.isNull(5) ? nil : Int(query.int64(5))
            existing.append(.init(id: id, status: status, fingerprint: key, anchor: anchor, line: line, isPackage: query.int64(6) != 0))
            hashes[id] = StoredHashes(location: query.int64(8), listing: query.int64(3), detail: query.int64(7))
        }
        return StreamSnapshot(streamID: streamID, revision: revision, existing: existing, hashes: hashes)
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func date(_ text: String) throws -> Date {
        guard
            let date = (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
                ?? (try? Date.ISO8601FormatStyle().parse(text))
        else { throw StoredValueError(column: "timestamp", value: text) }
        return date
    }

    static func streamID(_ key: StreamKey, format: String, at now: String, in db: Database) throws -> Int64 {
        try db.execute(
            sql: "INSERT INTO application (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", arguments: [key.application, now])
        try db.execute(
            sql: """
                INSERT INTO component (application_id, name) SELECT id, ? FROM application WHERE name = ?
                ON CONFLICT (application_id, name) DO NOTHING
                """,
            arguments: [key.component, key.application])
        let scope = scopeColumns(key.scope)
        if let existing = try existingStream(key, format: format, in: db) {
            if existing.legacy {
                try db.execute(
                    sql: "UPDATE stream SET scan_kind = ?, scan_target = ?, name = ? WHERE id = ?",
                    arguments: [scope.kind, scope.target, scope.name, existing.id])
            }
            return existing.id
        }
        try db.execute(
            sql: """
                INSERT INTO stream (component_id, tool, branch, scan_kind, scan_target, name)
                SELECT c.id, ?, ?, ?, ?, ? FROM component c JOIN application a ON a.id = c.application_id WHERE a.name = ? AND c.name = ?
                """,
            arguments: [key.tool, key.branch, scope.kind, scope.target, scope.name, key.application, key.component])
        return db.lastInsertedRowID
    }

    static func record(
        _ submission: ScanSubmission, keys: [StreamReconciliation.IncomingIdentity], feed: ImportFeed, prediction: Prediction?, in db: Database
    ) throws -> ImportOutcome {
        let now = timestamp(submission.importedAt)
        let streamID = try streamID(submission.stream, format: submission.format, at: now, in: db)
        // Only a repeat of the stream's latest scan is a no-op: a report identical to an older
        // scan (a revert) is a rescan, and reopens what the scans between fixed.
        if let duplicate = try Row.fetchOne(
            db, sql: "SELECT id, finding_count, content_sha256 FROM scan WHERE stream_id = ? ORDER BY id DESC LIMIT 1", arguments: [streamID]),
            duplicate["content_sha256"] == submission.contentSHA256
        {
            return ImportOutcome(
                scanID: duplicate["id"], duplicateOfScan: duplicate["id"], findings: duplicate["finding_count"], new: 0, unchanged: 0, reopened: 0,
                fixed: 0, closedMissing: false)
        }

        let revision = try Int64.fetchOne(db, sql: "SELECT revision FROM stream WHERE id = ?", arguments: [streamID]) ?? 0
        let storedHashes: [Int64: StoredHashes]
        let plan: StreamReconciliation
        let closesMissing = submission.closesMissing
        if let prediction, prediction.holds(streamID: streamID, revision: revision) {
            storedHashes = prediction.snapshot?.hashes ?? [:]
            plan = prediction.plan
        } else {
            let snapshot = try Self.snapshot(streamID: streamID, revision: revision, in: db)
            storedHashes = snapshot.hashes
            plan = try Self.plan(submission.findings, keys: keys, snapshot: snapshot, closesMissing: closesMissing, in: db)
        }
        try db.execute(sql: "UPDATE stream SET revision = revision + 1 WHERE id = ?", arguments: [streamID])
        let findings = submission.findings

        try db.execute(
            sql: """
                INSERT INTO scan (stream_id, file_name, content_sha256, byte_count, format, tool_name, tool_version, imported_at, record_count,
                    finding_count, new_count, unchanged_count, reopened_count, fixed_count, closed_missing, tool_reported_error, diagnostics,
                    report_chunk_size, categories)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                streamID, submission.fileName, submission.contentSHA256, submission.byteCount, submission.format, submission.tool.name,
                submission.tool.version, now,
                submission.recordCount, findings.count, plan.newCount, plan.unchangedCount, plan.reopenedCount, plan.fixedCount, closesMissing,
                submission.toolReportedError, "[" + submission.diagnostics.map(\.jsonText).joined(separator: ",") + "]",
                feed.report == nil ? nil : ReportArchive.chunkSize,
                Self.categoriesJSON(submission.coveredCategories.isEmpty ? Set(findings.map(\.category)) : submission.coveredCategories),
            ])
        let scanID = db.lastInsertedRowID

        let insert = try BulkStatement(
            db,
            sql: """
                INSERT INTO finding (stream_id, fingerprint, category, rule_id, title, severity, severity_rank, tool_severity, confidence,
                    cwes, vulnerability_ids, location_kind, file_path, component_name, url, host,
                    cvss_vector, cvss_score, secret_hash, secret_preview, suppressed, occurrences, location, exploit_maturity, first_seen,
                    first_scan_id, anchor)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let insertDetail = try BulkStatement(
            db,
            sql: """
                INSERT INTO finding_detail (finding_id, description, cvss, suppression, remediation, refs, tags, evidence, evidence_format)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        // The sighting: status, hashes, evidence span and position, as the insert and the touch
        // of a finding seen again both write them. The span lies in this scan's report, which
        // last_scan_id names: evidence_scan_id stays NULL.
        let insertSighting = try BulkStatement(
            db,
            sql: """
                INSERT INTO finding_sighting (status, last_seen, last_scan_id, location_hash, listing_hash, detail_hash, evidence_offset,
                    evidence_length, line, component_version, purl, position, finding_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let event = try BulkStatement(db, sql: "INSERT INTO finding_event (finding_id, scan_id, kind, at) VALUES (?, ?, ?, ?)")
        func recordEvent(_ findingID: Int64, _ kind: String) throws {
            event.bind(1, findingID)
            event.bind(2, scanID)
            event.bind(3, kind)
            event.bind(4, now)
            try event.step()
        }
        /// Binds the listing columns, from `first` on, in the order the insert and the refresh list them.
        func bindSummary(
            _ statement: BulkStatement, from first: Int32, _ row: borrowing StorageRow, _ text: borrowing StorageRow.Text,
            _ finding: borrowing Finding
        ) -> Int32 {
            var index = first
            func next() -> Int32 {
                defer { index += 1 }
                return index
            }
            statement.bind(next(), finding.category.rawValue)
            statement.bind(next(), finding.ruleID)
            statement.bind(next(), finding.title)
            statement.bind(next(), finding.severity.rawValue)
            statement.bind(next(), finding.severity.rank)
            statement.bind(next(), finding.toolSeverity)
            statement.bind(next(), finding.confidence?.rawValue)
            statement.bind(next(), text.cwes)
            statement.bind(next(), text.vulnerabilityIDs)
            statement.bind(next(), finding.location.kind)
            statement.bind(next(), row.columns.filePath)
            statement.bind(next(), row.columns.componentName)
            statement.bind(next(), row.columns.url)
            statement.bind(next(), row.columns.host)
            statement.bind(next(), row.columns.cvssVector)
            statement.bind(next(), row.columns.cvssScore)
            statement.bind(next(), finding.secret?.saltedHash)
            statement.bind(next(), finding.secret?.preview)
            statement.bind(next(), finding.suppression == nil ? 0 : 1)
            statement.bind(next(), finding.occurrences)
            statement.bind(next(), row.place)
            statement.bind(next(), finding.exploitMaturity?.rawValue)
            return index
        }
        func bindDetail(
            _ statement: BulkStatement, _ id: Int64, _ row: borrowing StorageRow, _ text: borrowing StorageRow.Text, _ finding: borrowing Finding
        ) {
            statement.bind(1, id)
            statement.bind(2, finding.description)
            statement.bind(3, text.cvss)
            statement.bind(4, text.suppression)
            statement.bind(5, finding.remediation)
            statement.bind(6, text.references)
            statement.bind(7, text.tags)
            // Evidence that is a span of the archived report lives in the sighting.
            statement.bindUncopied(8, row.evidenceSpan == nil ? finding.raw?.bytes : nil)
            statement.bind(9, finding.raw?.format)
        }
        func bindSighting(_ statement: BulkStatement, _ id: Int64, status: FindingStatus, _ row: borrowing StorageRow) {
            statement.bind(1, status.rawValue)
            statement.bind(2, now)
            statement.bind(3, scanID)
            statement.bind(4, row.locationHash)
            statement.bind(5, row.listingHash)
            statement.bind(6, row.detailHash)
            statement.bind(7, row.evidenceSpan?.lowerBound)
            statement.bind(8, row.evidenceSpan?.count)
            statement.bind(9, row.columns.line)
            statement.bind(10, row.columns.componentVersion)
            statement.bind(11, row.columns.purl)
            statement.bind(12, row.position)
            statement.bind(13, id)
        }

        var inserted: [(id: Int64, index: Int)] = []
        inserted.reserveCapacity(plan.inserts.count)
        // Findings seen again whose listing changed: their correlation keys may have too.
        var relinks: [(id: Int64, index: Int)] = []
        try findings.withUnsafeBufferPointer { findings in
            for index in plan.inserts {
                let row = feed.row(index)
                // Made with the row, unless the stream changed since the prediction.
                let text = row.text ?? StorageRow.Text(findings[index])
                insert.bind(1, streamID)
                let fingerprint = plan.renamed[index] ?? findings[index].fingerprint
                insert.bind(2, fingerprint)
                let next = bindSummary(insert, from: 3, row, text, findings[index])
                insert.bind(next, now)
                insert.bind(next + 1, scanID)
                // The anchor is kept only where it says more than the fingerprint.
                let anchor = findings[index].identityAnchor
                insert.bind(next + 2, anchor == fingerprint ? nil : anchor)
                try insert.step()
                let id = insert.lastInsertedRowID
                inserted.append((id, index))
                bindDetail(insertDetail, id, row, text, findings[index])
                try insertDetail.step()
                bindSighting(insertSighting, id, status: .new, row)
                try insertSighting.step()
            }

            let touch = try BulkStatement(
                db,
                sql: """
                    UPDATE finding_sighting SET status = ?1, last_seen = ?2, last_scan_id = ?3, fixed_scan_id = NULL, location_hash = ?4,
                        listing_hash = ?5, detail_hash = ?6, evidence_scan_id = NULL, evidence_offset = ?7, evidence_length = ?8, line = ?9,
                        component_version = ?10, purl = ?11, position = ?12
                    WHERE finding_id = ?13
                    """)
            let refresh = try BulkStatement(
                db,
                sql: """
                    UPDATE finding SET category = ?, rule_id = ?, title = ?, severity = ?, severity_rank = ?, tool_severity = ?, confidence = ?,
                        cwes = ?, vulnerability_ids = ?, location_kind = ?, file_path = ?, component_name = ?, url = ?, host = ?, cvss_vector = ?,
                        cvss_score = ?, secret_hash = ?, secret_preview = ?, suppressed = ?, occurrences = ?, location = ?, exploit_maturity = ?
                    WHERE id = ?
                    """)
            // Only the place's columns: no JSON check, no index to update.
            let relocate = try BulkStatement(
                db, sql: "UPDATE finding SET file_path = ?, component_name = ?, url = ?, host = ?, location = ? WHERE id = ?")
            // Rewritten in place (a REPLACE deletes and inserts), with the insert's parameter numbers.
            let refreshDetail = try BulkStatement(
                db,
                sql: """
                    UPDATE finding_detail SET description = ?2, cvss = ?3, suppression = ?4, remediation = ?5, refs = ?6, tags = ?7, evidence = ?8,
                        evidence_format = ?9
                    WHERE finding_id = ?1
                    """)
            let rename = try BulkStatement(db, sql: "UPDATE finding SET fingerprint = ?, anchor = ? WHERE id = ?")
            for update in plan.updates {
                if let fingerprint = update.newFingerprint {
                    rename.bind(1, fingerprint)
                    rename.bind(2, findings[update.incomingIndex].identityAnchor)
                    rename.bind(3, update.id)
                    try rename.step()
                }
                let row = feed.row(update.incomingIndex)
                let stored = storedHashes[update.id]
                // A finding seen again gets its texts made only if a row that holds them changed.
                var text: StorageRow.Text?
                func texts() -> StorageRow.Text {
                    if let made = text ?? row.text { return made }
                    let made = StorageRow.Text(findings[update.incomingIndex])
                    text = made
                    return made
                }
                if stored?.listing != row.listingHash {
                    relinks.append((update.id, update.incomingIndex))
                    let next = bindSummary(refresh, from: 1, row, texts(), findings[update.incomingIndex])
                    refresh.bind(next, update.id)
                    try refresh.step()
                } else if stored?.location != row.locationHash {
                    relocate.bind(1, row.columns.filePath)
                    relocate.bind(2, row.columns.componentName)
                    relocate.bind(3, row.columns.url)
                    relocate.bind(4, row.columns.host)
                    relocate.bind(5, row.place)
                    relocate.bind(6, update.id)
                    try relocate.step()
                }
                if stored?.detail != row.detailHash {
                    bindDetail(refreshDetail, update.id, row, texts(), findings[update.incomingIndex])
                    try refreshDetail.step()
                    if refreshDetail.changes == 0 {
                        bindDetail(insertDetail, update.id, row, texts(), findings[update.incomingIndex])
                        try insertDetail.step()
                    }
                }
                bindSighting(touch, update.id, status: update.status, row)
                try touch.step()
                if update.status == .reopened { try recordEvent(update.id, "reopened") }
            }
        }

        let archive = try BulkStatement(db, sql: "INSERT INTO report_chunk (scan_id, number, data) VALUES (?, ?, ?)")
        for number in 0..<feed.chunkCount {
            archive.bind(1, scanID)
            archive.bind(2, number)
            let chunk = feed.chunk(number)
            try withExtendedLifetime(chunk) {
                archive.bindUncopied(3, chunk)
                try archive.step()
            }
        }

        let close = try BulkStatement(db, sql: "UPDATE finding_sighting SET status = 'fixed', fixed_scan_id = ? WHERE finding_id = ?")
        for id in plan.fixed {
            close.bind(1, scanID)
            close.bind(2, id)
            try close.step()
            try recordEvent(id, "fixed")
        }
        if let packages = submission.packages { try replacePackages(with: packages, streamID: streamID, scanID: scanID, in: db) }
        if let statements = submission.vexStatements {
            try db.execute(sql: "DELETE FROM vex_statement WHERE stream_id = ?", arguments: [streamID])
            let insert = try BulkStatement(
                db,
                sql: """
                    INSERT INTO vex_statement (stream_id, scan_id, vulnerabilities, products, product_names, status, justification, detail)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            for statement in statements where !statement.vulnerabilities.isEmpty {
                insert.bind(1, streamID)
                insert.bind(2, scanID)
                insert.bind(3, JSONText.array(statement.vulnerabilities.map(\.value)))
                insert.bind(4, JSONText.array(statement.products.map(\.description)))
                insert.bind(5, JSONText.array(statement.productNames))
                insert.bind(6, statement.status.rawValue)
                insert.bind(7, statement.justification)
                insert.bind(8, statement.detail)
                try insert.step()
            }
        }
        var touched: Set<Int64> = []
        var opened: [Int64] = []
        var scoring: ScoringContext?
        // Each new finding joins the issue its keys meet, or opens one (docs/correlation.md).
        // A finding seen again is linked again only if its keys changed, and never away from
        // where a person put it.
        if !inserted.isEmpty || !relinks.isEmpty {
            guard let componentID = try Int64.fetchOne(db, sql: "SELECT component_id FROM stream WHERE id = ?", arguments: [streamID]) else {
                throw StoredValueError(column: "stream.component_id", value: String(streamID))
            }
            let routes = try Self.routes(componentID: componentID, in: db)
            let correlator = try Correlator(db, scoring: true)
            let application = submission.stream.application
            let component = submission.stream.component
            for (id, index) in relinks {
                let keys = Correlation.keys(for: findings[index], application: application, component: component, routes: routes)
                touched.formUnion(try correlator.relink(findingID: id, keys: keys, componentID: componentID, createdAt: now, in: db))
            }
            // What was made beside the write holds if the facts it read are unchanged.
            let keysHold = prediction?.correlation.routes == routes
            let scoresHold = prediction?.correlation.stamp == (try Self.scoringFactsStamp(in: db))
            for (id, index) in inserted {
                let made = feed.predictedIssue(index)
                let keys: [CorrelationKey]
                if keysHold, let made {
                    keys = made.keys
                } else {
                    keys = Correlation.keys(for: findings[index], application: application, component: component, routes: routes)
                }
                // An issue the finding opens is scored from the finding itself; one it joins, from all its members below.
                let result = try correlator.correlate(findingID: id, keys: keys, componentID: componentID, createdAt: now) {
                    if scoresHold, let score = made?.score { return score }
                    // The facts are read here only when a score made beside the write does not hold.
                    let context = try scoring ?? ScoringContext(db)
                    scoring = context
                    let input = context.input(for: [
                        ScoringMember(
                            opening: findings[index], componentID: componentID, application: application, component: component,
                            at: submission.importedAt)
                    ])
                    return ScoredIssue(assessing: input, at: submission.importedAt)
                }
                if result.opened { opened.append(result.issue) } else { touched.insert(result.issue) }
            }
        }
        // The issues whose findings came, went or came back are scored again.
        let moved = plan.fixed + plan.updates.filter { $0.status == .reopened }.map(\.id)
        for start in stride(from: 0, to: moved.count, by: 500) {
            let chunk = Array(moved[start..<min(start + 500, moved.count)])
            touched.formUnion(
                try Int64.fetchAll(
                    db, sql: "SELECT DISTINCT issue_id FROM issue_member WHERE finding_id IN (SELECT value FROM json_each(?))",
                    arguments: ["[" + chunk.map(String.init).joined(separator: ",") + "]"]))
        }
        try Self.rescore(issues: Array(touched).sorted(), at: submission.importedAt, in: db, context: scoring)
        // Triage moves with time and with presence: accepted risks past their date expire, and
        // dismissed issues whose findings came back are flagged for review (docs/triage.md).
        try Self.expireTriage(at: submission.importedAt, in: db)
        // Rules carry decisions forward to the issues this import opened or changed; VEX
        // statements set the triage of the issues they speak of (all of the application's when a
        // VEX document arrives, the import's own otherwise).
        let changedIssues = opened + touched.sorted()
        try Self.applyRules(
            issues: changedIssues, of: (submission.stream.application, submission.stream.component), actor: submission.actor,
            at: submission.importedAt, in: db)
        try Self.applyVEXTriage(
            application: submission.stream.application, issues: submission.vexStatements == nil ? changedIssues : nil, actor: submission.actor,
            at: submission.importedAt, in: db)
        try Self.flagRegressions(
            reopened: plan.updates.filter { $0.status == .reopened }.map(\.id), actor: submission.actor, at: submission.importedAt, in: db)
        var audit = JSONObjectBuilder()
        audit.add("application", submission.stream.application)
        audit.add("component", submission.stream.component)
        audit.add("tool", submission.stream.tool)
        audit.add("branch", submission.stream.branch)
        audit.add("file", submission.fileName)
        audit.add("sha256", submission.contentSHA256)
        audit.add("findings", findings.count)
        audit.add("new", plan.newCount)
        audit.add("reopened", plan.reopenedCount)
        audit.add("fixed", plan.fixedCount)
        try Self.appendAudit(.import, subject: "scan \(scanID)", after: audit.result, actor: submission.actor, at: submission.importedAt, in: db)
        return ImportOutcome(
            scanID: scanID, duplicateOfScan: nil, findings: findings.count, new: plan.newCount, unchanged: plan.unchangedCount,
            reopened: plan.reopenedCount, fixed: plan.fixedCount, closedMissing: closesMissing, packages: submission.packages?.count)
    }

    /// Replaces the known packages of the stream's component and branch by an SBOM's.
    static func replacePackages(with packages: [SBOMPackage], streamID: Int64, scanID: Int64, in db: Database) throws {
        guard let stream = try Row.fetchOne(db, sql: "SELECT component_id, branch FROM stream WHERE id = ?", arguments: [streamID]) else { return }
        let componentID: Int64 = stream["component_id"]
        let branch: String = stream["branch"]
        try db.execute(sql: "DELETE FROM known_package WHERE component_id = ? AND branch = ?", arguments: [componentID, branch])
        let insert = try BulkStatement(
            db,
            sql: "INSERT INTO known_package (component_id, branch, scan_id, name, version, purl, licenses, relation) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        for package in packages {
            insert.bind(1, componentID)
            insert.bind(2, branch)
            insert.bind(3, scanID)
            insert.bind(4, package.name)
            insert.bind(5, package.version)
            insert.bind(6, package.purl?.description)
            insert.bind(7, JSONText.array(package.licenses))
            insert.bind(8, package.relation?.rawValue)
            try insert.step()
        }
    }

    public func packages(application: String?) async throws -> [StoredPackage] {
        var sql = """
            SELECT a.name AS application_name, c.name AS component_name, p.branch, p.name, p.version, p.purl, p.licenses, p.relation,
                p.scan_id, sc.file_name, sc.tool_name, sc.imported_at
            FROM known_package p JOIN component c ON c.id = p.component_id JOIN application a ON a.id = c.application_id
            JOIN scan sc ON sc.id = p.scan_id
            """
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let application {
            sql += " WHERE a.name = ?"
            arguments.append(application)
        }
        sql += " ORDER BY a.name, c.name, p.branch, p.name, p.version, p.id"
        let finalSQL = sql
        let finalArguments = StatementArguments(arguments)
        return try await writer.read { db in
            try Row.fetchAll(db, sql: finalSQL, arguments: finalArguments).map { row in
                let purlText: String? = row["purl"]
                let relationText: String? = row["relation"]
                let package = SBOMPackage(
                    name: row["name"], version: row["version"], purl: purlText.flatMap(PackageURL.init(parsing:)),
                    licenses: try Self.decodeJSON([String].self, row["licenses"], column: "licenses"),
                    relation: try relationText.map { try Self.stored(DependencyRelation.self, $0, column: "relation") })
                return try StoredPackage(
                    application: row["application_name"], component: row["component_name"], branch: row["branch"], package: package,
                    scanID: row["scan_id"], sbomFile: row["file_name"], sbomTool: row["tool_name"], importedAt: Self.date(row["imported_at"]))
            }
        }
    }

    public func findings(_ query: FindingQuery) async throws -> [StoredFinding] {
        var (conditions, arguments) = Self.placeConditions(application: query.application, component: query.component)
        if let tool = query.tool {
            conditions.append("s.tool = ?")
            arguments.append(ToolIdentity.canonicalID(tool))
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
            conditions.append("g.status IN (" + query.statuses.map { _ in "?" }.joined(separator: ", ") + ")")
            arguments.append(contentsOf: query.statuses.map(\.rawValue))
        }
        let order: String
        switch query.sort {
        case .severity: order = "f.severity_rank DESC, f.cvss_score DESC NULLS LAST, f.id"
        case .firstSeen: order = "f.first_seen DESC, f.id"
        case .lastSeen: order = "g.last_seen DESC, f.id"
        case .title: order = "f.title COLLATE NOCASE, f.id"
        case .tool: order = "s.tool COLLATE NOCASE, f.severity_rank DESC, f.id"
        case .cvss: order = "f.cvss_score DESC NULLS LAST, f.severity_rank DESC, f.id"
        }
        var sql = """
            SELECT \(Self.storedFindingColumns)
            FROM finding f JOIN finding_sighting g ON g.finding_id = f.id JOIN stream s ON s.id = f.stream_id
            JOIN component c ON c.id = s.component_id JOIN application a ON a.id = c.application_id
            LEFT JOIN finding_detail d ON d.finding_id = f.id LEFT JOIN issue_member m ON m.finding_id = f.id
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
            var findings = try Row.fetchAll(db, sql: finalSQL, arguments: finalArguments).map(Self.storedFinding)
            try Self.applyVEX(to: &findings, in: db)
            return findings
        }
    }

    /// A stored JSON column, decoded; a value that does not decode is an error, never a default.
    static func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String?, column: String) throws -> T {
        guard let text, let data = text.data(using: .utf8), let value = try? JSONDecoder().decode(type, from: data) else {
            throw StoredValueError(column: column, value: text ?? "NULL")
        }
        return value
    }

    /// A stored enumeration value; one this build does not know (a newer schema's, or damage)
    /// is an error, never silently another value.
    static func stored<T: RawRepresentable>(_ type: T.Type, _ text: String, column: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: text) else { throw StoredValueError(column: column, value: text) }
        return value
    }

    /// A VEX statement kept in the database, with where it came from.
    struct KeptStatement: Sendable {
        var application: String
        var component: String
        var applied: AppliedVEX
    }

    /// Sets each vulnerability finding's VEX status from the statements of its application:
    /// the latest imported statement that applies wins.
    /// The VEX statements kept for the applications (all when nil), by application, the latest
    /// imported first: what reading findings and scoring issues both apply.
    static func keptStatements(applications: [String]?, in db: Database) throws -> [String: [KeptStatement]] {
        var statements: [String: [KeptStatement]] = [:]
        let filter = applications.map { " WHERE a.name IN (" + $0.map { _ in "?" }.joined(separator: ", ") + ")" } ?? ""
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT a.name AS application_name, c.name AS component_name, v.vulnerabilities, v.products, v.product_names, v.status,
                    v.justification, v.detail, v.scan_id, sc.file_name, sc.tool_name
                FROM vex_statement v JOIN stream s ON s.id = v.stream_id JOIN component c ON c.id = s.component_id
                JOIN application a ON a.id = c.application_id JOIN scan sc ON sc.id = v.scan_id\(filter) ORDER BY v.scan_id DESC, v.id
                """, arguments: StatementArguments(applications ?? []))
        {
            let statement = VEXStatement(
                vulnerabilities: try decodeJSON([String].self, row["vulnerabilities"], column: "vulnerabilities").compactMap(VulnerabilityID.init),
                products: try decodeJSON([String].self, row["products"], column: "products").compactMap(PackageURL.init(parsing:)),
                productNames: try decodeJSON([String].self, row["product_names"], column: "product_names"),
                status: try stored(VEXStatus.self, row["status"], column: "status"), justification: row["justification"], detail: row["detail"])
            let kept = KeptStatement(
                application: row["application_name"], component: row["component_name"],
                applied: AppliedVEX(statement: statement, scanID: row["scan_id"], document: row["file_name"], source: row["tool_name"]))
            statements[kept.application, default: []].append(kept)
        }
        return statements
    }

    static func applyVEX(to findings: inout [StoredFinding], in db: Database) throws {
        guard findings.contains(where: { !$0.vulnerabilityIDs.isEmpty }),
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM vex_statement)") == true
        else { return }
        let statements = try keptStatements(applications: Array(Set(findings.map(\.application))), in: db)
        for index in findings.indices where !findings[index].vulnerabilityIDs.isEmpty {
            let finding = findings[index]
            guard let candidates = statements[finding.application] else { continue }
            let ids = finding.vulnerabilityIDs.compactMap(VulnerabilityID.init)
            let purl = finding.purl.flatMap(PackageURL.init(parsing:))
            findings[index].vex =
                candidates.first {
                    $0.applied.statement.applies(toFindingNaming: ids, purl: purl, sameComponent: $0.component == finding.component)
                }?.applied
        }
    }

    /// The columns `storedFinding` reads, from `finding f`, `finding_sighting g`,
    /// `finding_detail d`, `stream s`, `component c`, `application a` and `issue_member m`.
    static let storedFindingColumns = """
        f.*, g.status, g.last_seen, g.line, g.component_version, g.purl, d.description, a.name AS application_name,
            c.name AS component_name_, s.tool AS stream_tool, s.branch AS stream_branch, m.issue_id,
            (SELECT imported_at FROM scan WHERE scan.id = g.fixed_scan_id) AS fixed_at
        """

    static func storedFinding(_ row: Row) throws -> StoredFinding {
        var finding = try StoredFinding(
            id: row["id"], application: row["application_name"], component: row["component_name_"], tool: row["stream_tool"],
            branch: row["stream_branch"], category: stored(FindingCategory.self, row["category"], column: "category"), ruleID: row["rule_id"],
            title: row["title"], description: row["description"], severity: stored(Severity.self, row["severity"], column: "severity"),
            toolSeverity: row["tool_severity"],
            confidence: (row["confidence"] as String?).map { try stored(Confidence.self, $0, column: "confidence") },
            status: stored(FindingStatus.self, row["status"], column: "status"), cwes: decodeJSON([Int].self, row["cwes"], column: "cwes"),
            vulnerabilityIDs: decodeJSON([String].self, row["vulnerability_ids"], column: "vulnerability_ids"), locationKind: row["location_kind"],
            componentName: row["component_name"], componentVersion: row["component_version"], purl: row["purl"], filePath: row["file_path"],
            line: row["line"], url: row["url"], host: row["host"], cvssVector: row["cvss_vector"], cvssScore: row["cvss_score"],
            secretPreview: row["secret_preview"], suppressed: row["suppressed"], fingerprint: row["fingerprint"],
            firstSeen: date(row["first_seen"]), lastSeen: date(row["last_seen"]), occurrences: row["occurrences"])
        finding.issueID = row["issue_id"]
        finding.fixedAt = try (row["fixed_at"] as String?).map(date)
        finding.exploitMaturity = try (row["exploit_maturity"] as String?).map { try stored(ExploitMaturity.self, $0, column: "exploit_maturity") }
        return finding
    }

    public func evidence(findingID: Int64) async throws -> Data? {
        try await writer.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT d.evidence, g.evidence_offset, g.evidence_length, s.id AS scan_id, s.byte_count, s.report_chunk_size
                        FROM finding_sighting g LEFT JOIN finding_detail d ON d.finding_id = g.finding_id
                        LEFT JOIN scan s ON s.id = coalesce(g.evidence_scan_id, g.last_scan_id) WHERE g.finding_id = ?
                        """, arguments: [findingID])
            else { return nil }
            guard let offset = row["evidence_offset"] as Int?, let length = row["evidence_length"] as Int? else {
                return row["evidence"] as Data?
            }
            let span = offset..<(offset + length)
            let chunks = try Self.inflatedChunks(
                ReportArchive.chunks(covering: span), scanID: row["scan_id"], byteCount: row["byte_count"], chunkSize: row["report_chunk_size"],
                in: db)
            return ReportArchive.slice(span, of: chunks)
        }
    }

    public func report(scanID: Int64) async throws -> Data? {
        try await writer.read { db in
            guard
                let scan = try Row.fetchOne(
                    db, sql: "SELECT byte_count, report_chunk_size, content_sha256 FROM scan WHERE id = ?", arguments: [scanID]),
                let chunkSize = scan["report_chunk_size"] as Int?
            else { return nil }
            let byteCount: Int = scan["byte_count"]
            let chunks = try Self.inflatedChunks(
                0...(ReportArchive.chunkCount(byteCount: byteCount) - 1), scanID: scanID, byteCount: byteCount, chunkSize: chunkSize, in: db)
            var report = Data(capacity: byteCount)
            for chunk in chunks { report.append(chunk) }
            let digest = report.withUnsafeBytes { Hashing.sha256Hex(buffer: $0) }
            guard digest == scan["content_sha256"] as String else { throw ReportArchive.DamagedArchive() }
            return report
        }
    }

    /// Chunks `numbers` of a scan's archived report, inflated.
    static func inflatedChunks(_ numbers: ClosedRange<Int>, scanID: Int64, byteCount: Int, chunkSize: Int?, in db: Database) throws -> [Data] {
        guard chunkSize == ReportArchive.chunkSize else { throw ReportArchive.DamagedArchive() }
        let rows = try Row.fetchAll(
            db, sql: "SELECT number, data FROM report_chunk WHERE scan_id = ? AND number BETWEEN ? AND ? ORDER BY number",
            arguments: [scanID, numbers.lowerBound, numbers.upperBound])
        guard rows.count == numbers.count else { throw ReportArchive.DamagedArchive() }
        return try rows.map { row in
            try ReportArchive.inflate(row["data"], size: ReportArchive.size(ofChunk: row["number"], byteCount: byteCount))
        }
    }

    static let scanSelection = """
        SELECT sc.*, a.name AS application_name, c.name AS component_name, s.tool AS stream_tool, s.branch AS stream_branch,
            s.scan_kind, s.scan_target, s.name AS stream_name
        FROM scan sc JOIN stream s ON s.id = sc.stream_id JOIN component c ON c.id = s.component_id JOIN application a ON a.id = c.application_id
        """

    public func hasScan(ofByteCount byteCount: Int, application: String, component: String, branch: String) async throws -> Bool {
        try await writer.read { db in
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM scan sc JOIN stream s ON s.id = sc.stream_id JOIN component c ON c.id = s.component_id
                    JOIN application a ON a.id = c.application_id WHERE sc.byte_count = ? AND a.name = ? AND c.name = ? AND s.branch = ?)
                    """, arguments: [byteCount, application, component, branch]) ?? false
        }
    }

    public func latestScanHolding(contentSHA256: String, application: String, component: String, branch: String, streamName: String?)
        async throws -> ScanRecord?
    {
        let sql =
            Self.scanSelection + """
                 WHERE sc.content_sha256 = ? AND a.name = ? AND c.name = ? AND s.branch = ? AND s.name = ?
                    AND sc.id = (SELECT max(latest.id) FROM scan latest WHERE latest.stream_id = sc.stream_id)
                ORDER BY sc.id DESC LIMIT 1
                """
        return try await writer.read { db in
            try Row.fetchOne(db, sql: sql, arguments: [contentSHA256, application, component, branch, streamName ?? ""]).map(Self.scanRecord)
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

    static func scanRecord(_ row: Row) throws -> ScanRecord {
        try ScanRecord(
            id: row["id"], application: row["application_name"], component: row["component_name"], tool: row["stream_tool"],
            branch: row["stream_branch"], scope: scope(kind: row["scan_kind"], target: row["scan_target"], name: row["stream_name"]),
            fileName: row["file_name"], format: row["format"], toolVersion: row["tool_version"],
            importedAt: date(row["imported_at"]), findings: row["finding_count"], new: row["new_count"], unchanged: row["unchanged_count"],
            reopened: row["reopened_count"], fixed: row["fixed_count"], closedMissing: row["closed_missing"],
            diagnostics: decodeJSON([Diagnostic].self, row["diagnostics"], column: "diagnostics"),
            categories: decodeJSON([FindingCategory].self, row["categories"], column: "categories"))
    }

    static func categoriesJSON(_ categories: Set<FindingCategory>) -> String {
        "[" + FindingCategory.allCases.filter(categories.contains).map { "\"\($0.rawValue)\"" }.joined(separator: ",") + "]"
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
                        SELECT f.severity, count(*) AS n FROM finding f JOIN finding_sighting g ON g.finding_id = f.id
                        JOIN stream s ON s.id = f.stream_id JOIN component c ON c.id = s.component_id
                        WHERE c.application_id = ? AND g.status != 'fixed' GROUP BY f.severity
                        """, arguments: [id])
                {
                    bySeverity[try Self.stored(Severity.self, row["severity"], column: "severity")] = row["n"]
                }
                return try ApplicationSummary(
                    name: application["name"], components: components, scans: scanRow?["scans"] ?? 0,
                    activeFindings: bySeverity.values.reduce(0, +), activeBySeverity: bySeverity,
                    lastImport: (scanRow?["last"] as String?).map { try Self.date($0) })
            }
        }
    }
}

/// Another process held the database's write lock for longer than the store waits.
public struct DatabaseBusy: Error, Sendable, CustomStringConvertible {
    public var seconds: Double

    public var description: String {
        "the database is busy: another process kept writing for more than \(Int(seconds)) s; "
            + "nothing was changed (wait longer with --lock-timeout or RAMPART_LOCK_TIMEOUT)"
    }
}

/// A value read back from the database that this build cannot interpret: the database was
/// written by a newer Rampart, or damaged. Reads fail with it rather than show something else.
public struct StoredValueError: Error, Sendable, CustomStringConvertible {
    public var column: String
    public var value: String

    public var description: String {
        "the database holds a value this version cannot read in column \(column) ('\(value.prefix(40))'); was it written by a newer Rampart?"
    }
}
