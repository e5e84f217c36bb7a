using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CsvHelper;

namespace Ferry.Testing.Camtrap;

/// <summary>
/// Checks a CSV against a Frictionless Table Schema (v1) as Camtrap DP 1.0 uses it: the header is the fields in order;
/// per field its type (string, number, integer, boolean, datetime with the strptime format the schema gives, any),
/// required, unique, enum, pattern (whole value), minimum and maximum; the primary key is unique. The CSV is read with
/// CsvHelper; missing values are the schema's missingValues (Camtrap: the empty string).
/// </summary>
public static class TableSchemaValidator
{
    private static readonly Regex StrptimeIsoWithZone = new(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:?\d{2})$", RegexOptions.CultureInvariant);

    /// <summary>The rows, by column name, and every error as "line N, field: message".</summary>
    public static (List<Dictionary<string, string?>> Rows, List<string> Errors) Validate(string csv, JsonObject schema)
    {
        var errors = new List<string>();
        var rows = new List<Dictionary<string, string?>>();
        var fields = schema["fields"]!.AsArray().Select(f => f!.AsObject()).ToList();
        var missing = schema["missingValues"]?.AsArray().Select(v => v!.GetValue<string>()).ToHashSet() ?? [""];
        using var reader = CsvReader.FromText(csv, new CsvReaderOptions { Separator = ',', TrackLineNumbers = true });
        var header = reader.Headers.ToList();
        var names = fields.Select(f => f["name"]!.GetValue<string>()).ToList();
        if (!header.SequenceEqual(names))
        {
            errors.Add($"header: [{string.Join(",", header)}] is not the schema's fields [{string.Join(",", names)}]");
            return (rows, errors);
        }

        var seen = names.ToDictionary(n => n, _ => new HashSet<string>(StringComparer.Ordinal));
        while (reader.Read())
        {
            var line = reader.LineNumber;
            if (reader.FieldCount != names.Count)
            {
                errors.Add($"line {line}: {reader.FieldCount} fields, the header has {names.Count}");
                continue;
            }

            var row = new Dictionary<string, string?>(StringComparer.Ordinal);
            for (var i = 0; i < fields.Count; i++)
            {
                var raw = reader.GetString(i);
                var value = missing.Contains(raw) ? null : raw;
                row[names[i]] = value;
                foreach (var problem in Check(fields[i], value))
                {
                    errors.Add($"line {line}, {names[i]}: {problem} (value '{raw}')");
                }

                if (value is not null && fields[i]["constraints"]?["unique"]?.GetValue<bool>() == true && !seen[names[i]].Add(value))
                {
                    errors.Add($"line {line}, {names[i]}: '{value}' is not unique");
                }
            }

            rows.Add(row);
        }

        if (schema["primaryKey"]?.GetValue<string>() is { } key && rows.Select(r => r[key]).Distinct().Count() != rows.Count)
        {
            errors.Add($"primary key {key} is not unique");
        }

        return (rows, errors);
    }

    private static IEnumerable<string> Check(JsonObject field, string? value)
    {
        var constraints = field["constraints"]?.AsObject();
        if (value is null)
        {
            if (constraints?["required"]?.GetValue<bool>() == true)
            {
                yield return "required but empty";
            }

            yield break;
        }

        var type = field["type"]?.GetValue<string>() ?? "string";
        double? number = null;
        switch (type)
        {
            case "string" or "any":
                break;
            case "number":
                if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
                {
                    number = n;
                }
                else
                {
                    yield return "not a number";
                }

                break;
            case "integer":
                if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                {
                    number = l;
                }
                else
                {
                    yield return "not an integer";
                }

                break;
            case "boolean":
                if (value is not ("true" or "True" or "TRUE" or "1" or "false" or "False" or "FALSE" or "0"))
                {
                    yield return "not a boolean";
                }

                break;
            case "datetime":
                var format = field["format"]?.GetValue<string>();
                if (format != "%Y-%m-%dT%H:%M:%S%z")
                {
                    yield return $"datetime format {format} is not one this validator knows";
                }
                else if (!StrptimeIsoWithZone.IsMatch(value) || !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                {
                    yield return "not a datetime as %Y-%m-%dT%H:%M:%S%z";
                }

                break;
            default:
                yield return $"type {type} is not one this validator knows";
                break;
        }

        if (constraints is null)
        {
            yield break;
        }

        if (constraints["enum"] is JsonArray allowed && !allowed.Any(a => a!.ToString() == value))
        {
            yield return "not one of the enum values";
        }

        if (constraints["pattern"]?.GetValue<string>() is { } pattern && !Regex.IsMatch(value, $"^(?:{pattern})$", RegexOptions.CultureInvariant))
        {
            yield return $"does not match {pattern}";
        }

        if (number is { } x && constraints["minimum"] is { } min && x < min.GetValue<double>())
        {
            yield return $"below the minimum {min}";
        }

        if (number is { } y && constraints["maximum"] is { } max && y > max.GetValue<double>())
        {
            yield return $"above the maximum {max}";
        }
    }
}
