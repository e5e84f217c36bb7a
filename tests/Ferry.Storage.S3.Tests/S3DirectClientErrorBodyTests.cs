using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.Runtime;
using Ferry.Core.Storage;

namespace Ferry.Storage.S3.Tests;

/// <summary>
/// An error answer whose body breaks off (the connection closes before the promised length) is a classified, retried
/// <see cref="StoreException"/> from Ferry's own signed requests, never the raw network exception.
/// </summary>
public sealed class S3DirectClientErrorBodyTests
{
    [Fact]
    public async Task ListPage_ErrorBodyBreaksOff_ThrowsTransientStoreException()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = AnswerOnceAsync(listener, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/xml\r\nContent-Length: 1000\r\n\r\n<Error><Code>Internal");
        using var http = new HttpClient();
        var sut = new S3DirectClient(http, new Uri($"http://127.0.0.1:{port}"), "bucket", "us-east-1", new BasicAWSCredentials("key", "secret"), $"http://127.0.0.1:{port}");

        var error = await Assert.ThrowsAsync<StoreException>(() => sut.ListPageAsync("a/", null, null, 1000, CancellationToken.None));

        Assert.Equal(StoreErrorKind.Transient, error.Kind);
        await server;
    }

    /// <summary>Reads one request's headers, writes <paramref name="answer"/> and closes the connection.</summary>
    private static async Task AnswerOnceAsync(TcpListener listener, string answer)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                return;
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(answer));
        await stream.FlushAsync();
        client.Client.Shutdown(SocketShutdown.Both);
    }
}
