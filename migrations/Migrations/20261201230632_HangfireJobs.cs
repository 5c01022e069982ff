using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Annotate.Migrations.Migrations
{
    /// <inheritdoc />
    public partial class HangfireJobs : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Jobs moved from Quartz.NET to Hangfire (schema "hangfire", which Hangfire prepares itself). Quartz created its
            // qrtz_* tables on its own (no migration of ours made them), so each is dropped only where it exists.
            migrationBuilder.Sql("""
                DO $$
                DECLARE quartz_table record;
                BEGIN
                    FOR quartz_table IN SELECT schemaname, tablename FROM pg_tables WHERE tablename LIKE 'qrtz\_%' AND schemaname = current_schema() LOOP
                        EXECUTE format('DROP TABLE IF EXISTS %I.%I CASCADE', quartz_table.schemaname, quartz_table.tablename);
                    END LOOP;
                END $$;
                """);

            migrationBuilder.AddColumn<int>(
                name: "attempts",
                table: "exports",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "job_id",
                table: "exports",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "attempts",
                table: "agreement_reports",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "job_id",
                table: "agreement_reports",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "pending_agreement_runs",
                columns: table => new
                {
                    project_id = table.Column<long>(type: "bigint", nullable: false),
                    first_finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    job_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pending_agreement_runs", x => x.project_id);
                    table.ForeignKey(
                        name: "fk_pending_agreement_runs_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_exports_attempts",
                table: "exports",
                sql: "attempts >= 0");

            migrationBuilder.AddCheckConstraint(
                name: "ck_agreement_reports_attempts",
                table: "agreement_reports",
                sql: "attempts >= 0");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Quartz's tables are not brought back: Quartz.NET creates them when it starts, as it did before.
            migrationBuilder.DropTable(
                name: "pending_agreement_runs");

            migrationBuilder.DropCheckConstraint(
                name: "ck_exports_attempts",
                table: "exports");

            migrationBuilder.DropCheckConstraint(
                name: "ck_agreement_reports_attempts",
                table: "agreement_reports");

            migrationBuilder.DropColumn(
                name: "attempts",
                table: "exports");

            migrationBuilder.DropColumn(
                name: "job_id",
                table: "exports");

            migrationBuilder.DropColumn(
                name: "attempts",
                table: "agreement_reports");

            migrationBuilder.DropColumn(
                name: "job_id",
                table: "agreement_reports");
        }
    }
}
