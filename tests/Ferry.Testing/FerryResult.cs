namespace Ferry.Testing;

/// <summary>How a ferry process ended: its exit code and everything it wrote.</summary>
public sealed record FerryResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}
