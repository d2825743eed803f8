namespace LandlockPS.Remoting;

/// <summary>The PSRP message types LandlockPS looks at (MS-PSRP 2.2.1), as the message header holds them.</summary>
internal static class MessageType
{
    public const uint PublicKey = 0x00010005;
    public const uint SetMaxRunspaces = 0x00021002;
    public const uint RunspacePoolState = 0x00021005;
    public const uint CreatePipeline = 0x00021006;
    public const uint PSEventArgs = 0x00021008;
    public const uint RunspacePoolHostCall = 0x00021100;
    public const uint RunspacePoolHostResponse = 0x00021101;
    public const uint PipelineOutput = 0x00041004;
    public const uint PipelineState = 0x00041006;
    public const uint PipelineHostCall = 0x00041100;
}
