namespace Ferry.Server;

/// <summary>The <c>Ferry:Storage</c> settings.</summary>
public sealed class StorageServerOptions
{
    /// <summary>
    /// Allow storage locations whose endpoint resolves to loopback, link-local, unique-local or private addresses
    /// (10/8, 172.16/12, 192.168/16, 100.64/10, 127/8, 169.254/16, 0.0.0.0, ::1, fc00::/7, fe80::/10). Default false:
    /// such endpoints are refused when a location is saved or tested and whenever the server connects, so a location
    /// cannot be used to reach the server's own network. Set it for a MinIO/s3rver on the same host (tests, the demo).
    /// </summary>
    public bool AllowPrivateEndpoints { get; set; }
}
