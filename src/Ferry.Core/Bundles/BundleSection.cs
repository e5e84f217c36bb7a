using System.Text.RegularExpressions;

namespace Ferry.Core.Bundles;

/// <summary>One folder of a bundle: the files under <paramref name="Source"/> become <c>NAME/REL</c> in the bundle.</summary>
/// <param name="Name">The section's folder name: letters, digits, '-', '_' and '.', not starting with '.'; 1 to 100 characters.</param>
/// <param name="Source">A local folder.</param>
public sealed partial record BundleSection(string Name, string Source)
{
    /// <summary>Names a bundle keeps for itself at its top level.</summary>
    public static IReadOnlySet<string> ReservedNames { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        BundleReports.JsonName, BundleReports.TextName, Outbox.StateFolder,
    };

    /// <summary>Why <paramref name="name"/> cannot be a section name, or null when it can.</summary>
    public static string? FindProblem(string name)
    {
        if (!SafeName().IsMatch(name))
        {
            return $"the section name '{name}' must be 1-100 letters, digits, '-', '_' or '.', not starting with '.'";
        }

        return ReservedNames.Contains(name) ? $"the section name '{name}' is reserved for the bundle's own files" : null;
    }

    /// <summary>
    /// The sub-folders of <paramref name="folder"/> as sections, in name order. Throws <see cref="BundleException"/>
    /// when the folder is missing, has files outside sub-folders, or a sub-folder's name cannot be a section.
    /// </summary>
    public static IReadOnlyList<BundleSection> FromSubfolders(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
        {
            throw new BundleException($"the source folder {full} does not exist; check the path");
        }

        try
        {
            var loose = Directory.EnumerateFiles(full).Select(Path.GetFileName).Order(StringComparer.Ordinal).Take(3).ToList();
            if (loose.Count > 0)
            {
                throw new BundleException($"{full} has files outside sub-folders ({string.Join(", ", loose)}); put them in a section folder such as documents/, or give sections with --section NAME=PATH");
            }

            var sections = Directory.EnumerateDirectories(full).Order(StringComparer.Ordinal)
                .Select(d => new BundleSection(Path.GetFileName(d), d)).ToList();
            if (sections.Count == 0)
            {
                throw new BundleException($"{full} has no sub-folders to export; each sub-folder (documents/, logs/…) becomes a section of the bundle");
            }

            foreach (var section in sections)
            {
                if (FindProblem(section.Name) is { } problem)
                {
                    throw new BundleException($"{problem}; rename the folder {section.Source}");
                }
            }

            return sections;
        }
        catch (UnauthorizedAccessException)
        {
            throw new BundleException($"the source folder {full} is not readable; check its permissions");
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9_\-][A-Za-z0-9_.\-]{0,99}$")]
    private static partial Regex SafeName();
}
