using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Annotate.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class CurationReviewDecisions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "curation_decisions",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    project_id = table.Column<long>(type: "bigint", nullable: false),
                    document_id = table.Column<long>(type: "bigint", nullable: false),
                    documents = table.Column<List<long>>(type: "bigint[]", nullable: false),
                    reviewer_id = table.Column<string>(type: "text", nullable: false),
                    decided_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    action = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    units = table.Column<List<string>>(type: "text[]", nullable: false),
                    reason = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    note = table.Column<string>(type: "character varying(10000)", maxLength: 10000, nullable: true),
                    chosen = table.Column<string>(type: "jsonb", nullable: false),
                    rejected = table.Column<string>(type: "jsonb", nullable: false),
                    result = table.Column<string>(type: "jsonb", nullable: false),
                    request = table.Column<string>(type: "jsonb", nullable: false),
                    created_spans = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    created_relations = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    undone_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    undone_by_id = table.Column<string>(type: "text", nullable: true),
                    redo_of = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_curation_decisions", x => x.id);
                    table.CheckConstraint("ck_curation_decisions_action", "action IN ('accept', 'edit', 'add', 'reject', 'accept-agreed')");
                    table.CheckConstraint("ck_curation_decisions_reason", "reason IS NULL OR reason IN ('guideline_gap', 'annotator_slip', 'ambiguous_text', 'other')");
                    table.ForeignKey(
                        name: "fk_curation_decisions_asp_net_users_reviewer_id",
                        column: x => x.reviewer_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_curation_decisions_asp_net_users_undone_by_id",
                        column: x => x.undone_by_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_curation_decisions_documents_document_id",
                        column: x => x.document_id,
                        principalTable: "documents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_curation_decisions_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "document_curations",
                columns: table => new
                {
                    document_id = table.Column<long>(type: "bigint", nullable: false),
                    project_id = table.Column<long>(type: "bigint", nullable: false),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    updated_by_id = table.Column<string>(type: "text", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_document_curations", x => x.document_id);
                    table.CheckConstraint("ck_document_curations_state", "state IN ('not_started', 'in_progress', 'curated', 'reopened')");
                    table.ForeignKey(
                        name: "fk_document_curations_asp_net_users_updated_by_id",
                        column: x => x.updated_by_id,
                        principalTable: "asp_net_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_document_curations_documents_document_id",
                        column: x => x.document_id,
                        principalTable: "documents",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_document_curations_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_curation_decisions_document_id",
                table: "curation_decisions",
                column: "document_id");

            migrationBuilder.CreateIndex(
                name: "ix_curation_decisions_documents",
                table: "curation_decisions",
                column: "documents")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_curation_decisions_project_id",
                table: "curation_decisions",
                column: "project_id");

            migrationBuilder.CreateIndex(
                name: "ix_curation_decisions_reviewer_id",
                table: "curation_decisions",
                column: "reviewer_id");

            migrationBuilder.CreateIndex(
                name: "ix_curation_decisions_undone_by_id",
                table: "curation_decisions",
                column: "undone_by_id");

            migrationBuilder.CreateIndex(
                name: "ix_document_curations_project_id",
                table: "document_curations",
                column: "project_id");

            migrationBuilder.CreateIndex(
                name: "ix_document_curations_updated_by_id",
                table: "document_curations",
                column: "updated_by_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "curation_decisions");

            migrationBuilder.DropTable(
                name: "document_curations");
        }
    }
}
