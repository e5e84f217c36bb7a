using Ferry.Server.Auth;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Ferry.Server.Pages;

/// <summary>A signed-in page: the caller as the database says now (see <see cref="WebSignIn"/>).</summary>
public abstract class FerryPageModel : PageModel
{
    internal Caller Caller => Caller.From(User) ?? throw new InvalidOperationException("the page needs a signed-in caller");

    internal T Service<T>() where T : notnull => HttpContext.RequestServices.GetRequiredService<T>();

    internal FerryDbContext Db => Service<FerryDbContext>();

    /// <summary>A page token for the caller, for pages whose script calls the API (minutes; the script gets a fresh one from <c>POST /api/auth/page-token</c>).</summary>
    internal async Task<string> ApiTokenAsync(CancellationToken cancellationToken)
    {
        var user = await Db.Users.AsNoTracking().FirstAsync(u => u.Id == Caller.UserId, cancellationToken).ConfigureAwait(false);
        return Service<TokenIssuer>().IssuePageToken(user).Token;
    }

    /// <summary>An error to show in words at the top of the page.</summary>
    public string? Error { get; protected set; }

    /// <summary>A confirmation to show at the top of the page.</summary>
    public string? Message { get; protected set; }
}
