using Npgsql;

namespace Annotate.Web.Infrastructure;

/// <summary>
/// One column of many rows as one array parameter: <c>INSERT ... SELECT ... FROM unnest($1, $2, ...)</c> over such
/// columns writes any number of rows in one statement (the write path's batches, see ChangeLog.WriteBatchAsync).
/// </summary>
public static class SqlColumns
{
    public static NpgsqlParameter Of<TRow, TValue>(IEnumerable<TRow> rows, Func<TRow, TValue> value) => new() { Value = rows.Select(value).ToArray() };
}
