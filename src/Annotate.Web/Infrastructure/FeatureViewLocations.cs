using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Razor;

namespace Annotate.Web.Infrastructure;

/// <summary>
/// Finds a controller's views in its own feature folder: the controller in namespace
/// Annotate.Web.Features.Accounts renders Features/Accounts/Views/Login.cshtml.
/// </summary>
public class FeatureViewLocations : IViewLocationExpander
{
    public void PopulateValues(ViewLocationExpanderContext context)
    {
        if (context.ActionContext.ActionDescriptor is ControllerActionDescriptor action)
            context.Values["feature"] = action.ControllerTypeInfo.Namespace?.Split('.').Last();
    }

    public IEnumerable<string> ExpandViewLocations(ViewLocationExpanderContext context, IEnumerable<string> viewLocations) =>
        context.Values.TryGetValue("feature", out var feature) && feature is not null
            ? [$"/Features/{feature}/Views/{{0}}.cshtml", "/Features/Shared/{0}.cshtml"]
            : viewLocations;
}
