using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Annotate.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class WorkflowProjectSettings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "annotators_per_document",
                table: "projects",
                type: "integer",
                nullable: false,
                defaultValue: 2);

            migrationBuilder.AddColumn<bool>(
                name: "anonymous_curation",
                table: "projects",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "assignment",
                table: "projects",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "free");

            migrationBuilder.AddColumn<bool>(
                name: "finished_locks",
                table: "projects",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "language",
                table: "projects",
                type: "character varying(35)",
                maxLength: 35,
                nullable: false,
                defaultValue: "en");

            migrationBuilder.AddColumn<int>(
                name: "release_after_minutes",
                table: "projects",
                type: "integer",
                nullable: false,
                defaultValue: 1440);

            migrationBuilder.AddCheckConstraint(
                name: "ck_projects_annotators_per_document",
                table: "projects",
                sql: "annotators_per_document BETWEEN 1 AND 50");

            migrationBuilder.AddCheckConstraint(
                name: "ck_projects_assignment",
                table: "projects",
                sql: "assignment IN ('free', 'assigned', 'dynamic')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_projects_release_after_minutes",
                table: "projects",
                sql: "release_after_minutes >= 1");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_projects_annotators_per_document",
                table: "projects");

            migrationBuilder.DropCheckConstraint(
                name: "ck_projects_assignment",
                table: "projects");

            migrationBuilder.DropCheckConstraint(
                name: "ck_projects_release_after_minutes",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "annotators_per_document",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "anonymous_curation",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "assignment",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "finished_locks",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "language",
                table: "projects");

            migrationBuilder.DropColumn(
                name: "release_after_minutes",
                table: "projects");
        }
    }
}
