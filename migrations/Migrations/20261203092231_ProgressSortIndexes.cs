using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Annotate.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class ProgressSortIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_assignments_project_id_kind_document_id",
                table: "assignments",
                columns: new[] { "project_id", "kind", "document_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_assignments_project_id_kind_document_id",
                table: "assignments");
        }
    }
}
