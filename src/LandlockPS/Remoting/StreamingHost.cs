using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace LandlockPS.Remoting;

/// <summary>
/// The host a sandboxed script block's child pwsh talks to. Prompts, Read-Host and the raw UI go to
/// the caller's host. Lines are not written here: the server uses the host to show the records of
/// every stream (Write-Host, information, verbose, debug, warning, progress), which also arrive as
/// records that Invoke-Sandboxed writes to the caller's streams, where preferences, redirection and
/// -xxxVariable apply. Writing them here too would show each twice, this copy uncapturable. The
/// price: a block's explicit $host.UI.WriteLine() shows nothing; Write-Host is the way.
/// </summary>
internal sealed class StreamingHost(PSHost caller) : PSHost
{
    private readonly StreamingHostUI? _ui = caller.UI is { } ui ? new StreamingHostUI(ui) : null;

    public override string Name => caller.Name;
    public override Version Version => caller.Version;
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override PSHostUserInterface? UI => _ui;
    public override CultureInfo CurrentCulture => caller.CurrentCulture;
    public override CultureInfo CurrentUICulture => caller.CurrentUICulture;
    public override PSObject? PrivateData => caller.PrivateData;
    public override void SetShouldExit(int exitCode) { }
    public override void EnterNestedPrompt() => throw new NotSupportedException("A sandboxed script block cannot enter a nested prompt.");
    public override void ExitNestedPrompt() => throw new NotSupportedException("A sandboxed script block cannot enter a nested prompt.");
    public override void NotifyBeginApplication() => caller.NotifyBeginApplication();
    public override void NotifyEndApplication() => caller.NotifyEndApplication();

    private sealed class StreamingHostUI(PSHostUserInterface caller) : PSHostUserInterface
    {
        public override PSHostRawUserInterface RawUI => caller.RawUI;
        public override string ReadLine() => caller.ReadLine();
        public override SecureString ReadLineAsSecureString() => caller.ReadLineAsSecureString();
        public override void Write(string value) { }
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) { }
        public override void WriteLine(string value) { }
        public override void WriteLine(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) { }
        public override void WriteErrorLine(string value) => caller.WriteErrorLine(value);
        public override void WriteDebugLine(string message) { }
        public override void WriteVerboseLine(string message) { }
        public override void WriteWarningLine(string message) { }
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override void WriteInformation(InformationRecord record) { }
        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
            caller.Prompt(caption, message, descriptions);
        public override PSCredential? PromptForCredential(string caption, string message, string userName, string targetName) =>
            caller.PromptForCredential(caption, message, userName, targetName);
        public override PSCredential? PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) =>
            caller.PromptForCredential(caption, message, userName, targetName, allowedCredentialTypes, options);
        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) =>
            caller.PromptForChoice(caption, message, choices, defaultChoice);
    }
}
