// What nearly every feature uses: the database context, the cross-cutting helpers, EF Core and the project access
// rules. Named once here so each file's usings list only what is particular to it.
global using Annotate.Web.Data;
global using Annotate.Web.Features.Projects;
global using Annotate.Web.Infrastructure;
global using Microsoft.EntityFrameworkCore;
