using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Security;

namespace LandlockPS.Remoting;

/// <summary>
/// The host a sandboxed pwsh talks to: the caller's, guarded. Text reaches the caller's terminal
/// with every control sequence but colours neutralised. Reading the caller's terminal (prompts,
/// Read-Host) and using its console (RawUI: keys, screen, title, colours) need the caller's consent
/// (<see cref="SandboxHostAccess"/>); with it, every prompt says it comes from the sandbox, and
/// without it the call fails inside the sandbox with an error that says how to allow it.
/// For a script block, lines are not written here at all (<paramref name="recordsViaStreams"/>):
/// the server also sends every stream's records, which Invoke-Sandboxed writes to the caller's
/// streams, where preferences, redirection and -xxxVariable apply; writing them here too would
/// show each twice, this copy uncapturable. The price: $host.UI.WriteLine() from a block shows
/// nothing; Write-Host is the way.
/// </summary>
internal sealed class SandboxHost(PSHost caller, SandboxHostAccess access, bool recordsViaStreams) : PSHost, IHostSupportsInteractiveSession
{
    private const string Mark = "[sandbox] ";
    private readonly GuardedUI? _ui = caller.UI is { } ui ? new GuardedUI(ui, access, recordsViaStreams) : null;
    private readonly Runspace? _home = ShellOf(caller);

    public override string Name => caller.Name;
    public override Version Version => caller.Version;
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override PSHostUserInterface? UI => _ui;
    public override CultureInfo CurrentCulture => caller.CurrentCulture;
    public override CultureInfo CurrentUICulture => caller.CurrentUICulture;
    public override PSObject? PrivateData => caller.PrivateData;
    // `exit N` in the sandboxed pwsh reaches its host as this call: a one-shot block reports N as a
    // script run with & would. In Enter-PSSession it leaves the session, as the console host does for
    // any pushed runspace (a line that is just "exit" never gets here: the console takes it itself).
    private volatile StrongBox<int>? _exit;

    /// <summary>The code the sandboxed pwsh was told to exit with (`exit N`); null if it was not.</summary>
    public int? ExitCode => _exit?.Value;

    public override void SetShouldExit(int exitCode)
    {
        _exit = new StrongBox<int>(exitCode);
        if (!recordsViaStreams && IsRunspacePushed) PopRunspace();
    }
    public override void EnterNestedPrompt() => throw new NotSupportedException("A sandboxed pwsh cannot enter a nested prompt.");
    public override void ExitNestedPrompt() => throw new NotSupportedException("A sandboxed pwsh cannot enter a nested prompt.");
    // A program the sandbox runs cannot change the caller's console, so there is nothing to save and
    // restore (PowerShell's own server never sends these): passed on, they would make the caller's
    // host put back an old window title whenever the sandbox likes.
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }

    /// <summary>
    /// For a script block, whose records reach the caller's streams on the caller's pipeline thread
    /// while host calls come on another: a prompt first waits (<paramref name="awaitEarlierRecords"/>)
    /// until every record the block sent before it has been written, or text still on its way could
    /// follow the mark and push it out of sight, leaving the block's own "password" line where you type.
    /// </summary>
    internal void PromptAfter(Action awaitEarlierRecords)
    {
        if (_ui is not null) _ui.AwaitEarlierRecords = awaitEarlierRecords;
    }

    private Runspace? _served;

    // The caller's own shell: the runspace of the interactive host it types at (a thread job given
    // that host can make a session and hand it over), else, for a host without one or while it is
    // in a remote session, the runspace whose pipeline makes the session or block.
    private static Runspace? ShellOf(PSHost caller)
    {
        try
        {
            if (caller is IHostSupportsInteractiveSession { IsRunspacePushed: false, Runspace: { ConnectionInfo: null } shell }) return shell;
        }
        catch (PSNotImplementedException)
        {
            // PowerShell's wrapper of a host that has no interactive sessions says so this way.
        }
        return Runspace.DefaultRunspace;
    }

    /// <summary>
    /// The runspace whose host this is (the only one the sandbox may pop the caller out of), and what
    /// its transport knows: whether the caller waits for a command in it, the only time it may read
    /// the caller's terminal.
    /// </summary>
    internal void Serve(Runspace runspace, SandboxSessionState state)
    {
        _served = runspace;
        state.Jobs = new SessionJobs(_home, runspace.InstanceId);
        if (_ui is null) return;
        _ui.Serve(new WaitingCaller(state, runsToEnd: recordsViaStreams, _home, () => PushedServed() is not null), state.HostCatchUp);
        state.HostCatchUp.Enabled = true;
        state.HostUI = _ui;
    }

    // Enter-PSSession and its exit: the session's own prompt is the caller's, pushed and popped as
    // usual. A sandbox can send these calls at any time, while the caller is in another session: to
    // it, the caller is only ever in its own (leaving it is the sandbox's exit), or in none.
    public bool IsRunspacePushed => PushedServed() is not null;
    public Runspace? Runspace => PushedServed();
    public void PushRunspace(Runspace runspace) => throw new NotSupportedException("A sandboxed pwsh cannot push a runspace on its caller.");

    public void PopRunspace()
    {
        if (PushedServed() is not null) ((IHostSupportsInteractiveSession)caller).PopRunspace();
    }

    private Runspace? PushedServed() =>
        caller is IHostSupportsInteractiveSession { IsRunspacePushed: true, Runspace: { } pushed } && _served is { } served && pushed.InstanceId == served.InstanceId
            ? pushed
            : null;

    internal static HostException Denied(string message) =>
        new(message, null, "SandboxHostAccessDenied", ErrorHelper.Category("SandboxHostAccessDenied"));

    private static HostException Refused(string what, SandboxHostAccess needed) =>
        Denied($"The sandbox may not {what} without the caller's consent. To allow it, run Invoke-Sandboxed or New-LandlockSession with -HostAccess {needed}.");

    private sealed class GuardedUI(PSHostUserInterface caller, SandboxHostAccess access, bool recordsViaStreams) : PSHostUserInterface
    {
        private readonly GuardedRawUI _rawUI = new(caller, access);

        public override PSHostRawUserInterface RawUI => _rawUI;

        internal Action? AwaitEarlierRecords { get; set; }

        private HostCatchUp? _catchUp;

        internal void Serve(WaitingCaller waiting, HostCatchUp catchUp)
        {
            _rawUI.Waiting = waiting;
            _catchUp = catchUp;
        }

        public override string ReadLine()
        {
            RequirePrompt("read from your terminal (Read-Host)");
            ShowMark();
            return caller.ReadLine();
        }

        public override SecureString ReadLineAsSecureString()
        {
            RequirePrompt("read a secret from your terminal (Read-Host -AsSecureString)");
            ShowMark();
            return caller.ReadLineAsSecureString();
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
        {
            RequirePrompt("read from your terminal (Read-Host, or a prompt)");
            foreach (FieldDescription field in descriptions ?? [])
            {
                // The host shows a field by its name, which cannot be changed, and a copy would lose
                // what marks it as a remote field (the host converts a remote answer more carefully).
                // Line ends and tabs too: 60 line ends before a field push the [sandbox] mark off the screen.
                if (field.Name is { } name && Core.ControlCharacters.Any(name))
                {
                    throw new HostException("The sandbox's prompt was refused: its text carries control characters, which could act on your terminal.",
                        null, "SandboxPromptUnsafe", ErrorHelper.Category("SandboxPromptUnsafe"));
                }
                // So would a name the terminal wraps over many rows: one takes at most what a caption and message may.
                if (field.Name is { } wide && !ReferenceEquals(PromptText.Fit(wide, Width, PromptText.MaxRows, out _), wide))
                {
                    throw new HostException("The sandbox's prompt was refused: a field name longer than your terminal shows beside its [sandbox] mark.",
                        null, "SandboxPromptUnsafe", ErrorHelper.Category("SandboxPromptUnsafe"));
                }
                field.Label = PromptText.Fit(HostText.Plain(field.Label ?? string.Empty), Width, PromptText.LineRows, out _);
                // Shown (on !?) between the field's line and the mark: cut as the message is.
                field.HelpMessage = PromptText.Fit(HostText.Neutralize(field.HelpMessage ?? string.Empty), Width, PromptText.LineRows, out _);
            }
            (string marked, string shown) = Framed(caption, message);
            return caller.Prompt(marked, shown, descriptions);
        }

        public override PSCredential? PromptForCredential(string caption, string message, string userName, string targetName)
        {
            RequirePrompt("ask you for a credential");
            (string marked, string shown) = Framed(caption, message);
            return caller.PromptForCredential(marked, shown, OnALine(userName), OnALine(targetName));
        }

        public override PSCredential? PromptForCredential(string caption, string message, string userName, string targetName,
            PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
        {
            RequirePrompt("ask you for a credential");
            (string marked, string shown) = Framed(caption, message);
            return caller.PromptForCredential(marked, shown, OnALine(userName), OnALine(targetName), allowedCredentialTypes, options);
        }

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            RequirePrompt("ask you to choose");
            var safe = new Collection<ChoiceDescription>();
            foreach (ChoiceDescription choice in choices ?? [])
            {
                safe.Add(new ChoiceDescription(OnALine(choice.Label), PromptText.Fit(HostText.Neutralize(choice.HelpMessage ?? string.Empty), Width, PromptText.LineRows, out _)));
            }
            (string marked, string shown) = Framed(caption, message);
            return caller.PromptForChoice(marked, shown, safe, defaultChoice);
        }

        public override void Write(string value) => Show(() => caller.Write(Ended(value)));

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) =>
            Show(() => caller.Write(foregroundColor, backgroundColor, Ended(value)));

        public override void WriteLine(string value)
        {
            // The transport's own call, after the session's own calls it waits for: nothing to show.
            if (_catchUp?.TryReach(value) == true) return;
            Show(() => caller.WriteLine(Ended(value)));
        }

        public override void WriteLine(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) =>
            Show(() => caller.WriteLine(foregroundColor, backgroundColor, Ended(value)));

        public override void WriteErrorLine(string value) => caller.WriteErrorLine(Ended(value));
        public override void WriteDebugLine(string message) => Show(() => caller.WriteDebugLine(Ended(message)));
        public override void WriteVerboseLine(string message) => Show(() => caller.WriteVerboseLine(Ended(message)));
        public override void WriteWarningLine(string message) => Show(() => caller.WriteWarningLine(Ended(message)));

        // The sandbox's text, neutralised, its colours ending with it: an attribute left set
        // (concealed text, a background the colour of the text) would hide what the caller's host
        // writes next, such as the [landlock] mark it draws before Enter-PSSession's prompt text.
        // Only a colour it kept leaves an escape character in neutralised text.
        private string Ended(string text)
        {
            string shown = HostText.Neutralize(text);
            return shown.Contains('\u001b') ? shown + Reset : shown;
        }
        public override void WriteProgress(long sourceId, ProgressRecord record) => Show(() => caller.WriteProgress(sourceId, HostRecords.Neutralize(record)));
        public override void WriteInformation(InformationRecord record) => Show(() => caller.WriteInformation(HostRecords.Neutralize(record)));

        private void Show(Action write)
        {
            if (!recordsViaStreams) write();
        }

        private void RequirePrompt(string what)
        {
            if ((access & SandboxHostAccess.Prompt) == 0) throw Refused(what, SandboxHostAccess.Prompt);
            _rawUI.Waiting?.Require(what);
            AwaitEarlierRecords?.Invoke();
        }

        // The mark leads the caption's line: a carriage return or a new line in the caption would
        // let what follows overwrite it, or push it out of sight, as would a long caption or message
        // (see PromptText). It comes on a reset terminal (see Reset), in the same write as the caption.
        private (string Caption, string Message) Framed(string? caption, string? message)
        {
            int width = Width;
            string marked = PromptText.Fit(Mark + PromptText.OneLine(HostText.Neutralize(caption ?? string.Empty)), width, PromptText.LineRows, out int rows);
            return (Reset + marked, PromptText.Fit(HostText.Neutralize(message ?? string.Empty), width, PromptText.MaxRows - rows, out _));
        }

        // A user or target name the host shows on the line you answer on.
        private string? OnALine(string? text) =>
            text is null ? null : PromptText.Fit(PromptText.OneLine(HostText.Neutralize(text)), Width, PromptText.LineRows, out _);

        // The width the host wraps prompt text at. Not a placeholder: a host without a console (an
        // application hosting PowerShell, a remoting host) answers RawUI with NotImplementedException or
        // PSNotImplementedException, and a console whose terminal is gone with an IOException; such a
        // host is taken as a narrow terminal.
        private int Width
        {
            get
            {
                try
                {
                    return caller.RawUI?.WindowSize.Width is > 0 and int width ? width : 80;
                }
                catch (Exception e) when (e is NotImplementedException or PSNotImplementedException or System.IO.IOException)
                {
                    return 80;
                }
            }
        }

        private void ShowMark()
        {
            if (caller.SupportsVirtualTerminal) caller.Write($"{Reset}\u001b[93m{Mark}{Reset}");
            else caller.Write(ConsoleColor.Yellow, caller.RawUI.BackgroundColor, Mark);
        }

        // Colours and attributes the sandbox set before (concealed text, a background the same as the
        // mark's colour) would hide the mark: it is shown on a reset terminal. The reset goes out in
        // one write with the mark: text the sandbox sent before its prompt can still be on its way to
        // the terminal on another thread, and land between a reset written alone and the mark.
        private string Reset => caller.SupportsVirtualTerminal ? "\u001b[0m" : string.Empty;
    }

    /// <summary>
    /// The caller's console as the sandbox sees it: sizes and colours to read; input and changes
    /// only with consent. A change is a call the server does not wait for: refused, it is dropped,
    /// and the caller is told once, since an error would reach the caller rather than the sandbox.
    /// </summary>
    private sealed class GuardedRawUI(PSHostUserInterface callerUI, SandboxHostAccess access) : PSHostRawUserInterface
    {
        private readonly PSHostRawUserInterface caller = callerUI.RawUI;
        private int _warned;

        public override ConsoleColor ForegroundColor { get => caller.ForegroundColor; set => Change(() => caller.ForegroundColor = value); }
        public override ConsoleColor BackgroundColor { get => caller.BackgroundColor; set => Change(() => caller.BackgroundColor = value); }
        public override Coordinates CursorPosition { get => caller.CursorPosition; set => Change(() => caller.CursorPosition = value); }
        public override Coordinates WindowPosition { get => caller.WindowPosition; set => Change(() => caller.WindowPosition = value); }
        public override int CursorSize { get => caller.CursorSize; set => Change(() => caller.CursorSize = value); }
        public override Size BufferSize { get => caller.BufferSize; set => Change(() => caller.BufferSize = value); }
        public override Size WindowSize { get => caller.WindowSize; set => Change(() => caller.WindowSize = value); }
        public override Size MaxWindowSize => caller.MaxWindowSize;
        public override Size MaxPhysicalWindowSize => caller.MaxPhysicalWindowSize;
        public override string WindowTitle { get => caller.WindowTitle; set => Change(() => caller.WindowTitle = HostText.Neutralize(value ?? string.Empty)); }

        // Keys are the console's, not a prompt's: a key read has no line to mark as the sandbox's,
        // so a sandbox could draw its own password line and collect the answer key by key.
        public override bool KeyAvailable
        {
            get
            {
                RequireConsole("watch your keyboard (KeyAvailable)");
                return caller.KeyAvailable;
            }
        }

        public override KeyInfo ReadKey(ReadKeyOptions options)
        {
            RequireConsole("read keys you type (ReadKey)");
            return caller.ReadKey(options);
        }

        public override void FlushInputBuffer() => Change(caller.FlushInputBuffer);

        public override BufferCell[,] GetBufferContents(Rectangle rectangle)
        {
            // What is on the caller's screen is the caller's, however it got there.
            RequireConsole("read your screen");
            return caller.GetBufferContents(rectangle);
        }

        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) => Change(() => caller.SetBufferContents(origin, contents));
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) => Change(() => caller.SetBufferContents(rectangle, fill));
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) =>
            Change(() => caller.ScrollBufferContents(source, destination, clip, fill));

        private void Change(Action change)
        {
            if ((access & SandboxHostAccess.RawUI) != 0)
            {
                change();
            }
            else if (System.Threading.Interlocked.Exchange(ref _warned, 1) == 0)
            {
                callerUI.WriteWarningLine("The sandbox tried to change your console (title, colours, cursor or buffer); it was not allowed to. " +
                    "To allow it, run Invoke-Sandboxed or New-LandlockSession with -HostAccess RawUI.");
            }
        }

        /// <summary>Set once a runspace is served: the console is read only while the caller waits for it.</summary>
        internal WaitingCaller? Waiting { get; set; }

        private void RequireConsole(string what)
        {
            if ((access & SandboxHostAccess.RawUI) == 0) throw Refused(what, SandboxHostAccess.RawUI);
            Waiting?.Require(what);
        }
    }
}
