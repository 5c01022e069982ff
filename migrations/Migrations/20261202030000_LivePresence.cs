using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Annotate.Migrations.Migrations
{
    /// <summary>
    /// Who has which document open, shared by every app node (see Presence). Unlogged: it is rebuilt by the
    /// connections themselves, so a crash may empty it. SQL only, outside the EF model: the snapshot does not change, and the designer file's
    /// target model is the model as it stood (the EF tools read it when a later migration is removed).
    /// </summary>
    public partial class LivePresence : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE UNLOGGED TABLE live_presence (
                    connection_id text NOT NULL,
                    document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
                    node_id text NOT NULL,
                    user_id text NOT NULL,
                    name text NOT NULL,
                    expires_at timestamp with time zone NOT NULL,
                    PRIMARY KEY (connection_id, document_id)
                );
                CREATE INDEX ix_live_presence_document_id ON live_presence (document_id);
                CREATE INDEX ix_live_presence_node_id ON live_presence (node_id);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE live_presence;");
        }
    }
}
