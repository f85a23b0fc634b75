namespace SmbSign.Reporting.Store;

/// <summary>
/// A problem with the posture store the user can fix (a bad <c>--db</c> value, a file that is not a store, a server that
/// refuses the connection, a schema newer than this tool). The message is one line and never contains a password.
/// </summary>
public sealed class StoreException : Exception
{
    public StoreException()
    {
    }

    public StoreException(string message)
        : base(message)
    {
    }

    public StoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
