namespace HaAgent.NativeInterop.Rados;

/// <summary>A successful mon command: its output buffer (JSON when "format":"json" was asked) and its status line.</summary>
public sealed class RadosMonCommandResult
{
    internal RadosMonCommandResult(byte[] output, string statusMessage)
    {
        Output = output;
        StatusMessage = statusMessage;
    }

    /// <summary>The command's output buffer (outbuf), e.g. the JSON of "osd dump".</summary>
    public ReadOnlyMemory<byte> Output { get; }

    /// <summary>The human status line (outs), e.g. "blocklisting 127.0.0.1:0/42 until ...".</summary>
    public string StatusMessage { get; }

    public string OutputText => System.Text.Encoding.UTF8.GetString(Output.Span);
}
