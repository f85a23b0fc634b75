using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace SmbSign.Wire.Session.Kerberos;

/// <summary>
/// A Kerberos logon through Windows SSPI (secur32): the Negotiate package, restricted to Kerberos with a package list
/// (SEC_WINNT_AUTH_IDENTITY_EX, "Kerberos"), so like the MIT path it yields SPNEGO tokens and never falls back to NTLM.
/// Tickets come from the logged-on user's Kerberos cache, or from a password. The session key is SECPKG_ATTR_SESSION_KEY.
/// Compiled on every platform; only exercised on Windows, and not covered by this repository's tests (they run on Linux).
/// </summary>
internal sealed unsafe partial class SspiKerberosContext : IKerberosClientContext
{
    private const uint SecpkgCredOutbound = 2;
    private const uint SecurityNativeDrep = 0x10;
    private const int SecEOk = 0;
    private const int SecIContinueNeeded = 0x0009_0312;
    private const uint IscReqMutualAuth = 0x2;
    private const uint IscReqReplayDetect = 0x4;
    private const uint IscReqSequenceDetect = 0x8;
    private const uint IscReqAllocateMemory = 0x100;
    private const uint IscReqIntegrity = 0x10000;
    private const uint IscRetMutualAuth = 0x2;
    private const uint SecbufferToken = 2;
    private const uint SecpkgAttrSessionKey = 9;
    private const uint SecWinntAuthIdentityUnicode = 2;
    private const uint SecWinntAuthIdentityVersion = 0x200;

    private readonly string _target;
    private SecHandle _credential;
    private SecHandle _context;
    private bool _hasContext;

    public SspiKerberosContext(string serverName, string? user, string? domain, string? password)
    {
        _target = "cifs/" + serverName;
        string packageList = "Kerberos";
        fixed (char* package = "Negotiate")
        fixed (char* u = user)
        fixed (char* d = domain)
        fixed (char* p = password)
        fixed (char* list = packageList)
        {
            var identity = new SecWinntAuthIdentityEx
            {
                Version = SecWinntAuthIdentityVersion,
                Length = (uint)sizeof(SecWinntAuthIdentityEx),
                User = string.IsNullOrEmpty(password) ? null : u,
                UserLength = string.IsNullOrEmpty(password) ? 0 : (uint)(user?.Length ?? 0),
                Domain = string.IsNullOrEmpty(password) ? null : d,
                DomainLength = string.IsNullOrEmpty(password) ? 0 : (uint)(domain?.Length ?? 0),
                Password = string.IsNullOrEmpty(password) ? null : p,
                PasswordLength = string.IsNullOrEmpty(password) ? 0 : (uint)password!.Length,
                Flags = SecWinntAuthIdentityUnicode,
                PackageList = list,
                PackageListLength = (uint)packageList.Length,
            };
            SecHandle credential;
            long expiry;
            int status = AcquireCredentialsHandleW(null, package, SecpkgCredOutbound, IntPtr.Zero, &identity, IntPtr.Zero, IntPtr.Zero, &credential, &expiry);
            if (status != SecEOk)
            {
                throw new KerberosException(Explain("AcquireCredentialsHandle", status));
            }

            _credential = credential;
        }
    }

    public string? ClientPrincipal => null;

    public byte[] Step(ReadOnlySpan<byte> serverToken, out bool complete)
    {
        fixed (char* target = _target)
        fixed (byte* input = serverToken)
        {
            SecBuffer inBuffer = new() { Size = (uint)serverToken.Length, Type = SecbufferToken, Buffer = (IntPtr)input };
            SecBufferDesc inDesc = new() { Version = 0, Count = 1, Buffers = &inBuffer };
            SecBuffer outBuffer = new() { Size = 0, Type = SecbufferToken, Buffer = IntPtr.Zero };
            SecBufferDesc outDesc = new() { Version = 0, Count = 1, Buffers = &outBuffer };
            SecHandle credential = _credential;
            SecHandle context = _context;
            SecHandle newContext;
            uint attributes;
            long expiry;
            int status = InitializeSecurityContextW(
                &credential, _hasContext ? &context : null, target,
                IscReqMutualAuth | IscReqReplayDetect | IscReqSequenceDetect | IscReqIntegrity | IscReqAllocateMemory,
                0, SecurityNativeDrep, serverToken.IsEmpty ? null : &inDesc, 0, &newContext, &outDesc, &attributes, &expiry);
            try
            {
                if (status is not (SecEOk or SecIContinueNeeded))
                {
                    throw new KerberosException(Explain("InitializeSecurityContext", status));
                }

                _context = newContext;
                _hasContext = true;
                complete = status == SecEOk;
                if (complete && (attributes & IscRetMutualAuth) == 0)
                {
                    throw new KerberosException($"Kerberos logon to {_target}: the server did not authenticate itself (no mutual authentication)");
                }

                return outBuffer.Size == 0 ? [] : new ReadOnlySpan<byte>((void*)outBuffer.Buffer, (int)outBuffer.Size).ToArray();
            }
            finally
            {
                if (outBuffer.Buffer != IntPtr.Zero)
                {
                    _ = FreeContextBuffer((void*)outBuffer.Buffer);
                }
            }
        }
    }

    public byte[] SessionKey(out int encryptionType)
    {
        SecPkgContextSessionKey key;
        SecHandle context = _context;
        int status = QueryContextAttributesW(&context, SecpkgAttrSessionKey, &key);
        if (status != SecEOk)
        {
            throw new KerberosException(Explain("QueryContextAttributes(SECPKG_ATTR_SESSION_KEY)", status));
        }

        try
        {
            // SSPI does not report the key's encryption type here; its length tells AES-256 (32) from RC4/AES-128 (16).
            encryptionType = 0;
            return new ReadOnlySpan<byte>(key.SessionKey, (int)key.SessionKeyLength).ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(new Span<byte>(key.SessionKey, (int)key.SessionKeyLength));
            _ = FreeContextBuffer(key.SessionKey);
        }
    }

    private string Explain(string call, int status) => (uint)status switch
    {
        0x8009_030E => $"no Kerberos credentials for this logon session (SEC_E_NO_CREDENTIALS): log on to the domain or give a password ({call})",
        0x8009_0311 => $"no KDC could be reached (SEC_E_NO_AUTHENTICATING_AUTHORITY) ({call})",
        0x8009_0324 => $"clock skew too great between this machine and the KDC or server (SEC_E_TIME_SKEW) ({call})",
        0x8009_0303 => $"the KDC does not know the service principal {_target} (SEC_E_TARGET_UNKNOWN): use the server's DNS name ({call})",
        0x8009_030C => $"the KDC refused the logon (SEC_E_LOGON_DENIED) ({call})",
        _ => $"Kerberos logon to {_target} failed: SSPI status 0x{status:X8} ({call})",
    };

    public void Dispose()
    {
        if (_hasContext)
        {
            SecHandle context = _context;
            _ = DeleteSecurityContext(&context);
            _hasContext = false;
        }

        if (_credential.Lower != IntPtr.Zero || _credential.Upper != IntPtr.Zero)
        {
            SecHandle credential = _credential;
            _ = FreeCredentialsHandle(&credential);
            _credential = default;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SecHandle
    {
        public IntPtr Lower;
        public IntPtr Upper;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SecBuffer
    {
        public uint Size;
        public uint Type;
        public IntPtr Buffer;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SecBufferDesc
    {
        public uint Version;
        public uint Count;
        public SecBuffer* Buffers;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SecPkgContextSessionKey
    {
        public uint SessionKeyLength;
        public byte* SessionKey;
    }

    /// <summary>SEC_WINNT_AUTH_IDENTITY_EXW (Windows <c>unsigned long</c> is 32 bits).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SecWinntAuthIdentityEx
    {
        public uint Version;
        public uint Length;
        public char* User;
        public uint UserLength;
        public char* Domain;
        public uint DomainLength;
        public char* Password;
        public uint PasswordLength;
        public uint Flags;
        public char* PackageList;
        public uint PackageListLength;
    }

    [LibraryImport("secur32.dll")]
    private static partial int AcquireCredentialsHandleW(char* principal, char* package, uint credentialUse, IntPtr logonId, void* authData, IntPtr getKeyFunction, IntPtr getKeyArgument, SecHandle* credential, long* expiry);

    [LibraryImport("secur32.dll")]
    private static partial int InitializeSecurityContextW(SecHandle* credential, SecHandle* context, char* targetName, uint contextRequirements, uint reserved1, uint targetDataRepresentation, SecBufferDesc* input, uint reserved2, SecHandle* newContext, SecBufferDesc* output, uint* contextAttributes, long* expiry);

    [LibraryImport("secur32.dll")]
    private static partial int QueryContextAttributesW(SecHandle* context, uint attribute, void* buffer);

    [LibraryImport("secur32.dll")]
    private static partial int FreeContextBuffer(void* buffer);

    [LibraryImport("secur32.dll")]
    private static partial int DeleteSecurityContext(SecHandle* context);

    [LibraryImport("secur32.dll")]
    private static partial int FreeCredentialsHandle(SecHandle* credential);
}
