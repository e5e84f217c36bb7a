using Ferry.Server.Schedules;
using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages.Schedules;

/// <summary>
/// The system administrator's page: every server-wide schedule with its last and next run and last outcome, and a
/// button to run one now. Anyone else is sent to the Not allowed page (the sign-in cookie's forbid).
/// </summary>
internal sealed class SchedulesModel(ScheduleCatalog catalog) : FerryPageModel
{
    private readonly ScheduleCatalog _catalog = catalog;

    internal List<ScheduleStatus> Schedules { get; private set; } = [];

    private protected override bool Allowed => Caller.IsSystemAdmin;

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) => ShowAsync(cancellationToken);

    public async Task<IActionResult> OnPostRunAsync(string? name, CancellationToken cancellationToken)
    {
        if (await _catalog.RunNowAsync(name ?? "", cancellationToken))
        {
            Message = $"Asked for a run of {name} now; it shows below once a process has started it.";
        }
        else
        {
            Error = $"There is no schedule '{name}'.";
        }

        return await ShowAsync(cancellationToken);
    }

    private protected override async Task LoadAsync(CancellationToken cancellationToken) => Schedules = await _catalog.ListAsync(cancellationToken);
}
