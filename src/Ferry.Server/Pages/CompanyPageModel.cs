using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages;

/// <summary>
/// A system administrator's page about one company among all of them (Companies, Server folders): every company from
/// <see cref="CompanyDirectory"/>, the one chosen with <c>?company=ID</c> (or a form's Company field), and the page's
/// own details of it. Anyone else is sent to the Not allowed page (the sign-in cookie's forbid).
/// </summary>
internal abstract class CompanyPageModel(CompanyDirectory directory) : FerryPageModel
{
    private protected CompanyDirectory Directory { get; } = directory;

    internal List<CompanySummary> Companies { get; private set; } = [];

    /// <summary>The company chosen: its details are shown, and a form's change applies to it.</summary>
    [BindProperty(SupportsGet = true)] public long? Company { get; set; }

    internal CompanySummary? Selected => Companies.FirstOrDefault(c => c.Id == Company);

    private protected override bool Allowed => Caller.IsSystemAdmin;

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => ShowAsync(cancellationToken);

    private protected override async Task LoadAsync(CancellationToken cancellationToken)
    {
        Companies = await Directory.ListAsync(cancellationToken);
        await LoadSelectedAsync(cancellationToken);
    }

    /// <summary>Loads the page's details of <see cref="Selected"/> (none chosen: what the page shows then).</summary>
    private protected abstract Task LoadSelectedAsync(CancellationToken cancellationToken);
}
