using System.Globalization;
using SmbSign.Protocol;
using SmbSign.Protocol.Smb2;
using SmbSign.Protocol.Smb2.Close;
using SmbSign.Protocol.Smb2.Create;
using SmbSign.Protocol.Smb2.Ioctl;
using SmbSign.Protocol.Smb2.Logoff;
using SmbSign.Protocol.Smb2.Read;
using SmbSign.Protocol.Smb2.TreeConnect;
using SmbSign.Protocol.Smb2.TreeDisconnect;
using SmbSign.Protocol.Smb2.Write;
using SmbSign.Wire.Rpc;

namespace SmbSign.Wire.Session;

/// <summary>Named-pipe use of the verification session: the same NEGOTIATE, SESSION_SETUP and TREE_CONNECT (IPC$),
/// then CREATE of one pipe and its traffic (WRITE, IOCTL FSCTL_PIPE_TRANSCEIVE, READ), every message signed and every
/// response verified exactly as in <see cref="RunAsync"/>.</summary>
internal sealed partial class Smb2SessionDriver
{
    /// <summary>[MS-FSCC] 2.3.49 FSCTL_PIPE_TRANSCEIVE.</summary>
    private const uint FsctlPipeTransceive = 0x0011_C017;

    /// <summary>STATUS_BUFFER_OVERFLOW: a pipe message longer than the buffer; the rest follows with READ ([MS-SMB2] 3.3.4.4).</summary>
    private const uint StatusBufferOverflow = 0x8000_0005;

    /// <summary>Runs the session up to TREE_CONNECT, opens <paramref name="pipeName"/>, hands it to
    /// <paramref name="work"/>, then closes the pipe and logs off. Guest and anonymous logons are refused: nothing
    /// read over an unsigned session could be trusted.</summary>
    public async Task RunPipeAsync(string pipeName, Func<IRpcPipeTransport, CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        await NegotiateAsync(cancellationToken).ConfigureAwait(false);
        await SessionSetupAsync(cancellationToken).ConfigureAwait(false);
        if (_anonymousOrGuest || _signer is null)
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.GuestSession,
                $"the server logged '{Qualified()}' on as guest/anonymous: such a session is not signed, so nothing read over it could be trusted (check the user name and password)"));
        }

        ShareType shareType = await TreeConnectAsync(cancellationToken).ConfigureAwait(false);
        if (shareType != ShareType.Pipe)
        {
            throw new SessionAbortException(new SessionError(SessionErrorKind.Protocol, $"share '{_options.Share}' is not the IPC$ pipe share"));
        }

        if (_dialect is Dialect.Smb300 or Dialect.Smb302)
        {
            await ValidateNegotiateAsync(cancellationToken).ConfigureAwait(false);
        }

        var create = new CreateRequest
        {
            Name = pipeName,
            DesiredAccess = AccessMask.FileReadData | AccessMask.FileWriteData | AccessMask.FileReadAttributes | AccessMask.Synchronize,
            ShareAccess = ShareAccess.Read | ShareAccess.Write,
            CreateOptions = CreateOptions.NonDirectoryFile,
        };
        (Smb2Header header, byte[] response) = await SendAsync(create, _treeId, cancellationToken).ConfigureAwait(false);
        if (header.Status != NtStatus.Success)
        {
            throw new SessionAbortException(header.Status switch
            {
                NtStatus.ObjectNameNotFound or 0xC000_00AC => new SessionError(SessionErrorKind.BadNetworkName,
                    string.Create(CultureInfo.InvariantCulture, $"the named pipe \\PIPE\\{pipeName} does not exist (status 0x{header.Status:X8}): on Windows the RemoteRegistry service is disabled"), header.Status),
                NtStatus.AccessDenied => new SessionError(SessionErrorKind.AccessDenied, $"access to \\PIPE\\{pipeName} is denied for '{Qualified()}' (STATUS_ACCESS_DENIED)", header.Status),
                _ => new SessionError(SessionErrorKind.Protocol, string.Create(CultureInfo.InvariantCulture, $"could not open \\PIPE\\{pipeName}: status 0x{header.Status:X8}"), header.Status),
            });
        }

        Smb2FileId fileId = CreateResponse.Parse(response).FileId;
        _recorder.Operation($"opened pipe {pipeName}");
        await work(new PipeTransport(this, fileId, pipeName), cancellationToken).ConfigureAwait(false);
        await SendAsync(new CloseRequest { FileId = fileId }, _treeId, cancellationToken).ConfigureAwait(false);
        await SendAsync(TreeDisconnectRequest.Instance, _treeId, cancellationToken).ConfigureAwait(false);
        await SendAsync(LogoffRequest.Instance, 0, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PipeChunk> PipeTransceiveAsync(Smb2FileId fileId, string pipeName, ReadOnlyMemory<byte> input, int maxOutput, CancellationToken cancellationToken)
    {
        var ioctl = new IoctlRequest { CtlCode = FsctlPipeTransceive, FileId = fileId, Input = input, MaxOutputResponse = (uint)maxOutput };
        (Smb2Header header, byte[] response) = await SendAsync(ioctl, _treeId, cancellationToken).ConfigureAwait(false);
        if (header.Status is not (NtStatus.Success or StatusBufferOverflow))
        {
            throw PipeError(header.Status, pipeName, "FSCTL_PIPE_TRANSCEIVE");
        }

        ReadOnlyMemory<byte> output = IoctlResponse.Parse(response).Output;
        if (output.Length > maxOutput)
        {
            throw new SmbProtocolException(string.Create(CultureInfo.InvariantCulture, $"IOCTL response: {output.Length} output bytes, more than the {maxOutput} asked for"));
        }

        return new PipeChunk(output, header.Status == StatusBufferOverflow);
    }

    private async Task<PipeChunk> PipeReadAsync(Smb2FileId fileId, string pipeName, int maxLength, CancellationToken cancellationToken)
    {
        (Smb2Header header, byte[] response) = await SendAsync(new ReadRequest { FileId = fileId, Length = (uint)maxLength }, _treeId, cancellationToken).ConfigureAwait(false);
        if (header.Status is not (NtStatus.Success or StatusBufferOverflow))
        {
            throw PipeError(header.Status, pipeName, "READ");
        }

        ReadOnlyMemory<byte> data = ReadResponse.Parse(response).Data;
        if (data.Length > maxLength)
        {
            throw new SmbProtocolException(string.Create(CultureInfo.InvariantCulture, $"READ response: {data.Length} bytes, more than the {maxLength} asked for"));
        }

        return new PipeChunk(data, header.Status == StatusBufferOverflow);
    }

    /// <summary>Writes <paramref name="data"/> to the pipe without reading: the leading fragments of a multi-fragment
    /// request, whose answer only comes after the last fragment. A short write would silently drop RPC bytes, so any
    /// Count other than the length sent is an error.</summary>
    private async Task PipeWriteAsync(Smb2FileId fileId, string pipeName, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        (Smb2Header header, byte[] response) = await SendAsync(new WriteRequest { FileId = fileId, Data = data }, _treeId, cancellationToken).ConfigureAwait(false);
        if (header.Status != NtStatus.Success)
        {
            throw PipeError(header.Status, pipeName, "WRITE");
        }

        uint count = WriteResponse.Parse(response).Count;
        if (count != (uint)data.Length)
        {
            throw new SmbProtocolException(string.Create(CultureInfo.InvariantCulture, $"WRITE response: {count} bytes written of the {data.Length} sent to \\PIPE\\{pipeName}"));
        }
    }

    private static SessionAbortException PipeError(uint status, string pipeName, string operation) => new(new SessionError(
        status == NtStatus.AccessDenied ? SessionErrorKind.AccessDenied : SessionErrorKind.Protocol,
        string.Create(CultureInfo.InvariantCulture, $"{operation} on \\PIPE\\{pipeName} failed with status 0x{status:X8}{(status == 0xC000_00B0 ? " (STATUS_PIPE_DISCONNECTED: the service closed the pipe)" : string.Empty)}"),
        status));

    private sealed class PipeTransport(Smb2SessionDriver driver, Smb2FileId fileId, string pipeName) : IRpcPipeTransport
    {
        public Task<PipeChunk> TransceiveAsync(ReadOnlyMemory<byte> input, int maxOutput, CancellationToken cancellationToken) =>
            driver.PipeTransceiveAsync(fileId, pipeName, input, maxOutput, cancellationToken);

        public Task<PipeChunk> ReadAsync(int maxLength, CancellationToken cancellationToken) =>
            driver.PipeReadAsync(fileId, pipeName, maxLength, cancellationToken);

        public Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
            driver.PipeWriteAsync(fileId, pipeName, data, cancellationToken);
    }
}
