// What nearly every integration test uses: HTTP and JSON, the shared test support, the database context, EF Core and
// the app's services. Named once here so each test file's usings list only what is particular to it.
global using System.Net;
global using System.Net.Http.Json;
global using System.Text;
global using System.Text.Json;
global using Annotate.Testing;
global using Annotate.Web.Data;
global using Microsoft.EntityFrameworkCore;
global using Microsoft.Extensions.DependencyInjection;
