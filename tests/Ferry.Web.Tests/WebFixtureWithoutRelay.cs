using Ferry.Testing;

namespace Ferry.Web.Tests;

/// <summary>A <see cref="WebFixture"/> whose server relays no file (<c>Ferry:RelayMaximumFileSize=0</c>): the upload page sends every file straight to S3.</summary>
public sealed class WebFixtureWithoutRelay : WebFixture
{
    protected override void AddSettings(FerryProcess ferry) => ferry["Ferry__RelayMaximumFileSize"] = "0";
}
