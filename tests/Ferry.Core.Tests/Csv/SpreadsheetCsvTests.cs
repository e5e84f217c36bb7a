using Ferry.Core.Csv;

namespace Ferry.Core.Tests.Csv;

public sealed class CsvFieldTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"https://evil.example\",\"x\")", "\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"x\"\")\"")]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+1", "'+1")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("\rcmd", "\"'\rcmd\"")]
    public void Text_FormulaStart_PrefixedWithAQuote(string value, string expected) => Assert.Equal(expected, CsvField.Text(value));

    [Theory]
    [InlineData("S1/ok.wav", "S1/ok.wav")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("a=b", "a=b")]
    [InlineData(null, "")]
    public void Text_OrdinaryValue_QuotedOnlyWhenNeeded(string? value, string expected) => Assert.Equal(expected, CsvField.Text(value));

    [Fact]
    public void Value_NegativeNumber_StaysANumber()
    {
        Assert.Equal("-5", CsvField.Value(-5L));
        Assert.Equal("'-5", CsvField.Value("-5"));
        Assert.Equal("1,'=cmd,x", CsvField.Row("1", "=cmd", "x"));
    }
}
