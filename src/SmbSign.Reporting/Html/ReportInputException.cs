namespace SmbSign.Reporting.Html;

/// <summary>
/// An input document the report cannot use: not JSON, or not the shape of an smbsign <c>audit</c>, <c>scan</c>,
/// <c>verify</c> or <c>listen</c> document. The message is one line that names the source, the place (line, or byte
/// offset) and what was expected; it never quotes more of the input than a property name.
/// </summary>
public sealed class ReportInputException : Exception
{
    public ReportInputException()
    {
    }

    public ReportInputException(string message)
        : base(message)
    {
    }

    public ReportInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
