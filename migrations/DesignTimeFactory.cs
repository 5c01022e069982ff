using Annotate.Web.Data;
using Annotate.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Annotate.Migrations;

/// <summary>
/// Lets `dotnet ef migrations add` build the model without starting the web app. The connection string only
/// matters for commands that talk to a database; adding a migration does not.
/// </summary>
public class DesignTimeFactory : IDesignTimeDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<AppDbContext>();
        DatabaseSetup.Configure(options, Environment.GetEnvironmentVariable("ConnectionStrings__Default") ?? "Host=localhost;Database=annotate_design");
        return new AppDbContext(options.Options);
    }
}
