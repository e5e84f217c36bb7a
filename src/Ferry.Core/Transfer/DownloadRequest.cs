using Ferry.Core.Storage;

namespace Ferry.Core.Transfer;

/// <summary>What to download where: every object <c>Prefix + REL</c> in <c>Store</c> becomes the file <c>Destination/REL</c>.</summary>
public sealed record DownloadRequest(IObjectStore Store, string Prefix, string Destination);
