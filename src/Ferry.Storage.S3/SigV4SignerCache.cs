using Amazon.Runtime;

namespace Ferry.Storage.S3;

/// <summary>The signer for the current credentials, rebuilt only when the access key changes (credentials that rotate).</summary>
internal sealed class SigV4SignerCache
{
    private (string AccessKey, SigV4Signer Signer)? _current;

    public SigV4Signer For(ImmutableCredentials identity)
    {
        var current = _current;
        if (current is { } known && known.AccessKey == identity.AccessKey)
        {
            return known.Signer;
        }

        var signer = new SigV4Signer(identity.AccessKey, identity.SecretKey);
        _current = (identity.AccessKey, signer);
        return signer;
    }
}
