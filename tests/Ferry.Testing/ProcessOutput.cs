using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Ferry.Testing;

/// <summary>
/// Reads a long-running process's output as it comes (keeping the last 200 lines), so that the process never blocks on
/// a full pipe: a server whose log nobody reads stops answering once its console logger's queue is full.
/// </summary>
public sealed class ProcessOutput
{
    private static readonly ConditionalWeakTable<Process, ProcessOutput> Drained = new();
    private readonly Queue<string> _tail = new();

    private ProcessOutput()
    {
    }

    /// <summary>The last lines of standard output and error, oldest first.</summary>
    public string Tail
    {
        get
        {
            lock (_tail)
            {
                return string.Join('\n', _tail);
            }
        }
    }

    /// <summary>Starts reading <paramref name="process"/>'s redirected output and error.</summary>
    public static ProcessOutput Drain(Process process)
    {
        var output = new ProcessOutput();
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Drained.AddOrUpdate(process, output);
        return output;
    }

    public static ProcessOutput? Of(Process process) => Drained.TryGetValue(process, out var output) ? output : null;

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > 200)
            {
                _tail.Dequeue();
            }
        }
    }
}
