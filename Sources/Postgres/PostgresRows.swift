/// The complete result of one statement, copied out of libpq's `PGresult` so it can cross threads.
public struct PostgresRows: Sendable, Sequence {
    /// Column names, in order.
    public let columns: [String]
    /// Column type OIDs, in order.
    public let columnTypes: [UInt32]
    /// Number of rows returned.
    public let count: Int
    /// Rows affected by INSERT/UPDATE/DELETE (from the command tag), or the row count for SELECT.
    public let affectedRows: Int
    let cells: [String?]
    let columnIndex: [String: Int]

    init(columns: [String], columnTypes: [UInt32], count: Int, affectedRows: Int, cells: [String?]) {
        self.columns = columns
        self.columnTypes = columnTypes
        self.count = count
        self.affectedRows = affectedRows
        self.cells = cells
        var index: [String: Int] = [:]
        for (position, name) in columns.enumerated() where index[name] == nil { index[name] = position }
        self.columnIndex = index
    }

    /// True when no row came back.
    public var isEmpty: Bool { count == 0 }

    /// The first row, if any.
    public var first: PostgresRow? { count > 0 ? PostgresRow(rows: self, row: 0) : nil }

    /// The row at `index` (0-based).
    public subscript(index: Int) -> PostgresRow {
        precondition(index >= 0 && index < count, "row index out of range")
        return PostgresRow(rows: self, row: index)
    }

    public func makeIterator() -> AnyIterator<PostgresRow> {
        var next = 0
        return AnyIterator {
            guard next < count else { return nil }
            defer { next += 1 }
            return PostgresRow(rows: self, row: next)
        }
    }
}

/// One row of a `PostgresRows`, with typed access by column name or index.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    let row: Int

    /// The row's column names, in order.
    public var columns: [String] { rows.columns }

    /// The raw text of a column, nil for NULL.
    public func text(at column: Int) -> String? { rows.cells[row * rows.columns.count + column] }

    /// True when the named column is NULL. Throws when there is no such column.
    public func isNull(_ column: String) throws -> Bool { text(at: try index(of: column)) == nil }

    /// Decodes a non-NULL column by name. Throws `.decoding` naming the column on a NULL,
    /// a missing column, or a type mismatch.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, column: String) throws -> T {
        try decode(T.self, at: try index(of: column))
    }

    /// Decodes a column that may be NULL by name.
    public func decode<T: PostgresDecodable>(_ type: T?.Type, column: String) throws -> T? {
        try decode(T?.self, at: try index(of: column))
    }

    /// Decodes a non-NULL column by index.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at column: Int) throws -> T {
        guard let value = try decode(T?.self, at: column) else {
            throw PostgresError(
                code: .decoding, message: "column \"\(name(of: column))\" is NULL but \(T.self) is not optional",
                columnName: name(of: column))
        }
        return value
    }

    /// Decodes a column that may be NULL by index.
    public func decode<T: PostgresDecodable>(_ type: T?.Type, at column: Int) throws -> T? {
        guard column >= 0 && column < rows.columns.count else {
            throw PostgresError(code: .decoding, message: "column index \(column) out of range (\(rows.columns.count) columns)")
        }
        let oid = rows.columnTypes[column]
        if let accepted = T.acceptedOIDs, !accepted.contains(oid) {
            throw PostgresError(
                code: .decoding,
                message: "column \"\(name(of: column))\" has type \(PostgresOID.name(of: oid)), which cannot decode as \(T.self)",
                columnName: name(of: column))
        }
        guard let text = text(at: column) else { return nil }
        do {
            return try T(postgresText: text, oid: oid)
        } catch var error as PostgresError {
            error.message = "column \"\(name(of: column))\": \(error.message)"
            error.columnName = name(of: column)
            throw error
        }
    }

    /// Shorthand for `decode(_:column:)`.
    public subscript<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) -> T {
        get throws { try decode(T.self, column: column) }
    }

    private func index(of column: String) throws -> Int {
        guard let index = rows.columnIndex[column] else {
            throw PostgresError(
                code: .decoding, message: "no column named \"\(column)\" (have: \(rows.columns.joined(separator: ", ")))",
                columnName: column)
        }
        return index
    }

    private func name(of column: Int) -> String { rows.columns[column] }
}
