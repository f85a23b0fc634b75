using SmbSign.Reporting.Html;

namespace SmbSign.Reporting.Tests.Html;

public sealed class HtmlTextTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("</script>", "&lt;/script&gt;")]
    [InlineData("a\"b'c&d", "a&quot;b&#39;c&amp;d")]
    [InlineData("x\u0000y\u001bz", "x\uFFFDy\uFFFDz")]
    [InlineData("", "")]
    public void Escape_ReplacesEverythingThatEndsTextOrAttributes(string input, string expected) =>
        Assert.Equal(expected, HtmlText.Escape(input));

    [Theory]
    [InlineData("ws-01", "ws-01")]
    [InlineData("audit.json", "audit.json")]
    [InlineData("my audit.json", "'my audit.json'")]
    [InlineData("<script>alert(1)</script>", "'<script>alert(1)</script>'")]
    [InlineData("$(rm -rf /)", "'$(rm -rf /)'")]
    [InlineData("o'brien", null)]
    [InlineData("-rf", null)]
    [InlineData("a\nb", null)]
    public void ShellWord_QuotesOrRefuses(string input, string? expected) =>
        Assert.Equal(expected, HtmlReportWriter.ShellWord(input));
}
