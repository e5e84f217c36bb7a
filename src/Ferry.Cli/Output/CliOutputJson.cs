using System.Text.Json.Serialization;

namespace Ferry.Cli.Output;

/// <summary>
/// The JSON the commands print (<c>--json</c>, <c>--format json</c>, NDJSON events), generated at build time so that it
/// works in a Native AOT build. The documents are <c>Dictionary&lt;string, object?&gt;</c> with the serializer's defaults
/// (names as written, compact, default escaping); every type a value can have at run time is listed here, since an
/// <c>object</c> is written as its runtime type: a value of a type missing here throws <see cref="NotSupportedException"/>.
/// </summary>
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(List<Dictionary<string, object?>>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(bool?))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(int?))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(long?))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(double?))]
[JsonSerializable(typeof(DateTimeOffset))]
[JsonSerializable(typeof(DateTimeOffset?))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(List<string>))]
// A summary's skipped_reasons (reason: count).
[JsonSerializable(typeof(Dictionary<string, long>))]
internal sealed partial class CliOutputJson : JsonSerializerContext;
