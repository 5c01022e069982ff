using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Annotate.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class ChangeLogAppendOnly : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The change log is the truth clients catch up from: a sequence, once given, never changes or goes.
            // Enforced by the database, not only by the code that happens to write it today.
            migrationBuilder.Sql("""
                CREATE FUNCTION change_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'change_events is append-only: log entries are never changed or removed (%)', TG_OP
                        USING ERRCODE = 'restrict_violation';
                END $$;
                CREATE TRIGGER change_events_no_update_or_delete BEFORE UPDATE OR DELETE ON change_events
                    FOR EACH ROW EXECUTE FUNCTION change_events_append_only();
                CREATE TRIGGER change_events_no_truncate BEFORE TRUNCATE ON change_events
                    FOR EACH STATEMENT EXECUTE FUNCTION change_events_append_only();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER change_events_no_truncate ON change_events;
                DROP TRIGGER change_events_no_update_or_delete ON change_events;
                DROP FUNCTION change_events_append_only();
                """);
        }
    }
}
