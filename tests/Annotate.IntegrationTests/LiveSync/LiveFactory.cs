using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Annotate.IntegrationTests.LiveSync;

/// <summary>The app on a real Kestrel port, so hub clients connect over real WebSockets.</summary>
public sealed class LiveFactory : AnnotateFactory
{
    private readonly IReadOnlyList<KeyValuePair<string, string?>> settings = [];

    public LiveFactory() { }

    private readonly Action<IServiceCollection>? services;

    private LiveFactory(IReadOnlyList<KeyValuePair<string, string?>> settings, Action<IServiceCollection>? services = null) =>
        (this.settings, this.services) = (settings, services);

    /// <summary>An extra app node that serves but runs no job, so it never takes other tests' jobs from the shared store.</summary>
    public static LiveFactory ServingOnly() => new([new("Jobs:Run", "false")]);

    /// <summary>A node with settings of its own (it runs no job either, for the same reason).</summary>
    public static LiveFactory With(params (string Key, string Value)[] settings) =>
        new([new("Jobs:Run", "false"), .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))]);

    /// <summary>A node whose services the test changes (e.g. its own TimeProvider); it runs no job either.</summary>
    public static LiveFactory WithServices(Action<IServiceCollection> services) => new([new("Jobs:Run", "false")], services);

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (services is not null) builder.ConfigureTestServices(services);
    }

    private string? baseUrl;

    public string BaseUrl
    {
        get
        {
            if (baseUrl is not null) return baseUrl;
            lock (this)
            {
                if (baseUrl is not null) return baseUrl;
                UseKestrel(0);
                StartServer();
                baseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
                    .Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1");
                return baseUrl;
            }
        }
    }

    public Task<SignedInClient> PersonAsync(string who) =>
        SignUpAsync(new HttpClient { BaseAddress = new Uri(BaseUrl) }, who);

    /// <summary>The four people of the live scenarios: a lead, two annotators and a reviewer (members of nothing yet).</summary>
    public async Task<(SignedInClient Lead, SignedInClient Ana, SignedInClient Ben, SignedInClient Rita)> TeamAsync() =>
        (await PersonAsync("lead"), await PersonAsync("ana"), await PersonAsync("ben"), await PersonAsync("rita"));

    public Task<LiveClient> LiveAsync(SignedInClient person) => LiveClient.ConnectAsync(BaseUrl, person.Token);

    /// <summary>A project of <paramref name="manager"/> with the given members and one document per text.</summary>
    public static async Task<(long ProjectId, long[] Documents)> ProjectAsync(SignedInClient manager, string visibility, IEnumerable<(SignedInClient Person, string Role)> members, params string[] texts)
    {
        var projectId = await manager.ProjectAsync("Live " + Guid.NewGuid(), visibility, [.. members.Select(m => (m.Person, m.Role))]);
        return (projectId, await manager.DocumentsAsync(projectId, [.. texts.Select((text, i) => ($"doc{i}.txt", text))]));
    }
}
