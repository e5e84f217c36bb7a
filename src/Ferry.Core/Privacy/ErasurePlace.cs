namespace Ferry.Core.Privacy;

/// <summary>
/// One place an erasure checked: <see cref="Place"/> is a stable name (<c>storage.donor_objects</c>, <c>local.journal</c>…),
/// <see cref="Where"/> says where in words (with <c>&lt;donor&gt;</c> for the pseudonym, so a report names no donor),
/// <see cref="Checked"/> how many items were looked at, <see cref="Removed"/> how many were deleted or rewritten.
/// </summary>
public sealed record ErasurePlace(string Place, string Where, long Checked, long Removed, string Detail);
