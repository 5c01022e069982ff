using Annotate.Web.Infrastructure;

namespace Annotate.Tests.Infrastructure;

public class CommandLineTests
{
    [Fact]
    public void Server_options_are_not_commands() => Assert.Null(CommandLine.Parse(["--urls", "http://127.0.0.1:5000"]));

    [Theory]
    [InlineData("user", "add", "a@b.example")]
    [InlineData("user", "add", "a@b.example", "--admin")]
    [InlineData("user", "add", "a@b.example", "--admin", "--password-stdin")]
    public void User_add_is_understood(params string[] args) => Assert.NotNull(CommandLine.Parse(args));

    [Theory]
    [InlineData("user", "add")]
    [InlineData("user", "add", "--admin")]
    [InlineData("user", "remove", "a@b.example")]
    [InlineData("user", "add", "a@b.example", "--root")]
    public async Task Anything_else_prints_the_usage_and_fails(params string[] args)
    {
        var command = CommandLine.Parse(args);
        Assert.NotNull(command);
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        try { Assert.Equal(2, await command.RunAsync(null!)); }
        finally { Console.SetError(original); }
        Assert.Contains(CommandLine.Usage, error.ToString());
    }
}
