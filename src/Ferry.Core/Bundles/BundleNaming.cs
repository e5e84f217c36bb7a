using System.Text;

namespace Ferry.Core.Bundles;

/// <summary>
/// Bundle folder names: <c>YYYYMMDD_HHMMSS_&lt;slug&gt;</c> in UTC. The slug keeps ASCII letters and digits of the
/// name (lower case, accents folded where the character is a Latin letter with a mark), joins the rest with '-',
/// and is at most 60 characters; a name with nothing usable becomes <c>export</c>.
/// </summary>
public static class BundleNaming
{
    public const int MaximumSlugLength = 60;

    public static string Slug(string name)
    {
        var slug = new StringBuilder(name.Length);
        var dash = false;
        foreach (var c in name)
        {
            var folded = Fold(c);
            if (folded is >= 'a' and <= 'z' or >= '0' and <= '9')
            {
                if (dash && slug.Length > 0)
                {
                    slug.Append('-');
                }

                slug.Append(folded);
                dash = false;
            }
            else
            {
                dash = true;
            }

            if (slug.Length >= MaximumSlugLength)
            {
                break;
            }
        }

        var text = slug.ToString(0, Math.Min(slug.Length, MaximumSlugLength)).TrimEnd('-');
        return text.Length == 0 ? "export" : text;
    }

    /// <summary>The folder name for a bundle made at <paramref name="at"/> (converted to UTC).</summary>
    public static string FolderName(DateTimeOffset at, string name) =>
        Timestamps.FileName(at) + "_" + Slug(name);

    private static char Fold(char c)
    {
        var lower = char.ToLowerInvariant(c);
        return lower switch
        {
            'à' or 'á' or 'â' or 'ã' or 'ä' or 'å' => 'a',
            'ç' => 'c',
            'è' or 'é' or 'ê' or 'ë' => 'e',
            'ì' or 'í' or 'î' or 'ï' => 'i',
            'ñ' => 'n',
            'ò' or 'ó' or 'ô' or 'õ' or 'ö' or 'ø' => 'o',
            'ù' or 'ú' or 'û' or 'ü' => 'u',
            'ý' or 'ÿ' => 'y',
            _ => lower,
        };
    }
}
