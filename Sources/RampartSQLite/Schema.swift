import Foundation
import GRDB
import RampartCore
import RampartStore

/// The schema, as migrations from the first version on. Constraints live here, in the
/// database, not only in Swift: SQLite refuses what the code might get wrong.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (
                        key TEXT PRIMARY KEY NOT NULL,
                        value BLOB NOT NULL
                    ) STRICT;

                    CREATE TABLE application (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
                        created_at TEXT NOT NULL
                    ) STRICT;

                    CREATE TABLE component (
                        id INTEGER PRIMARY KEY,
                        application_id INTEGER NOT NULL REFERENCES application(id) ON DELETE CASCADE,
                        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
                        UNIQUE (application_id, name)
                    ) STRICT;

                    CREATE TABLE stream (
                        id INTEGER PRIMARY KEY,
                        component_id INTEGER NOT NULL REFERENCES component(id) ON DELETE CASCADE,
                        tool TEXT NOT NULL CHECK (length(tool) >= 1),
                        branch TEXT NOT NULL DEFAULT '',
                        -- Bumped by every change to the stream's findings: a snapshot read outside a
                        -- write transaction is still valid inside it when the revision is unchanged.
                        revision INTEGER NOT NULL DEFAULT 0,
                        UNIQUE (component_id, tool, branch)
                    ) STRICT;

                    CREATE TABLE scan (
                        id INTEGER PRIMARY KEY,
                        stream_id INTEGER NOT NULL REFERENCES stream(id) ON DELETE CASCADE,
                        file_name TEXT NOT NULL,
                        content_sha256 TEXT NOT NULL CHECK (length(content_sha256) = 64),
                        byte_count INTEGER NOT NULL CHECK (byte_count >= 0),
                        format TEXT NOT NULL,
                        tool_name TEXT NOT NULL,
                        tool_version TEXT,
                        imported_at TEXT NOT NULL,
                        record_count INTEGER NOT NULL CHECK (record_count >= 0),
                        finding_count INTEGER NOT NULL CHECK (finding_count >= 0),
                        new_count INTEGER NOT NULL CHECK (new_count >= 0),
                        unchanged_count INTEGER NOT NULL CHECK (unchanged_count >= 0),
                        reopened_count INTEGER NOT NULL CHECK (reopened_count >= 0),
                        fixed_count INTEGER NOT NULL CHECK (fixed_count >= 0),
                        closed_missing INTEGER NOT NULL CHECK (closed_missing IN (0, 1)),
                        tool_reported_error INTEGER NOT NULL CHECK (tool_reported_error IN (0, 1)),
                        diagnostics TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(diagnostics)),
                        UNIQUE (stream_id, content_sha256)
                    ) STRICT;

                    CREATE INDEX scan_by_content ON scan (content_sha256);

                    -- What lists and filters read.
                    CREATE TABLE finding (
                        id INTEGER PRIMARY KEY,
                        stream_id INTEGER NOT NULL REFERENCES stream(id) ON DELETE CASCADE,
                        fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
                        category TEXT NOT NULL CHECK (category IN ('sast','sca','container','iac','secrets','dast','cloud','infra','sbom')),
                        rule_id TEXT NOT NULL,
                        title TEXT NOT NULL,
                        severity TEXT NOT NULL CHECK (severity IN ('critical','high','medium','low','info')),
                        severity_rank INTEGER NOT NULL CHECK (severity_rank BETWEEN 0 AND 4),
                        tool_severity TEXT,
                        confidence TEXT CHECK (confidence IS NULL OR confidence IN ('high','medium','low')),
                        cwes TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(cwes)),
                        vulnerability_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(vulnerability_ids)),
                        location_kind TEXT NOT NULL CHECK (location_kind IN ('code','package','image','iac','endpoint','cloud','host')),
                        file_path TEXT,
                        line INTEGER,
                        component_name TEXT,
                        component_version TEXT,
                        purl TEXT,
                        url TEXT,
                        host TEXT,
                        cvss_vector TEXT,
                        cvss_score REAL CHECK (cvss_score IS NULL OR (cvss_score >= 0 AND cvss_score <= 10)),
                        secret_hash TEXT,
                        secret_preview TEXT,
                        suppressed INTEGER NOT NULL CHECK (suppressed IN (0, 1)),
                        first_seen TEXT NOT NULL,
                        first_scan_id INTEGER NOT NULL REFERENCES scan(id),
                        occurrences INTEGER NOT NULL CHECK (occurrences >= 1),
                        content_hash INTEGER NOT NULL,
                        UNIQUE (stream_id, fingerprint)
                    ) STRICT;

                    -- Where each finding stands: the only row a rescan must touch for every finding
                    -- it sees again, so it is kept to a few bytes.
                    CREATE TABLE finding_sighting (
                        finding_id INTEGER PRIMARY KEY REFERENCES finding(id) ON DELETE CASCADE,
                        status TEXT NOT NULL CHECK (status IN ('new','open','fixed','reopened')),
                        last_seen TEXT NOT NULL,
                        last_scan_id INTEGER NOT NULL REFERENCES scan(id),
                        fixed_scan_id INTEGER REFERENCES scan(id),
                        CHECK ((status = 'fixed') = (fixed_scan_id IS NOT NULL))
                    ) STRICT;

                    -- What a finding says at length, and the tool's own record: rewritten only
                    -- when the content hash shows the details changed.
                    CREATE TABLE finding_detail (
                        finding_id INTEGER PRIMARY KEY REFERENCES finding(id) ON DELETE CASCADE,
                        description TEXT,
                        location TEXT NOT NULL CHECK (json_valid(location)),
                        cvss TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(cvss)),
                        suppression TEXT CHECK (suppression IS NULL OR json_valid(suppression)),
                        remediation TEXT,
                        refs TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(refs)),
                        tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
                        evidence BLOB,
                        evidence_format TEXT
                    ) STRICT;

                    -- Not on status: a rescan moves thousands of findings from new to open, and
                    -- every indexed column it touches costs an index rewrite per row.
                    CREATE INDEX finding_by_severity ON finding (severity_rank DESC);

                    CREATE TABLE finding_event (
                        id INTEGER PRIMARY KEY,
                        finding_id INTEGER NOT NULL REFERENCES finding(id) ON DELETE CASCADE,
                        scan_id INTEGER NOT NULL REFERENCES scan(id) ON DELETE CASCADE,
                        -- A finding's first sighting is its first_scan_id; events record the changes after it.
                        kind TEXT NOT NULL CHECK (kind IN ('fixed','reopened')),
                        at TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX finding_event_by_finding ON finding_event (finding_id);
                    """)
        }
        migrator.registerMigration("v2: report archive") { db in
            try db.execute(
                sql: """
                    -- Each imported report is kept, deflated in chunks of report_chunk_size bytes
                    -- (NULL: not kept, as for reports holding secrets).
                    ALTER TABLE scan ADD COLUMN report_chunk_size INTEGER CHECK (report_chunk_size IS NULL OR report_chunk_size > 0);

                    CREATE TABLE report_chunk (
                        id INTEGER PRIMARY KEY,
                        scan_id INTEGER NOT NULL REFERENCES scan(id) ON DELETE CASCADE,
                        number INTEGER NOT NULL CHECK (number >= 0),
                        data BLOB NOT NULL,
                        UNIQUE (scan_id, number)
                    ) STRICT;

                    -- Rebuilt (SQLite's way to change a table's constraints) for two reasons.
                    -- Evidence that is a verbatim slice of its report is stored as that span of
                    -- the report of the scan that wrote it, not as a copy. And the display-only
                    -- JSON columns lose their json_valid checks: they are written only through
                    -- the model's JSON builder (tested), and parsing ~1 KB of JSON per finding in
                    -- the write transaction cost a tenth of a large import. The finding table's
                    -- JSON columns, which filters read, keep theirs.
                    CREATE TABLE finding_detail_v2 (
                        finding_id INTEGER PRIMARY KEY REFERENCES finding(id) ON DELETE CASCADE,
                        description TEXT,
                        location TEXT NOT NULL,
                        cvss TEXT NOT NULL DEFAULT '[]',
                        suppression TEXT,
                        remediation TEXT,
                        refs TEXT NOT NULL DEFAULT '[]',
                        tags TEXT NOT NULL DEFAULT '[]',
                        evidence BLOB,
                        evidence_format TEXT,
                        evidence_scan_id INTEGER REFERENCES scan(id),
                        evidence_offset INTEGER CHECK (evidence_offset IS NULL OR evidence_offset >= 0),
                        evidence_length INTEGER CHECK (evidence_length IS NULL OR evidence_length > 0),
                        CHECK ((evidence_scan_id IS NULL) = (evidence_offset IS NULL) AND (evidence_offset IS NULL) = (evidence_length IS NULL)),
                        CHECK (evidence IS NULL OR evidence_scan_id IS NULL)
                    ) STRICT;
                    INSERT INTO finding_detail_v2 (finding_id, description, location, cvss, suppression, remediation, refs, tags, evidence, evidence_format)
                        SELECT finding_id, description, location, cvss, suppression, remediation, refs, tags, evidence, evidence_format FROM finding_detail;
                    DROP TABLE finding_detail;
                    ALTER TABLE finding_detail_v2 RENAME TO finding_detail;

                    -- The content hash moves to the sighting: a rescan then plans from the
                    -- stream's fingerprint index (which covers the lookup) and the small sighting
                    -- rows, without reading every finding row of the stream.
                    ALTER TABLE finding_sighting ADD COLUMN content_hash INTEGER NOT NULL DEFAULT 0;
                    UPDATE finding_sighting SET content_hash = (SELECT f.content_hash FROM finding f WHERE f.id = finding_sighting.finding_id);
                    ALTER TABLE finding DROP COLUMN content_hash;
                    """)
        }
        migrator.registerMigration("v3: stream scope, rescans of older content") { db in
            try db.execute(
                sql: """
                    -- A stream is what was scanned by what: the tool's canonical id, the branch, and
                    -- the scan's kind and target as its report says them, or a name the user gave.
                    -- scan_kind is NULL for streams made before v3, whose scope is unknown: the
                    -- first import of their tool and branch claims them (docs/streams.md).
                    CREATE TABLE stream_v3 (
                        id INTEGER PRIMARY KEY,
                        component_id INTEGER NOT NULL REFERENCES component(id) ON DELETE CASCADE,
                        tool TEXT NOT NULL CHECK (length(tool) >= 1),
                        branch TEXT NOT NULL DEFAULT '',
                        scan_kind TEXT,
                        scan_target TEXT NOT NULL DEFAULT '',
                        name TEXT NOT NULL DEFAULT '',
                        -- Bumped by every change to the stream's findings: a snapshot read outside a
                        -- write transaction is still valid inside it when the revision is unchanged.
                        revision INTEGER NOT NULL DEFAULT 0,
                        CHECK (name = '' OR (scan_kind = '' AND scan_target = '')),
                        UNIQUE (component_id, tool, branch, scan_kind, scan_target, name)
                    ) STRICT;
                    INSERT INTO stream_v3 (id, component_id, tool, branch, scan_kind, revision)
                        SELECT id, component_id, tool, branch, NULL, revision FROM stream;
                    DROP TABLE stream;
                    ALTER TABLE stream_v3 RENAME TO stream;

                    -- A stream may hold the same content twice: a report identical to an older
                    -- scan (a revert) is a rescan, and only a repeat of the latest scan is a no-op.
                    CREATE TABLE scan_v3 (
                        id INTEGER PRIMARY KEY,
                        stream_id INTEGER NOT NULL REFERENCES stream(id) ON DELETE CASCADE,
                        file_name TEXT NOT NULL,
                        content_sha256 TEXT NOT NULL CHECK (length(content_sha256) = 64),
                        byte_count INTEGER NOT NULL CHECK (byte_count >= 0),
                        format TEXT NOT NULL,
                        tool_name TEXT NOT NULL,
                        tool_version TEXT,
                        imported_at TEXT NOT NULL,
                        record_count INTEGER NOT NULL CHECK (record_count >= 0),
                        finding_count INTEGER NOT NULL CHECK (finding_count >= 0),
                        new_count INTEGER NOT NULL CHECK (new_count >= 0),
                        unchanged_count INTEGER NOT NULL CHECK (unchanged_count >= 0),
                        reopened_count INTEGER NOT NULL CHECK (reopened_count >= 0),
                        fixed_count INTEGER NOT NULL CHECK (fixed_count >= 0),
                        closed_missing INTEGER NOT NULL CHECK (closed_missing IN (0, 1)),
                        tool_reported_error INTEGER NOT NULL CHECK (tool_reported_error IN (0, 1)),
                        diagnostics TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(diagnostics)),
                        report_chunk_size INTEGER CHECK (report_chunk_size IS NULL OR report_chunk_size > 0)
                    ) STRICT;
                    INSERT INTO scan_v3 SELECT id, stream_id, file_name, content_sha256, byte_count, format, tool_name, tool_version, imported_at,
                        record_count, finding_count, new_count, unchanged_count, reopened_count, fixed_count, closed_missing, tool_reported_error,
                        diagnostics, report_chunk_size FROM scan;
                    DROP TABLE scan;
                    ALTER TABLE scan_v3 RENAME TO scan;
                    CREATE INDEX scan_by_content ON scan (content_sha256);
                    CREATE INDEX scan_by_stream ON scan (stream_id, id);

                    -- A finding's identity before duplicates are told apart, or without its
                    -- vulnerability id: where it says more than the fingerprint, kept so that a
                    -- rescan pairs duplicates by line and advisories by alias (NULL: the same as
                    -- the fingerprint, or a finding recorded before v3).
                    ALTER TABLE finding ADD COLUMN anchor TEXT CHECK (anchor IS NULL OR length(anchor) = 64);
                    """)
            // Tools are known by their canonical id from now on ("Semgrep OSS" and "semgrep" are one tool).
            for row in try Row.fetchAll(db, sql: "SELECT id, tool FROM stream") {
                let name: String = row["tool"]
                try db.execute(sql: "UPDATE stream SET tool = ? WHERE id = ?", arguments: [ToolIdentity.canonicalID(name), row["id"] as Int64])
            }
        }
        migrator.registerMigration("v4: rescans rewrite only what changed") { db in
            // Three changes, each cutting what a rescan writes for a finding it sees again:
            // - A finding's location is split in two. Its place (file, package, image name)
            //   moves from finding_detail to finding, as JSON beside the place columns. Its
            //   position (lines, a package's version and purl, an image's tag and layer: what a
            //   rescan moves) goes to the sighting, which every rescan rewrites anyway, so
            //   shifted lines and bumped versions rewrite neither the finding nor its detail.
            // - The evidence span moves to the sighting, which every rescan rewrites anyway: a
            //   record that only changed its timestamps costs no detail rewrite. The detail keeps
            //   evidence only as a copy (reports that are not archived).
            // - The sighting holds change hashes of what was written: the finding row's location
            //   columns, its other columns, and the detail row. They start at 0, so the first
            //   rescan after this migration rewrites each finding once in the new layout.
            // - An index on the stream alone lets a rescan read its stream's findings in row order
            //   (the fingerprint index visits them at random, page after page again).
            // And SQLite evaluates a CHECK of `x IN (three or more values)` by building a
            // temporary index each time a statement runs: with one statement per finding, those
            // checks cost more than the rows themselves (about 6 µs per check per row). The same
            // constraints written as comparisons cost next to nothing.
            // SQLite changes a table's columns and constraints by rebuilding it.
            try db.execute(
                sql: """
                    CREATE TABLE finding_v4 (
                        id INTEGER PRIMARY KEY,
                        stream_id INTEGER NOT NULL REFERENCES stream(id) ON DELETE CASCADE,
                        fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
                        category TEXT NOT NULL CHECK (\(oneOf("category", ["sast", "sca", "container", "iac", "secrets", "dast", "cloud", "infra", "sbom"]))),
                        rule_id TEXT NOT NULL,
                        title TEXT NOT NULL,
                        severity TEXT NOT NULL CHECK (\(oneOf("severity", ["critical", "high", "medium", "low", "info"]))),
                        severity_rank INTEGER NOT NULL CHECK (severity_rank BETWEEN 0 AND 4),
                        tool_severity TEXT,
                        confidence TEXT CHECK (confidence IS NULL OR \(oneOf("confidence", ["high", "medium", "low"]))),
                        cwes TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(cwes)),
                        vulnerability_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(vulnerability_ids)),
                        location_kind TEXT NOT NULL CHECK (\(oneOf("location_kind", ["code", "package", "image", "iac", "endpoint", "cloud", "host"]))),
                        file_path TEXT,
                        component_name TEXT,
                        url TEXT,
                        host TEXT,
                        cvss_vector TEXT,
                        cvss_score REAL CHECK (cvss_score IS NULL OR (cvss_score >= 0 AND cvss_score <= 10)),
                        secret_hash TEXT,
                        secret_preview TEXT,
                        suppressed INTEGER NOT NULL CHECK (suppressed = 0 OR suppressed = 1),
                        first_seen TEXT NOT NULL,
                        first_scan_id INTEGER NOT NULL REFERENCES scan(id),
                        occurrences INTEGER NOT NULL CHECK (occurrences >= 1),
                        anchor TEXT CHECK (anchor IS NULL OR length(anchor) = 64),
                        -- The location's place as JSON (its position is the sighting's), display
                        -- only and written only through the model's JSON builder (see v2).
                        location TEXT NOT NULL,
                        UNIQUE (stream_id, fingerprint)
                    ) STRICT;
                    -- Until the next rescan rewrites it (its hashes start at 0), a migrated
                    -- finding's location JSON is the whole location, as v3 kept it.
                    INSERT INTO finding_v4 (id, stream_id, fingerprint, category, rule_id, title, severity, severity_rank, tool_severity, confidence,
                        cwes, vulnerability_ids, location_kind, file_path, component_name, url, host, cvss_vector, cvss_score, secret_hash,
                        secret_preview, suppressed, first_seen, first_scan_id, occurrences, anchor, location)
                    SELECT f.id, f.stream_id, f.fingerprint, f.category, f.rule_id, f.title, f.severity, f.severity_rank, f.tool_severity,
                        f.confidence, f.cwes, f.vulnerability_ids, f.location_kind, f.file_path, f.component_name, f.url, f.host, f.cvss_vector,
                        f.cvss_score, f.secret_hash, f.secret_preview, f.suppressed, f.first_seen, f.first_scan_id, f.occurrences, f.anchor,
                        coalesce(d.location, '{"kind":"' || f.location_kind || '"}')
                    FROM finding f LEFT JOIN finding_detail d ON d.finding_id = f.id;

                    CREATE TABLE finding_sighting_v4 (
                        finding_id INTEGER PRIMARY KEY REFERENCES finding(id) ON DELETE CASCADE,
                        status TEXT NOT NULL CHECK (\(oneOf("status", ["new", "open", "fixed", "reopened"]))),
                        last_seen TEXT NOT NULL,
                        last_scan_id INTEGER NOT NULL REFERENCES scan(id),
                        fixed_scan_id INTEGER REFERENCES scan(id),
                        -- Hashes of what was last written: the finding row's location columns, its
                        -- other columns, and the detail row.
                        location_hash INTEGER NOT NULL DEFAULT 0,
                        listing_hash INTEGER NOT NULL DEFAULT 0,
                        detail_hash INTEGER NOT NULL DEFAULT 0,
                        -- The tool's record as this span of an archived report: that of
                        -- evidence_scan_id, or when NULL of last_scan_id (as every rescan writes
                        -- it: a NULL needs no foreign-key lookup). No span: the evidence is the
                        -- detail's copy, or there is none.
                        evidence_scan_id INTEGER REFERENCES scan(id),
                        evidence_offset INTEGER CHECK (evidence_offset IS NULL OR evidence_offset >= 0),
                        evidence_length INTEGER CHECK (evidence_length IS NULL OR evidence_length > 0),
                        -- The finding's position at its last sighting: what a rescan moves (a
                        -- shifted line, a bumped version, a rebuilt image), written with the
                        -- status instead of rewriting the finding row. The listing's columns, and
                        -- the rest as JSON (display only, see v2).
                        line INTEGER,
                        component_version TEXT,
                        purl TEXT,
                        position TEXT NOT NULL DEFAULT '{}',
                        CHECK ((status = 'fixed') = (fixed_scan_id IS NOT NULL)),
                        CHECK ((evidence_offset IS NULL) = (evidence_length IS NULL) AND (evidence_scan_id IS NULL OR evidence_offset IS NOT NULL))
                    ) STRICT;
                    INSERT INTO finding_sighting_v4 (finding_id, status, last_seen, last_scan_id, fixed_scan_id, evidence_scan_id, evidence_offset,
                        evidence_length, line, component_version, purl)
                    SELECT g.finding_id, g.status, g.last_seen, g.last_scan_id, g.fixed_scan_id,
                        CASE WHEN d.evidence_scan_id = g.last_scan_id THEN NULL ELSE d.evidence_scan_id END, d.evidence_offset, d.evidence_length,
                        f.line, f.component_version, f.purl
                    FROM finding_sighting g JOIN finding f ON f.id = g.finding_id LEFT JOIN finding_detail d ON d.finding_id = g.finding_id;

                    DROP TABLE finding;
                    ALTER TABLE finding_v4 RENAME TO finding;
                    CREATE INDEX finding_by_severity ON finding (severity_rank DESC);
                    CREATE INDEX finding_by_stream ON finding (stream_id);
                    DROP TABLE finding_sighting;
                    ALTER TABLE finding_sighting_v4 RENAME TO finding_sighting;

                    CREATE TABLE finding_detail_v4 (
                        finding_id INTEGER PRIMARY KEY REFERENCES finding(id) ON DELETE CASCADE,
                        description TEXT,
                        cvss TEXT NOT NULL DEFAULT '[]',
                        suppression TEXT,
                        remediation TEXT,
                        refs TEXT NOT NULL DEFAULT '[]',
                        tags TEXT NOT NULL DEFAULT '[]',
                        evidence BLOB,
                        evidence_format TEXT
                    ) STRICT;
                    INSERT INTO finding_detail_v4 (finding_id, description, cvss, suppression, remediation, refs, tags, evidence, evidence_format)
                        SELECT finding_id, description, cvss, suppression, remediation, refs, tags, evidence, evidence_format FROM finding_detail;
                    DROP TABLE finding_detail;
                    ALTER TABLE finding_detail_v4 RENAME TO finding_detail;
                    """)
        }
        migrator.registerMigration("v5: packages SBOMs list") { db in
            // The component's known packages on a branch: what its latest SBOM lists, replaced
            // whole by the next one. The scan names the SBOM that said so.
            try db.execute(
                sql: """
                    CREATE TABLE known_package (
                        id INTEGER PRIMARY KEY,
                        component_id INTEGER NOT NULL REFERENCES component(id) ON DELETE CASCADE,
                        branch TEXT NOT NULL,
                        scan_id INTEGER NOT NULL REFERENCES scan(id) ON DELETE CASCADE,
                        name TEXT NOT NULL CHECK (length(name) >= 1),
                        version TEXT,
                        purl TEXT CHECK (purl IS NULL OR purl LIKE 'pkg:%'),
                        licenses TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(licenses) AND json_type(licenses) = 'array'),
                        relation TEXT CHECK (relation IS NULL OR \(oneOf("relation", ["direct", "transitive"])))
                    ) STRICT;
                    CREATE INDEX known_package_by_component ON known_package (component_id, branch);
                    CREATE INDEX known_package_by_scan ON known_package (scan_id);
                    """)
        }
        migrator.registerMigration("v6: VEX statements") { db in
            // A VEX document's statements, replaced by the stream's next document; applied to
            // matching findings of every stream of the application when findings are read.
            try db.execute(
                sql: """
                    CREATE TABLE vex_statement (
                        id INTEGER PRIMARY KEY,
                        stream_id INTEGER NOT NULL REFERENCES stream(id) ON DELETE CASCADE,
                        scan_id INTEGER NOT NULL REFERENCES scan(id) ON DELETE CASCADE,
                        vulnerabilities TEXT NOT NULL
                            CHECK (json_valid(vulnerabilities) AND json_type(vulnerabilities) = 'array' AND json_array_length(vulnerabilities) >= 1),
                        products TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(products) AND json_type(products) = 'array'),
                        product_names TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(product_names) AND json_type(product_names) = 'array'),
                        status TEXT NOT NULL CHECK \(oneOf("status", ["not_affected", "affected", "fixed", "under_investigation"])),
                        justification TEXT,
                        detail TEXT
                    ) STRICT;
                    CREATE INDEX vex_statement_by_stream ON vex_statement (stream_id);
                    """)
        }
        migrator.registerMigration("v7: inventory and coverage") { db in
            // The application inventory as its file declares it: an application's attributes in
            // columns the database checks, a component's declaration as one typed JSON value
            // (`ComponentDeclaration`), and a record of every apply. A scan says which finding
            // categories it covered, for coverage; older scans take their stream's categories.
            try db.execute(
                sql: """
                    CREATE TABLE inventory_application (
                        application_id INTEGER PRIMARY KEY REFERENCES application(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL CHECK (position >= 0),
                        owner TEXT,
                        team TEXT,
                        criticality TEXT NOT NULL CHECK \(oneOf("criticality", ["critical", "high", "medium", "low"])),
                        exposure TEXT NOT NULL CHECK \(oneOf("exposure", ["internet", "internal", "isolated"])),
                        data TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(data) AND json_type(data) = 'array'),
                        environments TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(environments) AND json_type(environments) = 'array'),
                        stale_after_days INTEGER CHECK (stale_after_days IS NULL OR stale_after_days BETWEEN 1 AND 3650)
                    ) STRICT;

                    CREATE TABLE inventory_component (
                        component_id INTEGER PRIMARY KEY REFERENCES component(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL CHECK (position >= 0),
                        declaration TEXT NOT NULL CHECK (json_valid(declaration) AND json_type(declaration) = 'object')
                    ) STRICT;

                    CREATE TABLE inventory_revision (
                        id INTEGER PRIMARY KEY,
                        applied_at TEXT NOT NULL,
                        source TEXT NOT NULL,
                        changes TEXT NOT NULL CHECK (json_valid(changes) AND json_type(changes) = 'array')
                    ) STRICT;

                    ALTER TABLE scan ADD COLUMN categories TEXT NOT NULL DEFAULT '[]'
                        CHECK (json_valid(categories) AND json_type(categories) = 'array');
                    UPDATE scan SET categories = (
                        SELECT json_group_array(category) FROM (SELECT DISTINCT category FROM finding WHERE finding.stream_id = scan.stream_id)
                    );
                    """)
        }
        migrator.registerMigration("v8: issues") { db in
            // One issue per real problem: every finding belongs to exactly one issue
            // (`issue_member`), linked by a correlation rule with a confidence, through another
            // finding (`linked_to`) or by a person. `correlation_key` holds each finding's keys
            // (docs/correlation.md) as 64-bit hashes, with what a rule compares beyond the key.
            // People's merges and splits are kept in `issue_decision`, replayed by a rebuild.
            let rules = [
                "first", "same-package-advisory", "same-code-weakness", "same-resource-control", "same-secret", "same-secret-place",
                "same-endpoint-weakness", "dast-confirms-sast", "merged-by-person", "split-by-person",
            ]
            try db.execute(
                sql: """
                    CREATE TABLE issue (
                        id INTEGER PRIMARY KEY,
                        component_id INTEGER NOT NULL REFERENCES component(id) ON DELETE CASCADE,
                        created_at TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX issue_by_component ON issue (component_id);

                    CREATE TABLE issue_member (
                        finding_id INTEGER PRIMARY KEY REFERENCES finding(id) ON DELETE CASCADE,
                        issue_id INTEGER NOT NULL REFERENCES issue(id) ON DELETE CASCADE,
                        rule TEXT NOT NULL CHECK \(oneOf("rule", rules)),
                        confidence TEXT NOT NULL CHECK \(oneOf("confidence", ["high", "medium", "low"])),
                        linked_to INTEGER REFERENCES finding(id) ON DELETE SET NULL
                    ) STRICT;
                    CREATE INDEX issue_member_by_issue ON issue_member (issue_id);

                    CREATE TABLE correlation_key (
                        hash INTEGER NOT NULL,
                        finding_id INTEGER NOT NULL REFERENCES finding(id) ON DELETE CASCADE,
                        rule TEXT NOT NULL CHECK \(oneOf("rule", rules)),
                        path TEXT,
                        line INTEGER,
                        method TEXT,
                        parameter TEXT,
                        cwe INTEGER,
                        PRIMARY KEY (hash, finding_id)
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX correlation_key_by_finding ON correlation_key (finding_id);

                    CREATE TABLE issue_decision (
                        id INTEGER PRIMARY KEY,
                        kind TEXT NOT NULL CHECK \(oneOf("kind", ["merge", "split"])),
                        findings TEXT NOT NULL CHECK (json_valid(findings) AND json_type(findings) = 'array' AND json_array_length(findings) >= 1),
                        reason TEXT NOT NULL CHECK (length(reason) >= 1),
                        at TEXT NOT NULL
                    ) STRICT;
                    """)
            // Findings imported before issues existed are correlated now, in import order.
            try SQLiteStore.correlateAll(in: db)
        }
        migrator.registerMigration("v9: feeds and risk") { db in
            // The prioritization feeds, replaced whole by each load (`feed` says which version
            // is loaded), and each issue's risk: the score, the SSVC decision, KEV and EPSS as
            // read, and the assessment (every factor's value and contribution) as JSON.
            try db.execute(
                sql: """
                    CREATE TABLE feed (
                        kind TEXT PRIMARY KEY CHECK \(oneOf("kind", ["kev", "epss"])),
                        version TEXT,
                        published TEXT,
                        entries INTEGER NOT NULL CHECK (entries >= 0),
                        source TEXT NOT NULL,
                        loaded_at TEXT NOT NULL
                    ) STRICT;

                    CREATE TABLE kev (
                        cve TEXT PRIMARY KEY CHECK (cve LIKE 'CVE-%'),
                        vendor TEXT,
                        product TEXT,
                        name TEXT,
                        date_added TEXT,
                        due_date TEXT,
                        ransomware INTEGER NOT NULL CHECK (ransomware IN (0, 1))
                    ) STRICT, WITHOUT ROWID;

                    CREATE TABLE epss (
                        cve TEXT PRIMARY KEY CHECK (cve LIKE 'CVE-%'),
                        probability REAL NOT NULL CHECK (probability BETWEEN 0 AND 1),
                        percentile REAL NOT NULL CHECK (percentile BETWEEN 0 AND 1)
                    ) STRICT, WITHOUT ROWID;

                    ALTER TABLE issue ADD COLUMN risk REAL CHECK (risk IS NULL OR risk BETWEEN 0 AND 100);
                    ALTER TABLE issue ADD COLUMN ssvc TEXT CHECK (ssvc IS NULL OR \(oneOf("ssvc", ["track", "track*", "attend", "act"])));
                    ALTER TABLE issue ADD COLUMN kev INTEGER NOT NULL DEFAULT 0 CHECK (kev IN (0, 1));
                    ALTER TABLE issue ADD COLUMN epss REAL CHECK (epss IS NULL OR epss BETWEEN 0 AND 1);
                    ALTER TABLE issue ADD COLUMN assessment TEXT CHECK (assessment IS NULL OR json_valid(assessment));
                    ALTER TABLE issue ADD COLUMN scored_at TEXT;
                    CREATE INDEX issue_by_risk ON issue (risk DESC);
                    """)
            // Issues that exist are scored by v14, on the schema today's scoring writes.
        }
        migrator.registerMigration("v10: compact stored assessments") { db in
            // Issue rows held the assessment as keyed JSON (890 bytes an issue); the stored form is
            // now arrays (`StoredAssessment.jsonText`). Each one is rewritten, its content unchanged.
            let rows = try Row.fetchAll(db, sql: "SELECT id, assessment FROM issue WHERE assessment IS NOT NULL")
            let update = try db.makeStatement(sql: "UPDATE issue SET assessment = ? WHERE id = ?")
            for row in rows {
                let keyed: String = row["assessment"]
                // An assessment already in the compact form is left as it is.
                if (try? StoredAssessment(jsonText: keyed)) != nil { continue }
                let assessment = try SQLiteStore.decodeJSON(StoredAssessment.self, keyed, column: "issue.assessment")
                try update.execute(arguments: [assessment.jsonText, row["id"]])
            }
        }
        migrator.registerMigration("v11: exploit maturity") { db in
            // The exploit maturity a tool reports (docs/risk.md), read by the risk model.
            try db.execute(
                sql: """
                    ALTER TABLE finding ADD COLUMN exploit_maturity TEXT
                        CHECK (exploit_maturity IS NULL OR \(oneOf("exploit_maturity", ["unproven", "proof-of-concept", "functional", "high"])));
                    """)
            // Issues that v9 found unscored are scored by v14: scoring writes the schema of today's
            // code, which a migration this early cannot hold.
        }
        migrator.registerMigration("v12: triage, audit trail, SLA policy") { db in
            // The triage axis of each issue (docs/triage.md): the decision's parts, who made it
            // (`triage_source` and `triage_by`), when, whether a regression asks for review, and
            // the SLA time banked under ended accepted risks. The CHECK makes an accepted risk
            // without expiry or approver, or not-affected without justification, unstorable.
            // `triage_event` keeps every change with the issue's findings at the time;
            // `audit_entry` is the hash-chained trail (AUTOINCREMENT: an id is never reused, so a
            // deleted entry leaves a gap); `policy` holds the applied SLA policy.
            let states = ["untriaged", "confirmed", "false_positive", "accepted_risk", "not_affected", "mitigated"]
            let sources = ["none", "person", "rule", "vex", "expiry"]
            let actions = [
                "import", "triage", "triage-expired", "rule-added", "rule-changed", "rule-removed", "inventory-applied", "sla-policy-applied",
                "feed-updated", "merge", "split", "correlation-rebuilt",
            ]
            try db.execute(
                sql: """
                    ALTER TABLE issue ADD COLUMN triage TEXT NOT NULL DEFAULT 'untriaged' CHECK \(oneOf("triage", states));
                    ALTER TABLE issue ADD COLUMN triage_reason TEXT;
                    ALTER TABLE issue ADD COLUMN triage_until TEXT;
                    ALTER TABLE issue ADD COLUMN triage_approver TEXT;
                    ALTER TABLE issue ADD COLUMN triage_justification TEXT;
                    ALTER TABLE issue ADD COLUMN triage_source TEXT NOT NULL DEFAULT 'none' CHECK \(oneOf("triage_source", sources));
                    ALTER TABLE issue ADD COLUMN triage_by TEXT NOT NULL DEFAULT '';
                    ALTER TABLE issue ADD COLUMN triage_at TEXT;
                    ALTER TABLE issue ADD COLUMN triage_review INTEGER NOT NULL DEFAULT 0 CHECK (triage_review IN (0, 1));
                    ALTER TABLE issue ADD COLUMN sla_paused REAL NOT NULL DEFAULT 0
                        CHECK (sla_paused >= 0
                            AND (triage = 'accepted_risk') = (triage_until IS NOT NULL AND triage_approver IS NOT NULL)
                            AND (triage = 'not_affected') = (triage_justification IS NOT NULL)
                            AND (triage = 'untriaged' OR triage_reason IS NOT NULL));
                    CREATE INDEX issue_by_triage_until ON issue (triage_until) WHERE triage_until IS NOT NULL;

                    CREATE TABLE triage_event (
                        id INTEGER PRIMARY KEY,
                        issue_id INTEGER REFERENCES issue(id) ON DELETE SET NULL,
                        findings TEXT NOT NULL CHECK (json_valid(findings) AND json_type(findings) = 'array'),
                        state TEXT NOT NULL CHECK \(oneOf("state", states)),
                        previous TEXT NOT NULL CHECK \(oneOf("previous", states)),
                        reason TEXT,
                        until TEXT,
                        source TEXT NOT NULL CHECK \(oneOf("source", sources)),
                        source_name TEXT NOT NULL,
                        review INTEGER NOT NULL CHECK (review IN (0, 1)),
                        at TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX triage_event_by_issue ON triage_event (issue_id);

                    CREATE TABLE audit_entry (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        at TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        action TEXT NOT NULL CHECK \(oneOf("action", actions)),
                        subject TEXT NOT NULL,
                        before TEXT,
                        after TEXT,
                        reason TEXT,
                        previous_hash TEXT NOT NULL CHECK (length(previous_hash) = 64),
                        hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
                    ) STRICT;
                    -- Append-only for Rampart and anyone using SQL casually; the hash chain is what
                    -- catches someone who drops these triggers first.
                    CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
                        BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
                    CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
                        BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;

                    CREATE TABLE policy (
                        kind TEXT PRIMARY KEY CHECK \(oneOf("kind", ["sla"])),
                        body TEXT NOT NULL CHECK (json_valid(body)),
                        source TEXT NOT NULL,
                        applied_at TEXT NOT NULL
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("v13: triage rules") { db in
            // Scoped rules that carry decisions forward (docs/triage.md, "Rules"): what they
            // match (RuleMatch as JSON), what they do (a triage decision's parts, or a severity),
            // their owner and expiry. An issue whose severity a rule sets keeps the rule's id.
            let states = ["confirmed", "false_positive", "accepted_risk", "not_affected", "mitigated"]
            let severities = ["critical", "high", "medium", "low", "info"]
            try db.execute(
                sql: """
                    CREATE TABLE triage_rule (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        match TEXT NOT NULL CHECK (json_valid(match) AND json_type(match) = 'object' AND match != '{}'),
                        action TEXT NOT NULL CHECK (action IN ('triage', 'severity')),
                        state TEXT CHECK (state IS NULL OR \(oneOf("state", states))),
                        until TEXT,
                        approver TEXT,
                        justification TEXT,
                        severity TEXT CHECK (severity IS NULL OR \(oneOf("severity", severities))),
                        reason TEXT NOT NULL CHECK (length(reason) >= 1),
                        owner TEXT NOT NULL CHECK (length(owner) >= 1),
                        expires TEXT,
                        created_at TEXT NOT NULL,
                        created_by TEXT NOT NULL,
                        CHECK ((action = 'triage') = (state IS NOT NULL)),
                        CHECK ((action = 'severity') = (severity IS NOT NULL)),
                        CHECK ((state = 'accepted_risk') = (until IS NOT NULL AND approver IS NOT NULL)),
                        CHECK ((state = 'not_affected') = (justification IS NOT NULL))
                    ) STRICT;

                    ALTER TABLE issue ADD COLUMN severity_override TEXT CHECK (severity_override IS NULL OR \(oneOf("severity_override", severities)));
                    ALTER TABLE issue ADD COLUMN severity_rule INTEGER CHECK ((severity_rule IS NULL) = (severity_override IS NULL));
                    """)
        }
        migrator.registerMigration("v14: each distinct assessment stored once") { db in
            // A report's issues share a handful of assessments (the same factors, the same
            // values), and every issue row held its own copy: 480 bytes of an issue's 550. Each
            // distinct text is now stored once and issues name it. `digest` is the text's
            // `ChangeHasher` value, what a rescoring compares with and a write looks texts up by
            // (a unique index on the text itself would hold every text twice).
            try db.execute(
                sql: """
                    CREATE TABLE risk_assessment (
                        id INTEGER PRIMARY KEY,
                        digest INTEGER NOT NULL,
                        body TEXT NOT NULL CHECK (json_valid(body))
                    ) STRICT;
                    CREATE INDEX risk_assessment_by_digest ON risk_assessment (digest);
                    ALTER TABLE issue ADD COLUMN assessment_id INTEGER REFERENCES risk_assessment(id);
                    """)
            let insert = try db.makeStatement(sql: "INSERT INTO risk_assessment (digest, body) VALUES (?, ?)")
            for text in try String.fetchAll(db, sql: "SELECT DISTINCT assessment FROM issue WHERE assessment IS NOT NULL") {
                try insert.execute(arguments: [Int64(bitPattern: SQLiteStore.assessmentHash(text)), text])
            }
            try db.execute(
                sql: """
                    CREATE INDEX risk_assessment_by_body ON risk_assessment (body);
                    UPDATE issue SET assessment_id = (SELECT r.id FROM risk_assessment r WHERE r.body = issue.assessment)
                        WHERE assessment IS NOT NULL;
                    DROP INDEX risk_assessment_by_body;
                    ALTER TABLE issue DROP COLUMN assessment;
                    -- What finds the assessments no issue names any more (SQLiteStore.dropUnusedAssessments).
                    CREATE INDEX issue_by_assessment ON issue (assessment_id);
                    """)
            // Issues never scored (found by v9, before v11 scored every issue) are scored as of
            // the latest import, so the migration reads no clock.
            let unscored = try Int64.fetchAll(db, sql: "SELECT id FROM issue WHERE assessment_id IS NULL ORDER BY id")
            if !unscored.isEmpty, let latest = try String.fetchOne(db, sql: "SELECT max(imported_at) FROM scan") {
                try SQLiteStore.rescore(issues: unscored, at: SQLiteStore.date(latest), in: db)
            }
        }
        migrator.registerMigration("v15: design findings") { db in
            // Threat models and security requirement checklists report weaknesses of a design,
            // at an element of a model: a new category and a new location kind. SQLite changes
            // a table's CHECK constraints by rebuilding it (as v4 did); the columns, their order
            // and the indexes are those of today's table.
            try db.execute(
                sql: """
                    CREATE TABLE finding_v15 (
                        id INTEGER PRIMARY KEY,
                        stream_id INTEGER NOT NULL REFERENCES stream(id) ON DELETE CASCADE,
                        fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
                        category TEXT NOT NULL CHECK (\(oneOf("category", ["sast", "sca", "container", "iac", "secrets", "dast", "cloud", "infra", "sbom", "design"]))),
                        rule_id TEXT NOT NULL,
                        title TEXT NOT NULL,
                        severity TEXT NOT NULL CHECK (\(oneOf("severity", ["critical", "high", "medium", "low", "info"]))),
                        severity_rank INTEGER NOT NULL CHECK (severity_rank BETWEEN 0 AND 4),
                        tool_severity TEXT,
                        confidence TEXT CHECK (confidence IS NULL OR \(oneOf("confidence", ["high", "medium", "low"]))),
                        cwes TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(cwes)),
                        vulnerability_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(vulnerability_ids)),
                        location_kind TEXT NOT NULL CHECK (\(oneOf("location_kind", ["code", "package", "image", "iac", "endpoint", "cloud", "host", "design"]))),
                        file_path TEXT,
                        component_name TEXT,
                        url TEXT,
                        host TEXT,
                        cvss_vector TEXT,
                        cvss_score REAL CHECK (cvss_score IS NULL OR (cvss_score >= 0 AND cvss_score <= 10)),
                        secret_hash TEXT,
                        secret_preview TEXT,
                        suppressed INTEGER NOT NULL CHECK (suppressed = 0 OR suppressed = 1),
                        first_seen TEXT NOT NULL,
                        first_scan_id INTEGER NOT NULL REFERENCES scan(id),
                        occurrences INTEGER NOT NULL CHECK (occurrences >= 1),
                        anchor TEXT CHECK (anchor IS NULL OR length(anchor) = 64),
                        location TEXT NOT NULL,
                        exploit_maturity TEXT
                            CHECK (exploit_maturity IS NULL OR \(oneOf("exploit_maturity", ["unproven", "proof-of-concept", "functional", "high"]))),
                        UNIQUE (stream_id, fingerprint)
                    ) STRICT;
                    INSERT INTO finding_v15 SELECT id, stream_id, fingerprint, category, rule_id, title, severity, severity_rank, tool_severity,
                        confidence, cwes, vulnerability_ids, location_kind, file_path, component_name, url, host, cvss_vector, cvss_score,
                        secret_hash, secret_preview, suppressed, first_seen, first_scan_id, occurrences, anchor, location, exploit_maturity
                    FROM finding;
                    DROP TABLE finding;
                    ALTER TABLE finding_v15 RENAME TO finding;
                    CREATE INDEX finding_by_severity ON finding (severity_rank DESC);
                    CREATE INDEX finding_by_stream ON finding (stream_id);
                    """)
        }
        return migrator
    }

    /// A CHECK that `column` holds one of `values`, as comparisons (see migration v4). Lists are
    /// written out in each migration: a migration states the schema of its time, not the code's.
    static func oneOf(_ column: String, _ values: [String]) -> String {
        "(" + values.map { "\(column) = '\($0)'" }.joined(separator: " OR ") + ")"
    }
}
