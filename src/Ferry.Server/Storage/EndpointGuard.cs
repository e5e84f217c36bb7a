using System.Net;
using System.Net.Sockets;

namespace Ferry.Server.Storage;

/// <summary>
/// Keeps the server's S3 requests away from its own network: loopback, link-local, unique-local and private addresses
/// are refused unless <see cref="StorageServerOptions.AllowPrivateEndpoints"/> is set. Checked when a location is
/// saved or tested, and again on every connection (<see cref="Allows"/> is the store's connect filter).
/// </summary>
internal sealed class EndpointGuard(FerryServerOptions options)
{
    public bool AllowPrivate => options.Storage.AllowPrivateEndpoints;

    /// <summary>True when the server may connect to <paramref name="address"/>.</summary>
    public bool Allows(IPAddress address) => AllowPrivate || !IsInternal(address);

    /// <summary>Null when <paramref name="endpoint"/> may be used; else why not, as a sentence fragment.</summary>
    public async Task<string?> CheckAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        if (AllowPrivate)
        {
            return null;
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        }
        catch (SocketException)
        {
            return $"the endpoint's host '{endpoint.Host}' does not resolve";
        }

        return addresses.Length == 0 || addresses.Any(IsInternal)
            ? $"the endpoint's host '{endpoint.Host}' resolves to a loopback, link-local or private address, which the server does not connect to (an operator can allow it with Ferry:Storage:AllowPrivateEndpoints=true)"
            : null;
    }

    /// <summary>Loopback, unspecified, link-local, unique-local, private (RFC 1918) and carrier-grade NAT addresses.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 or 10 or 127 => true,
                169 => b[1] == 254,
                172 => b[1] is >= 16 and <= 31,
                192 => b[1] == 168,
                100 => b[1] is >= 64 and <= 127,
                _ => false,
            };
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || (b[0] & 0xFE) == 0xFC;
        }

        return true;
    }
}
