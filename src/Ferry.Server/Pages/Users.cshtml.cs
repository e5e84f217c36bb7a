using Ferry.Server.Auth;
using Ferry.Server.Tenancy;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages;

/// <summary>Company administrators list and create their company's users.</summary>
[Authorize(Policy = WebSignIn.AdminPolicy)]
public sealed class UsersModel : FerryPageModel
{
    internal List<User> Users { get; private set; } = [];

    [BindProperty] public string? NewUsername { get; set; }
    [BindProperty] public string? NewPassword { get; set; }
    [BindProperty] public string? Role { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken).ConfigureAwait(false);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var (user, refusal) = await Service<UserAccounts>().CreateAsync(Caller.CompanyId, NewUsername, NewPassword, Role, cancellationToken).ConfigureAwait(false);
        Error = refusal?.Sentence;
        Message = user is null ? null : $"User {user.Username} created with role {user.Role}.";
        await LoadAsync(cancellationToken).ConfigureAwait(false);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken) =>
        Users = await Db.Users.AsNoTracking().Where(u => u.CompanyId == Caller.CompanyId).OrderBy(u => u.Username).ToListAsync(cancellationToken).ConfigureAwait(false);
}
