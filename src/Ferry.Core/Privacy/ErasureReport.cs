namespace Ferry.Core.Privacy;

/// <summary>
/// What an erasure checked and removed, place by place (<see cref="ErasurePlace"/>); <see cref="Id"/> is the audit
/// entry's random id. Holds no pseudonym: it is kept as the audit record.
/// </summary>
public sealed record ErasureReport(string Id, DateTimeOffset At, IReadOnlyList<ErasurePlace> Places)
{
    public long Removed(string place) => Places.Where(p => p.Place == place).Sum(p => p.Removed);

    /// <summary>Objects deleted or rewritten in storage (the donor's objects, their versions, rewritten or deleted exports and their old versions).</summary>
    public int ObjectsDeleted => (int)Places.Where(p => p.Place.StartsWith("storage.", StringComparison.Ordinal)).Sum(p => p.Removed);

    /// <summary>The places as JSON (snake_case), as the server keeps them in its audit row.</summary>
    public string PlacesJson() => System.Text.Json.JsonSerializer.Serialize(Places, PrivacyJson.Default.IReadOnlyListErasurePlace);

    public ErasureReport With(params IEnumerable<ErasurePlace> more) => this with { Places = [.. Places, .. more] };
}
