using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Ferry.Server.Data;

/// <summary>
/// Stores a status enum as its word (<see cref="StoredNames"/>), so the column keeps <c>queued</c>, <c>active</c>…
/// and queries comparing statuses still translate to SQL (EF converts the constants and parameters). Registered for
/// every status enum in <see cref="FerryDbContext"/>'s conventions.
/// </summary>
internal sealed class StoredNameConverter<TEnum>() : ValueConverter<TEnum, string>(v => v.Name(), v => StoredNames.Parse<TEnum>(v))
    where TEnum : struct, Enum;
