using System.Runtime.InteropServices;
using System.Text;

namespace SmbSign.Wire.Session.Kerberos;

/// <summary>
/// The few MIT krb5 GSSAPI (RFC 2744) entry points the client needs, bound at run time from <c>libgssapi_krb5.so.2</c>
/// (Linux) or <c>libgssapi_krb5.2.dylib</c> (MIT krb5 on macOS, e.g. Homebrew; Apple's GSS.framework packs its structs
/// differently and is not supported) through <see cref="NativeLibrary"/> and unmanaged function pointers, so the binary
/// starts without the library and says which package to install when Kerberos is asked for.
/// </summary>
internal static unsafe class GssApi
{
    public const uint Complete = 0;
    public const uint ContinueNeeded = 1;

    public const uint MutualFlag = 2;
    public const uint ReplayFlag = 4;
    public const uint SequenceFlag = 8;
    public const uint IntegFlag = 32;

    /// <summary>Routine error field (RFC 2744 3.9.1): bits 16-23; calling errors: bits 24-31.</summary>
    public const uint ErrorMask = 0xFFFF_0000;

    public const uint BadName = 2u << 16;
    public const uint NoCred = 7u << 16;
    public const uint CredentialsExpired = 11u << 16;
    public const uint Failure = 13u << 16;

    private const int GssCode = 1;
    private const int MechCode = 2;
    private const int InitiateOnly = 1;

    private static readonly Lazy<Library?> s_library = new(Load);

    /// <summary>1.2.840.113554.1.2.2: Kerberos V5 (RFC 1964).</summary>
    public static GssOid* Krb5Mechanism { get; } = StaticOid([0x2A, 0x86, 0x48, 0x86, 0xF7, 0x12, 0x01, 0x02, 0x02]);

    /// <summary>1.3.6.1.5.5.2: SPNEGO (RFC 4178).</summary>
    public static GssOid* SpnegoMechanism { get; } = StaticOid([0x2B, 0x06, 0x01, 0x05, 0x05, 0x02]);

    /// <summary>1.2.840.113554.1.2.1.4: GSS_C_NT_HOSTBASED_SERVICE ("service@host").</summary>
    public static GssOid* HostBasedService { get; } = StaticOid([0x2A, 0x86, 0x48, 0x86, 0xF7, 0x12, 0x01, 0x02, 0x01, 0x04]);

    /// <summary>1.2.840.113554.1.2.1.1: GSS_C_NT_USER_NAME.</summary>
    public static GssOid* UserName { get; } = StaticOid([0x2A, 0x86, 0x48, 0x86, 0xF7, 0x12, 0x01, 0x02, 0x01, 0x01]);

    /// <summary>1.2.840.113554.1.2.2.5.5: GSS_C_INQ_SSPI_SESSION_KEY, the context's session key (acceptor subkey, else
    /// initiator subkey, else ticket key) and, as the second buffer, 1.2.840.113554.1.2.2.4.ENCTYPE.</summary>
    public static GssOid* InquireSessionKey { get; } = StaticOid([0x2A, 0x86, 0x48, 0x86, 0xF7, 0x12, 0x01, 0x02, 0x02, 0x05, 0x05]);

    /// <summary>Environment variable naming the GSSAPI library to load instead (an unusual install path; the tests use
    /// it to see the message for a missing library).</summary>
    public const string LibraryVariable = "SMBSIGN_GSSAPI_LIBRARY";

    /// <summary>The library's file names, in the order tried.</summary>
    public static IReadOnlyList<string> LibraryNames => Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } chosen
        ? [chosen]
        : OperatingSystem.IsMacOS()
        ? ["libgssapi_krb5.2.dylib", "/opt/homebrew/opt/krb5/lib/libgssapi_krb5.2.dylib", "/usr/local/opt/krb5/lib/libgssapi_krb5.2.dylib"]
        : ["libgssapi_krb5.so.2"];

    /// <summary>The bound library, or null when it is missing or lacks an entry point (see <see cref="LoadError"/>).</summary>
    public static Library? Api => s_library.Value;

    public static string? LoadError { get; private set; }

    /// <summary>Text of a GSS major status and of its mechanism (minor) status, via gss_display_status.</summary>
    public static string Describe(uint major, uint minor)
    {
        Library? api = Api;
        if (api is null)
        {
            return $"GSS major 0x{major:X8}, minor {(int)minor}";
        }

        var parts = new List<string>();
        if ((major & ErrorMask) != 0)
        {
            parts.AddRange(DisplayStatus(api, major, GssCode));
        }

        if (minor != 0)
        {
            parts.AddRange(DisplayStatus(api, minor, MechCode));
        }

        return parts.Count == 0 ? $"GSS major 0x{major:X8}" : string.Join(": ", parts.Distinct());
    }

    private static List<string> DisplayStatus(Library api, uint status, int type)
    {
        var messages = new List<string>();
        uint context = 0;
        do
        {
            uint minor = 0;
            GssBuffer buffer = default;
            uint major = api.DisplayStatus(&minor, status, type, null, &context, &buffer);
            if ((major & ErrorMask) != 0)
            {
                break;
            }

            if (buffer.Value != IntPtr.Zero && buffer.Length > 0)
            {
                messages.Add(Encoding.UTF8.GetString((byte*)buffer.Value, checked((int)buffer.Length)).Trim());
            }

            api.ReleaseBuffer(&minor, &buffer);
        }
        while (context != 0 && messages.Count < 8);

        return messages;
    }

    private static GssOid* StaticOid(byte[] der)
    {
        byte* bytes = (byte*)NativeMemory.Alloc((nuint)der.Length);
        der.CopyTo(new Span<byte>(bytes, der.Length));
        var oid = (GssOid*)NativeMemory.Alloc((nuint)sizeof(GssOid));
        oid->Length = (uint)der.Length;
        oid->Elements = (IntPtr)bytes;
        return oid;
    }

    private static Library? Load()
    {
        foreach (string name in LibraryNames)
        {
            if (NativeLibrary.TryLoad(name, out IntPtr handle))
            {
                try
                {
                    return new Library(handle);
                }
                catch (EntryPointNotFoundException e)
                {
                    LoadError = $"{name} lacks {e.Message}: MIT krb5 1.14 or later is needed";
                    return null;
                }
            }
        }

        LoadError = OperatingSystem.IsMacOS()
            ? $"the MIT Kerberos GSSAPI library could not be loaded ({string.Join(", ", LibraryNames)}): brew install krb5"
            : $"the MIT Kerberos GSSAPI library could not be loaded ({string.Join(", ", LibraryNames)}): apt-get install libgssapi-krb5-2 (Debian/Ubuntu; krb5-libs on Fedora/RHEL)";
        return null;
    }

    /// <summary>gss_buffer_desc.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GssBuffer
    {
        public nuint Length;
        public IntPtr Value;
    }

    /// <summary>gss_OID_desc.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GssOid
    {
        public uint Length;
        public IntPtr Elements;
    }

    /// <summary>gss_OID_set_desc.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GssOidSet
    {
        public nuint Count;
        public GssOid* Elements;
    }

    /// <summary>gss_buffer_set_desc.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GssBufferSet
    {
        public nuint Count;
        public GssBuffer* Elements;
    }

    /// <summary>gss_key_value_element_desc.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GssKeyValueElement
    {
        public byte* Key;
        public byte* Value;
    }

    /// <summary>gss_key_value_set_desc.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GssKeyValueSet
    {
        public uint Count;
        public GssKeyValueElement* Elements;
    }

    /// <summary>The bound entry points (all <c>OM_uint32</c> major status returning).</summary>
    public sealed class Library
    {
        private readonly delegate* unmanaged<uint*, GssBuffer*, GssOid*, IntPtr*, uint> _importName;
        private readonly delegate* unmanaged<uint*, IntPtr*, uint> _releaseName;
        private readonly delegate* unmanaged<uint*, IntPtr, uint, GssOidSet*, int, IntPtr*, IntPtr, uint*, uint> _acquireCred;
        private readonly delegate* unmanaged<uint*, IntPtr, uint, GssOidSet*, int, GssKeyValueSet*, IntPtr*, IntPtr, uint*, uint> _acquireCredFrom;
        private readonly delegate* unmanaged<uint*, IntPtr, GssBuffer*, uint, GssOidSet*, int, IntPtr*, IntPtr, uint*, uint> _acquireCredWithPassword;
        private readonly delegate* unmanaged<uint*, IntPtr, GssOidSet*, uint> _setNegMechs;
        private readonly delegate* unmanaged<uint*, IntPtr*, uint> _releaseCred;
        private readonly delegate* unmanaged<uint*, IntPtr, IntPtr*, IntPtr, GssOid*, uint, uint, IntPtr, GssBuffer*, GssOid**, GssBuffer*, uint*, uint*, uint> _initSecContext;
        private readonly delegate* unmanaged<uint*, IntPtr*, GssBuffer*, uint> _deleteSecContext;
        private readonly delegate* unmanaged<uint*, IntPtr, GssOid*, GssBufferSet**, uint> _inquireByOid;
        private readonly delegate* unmanaged<uint*, GssBufferSet**, uint> _releaseBufferSet;
        private readonly delegate* unmanaged<uint*, GssBuffer*, uint> _releaseBuffer;
        private readonly delegate* unmanaged<uint*, uint, int, GssOid*, uint*, GssBuffer*, uint> _displayStatus;
        private readonly delegate* unmanaged<uint*, IntPtr, IntPtr*, IntPtr*, uint*, GssOid**, uint*, int*, int*, uint> _inquireContext;
        private readonly delegate* unmanaged<uint*, IntPtr, GssBuffer*, GssOid**, uint> _displayName;

        public Library(IntPtr handle)
        {
            _importName = (delegate* unmanaged<uint*, GssBuffer*, GssOid*, IntPtr*, uint>)Export(handle, "gss_import_name");
            _releaseName = (delegate* unmanaged<uint*, IntPtr*, uint>)Export(handle, "gss_release_name");
            _acquireCred = (delegate* unmanaged<uint*, IntPtr, uint, GssOidSet*, int, IntPtr*, IntPtr, uint*, uint>)Export(handle, "gss_acquire_cred");
            _acquireCredFrom = (delegate* unmanaged<uint*, IntPtr, uint, GssOidSet*, int, GssKeyValueSet*, IntPtr*, IntPtr, uint*, uint>)Export(handle, "gss_acquire_cred_from");
            _acquireCredWithPassword = (delegate* unmanaged<uint*, IntPtr, GssBuffer*, uint, GssOidSet*, int, IntPtr*, IntPtr, uint*, uint>)Export(handle, "gss_acquire_cred_with_password");
            _setNegMechs = (delegate* unmanaged<uint*, IntPtr, GssOidSet*, uint>)Export(handle, "gss_set_neg_mechs");
            _releaseCred = (delegate* unmanaged<uint*, IntPtr*, uint>)Export(handle, "gss_release_cred");
            _initSecContext = (delegate* unmanaged<uint*, IntPtr, IntPtr*, IntPtr, GssOid*, uint, uint, IntPtr, GssBuffer*, GssOid**, GssBuffer*, uint*, uint*, uint>)Export(handle, "gss_init_sec_context");
            _deleteSecContext = (delegate* unmanaged<uint*, IntPtr*, GssBuffer*, uint>)Export(handle, "gss_delete_sec_context");
            _inquireByOid = (delegate* unmanaged<uint*, IntPtr, GssOid*, GssBufferSet**, uint>)Export(handle, "gss_inquire_sec_context_by_oid");
            _releaseBufferSet = (delegate* unmanaged<uint*, GssBufferSet**, uint>)Export(handle, "gss_release_buffer_set");
            _releaseBuffer = (delegate* unmanaged<uint*, GssBuffer*, uint>)Export(handle, "gss_release_buffer");
            _displayStatus = (delegate* unmanaged<uint*, uint, int, GssOid*, uint*, GssBuffer*, uint>)Export(handle, "gss_display_status");
            _inquireContext = (delegate* unmanaged<uint*, IntPtr, IntPtr*, IntPtr*, uint*, GssOid**, uint*, int*, int*, uint>)Export(handle, "gss_inquire_context");
            _displayName = (delegate* unmanaged<uint*, IntPtr, GssBuffer*, GssOid**, uint>)Export(handle, "gss_display_name");
        }

        private static IntPtr Export(IntPtr handle, string name) =>
            NativeLibrary.TryGetExport(handle, name, out IntPtr address) ? address : throw new EntryPointNotFoundException(name);

        public uint ImportName(uint* minor, GssBuffer* name, GssOid* type, IntPtr* output) => _importName(minor, name, type, output);

        public uint ReleaseName(uint* minor, IntPtr* name) => _releaseName(minor, name);

        public uint AcquireCred(uint* minor, IntPtr name, GssOidSet* mechs, IntPtr* cred) =>
            _acquireCred(minor, name, 0, mechs, InitiateOnly, cred, IntPtr.Zero, null);

        public uint AcquireCredFrom(uint* minor, IntPtr name, GssOidSet* mechs, GssKeyValueSet* store, IntPtr* cred) =>
            _acquireCredFrom(minor, name, 0, mechs, InitiateOnly, store, cred, IntPtr.Zero, null);

        public uint AcquireCredWithPassword(uint* minor, IntPtr name, GssBuffer* password, GssOidSet* mechs, IntPtr* cred) =>
            _acquireCredWithPassword(minor, name, password, 0, mechs, InitiateOnly, cred, IntPtr.Zero, null);

        public uint SetNegMechs(uint* minor, IntPtr cred, GssOidSet* mechs) => _setNegMechs(minor, cred, mechs);

        public uint ReleaseCred(uint* minor, IntPtr* cred) => _releaseCred(minor, cred);

        public uint InitSecContext(uint* minor, IntPtr cred, IntPtr* context, IntPtr target, GssOid* mech, uint flags, GssBuffer* input, GssBuffer* output, uint* retFlags) =>
            _initSecContext(minor, cred, context, target, mech, flags, 0, IntPtr.Zero, input, null, output, retFlags, null);

        public uint DeleteSecContext(uint* minor, IntPtr* context) => _deleteSecContext(minor, context, null);

        public uint InquireSecContextByOid(uint* minor, IntPtr context, GssOid* oid, GssBufferSet** set) => _inquireByOid(minor, context, oid, set);

        public uint ReleaseBufferSet(uint* minor, GssBufferSet** set) => _releaseBufferSet(minor, set);

        public uint ReleaseBuffer(uint* minor, GssBuffer* buffer) => _releaseBuffer(minor, buffer);

        public uint DisplayStatus(uint* minor, uint status, int type, GssOid* mech, uint* context, GssBuffer* output) =>
            _displayStatus(minor, status, type, mech, context, output);

        /// <summary>gss_inquire_context for the initiator's name only.</summary>
        public uint InquireSourceName(uint* minor, IntPtr context, IntPtr* sourceName) =>
            _inquireContext(minor, context, sourceName, null, null, null, null, null, null);

        public uint DisplayName(uint* minor, IntPtr name, GssBuffer* output) => _displayName(minor, name, output, null);
    }
}
