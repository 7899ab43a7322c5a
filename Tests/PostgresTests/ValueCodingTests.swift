import Foundation
import HeraldTestSupport
import Postgres
import Testing

@Suite("Binding and decoding every supported type against a real server")
struct ValueCodingTests {
    @Test func scalarsRoundTrip() async throws {
        try await withTestDatabase("scalars") { db in
            let connection = try await db.connect()
            let id = UUID()
            let when = Date(timeIntervalSince1970: 1_764_410_591 + 0.123456)
            let rows = try await connection.query(
                """
                SELECT $1::text AS s, $2::bigint AS i, $3::int AS i32, $4::float8 AS d, $5::bool AS b,
                       $6::timestamptz AS t, $7::uuid AS u, $8::jsonb AS j, $9::bytea AS bytes, $10::int8 AS small
                """,
                ["héllo 'quoted' \"x\"", Int64.max, Int32.min, 3.25, true, when, id,
                 PostgresJSON(#"{"b": [1, 2], "a": "x"}"#), Data([0, 1, 2, 255, 0x5c]), 42])
            let row = try #require(rows.first)
            #expect(try row.decode(String.self, column: "s") == "héllo 'quoted' \"x\"")
            #expect(try row.decode(Int64.self, column: "i") == Int64.max)
            #expect(try row.decode(Int32.self, column: "i32") == Int32.min)
            #expect(try row.decode(Double.self, column: "d") == 3.25)
            #expect(try row.decode(Bool.self, column: "b") == true)
            #expect(try row.decode(Date.self, column: "t") == when)
            #expect(try row.decode(UUID.self, column: "u") == id)
            let json = try row.decode(PostgresJSON.self, column: "j")
            struct Doc: Decodable, Equatable { var a: String; var b: [Int] }
            #expect(try json.decode(Doc.self) == Doc(a: "x", b: [1, 2]))
            #expect(try row.decode(Data.self, column: "bytes") == Data([0, 1, 2, 255, 0x5c]))
            #expect(try row.decode(Int.self, at: 9) == 42)
            await connection.close()
        }
    }

    @Test func timestampsKeepMicrosecondsAndServerAgrees() async throws {
        try await withTestDatabase("ts") { db in
            let connection = try await db.connect()
            let row = try #require(try await connection.query(
                "SELECT $1::timestamptz = '2026-03-29 01:30:00.000001+00'::timestamptz AS same, '2026-03-29 03:30:00.5+02'::timestamptz AS t",
                [Date(timeIntervalSince1970: 1_774_747_800 + 0.000001)]).first)
            #expect(try row.decode(Bool.self, column: "same"))
            #expect(try row.decode(Date.self, column: "t") == Date(timeIntervalSince1970: 1_774_747_800.5))
            await connection.close()
        }
    }

    @Test func arraysRoundTrip() async throws {
        try await withTestDatabase("arrays") { db in
            let connection = try await db.connect()
            let ids = [UUID(), UUID()]
            let strings = ["plain", "with,comma", "with \"quote\"", "back\\slash", "", "NULL", "{brace}"]
            let row = try #require(try await connection.query(
                "SELECT $1::bigint[] AS ints, $2::text[] AS strings, $3::uuid[] AS ids, cardinality($2::text[]) AS n",
                [[Int64(1), -2, 3_000_000_000], strings, ids]).first)
            #expect(try row.decode([Int64].self, column: "ints") == [1, -2, 3_000_000_000])
            #expect(try row.decode([String].self, column: "strings") == strings)
            #expect(try row.decode([UUID].self, column: "ids") == ids)
            #expect(try row.decode(Int.self, column: "n") == strings.count)
            // unnest on the server sees each element separately.
            let unnested = try await connection.query("SELECT x FROM unnest($1::text[]) AS x", [strings])
            #expect(try unnested.map { try $0.decode(String.self, at: 0) } == strings)
            await connection.close()
        }
    }

    @Test func nullsDecodeAsOptionalAndFailAsNonOptional() async throws {
        try await withTestDatabase("nulls") { db in
            let connection = try await db.connect()
            let missing: String? = nil
            let row = try #require(try await connection.query(
                "SELECT $1::text AS a, NULL::int AS b, $2::text AS c", [missing, PostgresNull()]).first)
            #expect(try row.decode(String?.self, column: "a") == nil)
            #expect(try row.decode(Int?.self, column: "b") == nil)
            #expect(try row.isNull("c"))
            let error = try #require(throws: PostgresError.self) { try row.decode(Int.self, column: "b") }
            #expect(error.code == .decoding)
            #expect(error.columnName == "b")
            #expect(error.message.contains("\"b\"") && error.message.contains("NULL"))
            await connection.close()
        }
    }

    @Test func typeMismatchNamesTheColumn() async throws {
        try await withTestDatabase("mismatch") { db in
            let connection = try await db.connect()
            let row = try #require(try await connection.query("SELECT 'abc'::text AS word, 7 AS number, true AS flag").first)
            let asInt = try #require(throws: PostgresError.self) { try row.decode(Int.self, column: "word") }
            #expect(asInt.code == .decoding && asInt.columnName == "word")
            #expect(asInt.message.contains("text"))
            let asString = try #require(throws: PostgresError.self) { try row.decode(String.self, column: "number") }
            #expect(asString.columnName == "number")
            let asDate = try #require(throws: PostgresError.self) { try row.decode(Date.self, column: "flag") }
            #expect(asDate.columnName == "flag")
            let noColumn = try #require(throws: PostgresError.self) { try row.decode(Int.self, column: "nope") }
            #expect(noColumn.message.contains("nope"))
            await connection.close()
        }
    }

    @Test func parametersAreNeverInterpolated() async throws {
        try await withTestDatabase("inject") { db in
            let connection = try await db.connect()
            try await connection.execute("CREATE TABLE people (name text)")
            let hostile = "x'); DROP TABLE people; --"
            try await connection.query("INSERT INTO people (name) VALUES ($1)", [hostile])
            let rows = try await connection.query("SELECT name FROM people")
            try #require(rows.count == 1)
            #expect(try rows[0].decode(String.self, at: 0) == hostile)
            await connection.close()
        }
    }
}

@Suite("Text codecs without a server")
struct TextCodecTests {
    @Test func timestampFormatAndParse() throws {
        let date = try #require(PostgresTimestamp.parse("2024-02-29 23:59:59.999999+00"))
        #expect(PostgresTimestamp.format(date) == "2024-02-29 23:59:59.999999+00")
        #expect(PostgresTimestamp.parse("1970-01-01 00:00:00+00") == Date(timeIntervalSince1970: 0))
        #expect(PostgresTimestamp.parse("1970-01-01 02:00:00+02") == Date(timeIntervalSince1970: 0))
        #expect(PostgresTimestamp.parse("1969-12-31 19:00:00-05") == Date(timeIntervalSince1970: 0))
        #expect(PostgresTimestamp.parse("1970-01-01 05:30:00+05:30") == Date(timeIntervalSince1970: 0))
        #expect(PostgresTimestamp.parse("1970-01-02") == Date(timeIntervalSince1970: 86_400))
        #expect(PostgresTimestamp.parse("infinity") == nil)
        #expect(PostgresTimestamp.parse("2024-13-01 00:00:00+00") == nil)
        #expect(PostgresTimestamp.parse("2024-01-01 00:00:00+00 junk") == nil)
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: -0.5)) == "1969-12-31 23:59:59.500000+00")
    }
}
