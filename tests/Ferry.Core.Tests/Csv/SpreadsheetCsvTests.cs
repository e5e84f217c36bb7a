using Ferry.Core.Csv;

namespace Ferry.Core.Tests.Csv;

public sealed class SpreadsheetCsvTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"https://evil.example\",\"x\")", "\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"x\"\")\"")]
    [InlineData("=1+2", "\"'=1+2\"")]
    [InlineData("+1", "\"'+1\"")]
    [InlineData("-2", "\"'-2\"")]
    [InlineData("@SUM(A1)", "\"'@SUM(A1)\"")]
    [InlineData("\tcmd", "\"'\tcmd\"")]
    [InlineData("\rcmd", "\"'\rcmd\"")]
    public void WriteField_FormulaStart_PrefixedWithAQuoteAndQuoted(string value, string expected) => Assert.Equal(expected + "\n", Write(csv => csv.WriteField(value)));

    [Theory]
    [InlineData("S1/ok.wav", "S1/ok.wav")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("a=b", "a=b")]
    [InlineData(null, "")]
    public void WriteField_OrdinaryValue_QuotedOnlyWhenNeeded(string? value, string expected) =>
        Assert.Equal($"{expected},x\n", Write(csv =>
        {
            csv.WriteField(value);
            csv.WriteField("x");
        }));

    [Fact]
    public void WriteField_NegativeNumber_StaysANumber()
    {
        var sut = Write(csv =>
        {
            csv.WriteField(-5L);
            csv.WriteField("-5");
            csv.WriteField((object)(-3));
            csv.WriteField((object?)null);
        });

        Assert.Equal("-5,\"'-5\",-3,\n", sut);
    }

    [Fact]
    public void Create_NewLine_EndsEveryRecord()
    {
        var text = new StringWriter();
        using (var sut = SpreadsheetCsv.Create(text, "\r\n"))
        {
            sut.WriteRecord(["a", "b"]);
            sut.WriteRecord(["1", "=2"]);
        }

        Assert.Equal("a,b\r\n1,\"'=2\"\r\n", text.ToString());
    }

    private static string Write(Action<CsvHelper.CsvWriter> fields)
    {
        var text = new StringWriter();
        using (var csv = SpreadsheetCsv.Create(text))
        {
            fields(csv);
            csv.EndRecord();
        }

        return text.ToString();
    }
}
