namespace SmbSign.Policy.Catalog;

/// <summary>How well a fact is sourced; mirrors the markers in docs/reference/policy.md (<c>[doc]</c>, <c>[list]</c>, ...).</summary>
public enum Confidence
{
    /// <summary>Stated in Microsoft documentation or an open specification.</summary>
    Doc,

    /// <summary>From CIS content as transcribed in public machine-readable finding lists.</summary>
    List,

    /// <summary>Seen in a real export, an implementation or a tool.</summary>
    Impl,

    /// <summary>Reasoned from other facts, not confirmed.</summary>
    Inferred,

    /// <summary>Believed but not checked against a primary source.</summary>
    Unconfirmed,
}
