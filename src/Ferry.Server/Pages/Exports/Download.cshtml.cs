using Ferry.Server.Exports;
using Microsoft.AspNetCore.Mvc;

namespace Ferry.Server.Pages.Exports;

/// <summary>The zip of an export for a signed-in browser (the API's download needs a bearer token, a link cannot carry one).</summary>
internal sealed class ExportDownloadModel(FerryDbContext db, SessionExportService exports) : FerryPageModel
{
    private readonly FerryDbContext _db = db;
    private readonly SessionExportService _exports = exports;

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken cancellationToken)
    {
        var export = await Ferry.Server.Exports.SessionExports.FindAsync(_db, Caller, id, cancellationToken);
        return export is not null && _exports.ReadyZipPath(export) is { } path ? PhysicalFile(path, "application/zip", export.Bundle + ".zip") : NotFound();
    }
}
