using Ferry.Server.Donations;
using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages.DonationLinks;

/// <summary>
/// A company admin's donation links: the list (expiry, limits, donations taken, revoked), a form that creates one — its
/// donor URL shown this once, only the token's hash is kept — and revoke. A thin page over <see cref="Donations.DonationLinks"/>,
/// the service behind <c>/api/donation-links</c>; anyone but an admin is sent to the Not allowed page.
/// </summary>
internal sealed class DonationLinksModel(FerryDbContext db, Donations.DonationLinks links, DonationStudy study, TimeProvider time) : FerryPageModel
{
    internal List<DonationLink> Links { get; private set; } = [];

    /// <summary>The new link's donor URL, shown once, right after it was made.</summary>
    public string? CreatedUrl { get; private set; }

    public string PolicyVersion => study.Policy.Version;

    public bool Configured => study.IsConfigured;

    public DateTimeOffset Now => time.GetUtcNow();

    [BindProperty] public string? Label { get; set; }

    /// <summary>Days until the link expires (1 to <see cref="Donations.DonationLinks.MaximumDays"/>; default 30).</summary>
    [BindProperty] public int? Days { get; set; }

    /// <summary>The largest bundle one donation may send, in MiB (default: the server's Ferry:DonationMaximumBytes).</summary>
    [BindProperty] public long? MaxMebibytes { get; set; }

    [BindProperty] public int? MaxDonations { get; set; }

    private protected override bool Allowed => Caller.IsAdmin;

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => ShowAsync(cancellationToken);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        if (Days is < 1 or > Donations.DonationLinks.MaximumDays || MaxMebibytes is < 1 or > 1L << 30)
        {
            Error = $"Give the days as 1 to {Donations.DonationLinks.MaximumDays} and the largest bundle as a number of MiB.";
        }
        else
        {
            var request = new NewDonationLink(Label, null, Days is { } days ? time.GetUtcNow().AddDays(days) : null, MaxMebibytes * 1024 * 1024, MaxDonations);
            var (link, token, refusal) = await links.CreateAsync(db, Caller, request, cancellationToken);
            Error = refusal?.Message;
            if (link is not null)
            {
                CreatedUrl = Donations.DonationLinks.DonorUrl(Request, token!);
                Message = $"Link \"{link.Label}\" made. Copy its URL now: it is shown only this once.";
                Label = null;
            }
        }

        return await ShowAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostRevokeAsync(long id, CancellationToken cancellationToken)
    {
        var link = await links.RevokeAsync(db, Caller, id, cancellationToken);
        Error = link is null ? "That link is not one of your company's." : null;
        Message = link is null ? null : $"Link \"{link.Label}\" revoked: every later use of it is refused.";
        return await ShowAsync(cancellationToken);
    }

    private protected override async Task LoadAsync(CancellationToken cancellationToken) => Links = await links.ListAsync(db, Caller, cancellationToken);
}
