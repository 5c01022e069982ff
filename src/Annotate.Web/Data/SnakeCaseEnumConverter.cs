using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Annotate.Web.Data;

/// <summary>Stores an enum as its snake_case name ('in_progress'), the same word the API and exports use.</summary>
public class SnakeCaseEnumConverter<TEnum>() : ValueConverter<TEnum, string>(
    value => SnakeCaseNaming.ToSnakeCase(value.ToString()),
    text => Parse(text))
    where TEnum : struct, Enum
{
    private static TEnum Parse(string text) => Enum.Parse<TEnum>(text.Replace("_", ""), ignoreCase: true);
}
