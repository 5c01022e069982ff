using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Annotate.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class AnnotationsByDocumentAndOrigin : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_annotations_document_id_origin",
                table: "annotations",
                columns: new[] { "document_id", "origin" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_annotations_document_id_origin",
                table: "annotations");
        }
    }
}
