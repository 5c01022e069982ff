using Annotate.Web.Data;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Annotate.Migrations.Migrations
{
    /// <summary>
    /// Wrong-password counts per account and client address (SignInLockouts). Written with SQL only: the app reads it
    /// with SQL, it is not part of the EF model, so the model snapshot does not change.
    /// </summary>
    [DbContext(typeof(AppDbContext))]
    [Migration("20261202020000_SignInLockouts")]
    public partial class SignInLockouts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE sign_in_lockouts (
                    user_id text NOT NULL REFERENCES asp_net_users (id) ON DELETE CASCADE,
                    address text NOT NULL,
                    failures integer NOT NULL,
                    last_failure timestamp with time zone NOT NULL,
                    locked_until timestamp with time zone,
                    PRIMARY KEY (user_id, address)
                );
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE sign_in_lockouts;");
        }
    }
}
