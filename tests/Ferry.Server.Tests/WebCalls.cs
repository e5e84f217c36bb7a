using System.Net;
using System.Text.RegularExpressions;

namespace Ferry.Server.Tests;

/// <summary>A browser's calls without a browser: the sign-in form (with its antiforgery token), pages, the sign-in cookie.</summary>
public static partial class WebCalls
{
    /// <summary>A client that keeps cookies and does not follow redirects, signed in through the /signin form.</summary>
    public static async Task<HttpClient> SignInAsync(ServerFixture fixture, string username, string password)
    {
        var client = fixture.Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        using var response = await PostFormAsync(client, "/signin", new() { ["Username"] = username, ["Password"] = password });
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"sign-in answered {(int)response.StatusCode}");
        return client;
    }

    /// <summary>GETs <paramref name="page"/> for its form's antiforgery token, then POSTs the form there.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string page, Dictionary<string, string> fields, string? formPage = null)
    {
        var html = await client.GetStringAsync(formPage ?? page);
        var token = AntiforgeryToken().Match(html);
        Assert.True(token.Success, $"{formPage ?? page} has no form token");
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value);
        return await client.PostAsync(page, new FormUrlEncodedContent(fields));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
