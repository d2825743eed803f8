using System.Management.Automation;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Sandbox;

namespace LandlockPS.Commands;

/// <summary>Reports whether and how far the running kernel supports Landlock.</summary>
[Cmdlet(VerbsCommon.Get, "LandlockAbi", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(LandlockSupport), ParameterSetName = [DefaultSet])]
[OutputType(typeof(AbiFeatures), ParameterSetName = [ListSet])]
public sealed class GetLandlockAbiCommand : PSCmdlet
{
    private const string DefaultSet = "Kernel";
    private const string ListSet = "List";

    /// <summary>Lists every ABI the module knows with what it adds, instead of querying the kernel.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ListSet)]
    public SwitchParameter ListKnown { get; set; }

    protected override void EndProcessing()
    {
        if (ListKnown)
        {
            WriteObject(AbiFeatures.All, enumerateCollection: true);
            return;
        }
        // Containment is the launch pad's, not the kernel's Landlock: the model knows nothing of
        // launching, so it is shown here, beside what the kernel supports.
        var support = new PSObject(LandlockSupport.Query());
        support.Properties.Add(new PSNoteProperty("Containment", SandboxedProcess.DescribeContainment()));
        WriteObject(support);
    }
}
