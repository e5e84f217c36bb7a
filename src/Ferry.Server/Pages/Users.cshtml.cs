using Ferry.Server.Auth;
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
        var username = NewUsername?.Trim();
        if (string.IsNullOrEmpty(username) || username.Length > 100 || username.Any(char.IsWhiteSpace) || username.Any(char.IsControl))
        {
            Error = "Give a user name of 1 to 100 characters without spaces.";
        }
        else if (!Roles.IsKnown(Role))
        {
            Error = "Pick a role: admin, user or viewer.";
        }
        else if (PasswordHashing.Problem(NewPassword, username) is { } problem)
        {
            Error = char.ToUpperInvariant(problem[0]) + problem[1..] + ".";
        }
        else if (await Db.Users.AnyAsync(u => u.Username == username, cancellationToken).ConfigureAwait(false))
        {
            Error = $"The user name '{username}' is taken; pick another.";
        }
        else
        {
            var now = Service<TimeProvider>().GetUtcNow();
            Db.Users.Add(new User { CompanyId = Caller.CompanyId, Username = username, PasswordHash = PasswordHashing.Hash(NewPassword!), Role = Role!, CreatedAt = now, PasswordChangedAt = now });
            await Db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            Message = $"User {username} created with role {Role}.";
        }

        await LoadAsync(cancellationToken).ConfigureAwait(false);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken) =>
        Users = await Db.Users.AsNoTracking().Where(u => u.CompanyId == Caller.CompanyId).OrderBy(u => u.Username).ToListAsync(cancellationToken).ConfigureAwait(false);
}
