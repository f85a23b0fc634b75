using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using SmbSign.Cli.Rendering;

namespace SmbSign.Cli.Tests;

public sealed class ReportMetadataTests
{
    private static readonly FakeTimeProvider s_time = new(new DateTimeOffset(2026, 12, 7, 4, 5, 6, 789, TimeSpan.FromHours(-5)));

    [Theory]
    [InlineData("{\n  \"a\": 1,\n  \"b\": [1, 2]\n}")]
    [InlineData("{\"a\":1,\"b\":[1,2]}")]
    [InlineData("{}")]
    [InlineData("{\n}")]
    public void Stamp_AddsGeneratedAtAndToolVersionFirst_AndKeepsTheDocument(string json)
    {
        string stamped = ReportMetadata.Stamp(json, s_time);

        using JsonDocument doc = JsonDocument.Parse(stamped);
        JsonProperty[] properties = [.. doc.RootElement.EnumerateObject()];
        Assert.Equal("generatedAt", properties[0].Name);
        Assert.Equal("2026-12-07T09:05:06Z", properties[0].Value.GetString());
        Assert.Equal("toolVersion", properties[1].Name);
        Assert.Equal(ReportMetadata.ToolVersion, properties[1].Value.GetString());
        using JsonDocument original = JsonDocument.Parse(json);
        Assert.Equal(original.RootElement.EnumerateObject().Count() + 2, properties.Length);
    }

    [Fact]
    public void Stamp_RefusesAnArray()
    {
        Assert.Throws<ArgumentException>(() => ReportMetadata.Stamp("[1]", s_time));
    }
}
