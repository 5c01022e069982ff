using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Annotate.Web.Data;

/// <summary>Stores an enum as its snake_case name ('in_progress'), the same word the API and exports use.</summary>
public class SnakeCaseEnumConverter<TEnum>() : ValueConverter<TEnum, string>(
    value => Word(value),
    text => Parse(text))
    where TEnum : struct, Enum
{
    /// <summary>The stored word, for SQL written by hand (the write path's batches) that must match EF's.</summary>
    public static string Word(TEnum value) => SnakeCaseNaming.ToSnakeCase(value.ToString());

    public static TEnum Parse(string text) => Enum.Parse<TEnum>(text.Replace("_", ""), ignoreCase: true);
}
