using System;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using LandlockPS.Core.Native;

namespace LandlockPS.Core.Sandbox;

/// <summary>
/// A run held by a cgroup v2 of its own. The child enters it before its program's first
/// instruction (see <see cref="ExecGate"/>), so everything it ever starts is inside, whatever
/// session or process group it moves to; cgroup.kill ends them all at once, forks under way
/// included. Every file is used through a descriptor opened when the cgroup was made.
/// </summary>
internal sealed class ControlGroupTree : ProcessTree
{
    private readonly ControlGroupHierarchy _hierarchy;
    private readonly string _name;
    private readonly object _files = new();
    private SafeDescriptorHandle? _procs;
    private SafeDescriptorHandle? _kill;
    private SafeDescriptorHandle? _events;

    internal ControlGroupTree(ControlGroupHierarchy hierarchy, string name, SafeDescriptorHandle procs, SafeDescriptorHandle kill, SafeDescriptorHandle events)
        : base($"{hierarchy.Path}/{name}")
    {
        _hierarchy = hierarchy;
        _name = name;
        _procs = procs;
        _kill = kill;
        _events = events;
    }

    public override ContainmentMechanism Mechanism => ContainmentMechanism.ControlGroup;

    /// <summary>Whether the child was moved in before its program ran; false means this tree holds nothing.</summary>
    internal bool Adopted { get; private set; }

    /// <summary>Why moving the child in failed (an errno), when it did.</summary>
    internal int AdoptionError { get; private set; }

    /// <summary>Moves <paramref name="pid"/> into this cgroup (the child, stopped before its program runs).</summary>
    internal unsafe bool Adopt(int pid)
    {
        byte* digits = stackalloc byte[16];
        int length = Encoding.ASCII.GetBytes(pid.ToString(CultureInfo.InvariantCulture), new Span<byte>(digits, 16));
        lock (_files)
        {
            // Never 0 or less: "0" would move the writer, this very process, into the run's cgroup.
            Adopted = pid > 0 && _procs is not null && ProcessApi.Write(_procs.Fd, digits, (nuint)length) == length;
            AdoptionError = Adopted ? 0 : pid > 0 ? Marshal.GetLastPInvokeError() : Errno.ESRCH;
            // Only ever one process is moved in: whatever it starts follows it.
            _procs?.Dispose();
            _procs = null;
        }
        return Adopted;
    }

    public override unsafe void KillAll()
    {
        byte one = (byte)'1';
        lock (_files)
        {
            if (_kill is not null) ProcessApi.Write(_kill.Fd, &one, 1);
        }
    }

    // cgroup.events reads "populated 0" once no process is left in the cgroup or below it
    // (exited children waiting to be reaped do not count).
    protected override unsafe bool IsGone
    {
        get
        {
            byte* text = stackalloc byte[128];
            lock (_files)
            {
                if (_events is null) return true;
                nint read = ProcessApi.PRead(_events.Fd, text, 127, 0);
                return read > 0 && new ReadOnlySpan<byte>(text, (int)read).IndexOf("populated 0"u8) >= 0;
            }
        }
    }

    // The kernel signals a change of cgroup.events as POLLPRI.
    protected override unsafe void WaitForChange(int milliseconds)
    {
        SafeDescriptorHandle? events;
        lock (_files) events = _events;
        if (events is null) return;
        bool added = false;
        try
        {
            events.DangerousAddRef(ref added);
            var poll = new ProcessApi.PollFd { Fd = events.Fd, Events = ProcessApi.POLLPRI };
            ProcessApi.Poll(&poll, 1, milliseconds);
        }
        catch (ObjectDisposedException)
        {
            // Freed meanwhile: gone.
        }
        finally
        {
            if (added) events.DangerousRelease();
        }
    }

    protected override void Free()
    {
        lock (_files)
        {
            _procs?.Dispose();
            _kill?.Dispose();
            _events?.Dispose();
            _procs = _kill = _events = null;
        }
        _hierarchy.Remove(_name);
    }
}
