namespace Ferry.Server.Camtrap;

/// <summary>
/// The package's zip in the temp directory: deleted when closed, and closing it ends the company's running export
/// (<see cref="CamtrapExportGate"/>), whether the zip was sent, refused or the client went away.
/// </summary>
internal sealed class CamtrapZipFile(string path, IDisposable lease)
    : FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous)
{
    protected override void Dispose(bool disposing)
    {
        try
        {
            base.Dispose(disposing);
        }
        finally
        {
            lease.Dispose();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            lease.Dispose();
        }
    }
}
