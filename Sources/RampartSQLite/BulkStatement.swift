import Foundation
import GRDB
import GRDBSQLite

/// A prepared statement bound and stepped through SQLite's C API, for the import's hot loops.
/// GRDB's `StatementArguments` boxes every value (about a third of the write time in profiles);
/// this binds straight from Swift values. It is only used inside a GRDB transaction, on the
/// connection GRDB hands out, and every value is still a bound parameter.
final class BulkStatement {
    private let connection: OpaquePointer
    private let handle: OpaquePointer
    private let sql: String
    /// Text and blob values of the row being bound, copied here instead of into SQLite-owned
    /// memory: SQLite's own copies cost a malloc and free per value, each taking its global
    /// memory-statistics mutex. The arena lives until the next `step()`, so SQLite may use the
    /// bytes in place (`SQLITE_STATIC`).
    private var arena = BindArena()

    init(_ db: Database, sql: String) throws {
        guard let connection = db.sqliteConnection else { throw DatabaseError(message: "database connection is closed") }
        self.connection = connection
        self.sql = sql
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(connection, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        self.handle = statement
    }

    deinit {
        sqlite3_finalize(handle)
        arena.release()
    }

    func bind(_ index: Int32, _ value: String?) {
        guard var value else {
            check(sqlite3_bind_null(handle, index), index)
            return
        }
        value.withUTF8 { bytes in
            let copy = arena.copy(UnsafeRawBufferPointer(bytes))
            check(sqlite3_bind_text64(handle, index, copy.assumingMemoryBound(to: CChar.self), UInt64(bytes.count), nil, UInt8(SQLITE_UTF8)), index)
        }
    }

    func bind(_ index: Int32, _ value: Int64?) {
        guard let value else {
            check(sqlite3_bind_null(handle, index), index)
            return
        }
        check(sqlite3_bind_int64(handle, index, value), index)
    }

    func bind(_ index: Int32, _ value: Int?) { bind(index, value.map(Int64.init)) }

    func bind(_ index: Int32, _ value: Double?) {
        guard let value else {
            check(sqlite3_bind_null(handle, index), index)
            return
        }
        check(sqlite3_bind_double(handle, index, value), index)
    }

    func bind(_ index: Int32, _ value: Data?) {
        guard let value else {
            check(sqlite3_bind_null(handle, index), index)
            return
        }
        value.withUnsafeBytes { bytes in
            check(sqlite3_bind_blob64(handle, index, arena.copy(bytes), UInt64(bytes.count), nil), index)
        }
    }

    /// Binds bytes without copying them: the caller keeps `value` alive until `step()` returns.
    /// Used for evidence, which are slices of the report that outlives the import.
    func bindUncopied(_ index: Int32, _ value: Data?) {
        guard let value, value.count > 64 else {
            // Small Data values may live inline in the struct: only a copy is safe.
            bind(index, value)
            return
        }
        value.withUnsafeBytes { bytes in
            check(sqlite3_bind_blob64(handle, index, bytes.baseAddress, UInt64(bytes.count), nil), index)
        }
    }

    /// The first bind of this row that SQLite refused (a value over its size limit binds
    /// nothing, and the row would silently hold NULL): `step()` throws it instead of writing.
    private var bindFailure: (code: Int32, index: Int32)?

    private func check(_ code: Int32, _ index: Int32) {
        if code != SQLITE_OK, bindFailure == nil { bindFailure = (code, index) }
    }

    /// Throws the row's first refused bind, if any, clearing the row for the next one.
    private func throwBindFailure() throws {
        guard let failure = bindFailure else { return }
        bindFailure = nil
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        arena.reset()
        throw DatabaseError(
            resultCode: ResultCode(rawValue: failure.code),
            message: "cannot bind value \(failure.index): \(String(cString: sqlite3_errstr(failure.code)))", sql: sql)
    }

    /// Runs the statement once with the bound values, then clears it for the next row.
    func step() throws {
        try throwBindFailure()
        let code = sqlite3_step(handle)
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            arena.reset()
        }
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
    }

    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    /// Rows the last step inserted, updated or deleted.
    var changes: Int { Int(sqlite3_changes(connection)) }

    /// Steps a query: true while it yields rows; reset when done.
    func nextRow() throws -> Bool {
        try throwBindFailure()
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        arena.reset()
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        return false
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// The column's text as a String; nil for NULL.
    func text(_ column: Int32) -> String? {
        isNull(column) ? nil : String(decoding: textBytes(column), as: UTF8.self)
    }

    /// The column's text in SQLite's own buffer, valid until the next step.
    func textBytes(_ column: Int32) -> UnsafeRawBufferPointer {
        guard let text = sqlite3_column_text(handle, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column)))
    }
}

/// Bump allocation for one row's bound values. A value that does not fit the current chunk
/// goes to a new one; the earlier chunks stay until `reset()`, as SQLite still points into them.
struct BindArena {
    private static let chunkSize = 64 * 1024
    private var chunks: [UnsafeMutableRawBufferPointer] = []
    private var used = 0

    /// Copies `bytes` into the arena; the copy stays valid until `reset()`.
    mutating func copy(_ bytes: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer {
        if chunks.isEmpty || used + bytes.count > chunks[chunks.count - 1].count {
            chunks.append(.allocate(byteCount: max(Self.chunkSize, bytes.count), alignment: 16))
            used = 0
        }
        let destination = chunks[chunks.count - 1].baseAddress! + used
        if let source = bytes.baseAddress, !bytes.isEmpty { destination.copyMemory(from: source, byteCount: bytes.count) }
        used += bytes.count
        return destination
    }

    /// Makes the arena's memory reusable; keeps one chunk (the larger ones only serve rare big values).
    mutating func reset() {
        if chunks.count > 1 || (chunks.first?.count ?? 0) > Self.chunkSize {
            release()
        }
        used = 0
    }

    mutating func release() {
        for chunk in chunks { chunk.deallocate() }
        chunks = []
        used = 0
    }
}
