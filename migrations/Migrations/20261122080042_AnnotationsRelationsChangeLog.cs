using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Annotate.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class AnnotationsRelationsChangeLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "annotations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<long>(type: "bigint", nullable: false),
                    document_id = table.Column<long>(type: "bigint", nullable: false),
                    annotator_id = table.Column<string>(type: "text", nullable: false),
                    layer = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    label = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    start = table.Column<int>(type: "integer", nullable: false),
                    end = table.Column<int>(type: "integer", nullable: false),
                    text = table.Column<string>(type: "text", nullable: false),
                    attributes = table.Column<string>(type: "jsonb", nullable: false),
                    note = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: true),
                    version = table.Column<int>(type: "integer", nullable: false),
                    origin = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_annotations", x => x.id);
                    table.CheckConstraint("ck_annotations_attributes_object", "jsonb_typeof(attributes) = 'object'");
                    table.CheckConstraint("ck_annotations_layer", "layer IN ('entity', 'claim')");
                    table.CheckConstraint("ck_annotations_offsets", "start >= 0 AND start < \"end\"");
                    table.CheckConstraint("ck_annotations_origin", "origin IN ('manual', 'imported', 'curated')");
                    table.CheckConstraint("ck_annotations_text", "char_length(text) = \"end\" - start");
                    table.CheckConstraint("ck_annotations_version", "version >= 1");
                    table.ForeignKey(
                        name: "fk_annotations_asp_net_users_annotator_id",
                        column: x => x.annotator_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_annotations_documents_document_id",
                        column: x => x.document_id,
                        principalTable: "documents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_annotations_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "change_events",
                columns: table => new
                {
                    project_id = table.Column<long>(type: "bigint", nullable: false),
                    sequence = table.Column<long>(type: "bigint", nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    document_id = table.Column<long>(type: "bigint", nullable: true),
                    other_document_id = table.Column<long>(type: "bigint", nullable: true),
                    subject_id = table.Column<Guid>(type: "uuid", nullable: true),
                    owner_id = table.Column<string>(type: "text", nullable: false),
                    actor_id = table.Column<string>(type: "text", nullable: false),
                    data = table.Column<string>(type: "json", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_change_events", x => new { x.project_id, x.sequence });
                    table.CheckConstraint("ck_change_events_sequence", "sequence >= 1");
                    table.ForeignKey(
                        name: "fk_change_events_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "project_sequences",
                columns: table => new
                {
                    project_id = table.Column<long>(type: "bigint", nullable: false),
                    last_sequence = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_project_sequences", x => x.project_id);
                    table.ForeignKey(
                        name: "fk_project_sequences_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "relations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    project_id = table.Column<long>(type: "bigint", nullable: false),
                    type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    from_id = table.Column<Guid>(type: "uuid", nullable: false),
                    to_id = table.Column<Guid>(type: "uuid", nullable: false),
                    note = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: true),
                    annotator_id = table.Column<string>(type: "text", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_relations", x => x.id);
                    table.CheckConstraint("ck_relations_distinct_ends", "from_id <> to_id");
                    table.CheckConstraint("ck_relations_version", "version >= 1");
                    table.ForeignKey(
                        name: "fk_relations_annotations_from_id",
                        column: x => x.from_id,
                        principalTable: "annotations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_relations_annotations_to_id",
                        column: x => x.to_id,
                        principalTable: "annotations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_relations_asp_net_users_annotator_id",
                        column: x => x.annotator_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_relations_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_annotations_annotator_id",
                table: "annotations",
                column: "annotator_id");

            migrationBuilder.CreateIndex(
                name: "ix_annotations_document_id_start",
                table: "annotations",
                columns: new[] { "document_id", "start" });

            migrationBuilder.CreateIndex(
                name: "ix_annotations_project_id_layer",
                table: "annotations",
                columns: new[] { "project_id", "layer" });

            migrationBuilder.CreateIndex(
                name: "ix_change_events_document_id_sequence",
                table: "change_events",
                columns: new[] { "document_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_change_events_other_document_id_sequence",
                table: "change_events",
                columns: new[] { "other_document_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_relations_annotator_id",
                table: "relations",
                column: "annotator_id");

            migrationBuilder.CreateIndex(
                name: "ix_relations_from_id",
                table: "relations",
                column: "from_id");

            migrationBuilder.CreateIndex(
                name: "ix_relations_project_id",
                table: "relations",
                column: "project_id");

            migrationBuilder.CreateIndex(
                name: "ix_relations_to_id",
                table: "relations",
                column: "to_id");

            // A span ends inside its document: a check constraint cannot see the documents row, a trigger can.
            migrationBuilder.Sql("""
                CREATE FUNCTION annotations_within_document() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW."end" > (SELECT length FROM documents WHERE id = NEW.document_id) THEN
                        RAISE EXCEPTION 'annotation % ends at %, past the end of document %', NEW.id, NEW."end", NEW.document_id
                            USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER annotations_within_document BEFORE INSERT OR UPDATE OF start, "end", document_id ON annotations
                    FOR EACH ROW EXECUTE FUNCTION annotations_within_document();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS annotations_within_document ON annotations; DROP FUNCTION IF EXISTS annotations_within_document();");

            migrationBuilder.DropTable(
                name: "change_events");

            migrationBuilder.DropTable(
                name: "project_sequences");

            migrationBuilder.DropTable(
                name: "relations");

            migrationBuilder.DropTable(
                name: "annotations");
        }
    }
}
