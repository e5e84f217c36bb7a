using System.Globalization;

namespace Ferry.Server.Pages;

/// <summary>Numbers as pages show them.</summary>
public static class Format
{
    /// <summary>Bytes in binary units with one decimal: 0 B, 512 B, 1.5 KiB, 3.2 GiB.</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}
