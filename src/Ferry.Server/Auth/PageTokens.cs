namespace Ferry.Server.Auth;

/// <summary>Page tokens for pages whose script calls the API (minutes; the script gets a fresh one from <c>POST /api/auth/page-token</c>).</summary>
internal sealed class PageTokens(FerryDbContext db, TokenIssuer issuer)
{
    private readonly FerryDbContext _db = db;
    private readonly TokenIssuer _issuer = issuer;

    /// <summary>A page token for the signed-in caller, looked up as the database says now.</summary>
    public async Task<string> IssueAsync(Caller caller, CancellationToken cancellationToken)
    {
        var user = await _db.Users.AsNoTracking().FirstAsync(u => u.Id == caller.UserId, cancellationToken);
        return _issuer.IssuePageToken(user).Token;
    }
}
