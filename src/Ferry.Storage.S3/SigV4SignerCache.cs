using Amazon.Runtime;

namespace Ferry.Storage.S3;

/// <summary>
/// The signer for the current credentials, rebuilt only when the access key changes (credentials that rotate).
/// Requests in flight share it: the key and its signer are one object, swapped by one reference write, so a reader
/// never sees a new key with an old signer.
/// </summary>
internal sealed class SigV4SignerCache
{
    private Entry? _current;

    public SigV4Signer For(ImmutableCredentials identity)
    {
        var current = Volatile.Read(ref _current);
        if (current is not null && current.AccessKey == identity.AccessKey)
        {
            return current.Signer;
        }

        var signer = new SigV4Signer(identity.AccessKey, identity.SecretKey);
        Volatile.Write(ref _current, new Entry(identity.AccessKey, signer));
        return signer;
    }

    private sealed record Entry(string AccessKey, SigV4Signer Signer);
}
