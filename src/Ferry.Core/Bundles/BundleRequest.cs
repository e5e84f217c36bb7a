namespace Ferry.Core.Bundles;

/// <summary>What to export: a named set of sections, to a destination.</summary>
/// <param name="Name">The name people know it by ("Contract review 42"); the folder's slug comes from it.</param>
/// <param name="Sections">The bundle's folders; at least one, names unique.</param>
/// <param name="Destination">Where the bundle goes.</param>
/// <param name="CreatedBy">Who asked for it (user name); default: the operating system user.</param>
/// <param name="Details">Extra facts for the reports.</param>
public sealed record BundleRequest(string Name, IReadOnlyList<BundleSection> Sections, BundleDestination Destination, string? CreatedBy = null, IReadOnlyDictionary<string, string>? Details = null);
