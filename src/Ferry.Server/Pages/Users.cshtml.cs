using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages;

/// <summary>
/// Company administrators list, create and manage their company's users: change role, deactivate, reactivate, reset
/// the password, delete — with the API's rules (<see cref="UserAdministration"/>).
/// </summary>
[Authorize(Policy = WebSignIn.AdminPolicy)]
internal sealed class UsersModel(FerryDbContext db, UserAccounts accounts, UserAdministration administration) : FerryPageModel
{
    private readonly FerryDbContext _db = db;
    private readonly UserAccounts _accounts = accounts;
    private readonly UserAdministration _administration = administration;

    internal List<User> Users { get; private set; } = [];

    internal bool CallerIsSystemAdmin => Caller.IsSystemAdmin;

    [BindProperty] public string? NewUsername { get; set; }
    [BindProperty] public string? NewPassword { get; set; }
    [BindProperty] public string? Role { get; set; }
    [BindProperty] public long UserId { get; set; }
    [BindProperty] public string? NewRole { get; set; }
    [BindProperty] public string? TemporaryPassword { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var (user, refusal) = await _accounts.CreateAsync(Caller.CompanyId, NewUsername, NewPassword, Role, cancellationToken);
        Error = refusal?.Sentence;
        Message = user is null ? null : $"User {user.Username} created with role {user.Role}.";
        return await ShowAsync(cancellationToken);
    }

    public Task<IActionResult> OnPostRoleAsync(CancellationToken cancellationToken) =>
        ChangeAsync(_administration.ChangeRoleAsync(Caller, UserId, NewRole, cancellationToken), u => $"{u.Username} is now {u.Role}; they were signed out everywhere.", cancellationToken);

    public Task<IActionResult> OnPostDeactivateAsync(CancellationToken cancellationToken) =>
        ChangeAsync(_administration.DeactivateAsync(Caller, UserId, cancellationToken), u => $"{u.Username} is deactivated and signed out everywhere.", cancellationToken);

    public Task<IActionResult> OnPostReactivateAsync(CancellationToken cancellationToken) =>
        ChangeAsync(_administration.ReactivateAsync(Caller, UserId, cancellationToken), u => $"{u.Username} is active again.", cancellationToken);

    public Task<IActionResult> OnPostResetAsync(CancellationToken cancellationToken) =>
        ChangeAsync(_administration.ResetPasswordAsync(Caller, UserId, TemporaryPassword, cancellationToken), u => $"{u.Username}'s password is reset; they must change it at their next sign-in.", cancellationToken);

    public Task<IActionResult> OnPostDeleteAsync(CancellationToken cancellationToken) =>
        ChangeAsync(_administration.DeleteAsync(Caller, UserId, cancellationToken), u => $"{u.Username} is deleted.", cancellationToken);

    private async Task<IActionResult> ChangeAsync(Task<AccountChange> change, Func<User, string> done, CancellationToken cancellationToken)
    {
        var result = await change;
        if (result.User is { } user)
        {
            Message = done(user);
        }
        else
        {
            Response.StatusCode = result.Status;
            Error = result.Status == StatusCodes.Status404NotFound ? "That user was not found." : char.ToUpperInvariant(result.Problem![0]) + result.Problem[1..] + ".";
        }

        return await ShowAsync(cancellationToken);
    }

    private protected override async Task LoadAsync(CancellationToken cancellationToken) =>
        Users = await _db.Users.AsNoTracking().Where(u => u.CompanyId == Caller.CompanyId && u.DeletedAt == null).OrderBy(u => u.Username).ToListAsync(cancellationToken);
}
