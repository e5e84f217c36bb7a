using Ferry.Core.Privacy;
using Ferry.Server.Donations;
using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages.Contribute;

/// <summary>
/// "Contribute to science": what is sent and how it is pseudonymized, the consent policy and its version, the donation
/// form (the browser uploads to the API; the server works in the background while the page stays usable), the donor's
/// pseudonym and consent, withdrawal, and — after a withdrawal, in place of the form — renewing consent by typing the
/// policy version (the only way back to donating on the server); for administrators, statistics, exports and the scheduled tasks.
/// </summary>
internal sealed class ContributeModel(FerryDbContext db, DonationStudy study, DonationService donations, PageTokens pageTokens, TimeProvider time) : FerryPageModel
{
    private readonly DonationService _donations = donations;
    private readonly FerryDbContext _db = db;
    private readonly DonationStudy _study = study;
    private readonly PageTokens _pageTokens = pageTokens;
    private readonly TimeProvider _time = time;

    internal sealed record Totals(long Donations, long Records, long Bytes);

    internal ConsentPolicy Policy => _study.Policy;

    internal PseudonymizationRules Rules => _study.Rules;

    public bool Configured => _study.IsConfigured;

    public string Donor { get; private set; } = "";

    public string? Consent { get; private set; }

    /// <summary>True while a withdrawal holds: the page offers renewal instead of the donation form.</summary>
    public bool Withdrawn { get; private set; }

    /// <summary>The policy version the person typed to renew consent.</summary>
    [BindProperty]
    public string? RenewVersion { get; set; }

    public string Token { get; private set; } = "";

    internal (Totals All, Totals Week, Totals Month)? Stats { get; private set; }

    internal List<MaintenanceRun> Runs { get; private set; } = [];

    internal List<Donation> Mine { get; private set; } = [];

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    /// <summary>Renews consent after a withdrawal when the typed version is the current policy's; otherwise says so and records nothing.</summary>
    public async Task<IActionResult> OnPostRenewAsync(CancellationToken cancellationToken)
    {
        var renewed = await _donations.RenewAsync(_db, Caller, RenewVersion, cancellationToken);
        if (renewed is null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            Error = RenewVersion?.Trim() == _study.Policy.Version
                ? "Your consent is not withdrawn: there is nothing to renew."
                : $"To renew your consent, type the policy version exactly as shown ({_study.Policy.Version}); your consent stays withdrawn.";
        }
        else
        {
            Message = $"Your consent is renewed under policy version {renewed.PolicyVersion}; you can donate again.";
        }

        return await ShowAsync(cancellationToken);
    }

    private protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        Donor = _study.DonorOf(Caller.CompanyId, Caller.UserId);
        Withdrawn = await DonationService.WithdrawalAsync(_db, Caller.CompanyId, Donor, cancellationToken) is not null;
        Consent = await _db.Consents.AsNoTracking().Where(c => c.CompanyId == Caller.CompanyId && c.Donor == Donor).OrderByDescending(c => c.Id).Select(c => c.Decision).FirstOrDefaultAsync(cancellationToken);
        Mine = await _db.Donations.AsNoTracking().Where(d => d.CompanyId == Caller.CompanyId && d.Donor == Donor).OrderByDescending(d => d.Id).Take(10).ToListAsync(cancellationToken);
        Token = await _pageTokens.IssueAsync(Caller, cancellationToken);
        if (Caller.IsAdmin)
        {
            var now = _time.GetUtcNow();
            var done = _db.Donations.AsNoTracking().Where(d => d.CompanyId == Caller.CompanyId && d.Status == DonationStatus.Completed);
            Stats = (await TotalsAsync(done, cancellationToken),
                await TotalsAsync(done.Where(d => d.CreatedAt >= now.AddDays(-7)), cancellationToken),
                await TotalsAsync(done.Where(d => d.CreatedAt >= now.AddDays(-30)), cancellationToken));
            Runs = await _db.MaintenanceRuns.AsNoTracking().Where(m => m.CompanyId == null || m.CompanyId == Caller.CompanyId).OrderByDescending(m => m.Id).Take(10).ToListAsync(cancellationToken);
        }
    }

    /// <summary>Records of the last N days for administrators, streamed (the link carries the sign-in cookie, not a token).</summary>
    public async Task<IActionResult> OnGetExportAsync(int days, string format, CancellationToken cancellationToken)
    {
        if (!Caller.IsAdmin)
        {
            return Forbid();
        }

        if (days is < 1 or > 3650 || !DonationRecordsWriter.IsFormat(format))
        {
            return BadRequest();
        }

        Response.ContentType = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
        Response.Headers.ContentDisposition = $"attachment; filename=\"donations-last-{days}d.{format}\"";
        await DonationRecordsWriter.WriteAsync(_db, Caller.CompanyId, days, format, _time.GetUtcNow(), Response.Body, cancellationToken);
        return new EmptyResult();
    }

    private static async Task<Totals> TotalsAsync(IQueryable<Donation> donations, CancellationToken cancellationToken)
    {
        var list = await donations.Select(d => new { d.Records, d.Bytes }).ToListAsync(cancellationToken);
        return new Totals(list.Count, list.Sum(d => d.Records), list.Sum(d => d.Bytes));
    }
}
