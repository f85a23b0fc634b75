namespace SmbSign.Reporting.Tests;

public sealed class ReportingAssemblyTests
{
    [Fact]
    public void AssemblyName_IsTheProjectName() =>
        Assert.Equal(ReportingAssembly.Name, typeof(ReportingAssembly).Assembly.GetName().Name);
}
