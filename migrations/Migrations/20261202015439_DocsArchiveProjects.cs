using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Annotate.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class DocsArchiveProjects : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "archived_at",
                table: "projects",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_documents_project_id_id",
                table: "documents",
                columns: new[] { "project_id", "id" });

            // The change log stays append-only with one exception: deleting a document redacts its entries in the same
            // transaction. Allowed is exactly that update: data becomes {"redacted":true}, every other column stays as
            // it was, and only for an entry whose document (or other document) no longer exists. Any other update,
            // any delete and truncate are still refused.
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION change_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' THEN
                        IF NEW.data::text = '{"redacted":true}'
                           AND (NEW.project_id, NEW.sequence, NEW.kind, NEW.document_id, NEW.other_document_id, NEW.subject_id,
                                NEW.owner_id, NEW.actor_id, NEW.created_at)
                               IS NOT DISTINCT FROM
                               (OLD.project_id, OLD.sequence, OLD.kind, OLD.document_id, OLD.other_document_id, OLD.subject_id,
                                OLD.owner_id, OLD.actor_id, OLD.created_at)
                           AND (OLD.document_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM documents WHERE id = OLD.document_id)
                                OR OLD.other_document_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM documents WHERE id = OLD.other_document_id))
                        THEN
                            RETURN NEW;
                        END IF;
                    END IF;
                    RAISE EXCEPTION 'change_events is append-only: log entries are never changed or removed, only a deleted document''s are redacted (%)', TG_OP
                        USING ERRCODE = 'restrict_violation';
                END $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION change_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'change_events is append-only: log entries are never changed or removed (%)', TG_OP
                        USING ERRCODE = 'restrict_violation';
                END $$;
                """);

            migrationBuilder.DropIndex(
                name: "ix_documents_project_id_id",
                table: "documents");

            migrationBuilder.DropColumn(
                name: "archived_at",
                table: "projects");
        }
    }
}
