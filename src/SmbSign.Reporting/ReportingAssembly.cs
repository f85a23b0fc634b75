namespace SmbSign.Reporting;

/// <summary>Marker for the reporting assembly (store, history, HTML report).</summary>
public static class ReportingAssembly
{
    /// <summary>The assembly's informational name, used in store metadata.</summary>
    public const string Name = "SmbSign.Reporting";
}
