using System.Text.Json;

namespace Ferry.Core.Json;

/// <summary>Writing a JSON array of objects with <see cref="Utf8JsonWriter"/>: the array and object framing once, the fields by the caller.</summary>
public static class JsonArrays
{
    /// <summary>
    /// Writes <c>"name": [ {…}, … ]</c>, one object per item with the fields <paramref name="fields"/> writes, flushing
    /// whenever more than 64 KiB is pending so a long array does not sit in memory.
    /// </summary>
    public static void WriteObjects<T>(this Utf8JsonWriter json, string name, IEnumerable<T> items, Action<Utf8JsonWriter, T> fields)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(fields);
        json.WriteStartArray(name);
        foreach (var item in items)
        {
            json.WriteStartObject();
            fields(json, item);
            json.WriteEndObject();
            if (json.BytesPending > 64 * 1024)
            {
                json.Flush();
            }
        }

        json.WriteEndArray();
    }
}
