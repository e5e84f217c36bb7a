using Ferry.Core.Storage;

namespace Ferry.Core.Tests.Storage;

public sealed class CredentialPlaceholdersTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("PLACEHOLDER")]
    [InlineData("your-key")]
    [InlineData("YOUR_SECRET_HERE")]
    [InlineData("<access key>")]
    [InlineData("AKIAIOSFODNN7EXAMPLE")]
    [InlineData("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")]
    [InlineData("xxxxxxxxxxxxxxxx")]
    [InlineData("changeme")]
    public void IsPlaceholder_TemplateValues_True(string? value)
    {
        Assert.True(CredentialPlaceholders.IsPlaceholder(value));
    }

    [Theory]
    [InlineData("S3RVER")]
    [InlineData("AKIA4QWERTYUIOPASDF2")]
    [InlineData("q8Jd93kLm2Pz0vXy7TnR4sWb6HcGf1EeAa5UoIi9")]
    public void IsPlaceholder_RealLookingValues_False(string value)
    {
        Assert.False(CredentialPlaceholders.IsPlaceholder(value));
    }
}
