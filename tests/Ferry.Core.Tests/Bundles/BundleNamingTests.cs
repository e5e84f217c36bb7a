using Ferry.Core.Bundles;

namespace Ferry.Core.Tests.Bundles;

public sealed class BundleNamingTests
{
    [Theory]
    [InlineData("Contract review 42", "contract-review-42")]
    [InlineData("  Révision   finale / Été 2026 ", "revision-finale-ete-2026")]
    [InlineData("a__b--c", "a-b-c")]
    [InlineData("日本語", "export")]
    [InlineData("", "export")]
    public void Slug_Name_KeepsAsciiLettersAndDigitsJoinedByDashes(string name, string expected) =>
        Assert.Equal(expected, BundleNaming.Slug(name));

    [Fact]
    public void Slug_LongName_AtMost60CharactersWithoutTrailingDash()
    {
        var sut = BundleNaming.Slug(string.Join(' ', Enumerable.Repeat("word", 40)));

        Assert.InRange(sut.Length, 1, BundleNaming.MaximumSlugLength);
        Assert.False(sut.EndsWith('-'));
    }

    [Fact]
    public void FolderName_LocalTime_WrittenInUtc()
    {
        var at = new DateTimeOffset(2026, 11, 22, 9, 5, 7, TimeSpan.FromHours(2));

        Assert.Equal("20261122_070507_contract-review-42", BundleNaming.FolderName(at, "Contract review 42"));
    }
}
