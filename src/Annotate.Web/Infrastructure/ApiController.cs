using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Annotate.Web.Infrastructure;

/// <summary>
/// Base of the JSON API: signed-in callers only (cookie or bearer), problem details on errors. Antiforgery for
/// cookie callers is checked by UseCookieApiAntiforgery, so the MVC form check is switched off here.
/// </summary>
[ApiController]
[Authorize]
[IgnoreAntiforgeryToken]
[ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status400BadRequest)]
[ProducesResponseType(typeof(ProblemDetails), StatusCodes.Status404NotFound)]
public abstract class ApiController : ControllerBase;
