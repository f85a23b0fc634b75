namespace SmbSign.Policy.Defaults;

/// <summary>The operating system family of a profile.</summary>
public enum OsFamily
{
    /// <summary>Windows 10 / 11.</summary>
    WindowsClient,

    /// <summary>Windows Server 2016 and later.</summary>
    WindowsServer,

    /// <summary>Samba (smbd as server, smbclient / libsmbclient as client).</summary>
    Samba,
}

/// <summary>Windows edition (the defaults of Windows 11 24H2 differ between Home and Pro/Enterprise/Education).</summary>
public enum OsEdition
{
    /// <summary>Not an edition-dependent platform (Samba), or the edition does not matter.</summary>
    None,
    Home,
    Pro,
    ProForWorkstations,
    Enterprise,
    Education,

    /// <summary>Windows Server Standard / Datacenter.</summary>
    Server,
}

/// <summary>The machine's role in the domain.</summary>
public enum OsRole
{
    /// <summary>A Windows client (workstation).</summary>
    Workstation,

    /// <summary>A member or standalone server.</summary>
    MemberServer,

    /// <summary>A domain controller (Windows) or an Active Directory DC (Samba <c>server role = active directory domain controller</c>).</summary>
    DomainController,
}

/// <summary>How a 3.1.1 server picks the signing algorithm from the client's SIGNING_CAPABILITIES list.</summary>
public enum AlgorithmSelection
{
    /// <summary>The first algorithm in the client's list (client preference order) that the server also supports.</summary>
    ClientOrder,

    /// <summary>The server's most preferred algorithm among those the client offered (Samba smb2_negprot.c, docs/reference/protocol.md §10).</summary>
    ServerOrder,
}
