using System.Net.Http.Json;
using System.Text.Json;

namespace Annotate.IntegrationTests.Curation;

/// <summary>Helpers the curation tests share: jobs to wait for, projects to set up.</summary>
public static class CurationApi
{
    public static async Task<JsonElement> WaitForReportAsync(HttpClient http, long reportId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var report = await http.GetFromJsonAsync<JsonElement>($"/api/agreement-reports/{reportId}");
            var status = report.GetProperty("status").GetString();
            if (status == "succeeded") return report;
            Assert.NotEqual("failed", status);
            await Task.Delay(200);
        }
        throw new TimeoutException($"Report {reportId} did not finish.");
    }
}
